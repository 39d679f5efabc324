"""Reads for triage, every one scoped to one organisation."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from django.db.models import Max, QuerySet

from plaint.accounts.models import Organisation
from plaint.cases.models import Case, Contact, ResolutionOffer
from plaint.domain.lifecycle import CaseStatus
from plaint.domain.triage.pii import mask_pii
from plaint.domain.triage.taxonomy import Taxonomy
from plaint.triage.classifier import (
    Document,
    Example,
    ModelError,
    TriageModel,
    sha256_of,
    shipped_model,
    shipped_model_name,
)
from plaint.triage.models import ClassifierVersion, FlagVerdict, TriageRecord, TriageSettings
from plaint.triage.similar import SimilarIndex, vector_from_bytes

DEFAULT_THRESHOLD = 0.5


def triage_settings_get(*, organisation: Organisation) -> TriageSettings:
    """The organisation's triage settings (the defaults, unsaved, if it has none)."""
    found = TriageSettings.objects.filter(organisation=organisation).first()
    if found is not None:
        return found
    return TriageSettings(
        organisation=organisation, taxonomy=Taxonomy.CONSUMER, threshold=DEFAULT_THRESHOLD
    )


def triage_get(*, case: Case) -> TriageRecord | None:
    return TriageRecord.objects.filter(organisation_id=case.organisation_id, case=case).first()


def legal_review_queue(*, organisation: Organisation) -> QuerySet[TriageRecord]:
    """Cases waiting for legal review, most urgent first."""
    return (
        TriageRecord.objects.filter(
            organisation=organisation, legal_review=TriageRecord.LegalReview.PENDING
        )
        .select_related("case")
        .order_by("-urgency", "triaged_at", "id")
    )


def needs_triage_queue(*, organisation: Organisation) -> QuerySet[TriageRecord]:
    """Cases whose suggestion was not confident enough, most urgent first. A closed case
    needs no triage (a reopened one comes back)."""
    return (
        TriageRecord.objects.filter(
            organisation=organisation, status=TriageRecord.Status.NEEDS_HUMAN
        )
        .exclude(case__status=CaseStatus.CLOSED.value)
        .select_related("case")
        .order_by("-urgency", "triaged_at", "id")
    )


def untriaged_cases(*, organisation: Organisation) -> QuerySet[Case]:
    """The cases triage has not seen yet, closed ones left out (triage adds nothing to a
    closed case)."""
    return (
        Case.objects.filter(organisation=organisation, triage__isnull=True)
        .exclude(status=CaseStatus.CLOSED.value)
        .order_by("id")
    )


def contact_count(*, case: Case) -> int:
    return Contact.objects.filter(organisation_id=case.organisation_id, case=case).count()


def document_of(case: Case) -> Document:
    """What the model reads about a case. Personal data is masked first: nothing that
    reaches a model, or a model trained on it, carries a card number or an e-mail."""
    return Document(
        text=mask_pii(case.description).text,
        respondent=case.respondent,
        received_on=case.received_at.date(),
    )


def training_examples(*, organisation: Organisation, taxonomy: str) -> list[Example]:
    """The organisation's confirmed cases of a taxonomy, as labelled examples."""
    records = (
        TriageRecord.objects.filter(
            organisation=organisation, status=TriageRecord.Status.CONFIRMED, taxonomy=taxonomy
        )
        .select_related("case")
        .order_by("id")
    )
    return [
        Example(doc=document_of(record.case), labels=dict(record.confirmed_labels))
        for record in records
        if record.confirmed_labels
    ]


@dataclass(frozen=True)
class FlagExample:
    """One labelled flag example: the case's text (personal data masked), the flag and
    whether a person judged it a risk."""

    text: str
    flag: str
    risk: bool


def flag_examples(*, organisation: Organisation) -> list[FlagExample]:
    """The organisation's flag verdicts (a legal reviewer's "not a risk" answers), as
    labelled examples for retraining or re-measuring the flags."""
    verdicts = (
        FlagVerdict.objects.filter(organisation=organisation).select_related("case").order_by("id")
    )
    return [FlagExample(mask_pii(v.case.description).text, v.flag, v.risk) for v in verdicts]


# ------------------------------------------------------------------------- models
_MODEL_CACHE: OrderedDict[str, TriageModel] = OrderedDict()
_MODEL_CACHE_SIZE = 8
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ActiveModel:
    name: str  # "cfpb-default@<sha>" or "org-model#<id>@<sha>"
    model: TriageModel
    version: ClassifierVersion | None


def active_model(*, organisation: Organisation, taxonomy: str) -> ActiveModel:
    """The organisation's newest trained model for its taxonomy, else the shipped one."""
    version = (
        ClassifierVersion.objects.filter(organisation=organisation, active=True, taxonomy=taxonomy)
        .order_by("-created_at", "-id")
        .first()
    )
    if version is None:
        return ActiveModel(shipped_model_name(), shipped_model(), None)
    with _LOCK:
        model = _MODEL_CACHE.get(version.sha256)
    if model is None:
        data = bytes(version.artifact)
        if sha256_of(data) != version.sha256:
            raise ModelError(f"model #{version.pk} does not match its SHA-256; retrain it")
        model = TriageModel.from_bytes(data)
        with _LOCK:
            _MODEL_CACHE[version.sha256] = model
            while len(_MODEL_CACHE) > _MODEL_CACHE_SIZE:
                _MODEL_CACHE.popitem(last=False)
    return ActiveModel(f"org-model#{version.pk}@{version.sha256[:8]}", model, version)


# ------------------------------------------------------------------- similar cases
_INDEX_CACHE: dict[tuple[int, str], tuple[tuple[int, object], SimilarIndex]] = {}


def similar_index(*, organisation: Organisation, model_name: str) -> SimilarIndex:
    """Vectors of the organisation's closed cases triaged by the same model (vectors of
    different models cannot be compared). Cached per process until a case is added."""
    records = TriageRecord.objects.filter(
        organisation=organisation, model=model_name, case__closed_at__isnull=False
    ).exclude(vector=b"")
    stamp = (records.count(), records.aggregate(last=Max("triaged_at"))["last"])
    key = (organisation.pk, model_name)
    cached = _INDEX_CACHE.get(key)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    ids: list[int] = []
    rows: list[np.ndarray] = []
    for case_id, vector in records.values_list("case_id", "vector").iterator(chunk_size=5000):
        ids.append(case_id)
        rows.append(vector_from_bytes(bytes(vector)))
    widths = {len(row) for row in rows}
    matrix = np.vstack(rows) if rows and len(widths) == 1 else np.zeros((0, 0), dtype=np.float32)
    index = SimilarIndex(ids if len(matrix) else [], matrix)
    _INDEX_CACHE[key] = (stamp, index)
    return index


def case_outcomes(*, organisation: Organisation, case_ids: list[int]) -> dict[int, dict[str, str]]:
    """Reference, outcome, issue and accepted redress of past cases, by case id."""
    cases = Case.objects.filter(organisation=organisation, pk__in=case_ids).values(
        "pk", "reference", "outcome", "root_cause", "product", "issue", "category"
    )
    found = {row["pk"]: {k: str(v or "") for k, v in row.items() if k != "pk"} for row in cases}
    offers = ResolutionOffer.objects.filter(
        organisation=organisation, case_id__in=case_ids, answer=ResolutionOffer.Answer.ACCEPTED
    ).values_list("case_id", "redress", "amount", "currency")
    for case_id, redress, amount, currency in offers:
        if case_id in found:
            money = f" {currency} {amount}" if amount is not None else ""
            found[case_id]["redress"] = f"{redress}{money}"
    return found
