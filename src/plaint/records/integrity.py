"""Checks beyond the hash chains: the stored rows equal the fold of their events, and the
stored files still have the hash the ledger names.

`plaint verify` runs `rows_verify`; `plaint verify --files` runs `files_verify` as well.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.db.models import QuerySet

from plaint.accounts.models import Organisation
from plaint.cases import evidence_store
from plaint.cases.ledger import clear_text, personal_data
from plaint.cases.models import Case, CaseEvent, Customer, Evidence
from plaint.domain.events import EventKind
from plaint.domain.fold import (
    CASE_CORRECTED,
    CASE_FACTS,
    CUSTOMER_CORRECTED,
    case_fold,
    customer_fold,
    fact_text,
    fold_differences,
)
from plaint.letters import store as letter_store

#: The event kinds that change a case's facts (see `plaint.domain.fold.case_fold`).
FACT_KINDS = (
    EventKind.CASE_OPENED.value,
    EventKind.STATUS_CHANGED.value,
    EventKind.RESOLUTION_OFFERED.value,
    EventKind.RESOLUTION_ANSWERED.value,
    EventKind.CASE_CLOSED.value,
    EventKind.CASE_ASSIGNED.value,
    EventKind.PRIORITY_CHANGED.value,
    EventKind.TRIAGE_CONFIRMED.value,
    CASE_CORRECTED,
)
_CHUNK = 10_000


@dataclass(frozen=True, slots=True)
class Mismatch:
    """A stored value that is not what the ledger says."""

    what: str  # "acme/AC-2026-000001" or "customer #7 (acme)"
    field: str
    stored: str | None
    folded: str | None

    def __str__(self) -> str:
        return f"{self.what}: {self.field} is {self.stored!r} but its events say {self.folded!r}"


@dataclass(slots=True)
class RowsReport:
    cases: int = 0
    customers: int = 0
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _case_rows(cases: QuerySet[Case]) -> Iterator[tuple[int, dict[str, str | None]]]:
    columns = list(CASE_FACTS)
    for values in cases.values_list("pk", *columns).order_by("pk").iterator(chunk_size=_CHUNK):
        yield (
            values[0],
            {name: fact_text(value) for name, value in zip(columns, values[1:], strict=True)},
        )


def rows_verify(
    *, organisation: Organisation | None = None, reference: str | None = None
) -> RowsReport:
    """Fold every case's fact events and compare with its row; fold every customer's name
    and corrections across their cases' events and compare with the customer row (not for
    one case alone: a customer's facts come from all their cases)."""
    report = RowsReport()
    cases = Case.objects.all()
    events = CaseEvent.objects.filter(kind__in=FACT_KINDS)
    customers = Customer.objects.all()
    if organisation is not None:
        cases = cases.filter(organisation=organisation)
        events = events.filter(organisation=organisation)
        customers = customers.filter(organisation=organisation)
    if reference is not None:
        cases = cases.filter(reference=reference)
        events = events.filter(case__in=cases)
        customers = customers.none()
    slugs = dict(Organisation.objects.values_list("pk", "slug"))
    names = dict(cases.values_list("pk", "reference"))
    orgs = dict(cases.values_list("pk", "organisation_id"))
    personal = personal_data(events)
    stream = (
        events.order_by("case_id", "seq")
        .values_list("case_id", "seq", "kind", "payload", "recorded_at")
        .iterator(chunk_size=_CHUNK)
    )
    folds: Iterator[tuple[int, dict[str, str | None]]] = (
        (
            case_id,
            _fold_or_empty(
                [
                    (k, clear_text(k, p, personal.get((c, s))), r.isoformat())
                    for c, s, k, p, r in group
                ]
            ),
        )
        for case_id, group in groupby(stream, key=itemgetter(0))
    )
    pending = next(folds, None)
    for case_id, row in _case_rows(cases):
        report.cases += 1
        while pending is not None and pending[0] < case_id:
            pending = next(folds, None)
        folded = pending[1] if pending is not None and pending[0] == case_id else {}
        what = f"{slugs.get(orgs[case_id], '?')}/{names[case_id]}"
        if not folded:
            report.mismatches.append(Mismatch(what, "case_opened", "(row)", None))
            continue
        for name, stored, expected in fold_differences(row, folded):
            report.mismatches.append(Mismatch(what, name, stored, expected))
    _customers_verify(customers, organisation, slugs, report)
    return report


def _fold_or_empty(events: list[tuple[str, str, str]]) -> dict[str, str | None]:
    try:
        return case_fold(events)
    except ValueError:
        return {}


def _customers_verify(
    customers: QuerySet[Customer],
    organisation: Organisation | None,
    slugs: dict[int, str],
    report: RowsReport,
    *,
    one: int | None = None,
) -> None:
    """Fold each customer's name and corrections and compare with the customer row (all
    of `customers`, or the customer whose pk is `one` and only their cases' events)."""
    events = CaseEvent.objects.filter(kind__in=[EventKind.CASE_OPENED.value, CUSTOMER_CORRECTED])
    if organisation is not None:
        events = events.filter(organisation=organisation)
    if one is not None:
        customers = customers.filter(pk=one)
        events = events.filter(case__customer_id=one)
    personal = personal_data(events)
    stream = (
        events.order_by("case__customer_id", "recorded_at", "case_id", "seq")
        .values_list("case__customer_id", "case_id", "seq", "kind", "payload")
        .iterator(chunk_size=_CHUNK)
    )
    folded = {
        customer_id: customer_fold(
            (k, clear_text(k, p, personal.get((c, s)))) for _, c, s, k, p in group
        )
        for customer_id, group in groupby(stream, key=itemgetter(0))
    }
    fields = ("name", "email", "phone", "postal_address", "preferred_contact_times")
    rows: Iterator[Any] = customers.values_list("pk", "organisation_id", *fields).iterator(
        chunk_size=_CHUNK
    )
    for pk, org_id, *values in rows:
        report.customers += 1
        row = dict(zip(fields, values, strict=True))
        what = f"customer #{pk} ({slugs.get(org_id, '?')})"
        for name, stored, expected in fold_differences(row, folded.get(pk, {})):
            report.mismatches.append(Mismatch(what, name, stored, expected))


