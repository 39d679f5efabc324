"""Every read of cases, scoped to one organisation. Nothing here returns another
organisation's rows: each function takes the organisation and filters on it first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Count, Q, QuerySet

from plaint.accounts.models import Organisation, User
from plaint.cases.ledger import ledger_verify, personal_prefetch
from plaint.cases.models import Case, CaseEvent, Contact, Evidence, ResolutionOffer
from plaint.cases.search import search_matches
from plaint.config.replicas import replica_alias
from plaint.domain.collision import QUIET_KINDS, Change
from plaint.domain.events import EventKind, EvidenceAttached, Payload, payload_from_json
from plaint.domain.ledger import VerificationReport
from plaint.domain.lifecycle import CaseStatus, allowed_targets
from plaint.domain.vocabulary import ActorKind, Visibility


class CaseNotFound(LookupError):
    """No case with that reference in this organisation."""


@dataclass(frozen=True)
class CaseFilters:
    status: str = ""
    product: str = ""
    priority: str = ""
    assignee_id: int | None = None
    unassigned: bool = False
    received_from: date | None = None
    received_to: date | None = None
    q: str = ""


def case_list(
    *,
    organisation: Organisation,
    filters: CaseFilters | None = None,
    visible_to: User | None = None,
    stale_ok: bool = False,
) -> QuerySet[Case]:
    """The organisation's cases, newest first, narrowed by `filters`. With `stale_ok` (the
    desk's queue, search) they are read from the read replica when one is configured and
    the request is not pinned to the primary (`plaint.config.replicas.replica_alias`).
    With `visible_to`, only the cases that member of staff may see: all of them with
    `cases.view_all_cases`, otherwise their own and the unassigned ones. `filters.q` finds
    a reference, or words anywhere in what was written about a case (the complaint with
    its order and account numbers, notes, contact summaries: `plaint.cases.search`)."""
    f = filters or CaseFilters()
    cases = (
        _cases(stale_ok).filter(organisation=organisation).select_related("customer", "assignee")
    )
    cases = _visible(cases, visible_to)
    if f.status:
        cases = cases.filter(status=f.status)
    if f.product:
        cases = cases.filter(product=f.product)
    if f.priority:
        cases = cases.filter(priority=f.priority)
    if f.assignee_id is not None:
        cases = cases.filter(assignee_id=f.assignee_id)
    if f.unassigned:
        cases = cases.filter(assignee__isnull=True)
    if f.received_from:
        cases = cases.filter(received_at__date__gte=f.received_from)
    if f.received_to:
        cases = cases.filter(received_at__date__lte=f.received_to)
    if f.q.strip():
        term = f.q.strip()
        cases = cases.filter(pk__in=search_matches(organisation=organisation, q=term))
    return cases.order_by("-received_at", "-id")


# The filter menus: distinct non-empty values of these columns, each with an index on
# (organisation, column).
MENU_COLUMNS = ("product", "category", "regime")


def case_menu_values(*, organisation: Organisation, column: str) -> list[str]:
    """The distinct non-empty values of `column` among the organisation's cases, sorted.

    Read as a loose index scan: a recursive query that asks the (organisation, column)
    index for the next value above the last one, so it costs one index lookup per distinct
    value instead of a pass over every case (which is what DISTINCT costs on PostgreSQL:
    ~40 ms at 100,000 cases). The column name comes from `MENU_COLUMNS`, never from input.
    """
    if column not in MENU_COLUMNS:
        raise ValueError(f"no filter menu for {column!r}")
    table = Case._meta.db_table
    sql = (
        f"WITH RECURSIVE menu(value) AS ("  # noqa: S608
        f" SELECT MIN({column}) FROM {table} WHERE organisation_id = %s AND {column} > ''"
        f" UNION ALL"
        f" SELECT (SELECT MIN({column}) FROM {table}"
        f"  WHERE organisation_id = %s AND {column} > menu.value)"
        f" FROM menu WHERE menu.value IS NOT NULL"
        f") SELECT value FROM menu WHERE value IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [organisation.pk, organisation.pk])
        return [row[0] for row in cursor.fetchall()]


def case_products(*, organisation: Organisation) -> list[str]:
    return case_menu_values(organisation=organisation, column="product")


def case_categories(*, organisation: Organisation) -> list[str]:
    return case_menu_values(organisation=organisation, column="category")


def case_regimes(*, organisation: Organisation) -> list[str]:
    return case_menu_values(organisation=organisation, column="regime")


def case_get(*, organisation: Organisation, reference: str, visible_to: User | None = None) -> Case:
    """The case with this reference; with `visible_to`, only if that member of staff may
    see it (see `case_list`). Raises `CaseNotFound` otherwise, saying nothing more."""
    try:
        case = Case.objects.select_related("customer", "assignee").get(
            organisation=organisation, reference=reference
        )
    except Case.DoesNotExist:
        raise CaseNotFound(reference) from None
    if visible_to is not None and not case_visible(case=case, user=visible_to):
        raise CaseNotFound(reference)
    return case


def case_visible(*, case: Case, user: User) -> bool:
    """Whether this member of staff may see the case: staff of its organisation with
    `cases.view_all_cases`, or the case is theirs or nobody's."""
    if user.organisation_id != case.organisation_id or not user.has_perm("cases.view_case"):
        return False
    return user.has_perm("cases.view_all_cases") or case.assignee_id in (None, user.pk)


