"""Subject access: everything held about a person, every export on the ledger."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from plaint.cases.models import CaseEvent
from plaint.domain.pack import pack_verify
from plaint.records.subject_access import one_month_after
from tests.conftest import open_case


def test_one_month_clock() -> None:
    assert one_month_after(date(2026, 1, 31)) == date(2026, 2, 28)
    assert one_month_after(date(2026, 12, 15)) == date(2027, 1, 15)


def test_customer_export_holds_every_case_and_is_recorded(case, org, agent, tmp_path) -> None:
    second = open_case(org, agent, customer=case.customer, description="And the gas bill.")
    target = tmp_path / "sar.zip"
    out = io.StringIO()
    call_command(
        "customer", "export", "--org", "acme", "--email", "DANA@example.org",
        "--requested-on", "2026-03-02", "-o", str(target), stdout=out,
    )  # fmt: skip
    assert "2 case(s); the answer is due by 2026-04-02" in out.getvalue()
    archive = zipfile.ZipFile(target)
    index = json.loads(archive.read("index.json"))
    assert index["due_note"].startswith("UNVERIFIED")
    (person,) = index["people"]
    assert person["name"] == "Dana Whitfield" and len(person["cases"]) == 2
    for item in person["cases"]:
        assert pack_verify(archive.read(item["pack"])).ok
    for each in (case, second):
        last = CaseEvent.objects.filter(case=each).order_by("-seq").first()
        assert last is not None and last.kind == "case_exported"
        assert json.loads(last.clear_payload)["audience"] == "subject access"
    with pytest.raises(CommandError, match="No customer"):
        call_command("customer", "export", "--org", "acme", "--email", "nobody@example.org")
    with pytest.raises(CommandError, match="Name the person"):
        call_command("customer", "export", "--org", "acme")
