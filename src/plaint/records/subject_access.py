"""Subject access: everything held about a person, as one ZIP with an index.

The export holds, for each customer record matching the person, their details and the
full evidence pack of each of their cases (events, letters, files). A person may hold
several customer records (one per complaint filed with another e-mail spelling, say), so
the request names one case or an e-mail address. Each case's export is a
`case_exported` event (audience "subject access").

The answer is due one calendar month after the request (UK GDPR Article 12(3)); that
period is not in Plaint's verified legal reference, so the index marks it unverified.
Exemptions (third parties' data in notes, legal privilege) are for a person to review
before the ZIP is sent: nothing here removes anything.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction

from plaint.accounts.models import Organisation
from plaint.cases.ledger import Actor, event_append
from plaint.cases.models import Case, Customer
from plaint.cases.services import case_lock, require_aware
from plaint.domain.errors import DomainError
from plaint.domain.events_records import CaseExported
from plaint.domain.ledger import canonical_time
from plaint.domain.pack import manifest_build, pretty, zip_build
from plaint.records.packs import case_pack_build

DUE_NOTE = (
    "UNVERIFIED: one calendar month from the request (UK GDPR Article 12(3)); not in "
    "Plaint's verified legal reference: check the period that applies to you."
)


def one_month_after(day: date) -> date:
    """The same day next month, or that month's last day if it is shorter."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


@dataclass(frozen=True)
class SubjectAccessExport:
    data: bytes
    filename: str
    cases: int
    due_on: date


@transaction.atomic
def subject_access_export(
    *,
    organisation: Organisation,
    actor: Actor,
    now: datetime,
    requested_on: date,
    reference: str = "",
    email: str = "",
) -> SubjectAccessExport:
    """Everything held about the customer of case `reference`, or about every customer
    record of the organisation with e-mail `email`."""
    require_aware(now=now)
    customers = Customer.objects.filter(organisation=organisation)
    if reference:
        case = Case.objects.filter(organisation=organisation, reference=reference).first()
        if case is None:
            raise DomainError(f"No case {reference} in {organisation.name}.")
        customers = customers.filter(pk=case.customer_id)
    elif email.strip():
        customers = customers.filter(email__iexact=email.strip())
    else:
        raise DomainError("Name the person by one of their cases or their e-mail address.")
    people = list(customers.order_by("pk"))
    if not people:
        raise DomainError(f"No customer with that e-mail address in {organisation.name}.")
    entries: dict[str, bytes] = {}
    index_people = []
    count = 0
    for person in people:
        cases = []
        for case in Case.objects.filter(customer=person).order_by("pk"):
            case = case_lock(case)
            pack = case_pack_build(case=case, exported_at=now)
            entries[f"cases/{pack.filename}"] = pack.data
            event_append(
                case=case,
                payload=CaseExported(
                    audience="subject access",
                    ledger_length=pack.ledger_length,
                    manifest_sha256=pack.manifest_sha256,
                    files=pack.files,
                ),
                actor=actor,
                now=now,
            )
            cases.append(
                {
                    "reference": case.reference,
                    "status": case.status,
                    "pack": f"cases/{pack.filename}",
                }
            )
            count += 1
        index_people.append(
            {
                "customer_id": person.pk,
                "name": person.name,
                "email": person.email,
                "phone": person.phone,
                "postal_address": person.postal_address,
                "preferred_contact_times": person.preferred_contact_times,
                "vulnerability_notes": person.vulnerability_notes,
                "recorded_since": canonical_time(person.created_at),
                "cases": cases,
            }
        )
    due = one_month_after(requested_on)
    entries["index.json"] = pretty(
        {
            "organisation": organisation.name,
            "requested_on": requested_on.isoformat(),
            "due_on": due.isoformat(),
            "due_note": DUE_NOTE,
            "people": index_people,
        }
    )
    entries["README.txt"] = (
        f"Everything {organisation.name} holds about you in Plaint, as of "
        f"{canonical_time(now)}.\n\nindex.json lists your details and your complaints; "
        "cases/ holds the full record of each complaint as an evidence pack, which the "
        "verify_pack.py inside it checks.\n"
    ).encode()
    entries["manifest.json"] = manifest_build(entries, {"kind": "subject access"})
    return SubjectAccessExport(
        data=zip_build(entries),
        filename=f"subject-access-{organisation.slug}-{people[0].pk}.zip",
        cases=count,
        due_on=due,
    )
