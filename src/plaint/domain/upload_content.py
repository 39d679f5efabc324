"""What an uploaded file may contain: the pure rules of the upload content check.

Evidence is kept exactly as it was sent (its SHA-256 is the record), so a file with active
content is refused, never silently cleaned: a PDF that runs JavaScript, launches a program,
carries embedded files or an XFA form; an office file with macros; an archive that expands
beyond a bound, compresses absurdly well, has too many members or nests archives too deep;
a file whose content is of another type than its name says; and a binary file that is also
a web page (a polyglot). Each refusal is one sentence that names the file and the reason.

This module decides; `plaint.cases.upload_inspection` reads the file (pikepdf, zipfile)
and reports what it found. Nothing here touches a file, Django or the clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
ZIP = "application/zip"

TEXT_TYPES = frozenset({"text/plain", "text/csv", "message/rfc822"})
#: Markup by nature: only ever accepted if an organisation adds it to its types, and then
#: served as opaque bytes (`served_type`), so markup in it is no surprise.
MARKUP_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml"}
)

#: The first bytes a file of each type starts with (types not listed are text, checked
#: for binary content instead).
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    PDF: (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
    "image/webp": (b"RIFF",),
    "audio/mpeg": (b"ID3", b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"),
    DOCX: (b"PK\x03\x04",),
    XLSX: (b"PK\x03\x04",),
    PPTX: (b"PK\x03\x04",),
    ODT: (b"PK\x03\x04",),
    ODS: (b"PK\x03\x04",),
    ODP: (b"PK\x03\x04",),
    ZIP: (b"PK\x03\x04",),
}

#: What a file's first bytes say it is, in words, for "its content is ..." sentences.
#: Only signatures no text starts with (a program, say, is caught as binary data).
_SNIFFED: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a zip archive (or an office document)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Office document (which can hold macros)"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
)

#: Zip-based office formats: what a member must be there for the file to be one, and a
#: name for the sentence that says it is not.
OFFICE: dict[str, tuple[str, str]] = {
    DOCX: ("word/", "a Word document"),
    XLSX: ("xl/", "an Excel workbook"),
    PPTX: ("ppt/", "a PowerPoint presentation"),
    ODT: ("", "an OpenDocument text"),
    ODS: ("", "an OpenDocument spreadsheet"),
    ODP: ("", "an OpenDocument presentation"),
}
ARCHIVE_TYPES = frozenset({*OFFICE, ZIP})

#: Member names (lower case) of an office file that hold macros or ActiveX controls.
_MACRO_MEMBER = re.compile(r"(^|/)(vbaproject\.bin|vbadata\.xml|activex/|basic/|scripts/)")

#: Names inside an archive (or first bytes of a member) that make it an archive itself.
_ARCHIVE_NAME = re.compile(
    r"\.(zip|jar|docx|docm|xlsx|xlsm|pptx|pptm|odt|ods|odp|epub|apk)$", re.IGNORECASE
)
ZIP_MAGIC = b"PK\x03\x04"

#: Markup that makes a browser treat bytes as a page that runs script. Scanned for in
#: every file that is not text (markup in a .txt file is text, and is served as text).
HTML_MARKERS = re.compile(
    rb"<(?:html|script|iframe|body|svg|object|embed|frameset|meta\s+http-equiv)[\s>/]",
    re.IGNORECASE,
)
#: Bytes kept from one chunk to the next, so a marker split across two is still found.
HTML_OVERLAP = 32

#: Types served to a browser under their own name: none of them runs script. Any other
#: stored type (an organisation may accept more) goes out as application/octet-stream.
SERVED_AS_IS = frozenset(
    {
        PDF,
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "audio/mpeg",
        "text/plain",
        "text/csv",
        "message/rfc822",
        *ARCHIVE_TYPES,
    }
)
OPAQUE = "application/octet-stream"


class PdfFinding(Enum):
    """Active content a PDF may hold, each with the words that say what it does."""

    JAVASCRIPT = "runs JavaScript"
    LAUNCH = "launches other programs or files"
    EMBEDDED_FILE = "carries an embedded file"
    XFA = "holds an XFA form (which runs scripts)"
    RICH_MEDIA = "embeds rich media (Flash, or media that runs code)"
    IMPORT = "imports outside data when opened"


#: Action types (the value of /S) that are active content.
ACTIVE_ACTIONS: dict[str, PdfFinding] = {
    "/JavaScript": PdfFinding.JAVASCRIPT,
    "/Launch": PdfFinding.LAUNCH,
    "/GoToE": PdfFinding.EMBEDDED_FILE,
    "/ImportData": PdfFinding.IMPORT,
    "/RichMediaExecute": PdfFinding.RICH_MEDIA,
}
#: Dictionary keys whose presence is active content: /JS (a script, in any action or
#: rendition), the name tree of document scripts, embedded files, XFA, rich media.
ACTIVE_KEYS: dict[str, PdfFinding] = {
    "/JS": PdfFinding.JAVASCRIPT,
    "/JavaScript": PdfFinding.JAVASCRIPT,
    "/EmbeddedFiles": PdfFinding.EMBEDDED_FILE,
    "/EF": PdfFinding.EMBEDDED_FILE,
    "/XFA": PdfFinding.XFA,
    "/RichMediaContent": PdfFinding.RICH_MEDIA,
}
#: Values of /Type or /Subtype that are active content.
ACTIVE_TYPES: dict[str, PdfFinding] = {
    "/EmbeddedFile": PdfFinding.EMBEDDED_FILE,
    "/FileAttachment": PdfFinding.EMBEDDED_FILE,
    "/RichMedia": PdfFinding.RICH_MEDIA,
}
#: Names looked for in a PDF's raw bytes as well (after #xx escapes are decoded): long
#: enough never to turn up by chance inside compressed data. A dictionary kept outside
#: the cross-reference table (where a lenient viewer could still find it) is caught so.
RAW_NAMES: dict[str, PdfFinding] = {
    name: finding
    for name, finding in {**ACTIVE_ACTIONS, **ACTIVE_KEYS, **ACTIVE_TYPES}.items()
    if len(name) >= 5
}
_PDF_NAME = re.compile(rb"/[^\x00\t\n\x0c\r /%()<>\[\]{}]+")
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")


@dataclass(frozen=True)
class Limits:
    """How far an archive may go before it is refused (PLAINT_UPLOAD_* settings)."""

    max_expanded_bytes: int = 100 << 20
    max_members: int = 5_000
    max_ratio: int = 200
    max_depth: int = 2  # an office file, and office files embedded in it; no deeper


@dataclass
class ArchiveTally:
    """What has been seen of an archive (and the archives inside it) so far."""

    size: int  # bytes of the outermost file, as sent
    members: int = 0
    declared: int = 0  # expanded sizes the archives' directories state
    inflated: int = 0  # bytes actually read out of them
    depth: int = 1


# ----------------------------------------------------------------------------- type


def sniff(head: bytes) -> str | None:
    """What a file's first bytes say it is, in words ("a PDF"), or None for no signature."""
    for magic, words in _SNIFFED:
        if head.startswith(magic):
            return words
    return None


