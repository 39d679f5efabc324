"""Files and the transaction that names them: a file stored by a transaction that then
rolls back is removed (no orphan); a committed one stays (no missing file); the same
content stored by a transaction that rolls back never removes another's copy."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.db import transaction

from plaint.cases import evidence_store
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, Evidence
from plaint.cases.services import case_evidence_attach
from plaint.domain.errors import FieldErrors
from tests.conftest import NOW

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _files() -> list[Path]:
    root = evidence_store.root()
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def _attach(case: Case, name: str, data: bytes, ctype: str) -> Evidence:
    return case_evidence_attach(
        case=case,
        filename=name,
        stream=io.BytesIO(data),
        content_type=ctype,
        actor=Actor.system("test"),
        now=NOW,
    )


class Refused(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_submission_leaves_no_file(case: Case) -> None:
    with pytest.raises(FieldErrors), transaction.atomic():
        _attach(case, "a.pdf", PDF, "application/pdf")
        assert len(_files()) == 1  # stored (and fsynced) before the commit...
        _attach(case, "b.pdf", b"<html>not a pdf", "application/pdf")  # ...refused
    assert _files() == []
    assert not Evidence.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_committed_file_stays_and_a_later_rollback_keeps_it(case: Case) -> None:
    kept = _attach(case, "a.pdf", PDF, "application/pdf")
    with pytest.raises(Refused), transaction.atomic():
        _attach(case, "again.pdf", PDF, "application/pdf")  # same content
        raise Refused
    (path,) = _files()
    assert path.name == kept.sha256 and path.read_bytes() == PDF


@pytest.mark.django_db(transaction=True)
def test_same_content_in_two_transactions_one_rolls_back(case: Case) -> None:
    """A stores the file first and rolls back after B (same content) renamed its copy
    into place: B's file stays."""
    with pytest.raises(Refused), transaction.atomic():
        _attach(case, "a.pdf", PDF, "application/pdf")
        # B, as another upload would: its own copy renamed over A's, outside A's
        # transaction (autocommit has nothing to roll back).
        stored = evidence_store.blob_put(
            stream=io.BytesIO(PDF), filename="b.pdf", content_type="application/pdf"
        )
        raise Refused
    (path,) = _files()
    assert path.name == stored.sha256
