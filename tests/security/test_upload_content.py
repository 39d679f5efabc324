"""What is inside an upload (issue 17, finding 13): PDFs that run JavaScript or launch
programs, office files that expand to a gigabyte, archives inside archives, a PDF that is
also a web page, and files whose content is not what their name says. Each is refused
through every way a file comes in (the desk, the customer portal, the complaint form, the
API, e-mail) with a message naming the file and the reason, HTTP 400 or 422, and nothing
kept: no row, no file, no ledger event. Every download of an upload, a letter or an
attachment is an attachment in a sandbox, never a page of the desk's origin.

The hostile files are built here: PDFs with pikepdf (saved with object streams, so the
active parts are compressed and no byte scan could see them), archives with zipfile, and
the 1 GiB bomb by repeating one flushed deflate block (1 MiB in, 1 GiB out, no gigabyte
ever held or inflated)."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from plaint.api import tokens
from plaint.cases.models import Evidence
from plaint.config.appsettings import APP
from plaint.messaging.inbound import message_receive
from plaint.portal.services import Upload, evidence_add
from tests.api.conftest import ApiClient
from tests.conftest import NOW
from tests.messaging.mail import raw_mail
from tests.portal.helpers import complaint
from tests.security.conftest import Snapshot, World, signed_in

pytestmark = pytest.mark.django_db

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MiB = 1 << 20
GiB = 1 << 30
MANY = 5_001  # members: one more than PLAINT_UPLOAD_MAX_ARCHIVE_MEMBERS allows by default

# ----------------------------------------------------------------------------- PDFs


def pdf_bytes(build: Callable[[pikepdf.Pdf], None] | None = None) -> bytes:
    """A one-page PDF, changed by `build`, saved with compressed object streams."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    if build is not None:
        build(pdf)
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True)
    return out.getvalue()


def _js(pdf: pikepdf.Pdf) -> pikepdf.Object:
    action = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    return pdf.make_indirect(action)


def _open_action_js(pdf: pikepdf.Pdf) -> None:
    pdf.Root.OpenAction = _js(pdf)


def _names_js(pdf: pikepdf.Pdf) -> None:
    tree = pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("boot"), _js(pdf)]))
    pdf.Root.Names = pikepdf.Dictionary(JavaScript=tree)


def _page_aa_js(pdf: pikepdf.Pdf) -> None:
    pdf.pages[0].obj.AA = pikepdf.Dictionary(O=_js(pdf))


def _launch(pdf: pikepdf.Pdf) -> None:
    pdf.Root.OpenAction = pikepdf.Dictionary(
        S=pikepdf.Name.Launch, F=pikepdf.String("C:\\Windows\\System32\\cmd.exe")
    )


def _embedded(pdf: pikepdf.Pdf) -> None:
    pdf.attachments["payload.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00payload")


def _escaped_name_js() -> bytes:
    """No object streams, but the action's name written with #xx escapes (/J#61vaScript
    is /JavaScript to a reader)."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R/OpenAction 4 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
        b"4 0 obj<</S/J#61vaScript/JS(app.alert(1))>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


CLEAN_PDF = pdf_bytes()
POLYGLOT = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n<html><body><script>alert(document.cookie)</script>"
    b"</body></html>\n" + CLEAN_PDF[CLEAN_PDF.index(b"\n") + 1 :]
)
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"

# ----------------------------------------------------------------------------- archives


def zip_bytes(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return out.getvalue()


WORD = {
    "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org'
    b'/package/2006/content-types"/>',
    "_rels/.rels": b'<?xml version="1.0"?><Relationships/>',
    "word/document.xml": b'<?xml version="1.0"?><w:document><w:body>Refund</w:body></w:document>',
}
EXCEL = {
    "[Content_Types].xml": WORD["[Content_Types].xml"],
    "xl/workbook.xml": b'<?xml version="1.0"?><workbook/>',
}


def docx(extra: dict[str, bytes] | None = None) -> bytes:
    return zip_bytes({**WORD, **(extra or {})})


def _bomb_member(size: int) -> tuple[bytes, int]:
    """A raw deflate stream of `size` zero bytes and its CRC, from one block: a full flush
    makes each MiB of zeros compress to the same byte-aligned block, so the stream is that
    block repeated (a zip bomb is made in milliseconds, and never inflated here)."""
    block_in = bytes(MiB)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(block_in) + packer.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(size // MiB):
        crc = zlib.crc32(block_in, crc)
    return block * (size // MiB) + end, crc


def bomb_docx(size: int = GiB) -> bytes:
    """A real .docx whose one extra member is `size` zeros: about 1 MiB on the wire."""
    head = docx()
    with zipfile.ZipFile(io.BytesIO(head)) as zf:
        kept = [(i, zf.read(i)) for i in zf.infolist()]
    data, crc = _bomb_member(size)
    out = io.BytesIO()
    central = b""
    entries = [(i.filename.encode(), zlib.crc32(body), body) for i, body in kept]
    for name, body_crc, body in entries:
        packed = zlib.compressobj(9, zlib.DEFLATED, -15)
        raw = packed.compress(body) + packed.flush()
        central += _entry(out, name, raw, body_crc, len(body))
    central += _entry(out, b"word/media/fill.bin", data, crc, size)
    offset = out.tell()
    out.write(central)
    count = len(entries) + 1
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, len(central), offset, 0))
    return out.getvalue()


def _entry(out: io.BytesIO, name: bytes, raw: bytes, crc: int, size: int) -> bytes:
    """Write one deflated member's local header and data; return its central record."""
    offset = out.tell()
    fixed = (20, 0, 8, 0, 0x21, crc, len(raw), size, len(name), 0)
    out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, *fixed) + name + raw)
    record = (20, 20, 0, 8, 0, 0x21, crc, len(raw), size, len(name), 0, 0, 0, 0, 0, offset)
    return struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, *record) + name