def type_refusal(name: str, ctype: str, head: bytes) -> str | None:
    """Whether the content's first bytes fit the type its name (and the sender) claim."""
    signatures = SIGNATURES.get(ctype)
    if signatures is not None and not head.startswith(signatures):
        return f"{name} does not look like {ctype}: its content does not match its type"
    if ctype == "image/webp" and head[8:12] != b"WEBP":
        return f"{name} does not look like {ctype}: its content does not match its type"
    if ctype in TEXT_TYPES:
        found = sniff(head)
        if found is not None:
            return f"{name}: its name says {ctype} but its content is {found}"
    return None


def binary_in_text_refusal(name: str, sample: bytes) -> str | None:
    if b"\x00" in sample:
        return f"{name} is declared as text but contains binary data"
    return None


def html_marker(chunk: bytes) -> str | None:
    """The first tag in `chunk` that makes bytes a web page, as written, or None."""
    found = HTML_MARKERS.search(chunk)
    return found.group(0)[:-1].decode("ascii", "replace") if found else None


def polyglot_refusal(name: str, ctype: str, marker: str) -> str | None:
    if ctype in TEXT_TYPES or ctype in MARKUP_TYPES:
        return None
    return (
        f"{name} is {ctype} but also contains HTML ({marker}>), so a browser could run it "
        "as a web page; a file that is two things at once is not accepted"
    )


