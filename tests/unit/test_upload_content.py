"""The pure rules of the upload content check (`plaint.domain.upload_content`): limits at
their edges, sniffed types, escaped PDF names, office structure, served types."""

from __future__ import annotations

import pytest

from plaint.domain import upload_content as rules
from plaint.domain.upload_content import ArchiveTally, Limits, PdfFinding

LIMITS = Limits(max_expanded_bytes=1000, max_members=10, max_ratio=50, max_depth=2)


@pytest.mark.parametrize(
    ("tally", "says"),
    [
        (ArchiveTally(size=100, members=10, declared=1000), None),  # every bound exactly met
        (ArchiveTally(size=100, members=11, declared=10), "more than 10 members"),
        (ArchiveTally(size=100, declared=1001), "expands to more than 1,000 bytes"),
        (ArchiveTally(size=100, inflated=1001), "expands to more than 1,000 bytes"),
        (ArchiveTally(size=10, declared=501), "compresses more than 50 to 1"),
        (ArchiveTally(size=10, declared=500), None),
        (ArchiveTally(size=100, depth=3), "nested more than 2 deep"),
    ],
)
def test_archive_bounds(tally: ArchiveTally, says: str | None) -> None:
    said = rules.archive_refusal("a.docx", tally, LIMITS)
    if says is None:
        assert said is None
    else:
        assert said is not None and said.startswith("a.docx ") and says in said


def test_type_is_read_from_the_first_bytes() -> None:
    assert rules.type_refusal("a.pdf", rules.PDF, b"%PDF-1.7\n") is None
    assert "does not look like" in (rules.type_refusal("a.pdf", rules.PDF, b"<html>") or "")
    assert "does not look like" in (
        rules.type_refusal("a.webp", "image/webp", b"RIFF0000AVI ") or ""
    )
    assert rules.type_refusal("a.webp", "image/webp", b"RIFF0000WEBPVP8 ") is None
    said = rules.type_refusal("notes.txt", "text/plain", b"%PDF-1.4")
    assert said == "notes.txt: its name says text/plain but its content is a PDF"
    assert rules.type_refusal("notes.txt", "text/plain", b"MZ Motors invoice") is None
    assert rules.type_refusal("notes.txt", "text/plain", b"<script>") is None  # text is text


def test_pdf_entries_and_escaped_names() -> None:
    assert rules.pdf_entry_finding("/S", "/JavaScript") is PdfFinding.JAVASCRIPT
    assert rules.pdf_entry_finding("/S", "/URI") is None
    assert rules.pdf_entry_finding("/S", "/GoTo") is None
    assert rules.pdf_entry_finding("/JS", None) is PdfFinding.JAVASCRIPT
    assert rules.pdf_entry_finding("/Type", "/EmbeddedFile") is PdfFinding.EMBEDDED_FILE
    assert rules.pdf_entry_finding("/Subtype", "/Link") is None
    assert rules.pdf_raw_findings(b"<</S/J#61vaScript/JS(x)>>") == {PdfFinding.JAVASCRIPT}
    assert rules.pdf_raw_findings(b"<</S/#4c#61unch>>") == {PdfFinding.LAUNCH}
    assert rules.pdf_raw_findings(b"<</S/URI/URI(http://x#y)>>") == set()
    said = rules.pdf_refusal("s.pdf", [PdfFinding.LAUNCH, PdfFinding.JAVASCRIPT])
    assert said is not None
    assert said.startswith("s.pdf is a PDF that runs JavaScript and launches other programs")
    assert rules.pdf_refusal("s.pdf", []) is None


def test_office_structure_and_macros() -> None:
    word = ["[Content_Types].xml", "word/document.xml"]
    assert rules.office_refusal("a.docx", rules.DOCX, word, None) is None
    excel = ["[Content_Types].xml", "xl/workbook.xml"]
    assert "is not a Word document" in (
        rules.office_refusal("a.docx", rules.DOCX, excel, None) or ""
    )
    assert "macros" in (
        rules.office_refusal("a.docx", rules.DOCX, [*word, "word/vbaProject.bin"], None) or ""
    )
    assert rules.office_refusal("a.odt", rules.ODT, ["mimetype"], rules.ODT.encode()) is None
    assert "is not an OpenDocument text" in (
        rules.office_refusal("a.odt", rules.ODT, [], None) or ""
    )


def test_polyglots_and_served_types() -> None:
    assert rules.html_marker(b"%PDF-1.4 <HTML><Script>") == "<HTML"
    assert rules.html_marker(b"%PDF-1.4 <htmlish") is None
    assert rules.polyglot_refusal("a.pdf", rules.PDF, "<html") is not None
    assert rules.polyglot_refusal("a.txt", "text/plain", "<html") is None
    assert rules.served_type("application/pdf") == "application/pdf"
    assert rules.served_type("text/html; charset=utf-8") == rules.OPAQUE
    assert rules.served_type("image/svg+xml") == rules.OPAQUE
    assert rules.served_type("") == rules.OPAQUE
