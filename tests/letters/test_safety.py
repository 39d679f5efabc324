"""Customer text is data, never template code: injection attempts in narratives and names."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from docx import Document

from plaint.domain.letters import TemplateProblem, letter_make
from plaint.domain.letters.render import markdown_escape
from tests.letters.records import request, tool

ATTACKS = {
    "customer.name": "Eve {{ 7*7 }} <script>alert('name')</script>",
    "case.description": (
        "{{ 7*7 }} {% include '/etc/passwd' %} {{ ''.__class__.__mro__ }} "
        "<script>alert(1)</script> <img src=x onerror=alert(2)> "
        "[click](javascript:alert(3)) ![i](file:///etc/passwd)\n# Heading\n- item"
    ),
    "case.desired_resolution": "{% for x in range(10**9) %}x{% endfor %}",
}


def test_injection_is_printed_never_run(tmp_path: Path) -> None:
    letter = letter_make(request("escalation", ("md", "txt", "html", "pdf", "docx"), **ATTACKS))
    txt = letter.outputs["txt"].decode()
    html = letter.outputs["html"].decode()
    md = letter.outputs["md"].decode()
    # printed as typed, not evaluated
    assert "{{ 7*7 }}" in txt and "49" not in txt
    assert "{% include '/etc/passwd' %}" in txt and "root:" not in txt
    assert "{% for x in range(10**9) %}x{% endfor %}" in txt
    # no markup, script, link or image comes out in HTML
    assert "<script" not in html and "<img" not in html and "<a " not in html
    assert "<h1" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "{{ 7*7 }}" in html
    # the Markdown keeps it literal: no heading or list can start from the record
    assert "\n# Heading" not in md and "\\# Heading" in md and "\\- item" in md
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(letter.outputs["pdf"])
    out = subprocess.run(
        [tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    )
    assert "{{ 7*7 }}" in out.stdout and "<script>alert(1)</script>" in out.stdout
    doc = Document(io.BytesIO(letter.outputs["docx"]))
    assert any("{{ 7*7 }}" in p.text for p in doc.paragraphs)


def test_eml_headers_cannot_be_injected() -> None:
    letter = letter_make(
        request(
            "complaint",
            ("eml",),
            **{"customer.name": "Eve\r\nBcc: victim@example.org", "case.product": "Sofa\nBcc: x"},
        )
    )
    head = letter.outputs["eml"].split(b"\r\n\r\n", 1)[0].decode()
    assert "\nBcc:" not in head


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("<b>x</b>", "<b>x</b>"),  # raw HTML is off: shown as typed, never markup
        ("1. first", "1\\. first"),
        ("- item", "\\- item"),
        ("# title", "\\# title"),
        ("> quote", "\\> quote"),
        ("+44 20 7946", "+44 20 7946"),
        ("a_b*c", "a_b\\*c"),
        ("_a_ & b &amp; c#1", "\\_a\\_ & b \\&amp; c#1"),
        (None, ""),
    ],
)
def test_markdown_escape(text: str | None, escaped: str) -> None:
    assert markdown_escape(text) == escaped


def test_override_templates_are_sandboxed_and_strict(tmp_path: Path) -> None:
    (tmp_path / "complaint.md").write_text("{{ ''.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(TemplateProblem, match=r"complaint\.md"):
        letter_make(request("complaint"), override_dir=tmp_path)
    (tmp_path / "complaint.md").write_text("{{ customer.no_such_field }}")
    with pytest.raises(TemplateProblem, match="no_such_field"):
        letter_make(request("complaint"), override_dir=tmp_path)


def test_organisation_override_changes_wording_and_version(tmp_path: Path) -> None:
    shipped = letter_make(request("complaint"))
    (tmp_path / "_layout.md").write_text(
        (Path(__file__).parents[2] / "src/plaint/domain/letters/templates/_layout.md")
        .read_text()
        .replace("{{ closing }}", "Kind regards from Acme,")
    )
    (tmp_path / "complaint.md").write_text(
        '{% extends "_layout.md" %}{% block subject %}Our complaint{% endblock %}'
        "{% block body %}Custom body for {{ case.product }}.{% endblock %}"
    )
    custom = letter_make(request("complaint"), override_dir=tmp_path)
    text = custom.outputs["md"].decode()
    assert "Kind regards from Acme," in text and "Custom body for Dual fuel energy plan." in text
    assert custom.template_version.endswith("+org")
    assert custom.template_sha256 != shipped.template_sha256
