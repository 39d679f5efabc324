"""Triage of many new cases at once (after an import).

`triage_run` triages one case: one model call, one similar-case search, one record, one
or two ledger events. `triage_batch` gives a batch of untriaged cases of one organisation
the same records and events (the same model, flags, sentiment, urgency and similar-case
search, see `plaint.triage.services`), with one model call and one search for the whole
batch, multi-row inserts, and the events appended to the caller's `LedgerBatch`. The
reading of each text (personal data masked, legal-risk flags, sentiment: pure Python,
most of the cost) is shared out over one process per CPU.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from multiprocessing import get_context

from django.db.models import Count

from plaint.accounts.models import Organisation
from plaint.cases.bulk import LedgerBatch, rows_insert
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, Contact
from plaint.domain import events as ev
from plaint.domain.triage.flags import FlagHit, detect_flags
from plaint.domain.triage.language import detect_language, language_supported
from plaint.domain.triage.pii import mask_pii
from plaint.domain.triage.urgency import UrgencyInputs, urgency_score
from plaint.triage import selectors
from plaint.triage.classifier import Document
from plaint.triage.models import TriageRecord
from plaint.triage.sentiment import Sentiment, sentiment_of
from plaint.triage.services import (
    DECIDING_LABEL,
    LEGAL_REVIEW_FLAGS,
    SIMILAR_CASES,
    TriageFindings,
    _flag_words,
    _labels_for,
)
from plaint.triage.similar import model_vectors

_COLUMNS = tuple(f.attname for f in TriageRecord._meta.concrete_fields if not f.primary_key)
PARALLEL_FROM = 200  # fewer texts than this are read in-process


@dataclass(frozen=True)
class Reading:
    """What triage reads in one complaint's text."""

    masked: str  # the text with personal data masked: what the model sees
    hits: list[FlagHit]
    mood: Sentiment
    language: str = ""


def _read(text: str) -> Reading:
    return Reading(
        mask_pii(text).text, detect_flags(text), sentiment_of(text), detect_language(text).code
    )


def texts_read(texts: Sequence[str], *, workers: int | None = None) -> list[Reading]:
    """Read every text, in `workers` forked processes (default: one per available CPU).
    The children only compute: they never touch the database connection, and leave
    through `os._exit`, so the caller's open transaction is safe."""
    if workers is None:
        workers = len(os.sched_getaffinity(0))
    if workers < 2 or len(texts) < PARALLEL_FROM:
        return [_read(text) for text in texts]
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        return list(pool.map(_read, texts, chunksize=max(1, len(texts) // (workers * 4))))


def triage_batch(
    *,
    organisation: Organisation,
    cases: Sequence[Case],
    ledger: LedgerBatch,
    now: datetime,
    next_deadlines: Mapping[int, datetime | None],
    actor: Actor | None = None,
) -> list[TriageRecord]:
    """Triage `cases` (none triaged yet, each with its `customer` loaded) as `triage_run`
    would, given each case's nearest open business deadline. Runs in the caller's
    transaction; returns the records written."""
    if not cases:
        return []
    actor = actor or Actor.system("Triage")
    settings = selectors.triage_settings_get(organisation=organisation)
    active = selectors.active_model(organisation=organisation, taxonomy=settings.taxonomy)
    readings = texts_read([case.description for case in cases])
    # As `selectors.document_of` builds it, from the text already masked.
    docs = [
        Document(
            text=reading.masked, respondent=case.respondent, received_on=case.received_at.date()
        )
        for case, reading in zip(cases, readings, strict=True)
    ]
    scores = active.model.head_scores(docs)  # the features once, for both
    suggestions = active.model.suggest(docs, alternatives=4, scores=scores)
    vectors = model_vectors(active.model, docs, scores=scores)
    index = selectors.similar_index(organisation=organisation, model_name=active.name)
    neighbours = index.search(vectors, k=SIMILAR_CASES, exclude=[case.pk for case in cases])
    outcomes = selectors.case_outcomes(
        organisation=organisation,
        case_ids=sorted({case_id for found in neighbours for case_id, _ in found}),
    )
    contacts = dict(
        Contact.objects.filter(organisation=organisation, case__in=[c.pk for c in cases])
        .values("case_id")
        .annotate(n=Count("id"))
        .values_list("case_id", "n")
    )
    records: list[TriageRecord] = []
    for case, reading, raw, vector, found in zip(
        cases, readings, suggestions, vectors, neighbours, strict=True
    ):
        suggestion = _labels_for(settings.taxonomy, raw)
        deciding = suggestion.get(DECIDING_LABEL.get(settings.taxonomy, ""))
        confidence = deciding.confidence if deciding else 0.0
        hits, mood = reading.hits, reading.mood
        urgency = urgency_score(
            UrgencyInputs(
                now=now,
                next_deadline=next_deadlines.get(case.pk),
                amount_in_dispute=case.amount_in_dispute,
                flags=[hit.flag for hit in hits],
                sentiment=mood.compound,
                vulnerable=bool(case.customer.vulnerability_notes.strip()),
                contacts=contacts.get(case.pk, 0),
            )
        )
        similar = [
            {"score": round(score, 3), **outcomes[case_id]}
            for case_id, score in found
            if case_id in outcomes
        ]
        legal = [hit for hit in hits if hit.flag in LEGAL_REVIEW_FLAGS]
        needs_human = (
            deciding is None
            or confidence < settings.threshold
            or not language_supported(reading.language)
        )
        result = TriageFindings(
            taxonomy=settings.taxonomy,
            model=active.name,
            suggestion=suggestion,
            confidence=confidence,
            hits=hits,
            urgency=urgency,
            mood=mood,
            similar=similar,
            language=reading.language,
        )
        record = TriageRecord(
            organisation=organisation,
            case_id=case.pk,
            status=TriageRecord.Status.NEEDS_HUMAN
            if needs_human
            else TriageRecord.Status.SUGGESTED,
            legal_review=TriageRecord.LegalReview.PENDING if legal else "",
            **result.record_fields(description=case.description, vector=vector, now=now),
        )
        records.append(record)
        ledger.append(case.pk, result.event(needs_human_triage=needs_human), actor=actor)
        if legal:
            ledger.append(case.pk, ev.LegalReviewRequested(flags=_flag_words(legal)), actor=actor)
    rows_insert(
        TriageRecord,
        _COLUMNS,
        [tuple(getattr(record, column) for column in _COLUMNS) for record in records],
    )
    return records


def untriaged(cases: Sequence[Case]) -> list[Case]:
    """The cases of `cases` that have no triage record yet."""
    done = set(
        TriageRecord.objects.filter(case__in=[c.pk for c in cases]).values_list(
            "case_id", flat=True
        )
    )
    return [case for case in cases if case.pk not in done]
