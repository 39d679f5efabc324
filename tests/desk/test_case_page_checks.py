"""Issue 17, finding 1: the case page's "verified" line says what it checked on this view
(the chain, the case and customer rows against their events, the files hashed now), and a
file altered on disk makes it say so in words."""

from __future__ import annotations

import html
import io
import os
import re

from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.accounts.roles import Role
from plaint.accounts.services import staff_create
from plaint.cases import evidence_store, services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, Evidence
from tests.conftest import NOW, open_case

PDF = b"%PDF-1.4\n%receipt\n"


def _attach(case: Case, agent: User, data: bytes) -> Evidence:
    return services.case_evidence_attach(
        case=case,
        filename="receipt.pdf",
        stream=io.BytesIO(data),
        content_type="application/pdf",
        actor=Actor.staff(agent),
        now=NOW,
    )


def _line(page: str) -> str:
    found = re.search(
        r'<p class="ledger ok".*?</p>|<div class="ledger broken".*?</div>', page, re.S
    )
    assert found, page[-3000:]
    text = re.sub(r"<[^>]+>", " ", found.group(0))
    return re.sub(r"\s+", " ", html.unescape(text)).strip().replace(" .", ".").replace(" ;", ";")


def test_the_line_says_what_was_checked(as_agent: Client, org: Organisation, agent: User) -> None:
    case = open_case(org, agent)
    for n in range(3):
        _attach(case, agent, PDF + bytes([n]))
    events = case.events.count()
    line = _line(as_agent.get(f"/cases/{case.reference}/").content.decode())
    assert line == (
        f"✓ Checked now: chain of {events} events intact; case and customer rows match the "
        "events; 3 of 3 files match their hashes."
    )


def test_a_file_replaced_on_disk_is_reported(
    as_agent: Client, org: Organisation, agent: User
) -> None:
    case = open_case(org, agent)
    item = _attach(case, agent, PDF)
    path = evidence_store.blob_path(item.sha256)
    os.chmod(path, 0o600)
    path.write_bytes(b"%PDF-1.4\n%forged\n")
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    line = _line(page)
    assert "Integrity check failed" in line
    assert f"evidence/{item.sha256[:12]}: content does not match its SHA-256: altered" in line
    assert "1 of 1 file checked now, 1 failed" in line
    assert "Checked now" not in line and "✓" not in line


def test_the_byte_budget_samples_and_says_so(
    as_agent: Client, org: Organisation, agent: User, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.PLAINT_VERIFY_BYTES_PER_VIEW = len(PDF) + 1
    case = open_case(org, agent)
    for n in range(4):
        _attach(case, agent, PDF + bytes([n]))
    line = _line(as_agent.get(f"/cases/{case.reference}/").content.decode())
    assert "1 of 4 files match their hashes (a sample; plaint verify --files checks all)" in line


def test_an_altered_or_missing_file_is_never_served(
    as_agent: Client, org: Organisation, agent: User
) -> None:
    """The page's alert is not enough: the desk, the API and the portal refuse to hand out
    a file whose bytes no longer match its hash, or that is gone."""
    from plaint.api import tokens

    case = open_case(org, agent)
    item = _attach(case, agent, PDF)
    url = f"/cases/{case.reference}/evidence/{item.pk}/"
    assert as_agent.get(url).status_code == 200
    path = evidence_store.blob_path(item.sha256)
    os.chmod(path, 0o600)
    path.write_bytes(b"%PDF-1.4\n%forged\n")
    refused = as_agent.get(url)
    assert refused.status_code == 409
    assert "no longer matches the SHA-256" in refused.content.decode()
    assert b"forged" not in refused.content
    admin = staff_create(
        organisation=org, username="ada", password="pw-ada-123", roles=[Role.ADMIN]
    )
    made = tokens.token_create(
        organisation=org, owner=admin, name="t", scopes=["read"], actor=admin, now=NOW
    )
    api = Client(headers={"Authorization": f"Bearer {made.secret}"})
    problem = api.get(f"/api/v1/cases/{case.reference}/evidence/{item.pk}/file")
    assert problem.status_code == 409 and "altered on disk" in problem.json()["detail"]
    path.unlink()
    assert "missing from the file store" in as_agent.get(url).content.decode()
