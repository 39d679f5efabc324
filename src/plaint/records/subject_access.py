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
import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from plaint.accounts.models import Organisation
from plaint.cases.ledger import Actor, event_append
from plaint.cases.models import Case, Customer
from plaint.cases.services import case_lock, require_aware
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.events_records import (
    CaseExported,
    SubjectAccessAnswered,
    SubjectAccessRequested,
)
from plaint.domain.ledger import canonical_time
from plaint.domain.pack import manifest_build, pretty, zip_build
from plaint.records.models import SubjectAccessRequest
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


# ------------------------------------------------------------ requests and their clock

#: How a request may arrive.
RECEIVED_BY = ("e-mail", "letter", "phone", "in person", "portal", "other")


def _organisation_today(organisation: Organisation, now: datetime) -> date:
    return now.astimezone(ZoneInfo(organisation.time_zone)).date()


@transaction.atomic
def subject_access_request_log(
    *, case: Case, requested_on: date, received_by: str, actor: Actor, now: datetime
) -> SubjectAccessRequest:
    """Log a subject access request from the customer of `case`, received on
    `requested_on`; its answer is due one calendar month later (unverified period). A
    customer with a request still open gets no second clock: the open one is named."""
    require_aware(now=now)
    errors: dict[str, str] = {}
    if received_by not in RECEIVED_BY:
        errors["received_by"] = "must be one of: " + ", ".join(RECEIVED_BY)
    if requested_on > _organisation_today(case.organisation, now):
        errors["requested_on"] = "is after today: log a request once it has arrived"
    if errors:
        raise FieldErrors(errors)
    if actor.user is None or not actor.user.has_perm("cases.work_case"):
        raise DomainError("Only staff who work cases log a subject access request.")
    case = case_lock(case)
    open_one = SubjectAccessRequest.objects.filter(
        case__customer_id=case.customer_id, answered_at__isnull=True
    ).first()
    if open_one is not None:
        raise DomainError(
            f"This customer already has an open subject access request (#{open_one.pk}, "
            f"logged on {open_one.case.reference}, due by {open_one.due_on.isoformat()})."
        )
    due = one_month_after(requested_on)
    row = SubjectAccessRequest.objects.create(
        organisation=case.organisation,
        case=case,
        requested_on=requested_on,
        received_by=received_by,
        due_on=due,
        logged_by=actor.user,
        logged_at=now,
    )
    event_append(
        case=case,
        payload=SubjectAccessRequested(
            request_id=row.pk,
            requested_on=requested_on.isoformat(),
            received_by=received_by,
            due_on=due.isoformat(),
            due_note=DUE_NOTE,
        ),
        actor=actor,
        now=now,
    )
    return row


@transaction.atomic
def subject_access_answer(
    *, request: SubjectAccessRequest, actor: Actor, now: datetime
) -> SubjectAccessExport:
    """Produce the ZIP of everything held about the request's customer (each case's
    export is on its ledger), and close the request with the ZIP's SHA-256. Supervisors
    and admins answer: the ZIP holds every case of the person."""
    require_aware(now=now)
    if actor.user is None or not actor.user.has_perm("cases.reassign_case"):
        raise DomainError("Only supervisors and admins produce a subject access ZIP.")
    request = SubjectAccessRequest.objects.select_for_update().get(pk=request.pk)
    if request.answered_at is not None:
        raise DomainError(
            f"Subject access request #{request.pk} was answered on "
            f"{_organisation_today(request.organisation, request.answered_at).isoformat()}."
        )
    export = subject_access_export(
        organisation=request.organisation,
        actor=actor,
        now=now,
        requested_on=request.requested_on,
        reference=request.case.reference,
    )
    digest = hashlib.sha256(export.data).hexdigest()
    request.answered_at, request.answered_by, request.zip_sha256 = now, actor.user, digest
    request.save(update_fields=["answered_at", "answered_by", "zip_sha256"])
    event_append(
        case=case_lock(request.case),
        payload=SubjectAccessAnswered(
            request_id=request.pk,
            cases=export.cases,
            zip_sha256=digest,
            due_on=request.due_on.isoformat(),
            late=_organisation_today(request.organisation, now) > request.due_on,
        ),
        actor=actor,
        now=now,
    )
    return export


@dataclass(frozen=True)
class OpenRequest:
    request: SubjectAccessRequest
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_over(self) -> int:
        return -self.days_left


def subject_access_open(*, organisation: Organisation, today: date) -> list[OpenRequest]:
    """The organisation's unanswered requests, soonest due first."""
    return [
        OpenRequest(row, (row.due_on - today).days)
        for row in SubjectAccessRequest.objects.filter(
            organisation=organisation, answered_at__isnull=True
        )
        .select_related("case")
        .order_by("due_on", "pk")
    ]


def case_subject_access(*, case: Case) -> list[SubjectAccessRequest]:
    """The requests of the case's customer (on any of their cases), newest first."""
    return list(
        SubjectAccessRequest.objects.filter(case__customer_id=case.customer_id)
        .select_related("case")
        .order_by("-logged_at", "-pk")
    )
