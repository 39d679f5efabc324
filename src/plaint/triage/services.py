"""Every write of triage. Each service is keyword-only, runs in one transaction, locks the
case, and records what it did in the case ledger.

`triage_run` is fast enough to run synchronously on intake (see bench/triage_bench.py):
call it right after `case_open`, in the same request, with the case's nearest deadline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction

from plaint.accounts.models import Organisation
from plaint.cases.ledger import Actor, event_append
from plaint.cases.models import Case
from plaint.cases.services import case_lock, require_aware
from plaint.domain import events as ev
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.lifecycle import CaseStatus
from plaint.domain.triage.flags import Flag, FlagHit, detect_flags, snippet
from plaint.domain.triage.language import detect_language, language_supported
from plaint.domain.triage.taxonomy import (
    CONSUMER_CATEGORIES,
    Taxonomy,
    consumer_category,
)
from plaint.domain.triage.urgency import Urgency, UrgencyInputs, urgency_score
from plaint.triage import selectors
from plaint.triage.classifier import ModelError, Suggestion, sha256_of, train
from plaint.triage.models import ClassifierVersion, FlagVerdict, TriageRecord, TriageSettings
from plaint.triage.selectors import document_of
from plaint.triage.sentiment import Sentiment, sentiment_of
from plaint.triage.similar import model_vectors, vector_to_bytes

#: Flags that send a case to legal review. A vulnerable customer raises urgency and is
#: shown to the handler, but is not by itself a legal matter.
LEGAL_REVIEW_FLAGS = frozenset(Flag) - {Flag.VULNERABILITY}
SIMILAR_CASES = 5
MIN_TRAINING_CASES = 20
LABEL_SETS = {Taxonomy.CFPB.value: ("product", "issue"), Taxonomy.CONSUMER.value: ("category",)}
DECIDING_LABEL = {Taxonomy.CFPB.value: "product", Taxonomy.CONSUMER.value: "category"}
MAX_LABEL_LENGTH = {"product": 200, "issue": 300, "category": 200}


def _labels_for(taxonomy: str, suggestion: Mapping[str, Suggestion]) -> dict[str, Suggestion]:
    """The suggestions in the organisation's taxonomy. A model that only knows the CFPB
    taxonomy serves the consumer one through the product family → category map."""
    if taxonomy == Taxonomy.CONSUMER and "category" not in suggestion and "product" in suggestion:
        product = suggestion["product"]
        totals: dict[str, float] = {}
        for label, confidence in ((product.label, product.confidence), *product.alternatives):
            category = consumer_category(label)
            totals[category] = totals.get(category, 0.0) + confidence
        ranked = sorted(totals.items(), key=lambda item: -item[1])
        best, confidence = ranked[0]
        return {"category": Suggestion(best, min(1.0, confidence), tuple(ranked[1:3]))}
    wanted = LABEL_SETS.get(taxonomy, ())
    return {name: s for name, s in suggestion.items() if name in wanted}


def _refuse_closed(case: Case, what: str) -> None:
    """A closed case's record is final: triage adds nothing to it (reopen it first)."""
    if case.status == CaseStatus.CLOSED:
        raise DomainError(
            f"{case.reference} is closed: triage does not {what} a closed case. "
            "Reopen the case first if it needs triage."
        )


def _flag_words(hits: list[FlagHit]) -> dict[str, list[str]]:
    return {hit.flag.value: [e.text for e in hit.evidence] for hit in hits}


