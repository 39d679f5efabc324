"""Every letter of the catalogue, in every format; determinism; page sizes; PDFs checked
by extracting text and by converting to PNG."""

from __future__ import annotations

import email
import io
import subprocess
from email.policy import default
from pathlib import Path

import pytest
from docx import Document

from plaint.domain.letters import CATALOGUE, FORMATS, letter_make
from plaint.domain.letters.catalogue import Side
from tests.letters.records import request, tool


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "letter.pdf"
    path.write_bytes(data)
    done = subprocess.run(
        [tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return " ".join(done.stdout.split())


def docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("kind", list(CATALOGUE))
def test_every_letter_renders_in_every_format(kind: str, tmp_path: Path) -> None:
    letter = letter_make(request(kind, FORMATS))
    assert set(letter.outputs) == set(FORMATS)
    assert letter.subject and letter.template_version == CATALOGUE[kind].version
    md = letter.outputs["md"].decode()
    txt = letter.outputs["txt"].decode()
    html = letter.outputs["html"].decode()
    assert "**Subject: " in md and letter.subject.split(" (")[0] in txt
    assert html.startswith("<!DOCTYPE html>") and '<main class="letter' in html
    assert "Dana Whitfield" in txt  # filled from the record
    text = pdf_text(letter.outputs["pdf"], tmp_path)
    assert letter.outputs["pdf"].startswith(b"%PDF-")
    assert letter.subject.split(" (")[0] in text
    assert "Dana Whitfield" in text or kind == "cease-and-desist-reply"
    assert letter.subject.split(",")[0] in docx_text(letter.outputs["docx"])
    message = email.message_from_bytes(letter.outputs["eml"], policy=default)
    assert str(message["Subject"]).strip() == letter.subject
    assert message["X-Unsent"] == "1"
    customer, business = "dana@example.org", "complaints@acme.example"
    sender, to = (
        (business, customer) if CATALOGUE[kind].side is Side.BUSINESS else (customer, business)
    )
    assert sender in message["From"] and to in message["To"]
    attachments = list(message.iter_attachments())
    assert [a.get_content_type() for a in attachments] == ["application/pdf"]
    assert attachments[0].get_content().startswith(b"%PDF-")
    if CATALOGUE[kind].cites_law:
        assert "not legal advice" in txt
    else:
        assert "not legal advice" not in txt


def test_same_inputs_give_identical_markdown_html_and_docx() -> None:
    first = letter_make(request("escalation", ("md", "txt", "html", "docx")))
    again = letter_make(request("escalation", ("md", "txt", "html", "docx")))
    for fmt in ("md", "txt", "html", "docx"):
        assert first.outputs[fmt] == again.outputs[fmt], fmt
    changed = letter_make(request("escalation", ("md",), **{"customer.phone": "0161 000 0000"}))
    assert changed.outputs["md"] != first.outputs["md"]


@pytest.mark.parametrize(("size", "ratio"), [("A4", 297 / 210), ("Letter", 11 / 8.5)])
def test_pdf_page_size_checked_as_png(size: str, ratio: float, tmp_path: Path) -> None:
    req = request("cease-and-desist", ("pdf",))
    req = type(req)(**{**req.__dict__, "page_size": size})
    pdf = tmp_path / "letter.pdf"
    pdf.write_bytes(letter_make(req).outputs["pdf"])
    subprocess.run(
        [
            tool("pdftoppm"),
            "-png",
            "-r",
            "20",
            "-f",
            "1",
            "-l",
            "1",
            str(pdf),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    png = next(tmp_path.glob("page*.png")).read_bytes()
    assert png.startswith(b"\x89PNG")
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert abs(height / width - ratio) < 0.02
    # the page is not blank: a printed page has many dark pixels somewhere
    assert len(set(png[100:])) > 50


def test_letter_check_passes_on_generated_letters() -> None:
    from plaint.domain.letters.checker import letter_check

    for kind in CATALOGUE:
        text = letter_make(request(kind, ("txt",), **{"case.regime": ""})).outputs["txt"].decode()
        assert letter_check(text, kind) == [], kind