@pytest.fixture(scope="module")
def gigabyte_bomb() -> bytes:
    return bomb_docx()


# ----------------------------------------------------------------------------- channels


@dataclass
class Clients:
    """Signed in before a test's snapshot, so the session and token rows are not news."""

    desk: Client
    api: ApiClient


@pytest.fixture
def clients(world: World) -> Clients:
    made = tokens.token_create(
        organisation=world.org,
        owner=world.admin,
        name="uploads",
        scopes=["read", "write", "letters"],
        actor=world.admin,
        now=NOW,
    )
    return Clients(desk=signed_in("ada"), api=ApiClient(made.secret))


def _desk(world: World, clients: Clients, upload: SimpleUploadedFile) -> Any:
    url = f"/cases/{world.case.reference}/actions/evidence/"
    return clients.desk.post(url, {"file": upload, "description": "from the desk"})


def _portal(world: World, clients: Clients, upload: SimpleUploadedFile) -> Any:
    url = reverse("portal:evidence", kwargs={"org": "acme", "token": world.token()})
    return Client().post(url, {"evidence": [upload]})


def _complaint(world: World, clients: Clients, upload: SimpleUploadedFile) -> Any:
    return Client().post("/complain/acme/", complaint(evidence=[upload]))


def _api(world: World, clients: Clients, upload: SimpleUploadedFile) -> Any:
    path = f"/api/v1/cases/{world.case.reference}/evidence"
    return clients.api.upload(path, {"file": upload, "description": "from the API"})


CHANNELS: dict[str, Callable[..., Any]] = {
    "desk": _desk,
    "portal": _portal,
    "complaint form": _complaint,
    "api": _api,
}

#: The complaint form's rate limiter counts every attempt, refused or not.
ATTEMPTS = "portal.IntakeAttempt"


def _written(before: Snapshot, after: Snapshot, channel: str) -> dict[str, object]:
    ignored = {ATTEMPTS} if channel == "complaint form" else set()
    return {k: after[k] for k in after if after[k] != before.get(k) and k not in ignored}


def _said(response: Any, channel: str) -> str:
    if channel == "api":
        return " ".join(e["message"] for e in response.json()["errors"])
    return str(response.content.decode())


