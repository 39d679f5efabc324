"""Evidence uploads: limits and type checks give a precise error and store nothing."""

from __future__ import annotations

import io

import pytest

from plaint.cases import evidence_store, services
from plaint.cases.ledger import Actor
from plaint.cases.models import CaseEvent, Evidence
from plaint.domain.errors import FieldErrors
from tests.conftest import NOW


def attach(case, agent, name: str, data: bytes, content_type: str = ""):
    return services.case_evidence_attach(
        case=case,
        filename=name,
        stream=io.BytesIO(data),
        content_type=content_type,
        actor=Actor.staff(agent),
        now=NOW,
    )


def stored_files(settings) -> list:
    root = settings.EVIDENCE_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "data", "ctype", "message"),
    [
        ("virus.exe", b"MZ\x90\x00", "", "type application/x-msdos-program are not accepted"),
        ("fake.pdf", b"MZ\x90\x00not a pdf", "", "does not look like application/pdf"),
        ("photo.png", b"\xff\xd8\xff\xe0jpeg bytes", "", "does not look like image/png"),
        ("notes.txt", b"hello\x00world", "", "contains binary data"),
        ("empty.pdf", b"", "", "is empty"),
        ("page.html", b"<script>alert(1)</script>", "text/html", "text/html are not accepted"),
    ],
)
def test_refused_files(case, agent, settings, name, data, ctype, message) -> None:
    with pytest.raises(FieldErrors, match=message):
        attach(case, agent, name, data, ctype)
    assert Evidence.objects.count() == 0
    assert CaseEvent.objects.filter(kind="evidence_attached").count() == 0
    assert stored_files(settings) == []


def test_oversized_upload_is_refused_with_the_limit(case, agent, settings, monkeypatch) -> None:
    with pytest.raises(FieldErrors, match="larger than the limit of 1,024 bytes"):
        evidence_store.blob_put(stream=io.BytesIO(b"a" * 1025), filename="big.txt", max_bytes=1024)
    assert stored_files(settings) == []
    stored = evidence_store.blob_put(
        stream=io.BytesIO(b"a" * 1024), filename="ok.txt", max_bytes=1024
    )
    assert stored.size == 1024


def test_same_file_twice_is_stored_once(case, agent, settings) -> None:
    first = attach(case, agent, "statement.pdf", b"%PDF-1.7 statement")
    second = attach(case, agent, "copy of statement.pdf", b"%PDF-1.7 statement")
    assert first.sha256 == second.sha256
    assert len(stored_files(settings)) == 1
    assert Evidence.objects.count() == 2


def test_overlong_description_is_refused_before_storing(case, agent, settings) -> None:
    with pytest.raises(FieldErrors, match="description: is longer than 500"):
        services.case_evidence_attach(
            case=case,
            filename="a.txt",
            stream=io.BytesIO(b"hi"),
            description="d" * 501,
            actor=Actor.staff(agent),
            now=NOW,
        )
    assert stored_files(settings) == [] and Evidence.objects.count() == 0
