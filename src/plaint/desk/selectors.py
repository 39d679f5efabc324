"""The desk's own reads: the saved views a member of staff may use, and the queue as they
see it for a query (`queue_select`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import QueryDict

from plaint.accounts.models import Organisation, User
from plaint.accounts.selectors import staff_list
from plaint.cases import selectors as case_selectors
from plaint.cases.models import Case
from plaint.cases.queue import queue_sort
from plaint.desk import queues
from plaint.desk.forms import CaseFilterForm
from plaint.desk.models import SavedView


def saved_views(*, user: User) -> QuerySet[SavedView]:
    """Their own views and the ones their team shares, by name."""
    if user.organisation_id is None:
        return SavedView.objects.none()
    return (
        SavedView.objects.filter(organisation_id=user.organisation_id)
        .filter(Q(owner=user) | Q(shared=True))
        .select_related("owner")
        .order_by("name", "id")
    )


def saved_view_get(*, user: User, pk: int) -> SavedView | None:
    return saved_views(user=user).filter(pk=pk).first()


@dataclass(frozen=True)
class QueueSelection:
    """The queue as one member of staff sees it for one query: the bound filter form, the
    cases it matches in the order shown, and the named queue chosen (if any)."""

    form: CaseFilterForm
    cases: QuerySet[Case]
    queue: queues.Queue | None


def queue_select(
    *,
    organisation: Organisation,
    user: User,
    params: QueryDict,
    now: datetime,
    stale_ok: bool = False,
) -> QueueSelection:
    """The cases the desk's queue shows for `params` (its query string): the one
    definition of the queue's filtering, used by the queue page and by bulk actions over
    "all matching", so both mean the same cases. Cases the user may not see are never in
    it; an invalid query shows every case they may see, as the page does. With `stale_ok`
    (the queue page, not a bulk action) it may read a moment-old replica
    (`plaint.config.replicas`)."""
    staff = [(u.pk, u.display_name) for u in staff_list(organisation=organisation)]
    form = CaseFilterForm(
        params or None,
        products=case_selectors.case_products(organisation=organisation),
        staff=staff,
        queues=[(q.value, q.label) for q in queues.Queue],
        categories=case_selectors.case_categories(organisation=organisation),
        regimes=case_selectors.case_regimes(organisation=organisation),
    )
    valid = form.is_bound and form.is_valid()
    cases = case_selectors.case_list(
        organisation=organisation,
        filters=form.filters() if valid else None,
        visible_to=user,
        stale_ok=stale_ok,
    )
    queue = None
    if valid:
        data = form.cleaned_data
        cases = queues.case_narrow(
            cases, organisation=organisation, category=data["category"], regime=data["regime"]
        )
        if data["flag"]:
            cases = queues.flag_filter(cases, organisation=organisation, flag=data["flag"])
        if data["queue"]:
            queue = queues.Queue(data["queue"])
            cases = queues.queue_filter(
                cases,
                organisation=organisation,
                queue=queue,
                user=user,
                now=now,
                days=data["days"] or queues.DEFAULT_DUE_DAYS,
            )
    return QueueSelection(form, queue_sort(cases, form.chosen_sort()), queue)
