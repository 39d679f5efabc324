"""Security: one organisation's token sees nothing of another's on any endpoint (ids
guessed across organisations included), scopes and the owner's own permissions are
enforced, tokens are never logged, uploads keep the evidence checks, and hostile text is
stored verbatim and returned as data."""

from __future__ import annotations

import io
import logging

import pytest

from plaint.accounts.roles import Role
from plaint.accounts.services import staff_create
from plaint.cases import services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from tests.api.conftest import CASE_BODY, ApiClient
from tests.conftest import NOW, open_case

HOSTILE = "<script>alert(1)</script> {{ 7*7 }} {% debug %}\nzebra two\u202eevil\u202c ' OR 1=1 --"


@pytest.fixture
def theirs(other_org, outsider):  # type: ignore[no-untyped-def]
    """A case of another organisation, with evidence, an offer and a note."""
    case = open_case(other_org, outsider)
    evidence = services.case_evidence_attach(
        case=case,
        filename="bill.txt",
        stream=io.BytesIO(b"secret bill"),
        content_type="text/plain",
        actor=Actor.staff(outsider),
        now=NOW,
    )
    services.case_transition(case=case, to="investigating", actor=Actor.staff(outsider), now=NOW)
    offer = services.case_offer_record(
        case=case, redress="apology", actor=Actor.staff(outsider), now=NOW
    )
    return case, evidence, offer


def _paths(ref: str, evidence_id: int, offer_id: int) -> list[tuple[str, str]]:
    base = f"/api/v1/cases/{ref}"
    return [
        ("GET", base),
        ("GET", f"{base}/contacts"),
        ("GET", f"{base}/evidence"),
        ("GET", f"{base}/evidence/{evidence_id}/file"),
        ("GET", f"{base}/offers"),
        ("GET", f"{base}/deadlines?explain=true"),
        ("GET", f"{base}/triage"),
        ("GET", f"{base}/letters"),
        ("GET", f"{base}/letters/1/files/pdf"),
        ("GET", f"{base}/events"),
        ("GET", f"{base}/ledger/verification"),
        ("POST", f"{base}/transitions"),
        ("POST", f"{base}/close"),
        ("POST", f"{base}/contacts"),
        ("POST", f"{base}/notes"),
        ("POST", f"{base}/offers"),
        ("POST", f"{base}/offers/{offer_id}/answer"),
        ("POST", f"{base}/triage/confirm"),
        ("POST", f"{base}/letters"),
        ("POST", f"{base}/letters/1/sent"),
    ]


BODIES = {
    "transitions": {"to": "investigating"},
    "close": {"outcome": "upheld", "root_cause_code": "billing"},
    "contacts": {"contact_at": "2026-03-01T09:00:00Z", "channel": "phone", "direction": "inbound"},
    "notes": {"text": "peek"},
    "offers": {"redress": "apology"},
    "answer": {"accepted": True},
    "confirm": {"labels": {}},
    "letters": {"kind": "acknowledgement"},
    "sent": {"method": "post", "sent_at": "2026-03-01T09:00:00Z"},
}


def test_another_organisation_s_case_is_invisible_everywhere(admin, make_token, theirs):
    case, evidence, offer = theirs
    api = ApiClient(make_token(scopes=("read", "write", "letters", "admin")))
    fresh = Case.objects.get(pk=case.pk)
    before = (fresh.ledger_length, fresh.ledger_head)
    for method, path in _paths(case.reference, evidence.pk, offer.pk):
        body = BODIES.get(path.rsplit("/", 1)[-1], {})
        headers = {"If-Match": "*"}
        answer = (
            api.get(path, headers=headers)
            if method == "GET"
            else api.post(path, body, headers=headers)
        )
        assert answer.status_code == 404, (method, path, answer.content)
        assert b"Dana" not in answer.content and b"secret bill" not in answer.content
    after = Case.objects.get(pk=case.pk)
    assert (after.ledger_length, after.ledger_head) == before
    listed = api.get("/api/v1/cases", q=case.reference).json()["items"]
    assert listed == []
    staff = [m["username"] for m in api.get("/api/v1/staff").json()["items"]]
    assert "oscar" not in staff and "ada" in staff


def test_ids_of_another_organisation_are_not_reachable_through_one_s_own_case(api, case, theirs):
    _, evidence, offer = theirs
    base = f"/api/v1/cases/{case.reference}"
    assert api.get(f"{base}/evidence/{evidence.pk}/file").status_code == 404
    etag = api.get(base)["ETag"]
    answer = api.post(
        f"{base}/offers/{offer.pk}/answer", {"accepted": True}, headers={"If-Match": etag}
    )
    assert answer.status_code == 404
    offer.refresh_from_db()
    assert offer.answer == "pending"