@dataclass(frozen=True)
class TriageFindings:
    """What triage found for one case, before it is stored: `triage_run` and the bulk
    path (`plaint.triage.bulk`) compute it their own ways and store it the same way."""

    taxonomy: str
    model: str
    suggestion: Mapping[str, Suggestion]
    confidence: float
    hits: list[FlagHit]
    urgency: Urgency
    mood: Sentiment
    similar: list[dict[str, Any]]
    language: str = ""  # ISO 639-1 of the text, "" when undetermined

    @property
    def language_supported(self) -> bool:
        """False for a language triage does not read: the case goes to human triage."""
        return language_supported(self.language)

    def record_fields(self, *, description: str, vector: Any, now: datetime) -> dict[str, Any]:
        """The `TriageRecord` fields the findings set (status and legal review aside)."""
        return {
            "taxonomy": self.taxonomy,
            "model": self.model,
            "suggestions": {
                name: {
                    "label": s.label,
                    "confidence": round(s.confidence, 3),
                    "alternatives": [[label, round(c, 3)] for label, c in s.alternatives],
                }
                for name, s in self.suggestion.items()
            },
            "confidence": round(self.confidence, 3),
            "flags": [
                {
                    "flag": hit.flag.value,
                    "label": hit.label,
                    "confidence": hit.confidence,
                    "evidence": [
                        {
                            "start": e.start,
                            "end": e.end,
                            "text": e.text,
                            "context": snippet(description, e),
                        }
                        for e in hit.evidence
                    ],
                }
                for hit in self.hits
            ],
            "urgency": self.urgency.score,
            "urgency_parts": [
                {"name": p.name, "points": p.points, "weight": p.weight, "reason": p.reason}
                for p in self.urgency.parts
            ],
            "suggested_priority": self.urgency.priority.value,
            "sentiment": self.mood.compound,
            "similar": self.similar,
            "vector": vector_to_bytes(vector),
            "triaged_at": now,
            "language": self.language,
        }

    def event(self, *, needs_human_triage: bool) -> ev.TriageSuggested:
        """The `triage_suggested` event that records the findings."""
        return ev.TriageSuggested(
            model=self.model,
            taxonomy=self.taxonomy,
            labels={name: s.label for name, s in self.suggestion.items()},
            confidences={name: f"{s.confidence:.3f}" for name, s in self.suggestion.items()},
            needs_human_triage=needs_human_triage,
            flags=_flag_words(self.hits),
            urgency=f"{self.urgency.score:.1f}",
            urgency_parts={p.name: f"{p.points:.1f}" for p in self.urgency.parts},
            priority=self.urgency.priority.value,
            sentiment=f"{self.mood.compound:.3f}",
            similar=[str(item["reference"]) for item in self.similar],
        )


@transaction.atomic
def triage_run(
    *,
    case: Case,
    now: datetime,
    actor: Actor | None = None,
    next_deadline: datetime | None = None,
) -> TriageRecord:
    """Suggest the case's category, flag its legal risks, score its urgency and sentiment
    and find similar past cases; record `triage_suggested`, and `legal_review_requested`
    when a legal-risk flag sends it to the legal review queue.

    `next_deadline` is the due time of the case's nearest open deadline, if any (it feeds
    the urgency score). Re-running replaces the suggestion; a confirmation stands. A closed
    case is refused (`DomainError`), with nothing written."""
    require_aware(now=now, next_deadline=next_deadline)
    actor = actor or Actor.system("Triage")
    case = case_lock(case)
    _refuse_closed(case, "run on")
    organisation = case.organisation
    settings = selectors.triage_settings_get(organisation=organisation)
    active = selectors.active_model(organisation=organisation, taxonomy=settings.taxonomy)
    doc = document_of(case)
    scores = active.model.head_scores([doc])  # once, for the suggestion and the vector
    suggestion = _labels_for(
        settings.taxonomy, active.model.suggest([doc], alternatives=4, scores=scores)[0]
    )
    deciding = suggestion.get(DECIDING_LABEL.get(settings.taxonomy, ""))
    confidence = deciding.confidence if deciding else 0.0

    hits = detect_flags(case.description)
    mood = sentiment_of(case.description)
    language = detect_language(case.description).code
    urgency = urgency_score(
        UrgencyInputs(
            now=now,
            next_deadline=next_deadline,
            amount_in_dispute=case.amount_in_dispute,
            flags=[hit.flag for hit in hits],
            sentiment=mood.compound,
            vulnerable=bool(case.customer.vulnerability_notes.strip()),
            contacts=selectors.contact_count(case=case),
        )
    )
    vector = model_vectors(active.model, [doc], scores=scores)[0]
    index = selectors.similar_index(organisation=organisation, model_name=active.name)
    neighbours = index.search(vector[None, :], k=SIMILAR_CASES, exclude=[case.pk])[0]
    outcomes = selectors.case_outcomes(
        organisation=organisation, case_ids=[case_id for case_id, _ in neighbours]
    )
    similar = [
        {"score": round(score, 3), **outcomes[case_id]}
        for case_id, score in neighbours
        if case_id in outcomes
    ]

    record = TriageRecord.objects.select_for_update().filter(case=case).first()
    confirmed = record is not None and record.status == TriageRecord.Status.CONFIRMED
    if record is None:
        record = TriageRecord(organisation=organisation, case=case)
    if not confirmed:
        record.status = (
            TriageRecord.Status.SUGGESTED
            if deciding is not None
            and confidence >= settings.threshold
            and language_supported(language)
            else TriageRecord.Status.NEEDS_HUMAN
        )
    findings = TriageFindings(
        taxonomy=settings.taxonomy,
        model=active.name,
        suggestion=suggestion,
        confidence=confidence,
        hits=hits,
        urgency=urgency,
        mood=mood,
        similar=similar,
        language=language,
    )
    for name, value in findings.record_fields(
        description=case.description, vector=vector, now=now
    ).items():
        setattr(record, name, value)

    legal = [hit for hit in hits if hit.flag in LEGAL_REVIEW_FLAGS]
    cleared = set(record.legal_cleared_flags or [])
    new_legal = [hit for hit in legal if hit.flag.value not in cleared]
    request_review = bool(new_legal) and record.legal_review != TriageRecord.LegalReview.PENDING
    if request_review:
        record.legal_review = TriageRecord.LegalReview.PENDING
    record.save()

    event_append(
        case=case,
        payload=findings.event(needs_human_triage=record.status == TriageRecord.Status.NEEDS_HUMAN),
        actor=actor,
        now=now,
    )
    if request_review:
        event_append(
            case=case,
            payload=ev.LegalReviewRequested(flags=_flag_words(legal)),
            actor=actor,
            now=now,
        )
    return record


