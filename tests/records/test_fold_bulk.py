"""Over a 10,000-case database built through the bulk import path, with corrections,
assignments, status moves and closures on a sample, every row equals the fold."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

from plaint.cases import services
from plaint.cases.importing import cfpb_import_text
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.domain.lifecycle import CaseStatus
from plaint.records.corrections import case_correct, customer_correct
from plaint.records.integrity import rows_verify
from tests.conftest import NOW

DEMO_CSV = Path(__file__).resolve().parents[2] / "src" / "plaint" / "demo" / "cfpb_demo.csv"
CASES = 10_000


def _csv(rows: int) -> str:
    with DEMO_CSV.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        header = list(reader.fieldnames or [])
        sample = list(reader)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header)
    writer.writeheader()
    for n in range(rows):
        day = (NOW - timedelta(days=n % 40)).date().isoformat()
        row = sample[n % len(sample)]
        writer.writerow(
            {**row, "Date received": day, "Date sent to company": day, "Complaint ID": str(n + 1)}
        )
    return out.getvalue()


def test_every_row_equals_its_fold_in_a_10000_case_database(org, agent) -> None:
    summary = cfpb_import_text(organisation=org, text=_csv(CASES), now=NOW)
    assert summary.imported == CASES
    actor = Actor.staff(agent)
    later = NOW + timedelta(hours=1)
    sample = list(Case.objects.filter(organisation=org).order_by("pk")[:: CASES // 40])
    for n, case in enumerate(sample):
        case_correct(
            case=case,
            changes={"product": f"Corrected product {n}", "account_number": f"ACC-{n}"},
            reason="Mistyped at import",
            actor=actor,
            now=later,
        )
        if n % 2:
            customer_correct(
                case=case,
                changes={"name": f"Customer {n}", "email": f"c{n}@example.org"},
                reason="Name from the signed letter",
                actor=actor,
                now=later,
            )
        services.case_assign(case=case, assignee=agent, actor=actor, now=later)
        services.case_transition(case=case, to=CaseStatus.INVESTIGATING, actor=actor, now=later)
        if n % 3 == 0:
            services.case_transition(case=case, to=CaseStatus.RESOLVED, actor=actor, now=later)
            services.case_close(
                case=case,
                outcome="upheld",
                root_cause="billing",
                root_cause_code="staff_error",
                summary="Refunded",
                actor=actor,
                now=later,
            )
    report = rows_verify(organisation=org)
    assert report.cases == CASES
    assert report.ok, report.mismatches[:5]
    # one stored value moved behind the ledger's back is found, and only that one
    Case.objects.filter(pk=sample[3].pk).update(account_number="ACC-forged")
    report = rows_verify(organisation=org)
    assert [(m.field, m.stored) for m in report.mismatches] == [("account_number", "ACC-forged")]
