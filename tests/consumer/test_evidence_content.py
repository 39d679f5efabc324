"""A consumer's evidence passes the same content check as every upload to a desk: a PDF
that runs script, a file that is also a web page or one whose bytes are not what its name
says is refused with the reason, and nothing of it is kept."""

from __future__ import annotations

import io

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from plaint.consumer import services
from plaint.consumer.models import ConsumerCase
from plaint.domain.errors import FieldErrors
from tests.consumer.flows import start_case
from tests.consumer.journeys import DAY_ONE

pytestmark = pytest.mark.django_db


def _pdf(*, script: bool) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    if script:
        pdf.Root.OpenAction = pikepdf.Dictionary(
            S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")
        )
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _case(client: Client) -> ConsumerCase:
    return start_case(client, "Broadband bill", "GB", "Europe/London")


@pytest.mark.parametrize(
    ("name", "ctype", "data", "words"),
    [
        ("bill.pdf", "application/pdf", _pdf(script=True), "JavaScript"),
        ("photo.png", "image/png", PNG + b"<html><script>alert(1)</script>", "web page"),
        ("bill.pdf", "application/pdf", b"MZ\x90\x00 a program", "does not look like"),
        ("notes.txt", "text/plain", PNG, "its content is"),
    ],
    ids=["pdf-script", "polyglot", "not-a-pdf", "image-as-text"],
)
def test_active_or_disguised_files_are_refused_and_nothing_is_kept(
    client: Client, clock, name: str, ctype: str, data: bytes, words: str
) -> None:  # type: ignore[no-untyped-def]
    case = _case(client)
    events = case.events.count()
    with pytest.raises(FieldErrors) as refused:
        services.evidence_add(
            case=case, filename=name, content_type=ctype, data=data, description="", now=DAY_ONE
        )
    assert words in refused.value.errors["file"]
    assert name in refused.value.errors["file"]
    assert case.evidence.count() == 0
    assert case.events.count() == events


def test_a_plain_pdf_is_kept_as_the_type_its_name_says(client: Client, clock) -> None:  # type: ignore[no-untyped-def]
    case = _case(client)
    item = services.evidence_add(
        case=case,
        filename="bill.pdf",
        content_type="application/octet-stream",
        data=_pdf(script=False),
        description="March bill",
        now=DAY_ONE,
    )
    assert item.content_type == "application/pdf"
    assert case.evidence.get().description == "March bill"


def test_the_workspace_page_shows_the_reason(client: Client, clock) -> None:  # type: ignore[no-untyped-def]
    case = _case(client)
    response = client.post(
        reverse("consumer:evidence_add", args=[case.pk]),
        {
            "file": SimpleUploadedFile("bill.pdf", _pdf(script=True), "application/pdf"),
            "description": "Bill",
        },
    )
    assert response.status_code == 400
    assert "JavaScript" in response.content.decode()
    assert case.evidence.count() == 0
