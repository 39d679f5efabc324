"""From one Markdown source to HTML, PDF (WeasyPrint), DOCX (python-docx) and .eml.

The Markdown a letter template produces has every value from the record escaped (see
`render.markdown_escape`), and markdown-it runs with raw HTML off, so nothing a customer
typed can become markup, a link or a script in any format.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time, tzinfo
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr
from functools import cache
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_BREAK
from docx.shared import Mm, Pt
from markdown_it import MarkdownIt
from markdown_it.token import Token

PAGE_SIZES = {"A4": (210, 297), "Letter": (215.9, 279.4)}


@cache
def markdown() -> MarkdownIt:
    md = MarkdownIt(
        "commonmark", {"html": False, "breaks": True, "linkify": False, "typographer": False}
    ).enable("table")
    # No links or images may come out of a letter: the templates write none, and the
    # record's values are escaped; this is the belt to those braces.
    md.disable(["link", "image", "autolink"])
    return md


def markdown_to_html(text: str) -> str:
    return str(markdown().render(text))


# ---------------------------------------------------------------- PDF


def pdf_from_html(html: str, base_dirs: tuple[Path, ...]) -> bytes:
    """Print the HTML page with WeasyPrint. Only files under the template folders and
    data: URIs may be loaded (a letterhead logo); nothing from the network."""
    from weasyprint import HTML  # type: ignore[import-untyped]  # imported on first use

    return HTML(  # type: ignore[no-any-return]
        string=html, base_url=str(base_dirs[0]), url_fetcher=_fetcher(base_dirs)
    ).write_pdf()


@cache
def _fetcher(base_dirs: tuple[Path, ...]) -> Any:
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    roots = tuple(str(d.resolve()) for d in base_dirs)

    class LocalOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file://"):
                path = str(Path(url[7:].split("?")[0]).resolve())
                if any(path.startswith(root + "/") for root in roots):
                    return super().fetch(url, headers)
            raise ValueError(f"letters load no external resources ({url[:80]})")

    return LocalOnly(allowed_protocols={"file", "data"})


# ---------------------------------------------------------------- DOCX


def docx_from_markdown(text: str, *, page_size: str, title: str, author: str, today: date) -> bytes:
    doc = Document()
    section = doc.sections[0]
    width, height = PAGE_SIZES[page_size]
    section.page_width, section.page_height = Mm(width), Mm(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(22))
    normal = doc.styles["Normal"]
    normal.font.name = "Georgia"
    normal.font.size = Pt(11)
    _docx_body(doc, markdown().parse(text))
    props = doc.core_properties
    props.title = title[:250]
    props.author = author[:250]
    props.last_modified_by = "Plaint"
    props.revision = 1
    moment = datetime.combine(today, time(0))
    props.created = moment
    props.modified = moment
    raw = io.BytesIO()
    doc.save(raw)
    return _zip_fixed(raw.getvalue())


def _docx_body(doc: Any, tokens: list[Token]) -> None:
    lists: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type in {"bullet_list_open", "ordered_list_open"}:
            lists.append("List Bullet" if tok.type == "bullet_list_open" else "List Number")
        elif tok.type in {"bullet_list_close", "ordered_list_close"}:
            lists.pop()
        elif tok.type == "heading_open":
            level = int(tok.tag[1])
            para = doc.add_heading(level=min(level, 3))
            _runs(para, tokens[i + 1].children or [])
            i += 2
        elif tok.type == "paragraph_open":
            para = doc.add_paragraph(style=lists[-1] if lists else None)
            _runs(para, tokens[i + 1].children or [])
            i += 2
        elif tok.type == "hr":  # the line to sign on, with space above it
            doc.add_paragraph()
            doc.add_paragraph("_" * 30)
        elif tok.type == "table_open":
            i = _table(doc, tokens, i)
        i += 1


def _runs(para: Any, children: list[Token]) -> None:
    bold = italic = False
    for child in children:
        if child.type == "strong_open":
            bold = True
        elif child.type == "strong_close":
            bold = False
        elif child.type == "em_open":
            italic = True
        elif child.type == "em_close":
            italic = False
        elif child.type in {"softbreak", "hardbreak"}:
            para.add_run().add_break(WD_BREAK.LINE)
        elif child.type in {"text", "code_inline"}:
            run = para.add_run(child.content)
            run.bold = bold or None
            run.italic = italic or None


def _table(doc: Any, tokens: list[Token], start: int) -> int:
    rows: list[list[list[Token]]] = []
    i = start
    while tokens[i].type != "table_close":
        if tokens[i].type == "tr_open":
            rows.append([])
        elif tokens[i].type == "inline":
            rows[-1].append(tokens[i].children or [])
        i += 1
    if rows:
        table = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                para = table.cell(r, c).paragraphs[0]
                _runs(para, cell)
                if r == 0:
                    for run in para.runs:
                        run.bold = True
    return i


def _zip_fixed(data: bytes) -> bytes:
    """The same archive with fixed timestamps, so equal letters give equal bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


# ---------------------------------------------------------------- e-mail

_HEADER_UNSAFE = re.compile(r"[\r\n\x00]+")


def _header(value: str) -> str:
    return _HEADER_UNSAFE.sub(" ", value).strip()


def eml_build(
    *,
    sender: tuple[str, str],
    to: tuple[str, str],
    subject: str,
    text: str,
    html: str,
    pdf: bytes,
    pdf_name: str,
    today: date,
    zone: tzinfo,
) -> bytes:
    """A draft e-mail (``X-Unsent: 1`` makes mail programs open it ready to send), with
    the letter as text and HTML and the PDF attached."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = formataddr((_header(sender[0]), _header(sender[1])))
    msg["To"] = formataddr((_header(to[0]), _header(to[1])))
    msg["Subject"] = _header(subject)
    msg["Date"] = format_datetime(datetime.combine(today, time(9, 0), tzinfo=zone))
    msg["X-Unsent"] = "1"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=_header(pdf_name))
    for n, part in enumerate(msg.walk()):
        if part.is_multipart():
            part.set_boundary(f"plaint-letter-{n}-{len(pdf)}")
    return msg.as_bytes()
