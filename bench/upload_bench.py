"""How long the upload content check takes (`plaint.cases.upload_inspection`), on files
at the sizes it must handle: a many-page PDF near the 20 MiB evidence limit, a DOCX that
opens to just under the 100 MiB bound, and a 1 MiB file that says it opens to 1 GiB.

    .venv/bin/python bench/upload_bench.py [--pages 2000]

No database: the check reads a file and decides; it runs before anything is written."""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pikepdf

from plaint.cases.upload_inspection import upload_inspect
from plaint.domain.errors import FieldErrors
from plaint.domain.upload_content import DOCX, PDF

MiB = 1 << 20


def _pdf(pages: int) -> bytes:
    pdf = pikepdf.new()
    for n in range(pages):
        pdf.add_blank_page()
        page = pdf.pages[-1]
        text = f"BT /F1 12 Tf 72 720 Td (Statement page {n}) Tj ET\n".encode() * 40
        page.obj.Contents = pdf.make_stream(text + os.urandom(8000))  # images-like bulk
        link = pikepdf.Dictionary(
            Type=pikepdf.Name.Annot,
            Subtype=pikepdf.Name.Link,
            Rect=[72, 72, 200, 90],
            A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://example.org")),
        )
        page.obj.Annots = pdf.make_indirect(pikepdf.Array([pdf.make_indirect(link)]))
    out = io.BytesIO()
    pdf.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return out.getvalue()


def _docx(expanded: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("word/document.xml", "<w:document/>")
        row = b"<w:p><w:r><w:t>line of a long contract</w:t></w:r></w:p>" * 1000
        with zf.open("word/media/big.xml", "w") as member:
            written = 0
            while written < expanded:
                member.write(row + os.urandom(6000))
                written += len(row) + 6000
    return out.getvalue()


def _time(label: str, data: bytes, ctype: str, name: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload"
        path.write_bytes(data)
        start = time.perf_counter()
        verdict = "accepted"
        try:
            upload_inspect(path=path, name=name, ctype=ctype, head=data[:16])
        except FieldErrors as exc:
            verdict = "refused: " + exc.errors["file"][:70]
        took = time.perf_counter() - start
    print(f"{label:<34} {len(data) / MiB:7.1f} MiB  {took * 1000:8.1f} ms  {verdict}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    _time(f"PDF, {args.pages} pages with links", _pdf(args.pages), PDF, "statement.pdf")
    _time("DOCX opening to 95 MiB", _docx(95 * MiB), DOCX, "contract.docx")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    os.environ.setdefault("PLAINT_DATA_DIR", tempfile.mkdtemp(prefix="plaint-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plaint.config.settings")
    import django

    django.setup()  # the test module that builds the bomb imports models
    from tests.security.test_upload_content import bomb_docx

    _time("DOCX bomb, 1 MiB to 1 GiB", bomb_docx(), DOCX, "bomb.docx")


if __name__ == "__main__":
    main()