def _cases(stale_ok: bool) -> QuerySet[Case]:
    """Every case, read from the replica if `stale_ok` allows it now, else the primary."""
    return Case.objects.using(replica_alias()) if stale_ok else Case.objects.all()


#: The most changes `case_changes_since` reads (a banner names three and counts the rest).
CHANGES_READ = 100


def case_changes_since(
    *, organisation: Organisation, reference: str, since: int, visible_to: User
) -> list[Change]:
    """What happened on the case after version `since`, newest first, quiet bookkeeping
    by Plaint left out (`plaint.domain.collision.QUIET_KINDS`); [] if nothing, or if the
    case is not one `visible_to` may see (saying nothing more). One query, on the case's
    (organisation, reference) and the events' (case, seq) unique indexes: the desk polls
    it every few seconds from every open case page."""
    if not visible_to.has_perm("cases.view_case") or visible_to.organisation_id != organisation.pk:
        return []
    events = CaseEvent.objects.filter(
        case__organisation=organisation, case__reference=reference, seq__gt=since
    ).exclude(actor_kind=ActorKind.SYSTEM, kind__in=QUIET_KINDS)
    if not visible_to.has_perm("cases.view_all_cases"):
        events = events.filter(Q(case__assignee=visible_to) | Q(case__assignee__isnull=True))
    rows = events.order_by("-seq").values_list(
        "seq", "kind", "actor_label", "recorded_at", "actor_kind"
    )[:CHANGES_READ]
    return [
        Change(seq, kind, label, at, kind_of == ActorKind.SYSTEM)
        for seq, kind, label, at, kind_of in rows
    ]


def _visible(cases: QuerySet[Case], user: User | None) -> QuerySet[Case]:
    if user is None or user.has_perm("cases.view_all_cases"):
        return cases
    return cases.filter(Q(assignee=user) | Q(assignee__isnull=True))


def case_status_counts(
    *, organisation: Organisation, visible_to: User | None = None, stale_ok: bool = False
) -> dict[str, int]:
    cases = _visible(_cases(stale_ok).filter(organisation=organisation), visible_to)
    # Counting the status column itself lets PostgreSQL answer from the index alone.
    rows = cases.values("status").annotate(n=Count("status"))
    return {row["status"]: row["n"] for row in rows}


@dataclass(frozen=True)
class TimelineEntry:
    event: CaseEvent
    payload: Payload


def case_timeline(*, case: Case, customer_view: bool = False) -> list[TimelineEntry]:
    events = CaseEvent.objects.filter(organisation_id=case.organisation_id, case=case)
    if customer_view:
        events = events.filter(visibility="customer")
    return [TimelineEntry(e, e.data) for e in personal_prefetch(events.order_by("seq"))]


def case_contacts(*, case: Case) -> QuerySet[Contact]:
    return Contact.objects.filter(organisation_id=case.organisation_id, case=case)


def case_evidence(*, case: Case, customer_view: bool = False) -> QuerySet[Evidence]:
    """The case's evidence; with `customer_view`, only what the customer may see: what
    they attached, and what staff attached as customer-visible."""
    evidence = Evidence.objects.filter(organisation_id=case.organisation_id, case=case)
    if not customer_view:
        return evidence
    events = CaseEvent.objects.filter(
        organisation_id=case.organisation_id, case=case, kind=EventKind.EVIDENCE_ATTACHED
    ).filter(Q(visibility=Visibility.CUSTOMER) | Q(actor_kind=ActorKind.CUSTOMER))
    ids = {
        payload.evidence_id
        for kind, data in events.values_list("kind", "payload")
        if isinstance(payload := payload_from_json(kind, data), EvidenceAttached)
    }
    return evidence.filter(pk__in=ids)


def case_offers(*, case: Case) -> QuerySet[ResolutionOffer]:
    return ResolutionOffer.objects.filter(organisation_id=case.organisation_id, case=case)


def case_next_statuses(*, case: Case) -> list[CaseStatus]:
    """Statuses the desk may offer (closing has its own form)."""
    return sorted(
        (s for s in allowed_targets(case.status_enum) if s is not CaseStatus.CLOSED),
        key=list(CaseStatus).index,
    )


def case_ledger_check(*, case: Case) -> VerificationReport:
    """Recompute this case's hash chain now (a few microseconds an event), for the case
    page's "ledger verified" line. `plaint verify` does the same for every case."""
    return ledger_verify(organisation=case.organisation, reference=case.reference, workers=1)