def served_type(ctype: str) -> str:
    """The content type a stored file is downloaded with: its own if it cannot run
    script in a browser, otherwise opaque bytes."""
    base = ctype.split(";")[0].strip().lower()
    return base if base in SERVED_AS_IS else OPAQUE


# ----------------------------------------------------------------------------- PDF


def pdf_entry_finding(key: str, value: str | None) -> PdfFinding | None:
    """What one dictionary entry of a PDF is, if active: `key` is the entry's name
    ("/S"), `value` the name it holds if it holds a name ("/JavaScript"), else None."""
    if key == "/S" and value is not None:
        return ACTIVE_ACTIONS.get(value)
    if key in ("/Type", "/Subtype") and value is not None:
        return ACTIVE_TYPES.get(value)
    return ACTIVE_KEYS.get(key)


def pdf_raw_findings(data: bytes) -> set[PdfFinding]:
    """Active names anywhere in the bytes, escaped names (/J#61vaScript) included."""
    found = {finding for raw, finding in RAW_NAMES.items() if raw.encode() in data}
    if b"#" in data:
        for match in _PDF_NAME.finditer(data):
            token = match.group(0)
            if b"#" in token:
                plain = _NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), token)
                finding = RAW_NAMES.get(plain.decode("latin-1"))
                if finding is not None:
                    found.add(finding)
    return found


def pdf_refusal(name: str, findings: Iterable[PdfFinding]) -> str | None:
    found = sorted(set(findings), key=lambda f: list(PdfFinding).index(f))
    if not found:
        return None
    what = _and([f.value for f in found])
    return (
        f"{name} is a PDF that {what}, and opening it could run that; evidence is kept "
        "exactly as sent, so it is refused rather than altered (print it to a new PDF, or "
        "scan it, and send that)"
    )


def pdf_unreadable_refusal(name: str, *, password: bool) -> str:
    if password:
        return (
            f"{name} is protected by a password, so its content cannot be checked; "
            "send it without the password"
        )
    return f"{name} is damaged or is not a PDF Plaint can read, so its content cannot be checked"


# ----------------------------------------------------------------------------- archives


def looks_like_archive(member: str, head: bytes) -> bool:
    return head.startswith(ZIP_MAGIC) or bool(_ARCHIVE_NAME.search(member))


def archive_refusal(name: str, tally: ArchiveTally, limits: Limits) -> str | None:
    """Whether an archive seen so far breaks a limit. Called after each directory is
    read (the sizes it declares) and while members are read (the bytes they give)."""
    if tally.depth > limits.max_depth:
        return (
            f"{name} has archives nested more than {limits.max_depth} deep "
            "(an archive inside an archive inside it), which is how zip bombs are built"
        )
    if tally.members > limits.max_members:
        return f"{name} has more than {limits.max_members:,} members"
    expanded = max(tally.declared, tally.inflated)
    if expanded > limits.max_expanded_bytes:
        return (
            f"{name} expands to more than {limits.max_expanded_bytes:,} bytes when opened "
            f"(it is {tally.size:,} bytes as sent)"
        )
    if tally.size and expanded > limits.max_ratio * tally.size:
        return (
            f"{name} compresses more than {limits.max_ratio} to 1 "
            f"({tally.size:,} bytes that open to {expanded:,}), which only a zip bomb does"
        )
    return None


def archive_damaged_refusal(name: str, *, password: bool = False) -> str:
    if password:
        return f"{name} is protected by a password, so its content cannot be checked"
    return f"{name} is damaged or is not an archive Plaint can read"


def office_refusal(
    name: str, ctype: str, members: Iterable[str], mimetype: bytes | None
) -> str | None:
    """Whether a zip is the office file its name says, without macros. `mimetype` is
    the content of an OpenDocument's `mimetype` member, if it has one."""
    if ctype not in OFFICE:
        return None
    folder, kind = OFFICE[ctype]
    names = list(members)
    if ctype.startswith("application/vnd.oasis."):
        is_kind = mimetype is not None and mimetype.strip() == ctype.encode()
    else:
        is_kind = "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)
    if not is_kind:
        return f"{name} is not {kind}: its content does not match its name"
    if any(_MACRO_MEMBER.search(n.lower()) for n in names):
        return f"{name} contains macros or ActiveX controls, which run code when opened"
    return None


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