@dataclass(frozen=True, slots=True)
class FileProblem:
    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass(slots=True)
class FilesReport:
    files: int = 0
    bytes: int = 0
    problems: list[FileProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _stored(root: Path) -> dict[str, Path]:
    """Every file under a content-addressed store, by its name (a SHA-256)."""
    if not root.is_dir():
        return {}
    found: dict[str, Path] = {}
    for folder, _, names in os.walk(root):
        for name in names:
            found[name] = Path(folder) / name
    return found


def files_verify() -> FilesReport:
    """Hash every evidence and letter file the database names (but an erased case's), and
    name the files on disk that no row names (orphans, e.g. left by a refused upload)."""
    report = FilesReport()
    # an erased case's files were deleted with it (plaint.records.erasure)
    erased = CaseEvent.objects.filter(kind=EventKind.CASE_ERASED.value).values("case_id")
    wanted_evidence = set(
        Evidence.objects.exclude(case_id__in=erased).values_list("sha256", flat=True)
    )
    wanted_letters: set[str] = set()
    for payload in (
        CaseEvent.objects.filter(kind=EventKind.LETTER_GENERATED.value)
        .exclude(case_id__in=erased)
        .values_list("payload", flat=True)
    ):
        wanted_letters.update(json.loads(payload).get("files", {}).values())
    for label, root, wanted in (
        ("evidence", evidence_store.root(), wanted_evidence),
        ("letters", letter_store.root(), wanted_letters),
    ):
        on_disk = _stored(root)
        for sha in sorted(wanted):
            path = on_disk.pop(sha, None)
            if path is None:
                report.problems.append(FileProblem(f"{label}/{sha}", "missing from the store"))
                continue
            report.files += 1
            report.bytes += path.stat().st_size
            if _sha256_of(path) != sha:
                report.problems.append(
                    FileProblem(f"{label}/{sha}", "content does not match its SHA-256: altered")
                )
        for name, path in sorted(on_disk.items()):
            reason = (
                "an unfinished upload left behind"
                if name.startswith(".")
                else "orphan: no record names this file"
            )
            report.problems.append(FileProblem(f"{label}/{path.relative_to(root)}", reason))
    return report


@dataclass(frozen=True, slots=True)
class CasePageCheck:
    """What the case page checked on this view, and what it found."""

    events: int
    broken: tuple[str, ...]  # "Event #3: hash does not match"
    rows_checked: tuple[str, ...]  # "case" and, when it has one, "customer"
    row_mismatches: tuple[Mismatch, ...]
    files: int  # stored files of the case (its evidence)
    files_checked: int
    bytes_checked: int
    file_problems: tuple[FileProblem, ...]

    @property
    def ok(self) -> bool:
        return not (self.broken or self.row_mismatches or self.file_problems)


def case_page_check(
    *, case: Case, chain: Any, byte_budget: int, rng: random.Random | None = None
) -> CasePageCheck:
    """The checks the desk's case page makes on each view: the hash chain (`chain`, the
    `VerificationReport` of `case_ledger_check`), the case and customer rows against the
    fold of their events, and the case's evidence files against their SHA-256, hashing
    files in random order until `byte_budget` bytes are read (at least one file, so a
    case with files never reads "0 checked" unless its budget is 0)."""
    rows = RowsReport()
    org = case.organisation
    slugs = {org.pk: org.slug}
    for mismatch in rows_verify(organisation=org, reference=case.reference).mismatches:
        rows.mismatches.append(mismatch)
    checked_rows = ["case"]
    if case.customer_id is not None:
        _customers_verify(Customer.objects.all(), org, slugs, rows, one=case.customer_id)
        checked_rows.append("customer")
    evidence = list(Evidence.objects.filter(case=case).values_list("sha256", "size"))
    (rng or random.SystemRandom()).shuffle(evidence)
    problems: list[FileProblem] = []
    checked = spent = 0
    for sha, size in evidence:
        if byte_budget <= 0 or (checked and spent + (size or 0) > byte_budget):
            continue
        path = evidence_store.blob_path(sha)
        label = f"evidence/{sha[:12]}"
        checked += 1
        if not path.is_file():
            problems.append(FileProblem(label, "missing from the store"))
            continue
        spent += path.stat().st_size
        if _sha256_of(path) != sha:
            problems.append(FileProblem(label, "content does not match its SHA-256: altered"))
    broken = tuple(f"Event #{link.seq}: {link.reason}" for link in chain.broken)
    return CasePageCheck(
        events=chain.events,
        broken=broken,
        rows_checked=tuple(checked_rows),
        row_mismatches=tuple(rows.mismatches),
        files=len(evidence),
        files_checked=checked,
        bytes_checked=spent,
        file_problems=tuple(problems),
    )
