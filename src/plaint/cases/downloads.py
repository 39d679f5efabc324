"""How a kept file goes back to a browser: always as a download, never as a page.

Evidence is whatever a customer (or anyone with a link) sent, and it is served from the
desk's own origin, where the staff session lives. So every download of an evidence file,
a letter or an attachment, from the desk, the portal or the API, is sent with

- `Content-Disposition: attachment` (the browser saves it; it is never shown inline),
- `Content-Security-Policy: sandbox; default-src 'none'` with `frame-ancestors`,
  `object-src` and `base-uri` set to `'none'` (were it ever rendered, it runs no script,
  loads nothing, has an origin of its own and is never framed),
- `X-Content-Type-Options: nosniff` (the browser takes the type as given), and
- for evidence, a type that cannot run script (`upload_content.served_type`: HTML, SVG
  and anything else unexpected go out as `application/octet-stream`).
"""

from __future__ import annotations

from typing import BinaryIO

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

from plaint.domain.upload_content import served_type

SANDBOX = (
    "sandbox; default-src 'none'; frame-ancestors 'none'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'"
)


def _harden(response: HttpResponse | FileResponse) -> None:
    response["Content-Security-Policy"] = SANDBOX
    response["X-Content-Type-Options"] = "nosniff"
    response["Cross-Origin-Resource-Policy"] = "same-origin"


def evidence_response(stream: BinaryIO, *, filename: str, content_type: str) -> FileResponse:
    """A stored upload, streamed as an attachment under a type that runs no script."""
    response = FileResponse(
        stream, as_attachment=True, filename=filename, content_type=served_type(content_type)
    )
    _harden(response)
    return response


def file_response(data: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """A file Plaint made (a letter, say), as an attachment in a sandbox."""
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    _harden(response)
    return response