@transaction.atomic
def triage_confirm(
    *, case: Case, labels: Mapping[str, str], actor: Actor, now: datetime
) -> TriageRecord:
    """Confirm or correct the suggested labels. The labels are written to the case
    (`category`, or `product` and `issue` for the CFPB taxonomy) and become training data
    for `triage_train`; `triage_confirmed` records which suggestions were corrected. A
    closed case is refused, with nothing written."""
    require_aware(now=now)
    case = case_lock(case)
    _refuse_closed(case, "confirm labels on")
    record = TriageRecord.objects.select_for_update().filter(case=case).first()
    if record is None:
        raise DomainError(f"{case.reference} has not been triaged yet; run triage first.")
    wanted = LABEL_SETS.get(record.taxonomy, ())
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    for name, value in labels.items():
        text = (value or "").strip()
        if name not in wanted:
            errors[name] = f"is not a label of the {record.taxonomy} taxonomy ({', '.join(wanted)})"
        elif not text:
            errors[name] = "is required"
        elif len(text) > MAX_LABEL_LENGTH[name]:
            errors[name] = f"is longer than {MAX_LABEL_LENGTH[name]} characters"
        elif record.taxonomy == Taxonomy.CONSUMER and text not in CONSUMER_CATEGORIES:
            errors[name] = f"{text!r} is not one of: {', '.join(CONSUMER_CATEGORIES)}"
        clean[name] = text
    for name in wanted:
        if name not in clean and name not in record.suggestions:
            errors[name] = "is required (there is no suggestion to confirm)"
        clean.setdefault(name, record.suggestions.get(name, {}).get("label", ""))
    if errors:
        raise FieldErrors(errors)
    corrected = {
        name: record.suggestions[name]["label"]
        for name, label in clean.items()
        if name in record.suggestions and record.suggestions[name]["label"] != label
    }
    record.status = TriageRecord.Status.CONFIRMED
    record.confirmed_labels = clean
    record.confirmed_by = actor.user
    record.confirmed_at = now
    record.save(update_fields=["status", "confirmed_labels", "confirmed_by", "confirmed_at"])
    changed = []
    for name, label in clean.items():
        if getattr(case, name) != label:
            setattr(case, name, label)
            changed.append(name)
    event_append(
        case=case,
        payload=ev.TriageConfirmed(labels=clean, corrected=corrected),
        actor=actor,
        now=now,
        changed=changed,
    )
    return record


