"""Reads of the review stream, each filtered on the organisation first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, QuerySet

from plaint.accounts.models import Organisation
from plaint.cases.models import Case
from plaint.domain.reviews import Week, week_of, weekly
from plaint.reputation.models import ReputationAlert, ReputationSettings, Review
from plaint.terminations.models import Termination


def reputation_settings_get(*, organisation: Organisation) -> ReputationSettings:
    found = ReputationSettings.objects.filter(organisation=organisation).first()
    return found or ReputationSettings(organisation=organisation)


def review_list(*, organisation: Organisation) -> QuerySet[Review]:
    return Review.objects.filter(organisation=organisation).select_related("case")


def review_get(*, organisation: Organisation, pk: int) -> Review:
    return Review.objects.select_related("case").get(organisation=organisation, pk=pk)


def alert_list(*, organisation: Organisation) -> QuerySet[ReputationAlert]:
    return ReputationAlert.objects.filter(organisation=organisation)


@dataclass(frozen=True)
class TrendWeek:
    week: Week
    complaints: int
    terminations: int  # terminations noticed or taking effect that week


def review_weeks(*, organisation: Organisation, until: datetime, weeks: int) -> list[Week]:
    last = week_of(until)
    first = last - timedelta(weeks=weeks - 1)
    points = list(
        Review.objects.filter(
            organisation=organisation, posted_at__date__gte=first, posted_at__lte=until
        ).values_list("posted_at", "rating", "sentiment")
    )
    return weekly(points, first=first, last=last)


def _per_week(days: list[date]) -> dict[date, int]:
    out: dict[date, int] = {}
    for day in days:
        monday = day - timedelta(days=day.weekday())
        out[monday] = out.get(monday, 0) + 1
    return out


def reputation_trend(*, organisation: Organisation, until: datetime, weeks: int) -> list[TrendWeek]:
    """Per week: the reviews' volume, mean rating and sentiment; the complaints received;
    the terminations noticed or taking effect (on one time axis)."""
    rows = review_weeks(organisation=organisation, until=until, weeks=weeks)
    first = rows[0].start
    complaints = _per_week(
        [
            at.date()
            for at in Case.objects.filter(
                organisation=organisation, received_at__date__gte=first, received_at__lte=until
            ).values_list("received_at", flat=True)
        ]
    )
    term_days: list[date] = []
    for notice_on, effective_on in Termination.objects.filter(
        organisation=organisation, notice_on__isnull=False
    ).values_list("notice_on", "effective_on"):
        term_days.extend(d for d in (notice_on, effective_on) if d is not None and d >= first)
    terminations = _per_week(term_days)
    return [TrendWeek(w, complaints.get(w.start, 0), terminations.get(w.start, 0)) for w in rows]


def flag_counts(*, organisation: Organisation) -> dict[str, int]:
    counts: dict[str, int] = {}
    for flags in Review.objects.filter(organisation=organisation).values_list("flags", flat=True):
        for flag in flags or []:
            counts[flag] = counts.get(flag, 0) + 1
    return dict(sorted(counts.items()))


def linked_count(*, organisation: Organisation) -> int:
    return (
        Review.objects.filter(organisation=organisation, case__isnull=False).aggregate(
            n=Count("pk")
        )["n"]
        or 0
    )
