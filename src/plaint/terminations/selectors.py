"""Reads of terminations. Every selector takes the organisation (or an object of it)
and filters on it first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models import QuerySet

from plaint.accounts.models import Organisation
from plaint.cases.models import Case, Customer
from plaint.terminations.models import Termination, TerminationSettings, TerminationTask
from plaint.triage.models import TriageRecord

CLOSED_STATUSES = ("closed", "withdrawn")


class TerminationNotFound(LookupError):
    pass


def settings_get(*, organisation: Organisation) -> TerminationSettings:
    """The organisation's termination settings (the defaults when none were saved)."""
    found = TerminationSettings.objects.filter(organisation=organisation).first()
    return found or TerminationSettings(organisation=organisation)


def termination_list(*, organisation: Organisation, status: str = "") -> QuerySet[Termination]:
    rows = Termination.objects.filter(organisation=organisation).select_related(
        "customer", "proposed_by", "decided_by"
    )
    return rows.filter(status=status) if status else rows


def termination_get(*, organisation: Organisation, pk: int) -> Termination:
    try:
        return Termination.objects.select_related(
            "organisation",
            "customer",
            "proposed_by",
            "decided_by",
            "legal_signed_off_by",
            "letter_case",
        ).get(organisation=organisation, pk=pk)  # fmt: skip
    except Termination.DoesNotExist:
        raise TerminationNotFound(pk) from None


def record_flags(*, cases: Sequence[Case]) -> set[str]:
    """The triage flags raised on any of these cases (legal review cleared or not)."""
    flags: set[str] = set()
    for record in TriageRecord.objects.filter(case__in=[c.pk for c in cases]):
        flags.update(str(item.get("flag", "")) for item in record.flags or [])
    flags.discard("")
    return flags


def termination_customer_open_cases(*, termination: Termination) -> list[Case]:
    """The customer's cases that are still open (complaints or disputes)."""
    return list(
        Case.objects.filter(
            organisation_id=termination.organisation_id, customer_id=termination.customer_id
        )
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("received_at", "pk")
    )


def case_terminations(*, case: Case) -> list[Termination]:
    """Terminations of the case's customer: the ones resting on it, and the ones it may
    be a reaction to (the customer complained after the notice went out)."""
    return list(
        Termination.objects.filter(
            organisation_id=case.organisation_id, customer_id=case.customer_id
        ).order_by("-proposed_at", "-pk")
    )


def is_reaction(*, termination: Termination, case: Case, zone_today: date | None = None) -> bool:
    """Whether the case came in after the termination's notice and is not behind it: a
    reaction to the termination, flagged on the case page."""
    if termination.notice_on is None:
        return False
    if termination.cases.filter(pk=case.pk).exists():
        return False
    return case.received_at.date() >= termination.notice_on


def termination_tasks_open(*, organisation: Organisation) -> QuerySet[TerminationTask]:
    return TerminationTask.objects.filter(
        termination__organisation=organisation, done_on__isnull=True
    ).select_related("termination", "owner")


def customer_get(*, organisation: Organisation, pk: int) -> Customer:
    return Customer.objects.get(organisation=organisation, pk=pk)