HOSTILE = [
    pytest.param("statement.pdf", pdf_bytes(_open_action_js), "JavaScript", id="pdf-openaction-js"),
    pytest.param("statement.pdf", pdf_bytes(_names_js), "JavaScript", id="pdf-names-javascript"),
    pytest.param("statement.pdf", pdf_bytes(_page_aa_js), "JavaScript", id="pdf-page-aa-js"),
    pytest.param("statement.pdf", _escaped_name_js(), "JavaScript", id="pdf-escaped-name-js"),
    pytest.param("statement.pdf", pdf_bytes(_launch), "launch", id="pdf-launch"),
    pytest.param("statement.pdf", pdf_bytes(_embedded), "embedded file", id="pdf-embedded-file"),
    pytest.param("statement.pdf", POLYGLOT, "HTML", id="pdf-html-polyglot"),
    pytest.param("statement.pdf", HTML, "does not look like application/pdf", id="html-as-pdf"),
    pytest.param(
        "letter.docx",
        docx({"word/media/big.bin": bytes(20 * MiB)}),
        "compresses",
        id="docx-absurd-ratio",
    ),
    pytest.param(
        "letter.docx",
        docx({f"word/media/p{n}.xml": b"x" for n in range(MANY)}),
        "members",
        id="docx-too-many-members",
    ),
    pytest.param(
        "letter.docx",
        docx(
            {
                "word/embeddings/outer.zip": zip_bytes(
                    {"inner.zip": zip_bytes({"deepest.zip": zip_bytes({"a.txt": b"a"})})}
                )
            }
        ),
        "nested",
        id="docx-nested-zip",
    ),
    pytest.param(
        "letter.docx", docx({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}), "macros", id="docm"
    ),
    pytest.param("letter.docx", zip_bytes({"a.txt": b"hello"}), "Word", id="zip-named-docx"),
    pytest.param("letter.docx", zip_bytes(EXCEL), "Word", id="xlsx-named-docx"),
    pytest.param("notes.txt", CLEAN_PDF, "content is a PDF", id="pdf-named-txt"),
    pytest.param(
        "notes.txt", b"\x89PNG\r\n\x1a\n" + b"x" * 40, "content is a PNG", id="png-named-txt"
    ),
]


@pytest.mark.parametrize("channel", list(CHANNELS))
@pytest.mark.parametrize(("name", "data", "reason"), HOSTILE)
def test_hostile_content_is_refused_with_the_reason_and_nothing_kept(
    channel: str,
    name: str,
    data: bytes,
    reason: str,
    world: World,
    clients: Clients,
    snapshot: Callable[[], Snapshot],
) -> None:
    before = snapshot()
    # The client's content type is what the name says: the content is what is checked.
    declared = {"pdf": "application/pdf", "docx": DOCX, "txt": "text/plain"}[name.split(".")[-1]]
    response = CHANNELS[channel](world, clients, SimpleUploadedFile(name, data, declared))
    assert response.status_code == (422 if channel == "api" else 400), response.content[:300]
    said = _said(response, channel)
    assert name in said, said
    assert reason.lower() in said.lower(), said
    assert _written(before, snapshot(), channel) == {}


@pytest.mark.parametrize("channel", list(CHANNELS))
def test_a_one_gigabyte_docx_bomb_is_refused_without_inflating_it(
    channel: str,
    gigabyte_bomb: bytes,
    world: World,
    clients: Clients,
    snapshot: Callable[[], Snapshot],
) -> None:
    assert len(gigabyte_bomb) < 2 * MiB  # about 1 MiB sent ...
    with zipfile.ZipFile(io.BytesIO(gigabyte_bomb)) as zf:  # ... that says it holds 1 GiB
        assert sum(i.file_size for i in zf.infolist()) > GiB
    before = snapshot()
    upload = SimpleUploadedFile("contract.docx", gigabyte_bomb, DOCX)
    response = CHANNELS[channel](world, clients, upload)
    assert response.status_code == (422 if channel == "api" else 400)
    said = _said(response, channel)
    assert "contract.docx" in said and "expands to more than" in said, said
    assert _written(before, snapshot(), channel) == {}


