"""Writes of the reputation watch: importing reviews (idempotent: a review already in the
stream is skipped; malformed rows are reported by line), linking a review to a case (a
ledger event on that case), and the watch that alerts supervisors to a drop."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import partial

from django.db import IntegrityError, transaction

from plaint.accounts.models import Organisation, User
from plaint.accounts.roles import Role
from plaint.cases.ledger import Actor, event_append
from plaint.cases.models import Case
from plaint.cases.services import case_lock, require_aware
from plaint.deadlines.tasks import notification_send
from plaint.domain.errors import FieldErrors, MalformedRow
from plaint.domain.events_termination import ReviewLinked
from plaint.domain.reviews import ReviewRow, drops, reply_draft, reviews_parse
from plaint.domain.triage.flags import detect_flags
from plaint.domain.triage.pii import mask_pii
from plaint.reputation.models import ReputationAlert, Review
from plaint.reputation.selectors import reputation_settings_get, review_weeks
from plaint.triage.sentiment import sentiment_of

MAX_FILE = 20 * 1024 * 1024
SOURCE_MAX = 40


@dataclass
class ImportReport:
    created: int = 0
    already: int = 0
    linked: int = 0
    errors: list[str] = field(default_factory=list)
    #: Imported rows left unlinked that could not be matched to a customer because they
    #: name no author (the file has no `author` column, or the row leaves it empty).
    #: Counted only where the organisation allows customer matching.
    no_author: int = 0

    @property
    def no_author_sentence(self) -> str:
        """What the desk page and the CLI say about `no_author` ("" when none)."""
        if not self.no_author:
            return ""
        return (
            f"{self.no_author} review(s) could not be matched to a customer: they name no "
            "author. Matching a review to a customer needs an author column in the file."
        )


def _link_target(
    organisation: Organisation, row: ReviewRow, match_customers: bool
) -> tuple[Case | None, str]:
    for reference in row.references:
        case = Case.objects.filter(organisation=organisation, reference=reference).first()
        if case is not None:
            return case, "names_reference"
    if match_customers and row.author:
        found = list(
            Case.objects.filter(
                organisation=organisation, customer__name__iexact=row.author
            ).order_by("-received_at")[:2]
        )
        if len({c.customer_id for c in found}) == 1:
            return found[0], "author_matches_customer"
    return None, ""


def _link(review: Review, case: Case, why: str, now: datetime) -> None:
    locked = case_lock(case)
    event_append(
        case=locked,
        payload=ReviewLinked(
            review_id=review.pk,
            source=review.source,
            rating=review.rating,
            posted_at=review.posted_at.isoformat(),
            why=why,
        ),
        actor=Actor.system("Reputation watch"),
        now=now,
    )


@transaction.atomic
def reviews_import(
    *, organisation: Organisation, data: bytes, filename: str, source: str, now: datetime
) -> ImportReport:
    """Import a review file into the organisation's stream: sentiment and triage flags
    for each, linked to a case where it names one's reference (or, where allowed, its
    author matches the customer). A re-import skips what is already there."""
    require_aware(now=now)
    source = source.strip().lower()
    if not source or len(source) > SOURCE_MAX or not source.replace("-", "").isalnum():
        raise FieldErrors({"source": "a short name of letters and digits, e.g. trustpilot"})
    if len(data) > MAX_FILE:
        raise FieldErrors({"file": f"is larger than {MAX_FILE // (1024 * 1024)} MB"})
    try:
        parsed = reviews_parse(data, filename=filename, source=source)
    except MalformedRow as exc:
        raise FieldErrors({"file": str(exc)}) from None
    report = ImportReport(errors=[str(e) for e in parsed.errors])
    settings = reputation_settings_get(organisation=organisation)
    existing = set(
        Review.objects.filter(organisation=organisation, source=source).values_list(
            "external_id", flat=True
        )
    )
    for row in parsed.rows:
        if row.external_id in existing:
            report.already += 1
            continue
        existing.add(row.external_id)
        text = f"{row.title}\n{row.text}".strip()
        case, why = _link_target(organisation, row, settings.match_customers)
        try:
            with transaction.atomic():
                review = Review.objects.create(
                    organisation=organisation,
                    source=row.source[:SOURCE_MAX] if row.source else source,
                    external_id=row.external_id,
                    posted_at=row.posted_at,
                    rating=row.rating,
                    title=row.title[:500],
                    text=row.text,
                    link=row.link[:500],
                    enterprise=row.enterprise[:200],
                    author=row.author[:200],
                    sentiment=sentiment_of(text).compound,
                    flags=sorted({hit.flag.value for hit in detect_flags(text)}),
                    case=case,
                    imported_at=now,
                )
        except IntegrityError:
            report.already += 1
            continue
        report.created += 1
        if case is not None:
            _link(review, case, why, now)
            report.linked += 1
        elif settings.match_customers and not row.author:
            report.no_author += 1
    return report


def _supervisor_emails(organisation: Organisation) -> list[str]:
    return sorted(
        User.objects.filter(
            organisation=organisation,
            is_active=True,
            groups__name__in=[Role.SUPERVISOR.value, Role.ADMIN.value],
        )
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )


def _notify(recipients: list[str], subject: str, body: str) -> None:
    notification_send.enqueue(recipients=recipients, subject=subject, body=body)


@transaction.atomic
def reputation_watch(*, organisation: Organisation, now: datetime) -> list[ReputationAlert]:
    """Compare the last window of weeks with the one before; raise (once per window and
    metric) an alert for a drop beyond the organisation's thresholds and e-mail its
    supervisors when the transaction commits."""
    require_aware(now=now)
    settings = reputation_settings_get(organisation=organisation)
    window = settings.window_weeks
    weeks = review_weeks(organisation=organisation, until=now, weeks=2 * window)
    raised = []
    for drop in drops(
        weeks,
        window=window,
        rating_drop=float(settings.rating_drop),
        sentiment_drop=float(settings.sentiment_drop),
    ):
        if ReputationAlert.objects.filter(
            organisation=organisation, metric=drop.metric, window_start=drop.window_start
        ).exists():
            continue
        recipients = _supervisor_emails(organisation)
        alert = ReputationAlert.objects.create(
            organisation=organisation,
            metric=drop.metric,
            before=drop.before,
            after=drop.after,
            window_start=drop.window_start,
            window_end=drop.window_end,
            sentence=drop.sentence,
            notified=recipients,
            raised_at=now,
        )
        raised.append(alert)
        if recipients:
            subject = f"Reputation watch: {drop.metric} of public reviews has dropped"
            body = f"{drop.sentence}\n\nSee the reputation page for the weeks and the reviews."
            transaction.on_commit(partial(_notify, recipients, subject, body))
    return raised


@dataclass(frozen=True)
class ReplyDraft:
    text: str
    clean: bool
    found: dict[str, int]


def review_reply_draft(*, review: Review) -> ReplyDraft:
    """A public reply from the record that discloses nothing private, checked by the PII
    masker: only a clean draft may be copied."""
    org = review.organisation
    contact = reputation_settings_get(organisation=org).contact or f"{org.name}'s customer service"
    text = reply_draft(business=org.name, rating=review.rating, contact=contact)
    # The business's own public contact point is meant to be there; anything else the
    # masker finds blocks the draft.
    found: dict[str, int] = {}
    for span in mask_pii(text).spans:
        if text[span.start : span.end] not in contact:
            found[span.kind.value] = found.get(span.kind.value, 0) + 1
    return ReplyDraft(text=text, clean=not found, found=found)


def reputation_settings_set(
    *,
    organisation: Organisation,
    match_customers: bool,
    window_weeks: int,
    rating_drop: float,
    sentiment_drop: float,
    contact: str = "",
) -> None:
    errors: dict[str, str] = {}
    if not 1 <= window_weeks <= 26:
        errors["window_weeks"] = "must be between 1 and 26"
    if not 0 < rating_drop <= 4:
        errors["rating_drop"] = "must be more than 0 and at most 4 stars"
    if not 0 < sentiment_drop <= 2:
        errors["sentiment_drop"] = "must be more than 0 and at most 2"
    if "\x00" in contact or len(contact) > 200:
        errors["contact"] = "at most 200 characters, no NUL"
    if errors:
        raise FieldErrors(errors)
    settings = reputation_settings_get(organisation=organisation)
    settings.match_customers = match_customers
    settings.window_weeks = window_weeks
    settings.rating_drop = Decimal(str(rating_drop))
    settings.sentiment_drop = Decimal(str(sentiment_drop))
    settings.contact = contact.strip()
    settings.save()
