"""Uploads through every form that takes a file (the desk's evidence form, the customer's
evidence form, the complaint form): too big, a type not accepted, content that is not
what the name or declared type says, path traversal and markup in the name. Each is
refused with a message naming the file and the reason and nothing is kept, or is
neutralised; files are served back as attachments the browser will not sniff."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import replace
from email.message import Message
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from plaint.cases.models import Evidence
from plaint.config.appsettings import APP
from plaint.portal.forms import MAX_FILES
from plaint.portal.services import Upload, evidence_add
from tests.conftest import NOW
from tests.portal.helpers import PDF, complaint
from tests.security.conftest import Snapshot, World, signed_in
from tests.security.markup import Page, active_content

pytestmark = pytest.mark.django_db

HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

#: The rate limiter counts every complaint that reaches it, refused or not (by design:
#: it limits attempts); it is the only row a refused complaint may leave.
ATTEMPTS = "portal.IntakeAttempt"


@pytest.fixture
def ada(world: World) -> Client:
    return signed_in("ada")


def _desk(world: World, ada: Client, files: list[SimpleUploadedFile]):  # type: ignore[no-untyped-def]
    (upload,) = files
    url = f"/cases/{world.case.reference}/actions/evidence/"
    return ada.post(url, {"file": upload, "description": "from the desk"})


def _portal(world: World, ada: Client, files: list[SimpleUploadedFile]):  # type: ignore[no-untyped-def]
    url = reverse("portal:evidence", kwargs={"org": "acme", "token": world.token()})
    return Client().post(url, {"evidence": files})


def _complaint(world: World, ada: Client, files: list[SimpleUploadedFile]):  # type: ignore[no-untyped-def]
    return Client().post("/complain/acme/", complaint(evidence=files))


CHANNELS: dict[str, Callable[..., object]] = {
    "desk evidence": _desk,
    "portal evidence": _portal,
    "complaint form": _complaint,
}


REFUSED = [
    pytest.param(
        "run.exe", b"MZ\x90\x00binary", "application/x-msdownload", "not accepted", id="executable"
    ),
    pytest.param("page.html", HTML, "text/html", "text/html are not accepted", id="html"),
    pytest.param("logo.svg", b"<svg onload=alert(1)>", "image/svg+xml", "not accepted", id="svg"),
    pytest.param(
        "invoice.pdf",
        HTML,
        "application/pdf",
        "does not look like application/pdf",
        id="html-named-pdf",
    ),
    pytest.param(
        "photo.png", HTML, "image/png", "does not look like image/png", id="html-named-png"
    ),
    pytest.param(
        "photo.jpg", PNG, "image/jpeg", "does not look like image/jpeg", id="png-named-jpeg"
    ),
    pytest.param(
        "notes.txt", b"ok\x00\x01binary", "text/plain", "contains binary data", id="binary-as-text"
    ),
    pytest.param("empty.pdf", b"", "application/pdf", "is empty", id="empty"),
    pytest.param(
        "invoice.pdf",
        HTML,
        "text/plain",
        "invoice.pdf",
        id="html-named-pdf-sent-as-text",
    ),
    pytest.param(
        "page.html",
        HTML,
        "text/plain",
        "page.html",
        id="html-named-html-sent-as-text",
    ),
]


def _written(before: Snapshot, after: Snapshot, channel: str) -> dict[str, object]:
    ignored = {ATTEMPTS} if channel == "complaint form" else set()
    return {k: after[k] for k in after if after[k] != before.get(k) and k not in ignored}


@pytest.mark.parametrize("channel", list(CHANNELS))
@pytest.mark.parametrize(("name", "data", "ctype", "message"), REFUSED)
def test_refused_files_say_why_and_keep_nothing(
    channel: str,
    name: str,
    data: bytes,
    ctype: str,
    message: str,
    world: World,
    ada: Client,
    snapshot: Callable[[], Snapshot],
) -> None:
    before = snapshot()
    response = CHANNELS[channel](world, ada, [SimpleUploadedFile(name, data, ctype)])
    html = response.content.decode()  # type: ignore[attr-defined]
    assert response.status_code == 400, (channel, response.status_code)  # type: ignore[attr-defined]
    assert _written(before, snapshot(), channel) == {}
    assert message in html, (channel, message)
    if data:  # Django's own "The submitted file is empty." does not name it
        assert name in html, "the message names the file"


@pytest.mark.parametrize("channel", list(CHANNELS))
def test_an_oversized_file_is_refused_with_the_limit(
    channel: str,
    world: World,
    ada: Client,
    snapshot: Callable[[], Snapshot],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("plaint.cases.evidence_store.APP", replace(APP, evidence_max_bytes=1024))
    before = snapshot()
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 2000, "application/pdf")
    response = CHANNELS[channel](world, ada, [big])
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert "big.pdf is larger than the limit of 1,024 bytes" in response.content.decode()  # type: ignore[attr-defined]
    assert _written(before, snapshot(), channel) == {}
    # exactly at the limit is fine
    ok = SimpleUploadedFile("ok.pdf", (PDF + b"0" * 1024)[:1024], "application/pdf")
    assert CHANNELS[channel](world, ada, [ok]).status_code == 302  # type: ignore[attr-defined]


def test_too_many_files_at_once_are_refused(
    world: World, ada: Client, snapshot: Callable[[], Snapshot]
) -> None:
    before = snapshot()
    files = [
        SimpleUploadedFile(f"f{i}.pdf", PDF + bytes([i]), "application/pdf")
        for i in range(MAX_FILES + 1)
    ]
    response = _portal(world, ada, files)
    assert response.status_code == 400
    assert f"at most {MAX_FILES} files" in response.content.decode()
    assert snapshot() == before


def _outside(root: Path, inside: tuple[Path, ...]) -> set[str]:
    return {
        str(p)
        for p in root.rglob("*")
        if p.is_file() and not any(p.is_relative_to(i) for i in inside)
    }


@pytest.mark.parametrize("channel", list(CHANNELS))
@pytest.mark.parametrize(
    ("name", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\win.ini", "win.ini"),
        ("/etc/cron.d/job", "job"),
        ("....//....//secret.txt", "secret.txt"),
    ],
)
def test_path_traversal_in_a_name_is_neutralised(
    channel: str, name: str, kept: str, world: World, ada: Client, settings, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    stores = (Path(settings.EVIDENCE_ROOT), Path(settings.LETTER_ROOT))
    before = _outside(tmp_path, stores)
    response = CHANNELS[channel](
        world, ada, [SimpleUploadedFile(name, b"root:x:0:0\n", "text/plain")]
    )
    assert response.status_code == 302  # type: ignore[attr-defined]
    names = set(Evidence.objects.values_list("filename", flat=True))
    assert kept in names
    for stored in names:
        assert "/" not in stored and "\\" not in stored and stored not in ("", ".", "..")
    assert _outside(tmp_path, stores) == before
    # and the bytes are kept under their hash, inside the evidence store only
    evidence = Evidence.objects.get(filename=kept)
    path = Path(settings.EVIDENCE_ROOT) / evidence.sha256[:2] / evidence.sha256
    assert path.read_bytes() == b"root:x:0:0\n"


def test_path_traversal_reaching_the_store_directly_is_neutralised(world: World) -> None:
    """Below the forms (which strip paths themselves), the store cleans names too."""
    evidence_add(
        case=world.case,
        uploads=[Upload("../../../../tmp/evil.txt", io.BytesIO(b"x"), "text/plain")],
        now=NOW,
    )
    assert world.case.evidence.filter(filename="evil.txt").exists()


MARKUP_NAMES = [
    "<img src=x onerror=alert(1)>.txt",
    '"><svg onload=alert(1)>.txt',
    "{{ 7*7 }}{% debug %}.txt",
]


@pytest.mark.parametrize("name", MARKUP_NAMES)
def test_markup_in_a_file_name_is_shown_as_text(name: str, world: World) -> None:
    evidence_add(case=world.case, uploads=[Upload(name, io.BytesIO(b"x"), "text/plain")], now=NOW)
    stored = world.case.evidence.get(filename__endswith=".txt").filename
    portal = Client().get(reverse("portal:case", kwargs={"org": "acme", "token": world.token()}))
    desk = signed_in("ada").get(f"/cases/{world.case.reference}/")
    for response in (portal, desk):
        page = Page(response.content.decode())
        assert active_content(page) == []
        assert any(stored in text for text, _ in page.texts), stored
        assert "49" not in "".join(t for t, _ in page.texts if ".txt" in t)


def _disposition(value: str) -> tuple[str, dict[str, str]]:
    message = Message()
    message["content-disposition"] = value
    params = dict(message.get_params(header="content-disposition") or [])
    kind = next(iter(params))
    params.pop(kind)
    return kind, {k: str(v) for k, v in params.items()}


@pytest.mark.parametrize(
    ("name", "data", "ctype"),
    [
        ("receipt.pdf", PDF, "application/pdf"),
        ("photo.png", PNG, "image/png"),
        ("notes.txt", HTML, "text/plain"),  # markup inside a text file: served as text
        ('a"; filename="evil.html.txt', b"x", "text/plain"),
        ("line\r\nSet-Cookie: pwned=1.txt", b"x", "text/plain"),
        ("résumé €.txt", b"x", "text/plain"),
    ],
)
def test_evidence_is_served_as_an_attachment_that_is_not_sniffed(
    name: str, data: bytes, ctype: str, world: World
) -> None:
    evidence_add(case=world.case, uploads=[Upload(name, io.BytesIO(data), ctype)], now=NOW)
    item = (
        world.case.evidence.exclude(pk=world.customer_evidence.pk)
        .exclude(pk=world.staff_evidence.pk)
        .get()
    )
    url = reverse(
        "portal:evidence_download", kwargs={"org": "acme", "token": world.token(), "pk": item.pk}
    )
    response = Client().get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == data  # type: ignore[attr-defined]
    assert response["Content-Type"].split(";")[0] == ctype
    assert response["X-Content-Type-Options"] == "nosniff"
    kind, params = _disposition(response["Content-Disposition"])
    assert kind == "attachment"
    assert set(params) <= {"filename", "filename*"} and params, params
    assert "pwned" not in response.cookies and not response.has_header("Set-Cookie")
    for header, value in response.items():
        assert "\r" not in value and "\n" not in value, header


def test_desk_letter_files_and_preview_are_served_safely(world: World) -> None:
    ada = signed_in("ada")
    base = f"/cases/{world.case.reference}/letters/{world.letter_seq}"
    types = {"pdf": "application/pdf", "md": "text/markdown", "docx": "application/vnd"}
    for fmt, ctype in types.items():
        response = ada.get(f"{base}.{fmt}")
        if response.status_code == 404:  # not every letter keeps every format
            continue
        assert response["Content-Type"].startswith(ctype)
        assert _disposition(response["Content-Disposition"])[0] == "attachment"
        assert response["X-Content-Type-Options"] == "nosniff"
    pdf = ada.get(f"{base}.pdf")
    assert pdf.status_code == 200
    # The HTML is shown inline, so it must be inert: a sandbox with no scripts, framed
    # only by the desk itself.
    preview = ada.get(f"{base}/preview/")
    assert preview.status_code == 200
    policy = {
        part.split()[0]: part.split()[1:]
        for part in preview["Content-Security-Policy"].split(";")
        if part.strip()
    }
    assert policy["sandbox"] == [] and policy["default-src"] == ["'none'"]
    assert "script-src" not in policy
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert preview["X-Content-Type-Options"] == "nosniff"
    # A customer download of a letter is an attachment too.
    url = reverse(
        "portal:letter_pdf", kwargs={"org": "acme", "token": world.token(), "seq": world.letter_seq}
    )
    portal = Client().get(url)
    assert _disposition(portal["Content-Disposition"])[0] == "attachment"
    assert portal["X-Content-Type-Options"] == "nosniff"