def test_the_bound_is_a_setting_and_a_read_stops_at_it(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below the central directory's sizes, the bytes actually inflated are counted too,
    and the read stops at the bound."""
    from plaint.cases import upload_inspection

    small = replace(APP, upload_max_expanded_bytes=4 * MiB, upload_max_compression_ratio=10_000)
    monkeypatch.setattr(upload_inspection, "APP", small)
    with pytest.raises(Exception, match="expands to more than 4,194,304 bytes"):
        evidence_add(
            case=world.case,
            uploads=[Upload("big.docx", io.BytesIO(bomb_docx(8 * MiB)), DOCX)],
            now=NOW,
        )
    ok = docx({"word/media/fill.bin": bytes(MiB)})
    evidence_add(case=world.case, uploads=[Upload("ok.docx", io.BytesIO(ok), DOCX)], now=NOW)
    assert world.case.evidence.filter(filename="ok.docx").exists()


ACCEPTED = [
    pytest.param("clean.pdf", CLEAN_PDF, "application/pdf", id="clean-pdf"),
    pytest.param(
        "linked.pdf",
        pdf_bytes(
            lambda pdf: setattr(
                pdf.Root,
                "OpenAction",
                pikepdf.Array([pdf.pages[0].obj, pikepdf.Name.Fit]),
            )
        ),
        "application/pdf",
        id="pdf-openaction-goto",
    ),
    pytest.param("letter.docx", docx(), DOCX, id="docx"),
    pytest.param(
        "chart.docx",
        docx({"word/embeddings/sheet.xlsx": zip_bytes(EXCEL)}),
        DOCX,
        id="docx-with-embedded-xlsx",
    ),
    pytest.param("notes.txt", HTML, "text/plain", id="markup-in-text-is-text"),
]


@pytest.mark.parametrize(("name", "data", "ctype"), ACCEPTED)
def test_ordinary_files_are_kept_unchanged(
    name: str, data: bytes, ctype: str, world: World
) -> None:
    evidence_add(case=world.case, uploads=[Upload(name, io.BytesIO(data), ctype)], now=NOW)
    item = world.case.evidence.get(filename=name)
    assert item.size == len(data)


def test_an_email_attachment_with_javascript_is_refused_and_the_mail_kept(world: World) -> None:
    raw = raw_mail(
        subject=f"Re {world.case.reference}",
        attachments=[
            ("statement.pdf", "application/pdf", pdf_bytes(_open_action_js)),
            ("bill.pdf", "application/pdf", CLEAN_PDF),
        ],
    )
    before = set(Evidence.objects.values_list("pk", flat=True))
    got = message_receive(raw, organisation=world.org, source="test", now=NOW)
    assert got.outcome == "recorded"
    added = Evidence.objects.exclude(pk__in=before)
    assert [e.filename for e in added] == ["bill.pdf"]
    assert "statement.pdf" in got.message.reason and "JavaScript" in got.message.reason


# ----------------------------------------------------------------------------- downloads


def _assert_sandboxed_attachment(response: Any) -> None:
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    policy = {
        part.split()[0]: part.split()[1:]
        for part in response["Content-Security-Policy"].split(";")
        if part.strip()
    }
    assert policy.get("sandbox") == [] and policy.get("default-src") == ["'none'"], policy
    assert response["X-Content-Type-Options"] == "nosniff"


def test_every_download_is_a_sandboxed_attachment(world: World, clients: Clients) -> None:
    case, item, seq = world.case, world.customer_evidence, world.letter_seq
    desk, api = clients.desk, clients.api
    token = world.token()
    downloads = {
        "desk evidence": desk.get(f"/cases/{case.reference}/evidence/{item.pk}/"),
        "desk letter pdf": desk.get(f"/cases/{case.reference}/letters/{seq}.pdf"),
        "desk letter html": desk.get(f"/cases/{case.reference}/letters/{seq}.html"),
        "portal evidence": Client().get(
            reverse(
                "portal:evidence_download", kwargs={"org": "acme", "token": token, "pk": item.pk}
            )
        ),
        "portal letter": Client().get(
            reverse("portal:letter_pdf", kwargs={"org": "acme", "token": token, "seq": seq})
        ),
        "api evidence": api.get(f"/api/v1/cases/{case.reference}/evidence/{item.pk}/file"),
        "api letter": api.get(f"/api/v1/cases/{case.reference}/letters/{seq}/files/pdf"),
    }
    for where, response in downloads.items():
        try:
            _assert_sandboxed_attachment(response)
        except AssertionError as exc:
            raise AssertionError(f"{where}: {exc}") from exc


def test_an_active_type_allowed_by_the_operator_is_served_as_bytes(
    world: World, clients: Clients, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Were an organisation to accept HTML or SVG, the file still goes out as opaque bytes:
    the browser is never told it is a page or a picture that can run script."""
    from plaint.cases import evidence_store

    wider = replace(APP, evidence_types=(*APP.evidence_types, "text/html", "image/svg+xml"))
    monkeypatch.setattr(evidence_store, "APP", wider)
    for name, ctype, data in (
        ("page.html", "text/html", b"<p>hello</p>"),
        ("logo.svg", "image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg"/>'),
    ):
        evidence_add(case=world.case, uploads=[Upload(name, io.BytesIO(data), ctype)], now=NOW)
        item = world.case.evidence.get(filename=name)
        urls = {
            "desk": (clients.desk, f"/cases/{world.case.reference}/evidence/{item.pk}/"),
            "portal": (
                Client(),
                reverse(
                    "portal:evidence_download",
                    kwargs={"org": "acme", "token": world.token(), "pk": item.pk},
                ),
            ),
        }
        for where, (client, url) in urls.items():
            response = client.get(url)
            _assert_sandboxed_attachment(response)
            assert response["Content-Type"] == "application/octet-stream", (where, name)
        response = clients.api.get(f"/api/v1/cases/{world.case.reference}/evidence/{item.pk}/file")
        _assert_sandboxed_attachment(response)
        assert response["Content-Type"] == "application/octet-stream", ("api", name)