@transaction.atomic
def triage_legal_clear(*, case: Case, note: str, actor: Actor, now: datetime) -> TriageRecord:
    """A legal reviewer clears the case's flags; the same flags will not send it back."""
    require_aware(now=now)
    note = note.strip()
    if not note:
        raise FieldErrors({"note": "is required: say why the flags need no legal action"})
    if actor.user is not None and not actor.user.has_perm("cases.review_legal"):
        raise DomainError("Only a legal reviewer may clear legal-risk flags.")
    case = case_lock(case)
    record = TriageRecord.objects.select_for_update().filter(case=case).first()
    if record is None or record.legal_review != TriageRecord.LegalReview.PENDING:
        raise DomainError(f"{case.reference} is not waiting for legal review.")
    flags = sorted({item["flag"] for item in record.flags} & {f.value for f in LEGAL_REVIEW_FLAGS})
    record.legal_review = TriageRecord.LegalReview.CLEARED
    record.legal_cleared_flags = sorted(set(record.legal_cleared_flags or []) | set(flags))
    record.save(update_fields=["legal_review", "legal_cleared_flags"])
    # "Not a risk", flag by flag: labelled examples for retraining the flags.
    FlagVerdict.objects.bulk_create(
        FlagVerdict(
            organisation=case.organisation,
            case=case,
            flag=flag,
            risk=False,
            source=FlagVerdict.Source.LEGAL_REVIEW,
            note=note,
            decided_by=actor.user,
            decided_at=now,
        )
        for flag in flags
    )
    event_append(
        case=case, payload=ev.LegalReviewCleared(flags=flags, note=note), actor=actor, now=now
    )
    return record


@transaction.atomic
def triage_settings_set(
    *,
    organisation: Organisation,
    now: datetime,
    taxonomy: Taxonomy | str | None = None,
    threshold: float | None = None,
) -> TriageSettings:
    require_aware(now=now)
    settings = selectors.triage_settings_get(organisation=organisation)
    errors: dict[str, str] = {}
    if taxonomy is not None:
        try:
            settings.taxonomy = Taxonomy(taxonomy).value
        except ValueError:
            errors["taxonomy"] = (
                f"{taxonomy!r} is not one of: {', '.join(t.value for t in Taxonomy)}"
            )
    if threshold is not None:
        if not 0.0 <= threshold <= 1.0:
            errors["threshold"] = "must be between 0 and 1"
        settings.threshold = threshold
    if errors:
        raise FieldErrors(errors)
    settings.updated_at = now
    settings.save()
    return settings


@transaction.atomic
def triage_train(
    *, organisation: Organisation, now: datetime, min_cases: int = MIN_TRAINING_CASES
) -> ClassifierVersion:
    """Train a model on the organisation's confirmed (and corrected) cases in its
    taxonomy and make it the active one. The text is PII-masked before training."""
    require_aware(now=now)
    settings = selectors.triage_settings_get(organisation=organisation)
    examples = selectors.training_examples(organisation=organisation, taxonomy=settings.taxonomy)
    if len(examples) < min_cases:
        raise DomainError(
            f"{organisation.slug} has {len(examples)} confirmed case(s) in the "
            f"{settings.taxonomy} taxonomy; at least {min_cases} are needed to train."
        )
    try:
        model = train(
            examples,
            info={"organisation": organisation.slug, "trained_at": now.isoformat()},
        )
    except ModelError as exc:
        raise DomainError(f"Cannot train a model for {organisation.slug}: {exc}") from None
    data = model.to_bytes()
    ClassifierVersion.objects.filter(organisation=organisation, taxonomy=settings.taxonomy).update(
        active=False
    )
    return ClassifierVersion.objects.create(
        organisation=organisation,
        taxonomy=settings.taxonomy,
        created_at=now,
        examples=len(examples),
        labels={name: len(head.classes) for name, head in model.heads.items()},
        sha256=sha256_of(data),
        artifact=data,
        active=True,
    )