def test_scopes_are_enforced(make_token, case):
    reader = ApiClient(make_token(scopes=("read",)))
    writer = ApiClient(make_token(scopes=("write",)))
    assert reader.get("/api/v1/cases").status_code == 200
    assert reader.post("/api/v1/cases", CASE_BODY).status_code == 403
    assert writer.get("/api/v1/cases").status_code == 403
    assert writer.post("/api/v1/cases", CASE_BODY).status_code == 201
    assert reader.get("/api/v1/staff").status_code == 403
    letters = f"/api/v1/cases/{case.reference}/letters"
    assert writer.post(letters, {"kind": "acknowledgement"}).status_code == 403


def test_a_token_does_no_more_than_its_owner(make_token, org, agent, supervisor, case):
    """An agent's token sees no case assigned to someone else, and an admin scope on a
    non-admin's token reaches no staff list."""
    services.case_assign(case=case, assignee=supervisor, actor=Actor.staff(supervisor), now=NOW)
    agents = ApiClient(make_token(owner=agent, scopes=("read", "admin")))
    assert agents.get(f"/api/v1/cases/{case.reference}").status_code == 404
    assert agents.get("/api/v1/cases").json()["items"] == []
    assert agents.get("/api/v1/staff").status_code == 403
    reviewer = staff_create(
        organisation=org, username="lee", password="pw-lee-123", roles=[Role.LEGAL_REVIEWER]
    )
    reviews = ApiClient(make_token(owner=reviewer, scopes=("read", "write")))
    assert reviews.post("/api/v1/cases", CASE_BODY).status_code == 403


def test_the_ledger_names_the_token_s_owner_and_the_token(make_token, admin):
    api = ApiClient(make_token(name="Website form"))
    ref = api.post("/api/v1/cases", CASE_BODY).json()["reference"]
    event = Case.objects.get(reference=ref).events.order_by("seq").first()
    assert event.actor_label == "Ada Admin (API token 'Website form')"
    assert event.actor_id == admin.pk


def test_tokens_are_never_logged(make_token, case, caplog, monkeypatch):
    secret = make_token()
    api = ApiClient(secret)
    caplog.set_level(logging.DEBUG)
    api.get("/api/v1/cases")
    api.get("/api/v1/nowhere")
    ApiClient(secret + "x").get("/api/v1/cases")  # refused
    monkeypatch.setattr("plaint.api.access.case_get", lambda **_: 1 / 0)
    assert api.get(f"/api/v1/cases/{case.reference}").status_code == 500
    logged = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert "ZeroDivisionError" in logged  # the crash was logged...
    assert secret not in logged and secret[12:] not in logged  # ...without the token


def test_hostile_text_is_stored_verbatim_and_returned_as_data(api):
    body = dict(CASE_BODY, description=HOSTILE, product=HOSTILE[:150])
    made = api.post("/api/v1/cases", body)
    assert made.status_code == 201
    assert made["Content-Type"].startswith("application/json")
    assert made.json()["description"] == HOSTILE.strip()
    case = Case.objects.get()
    assert case.description == HOSTILE.strip()
    note = api.post(f"/api/v1/cases/{case.reference}/notes", {"text": HOSTILE})
    assert note.json()["payload"]["text"] == HOSTILE.strip()
    found = api.get("/api/v1/cases", q="zebra").json()["items"]
    assert [c["reference"] for c in found] == [case.reference]
    nul = api.post("/api/v1/cases", dict(CASE_BODY, description="a\x00b"))
    assert nul.status_code == 422
    assert nul.json()["errors"] == [{"field": "description", "message": "contains a NUL character"}]


def test_uploads_keep_the_evidence_checks(api, case):
    path = f"/api/v1/cases/{case.reference}/evidence"
    exe = io.BytesIO(b"MZ\x90\x00")
    exe.name = "invoice.exe"
    refused = api.upload(path, {"file": exe})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "file"
    fake = io.BytesIO(b"not a pdf")
    fake.name = "bill.pdf"
    assert api.upload(path, {"file": fake}).status_code == 422
    text = io.BytesIO(b"<script>alert(1)</script>")
    text.name = "notes.txt"
    made = api.upload(path, {"file": text, "description": "the bill"})
    assert made.status_code == 201, made.content
    evidence = made.json()
    assert evidence["filename"] == "notes.txt" and evidence["size"] == 25
    download = api.get(f"{path}/{evidence['id']}/file")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"<script>alert(1)</script>"
    assert [e["id"] for e in api.get(path).json()] == [evidence["id"]]
