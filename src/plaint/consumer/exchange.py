"""The whole case as one file, and back: a zip holding `case.yaml` (the YAML case file
`plaint letter new` reads), the evidence files, every kept letter and `manifest.json`
(hashes, dates and how each letter was sent). A bare YAML case file made by hand imports
too: its evidence items are kept as descriptions until a file is added."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

from django.db import transaction

from plaint.consumer import selectors, services
from plaint.consumer.models import ConsumerCase, ConsumerEvidence, ConsumerLetter
from plaint.consumer.record import record_append
from plaint.domain import events as ev
from plaint.domain.consumer.casefile import casefile_dump
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.letters.casefile import casefile_parse
from plaint.domain.letters.contacts import contacts_normalise
from plaint.domain.letters.fields import parse_zone, plain

FORMAT = "plaint-consumer-case/1"
MAX_IMPORT_BYTES = 200 * 1024 * 1024
_LETTER_FILES = ("md", "txt", "pdf", "docx", "eml")


class ImportRefused(DomainError):
    """The file cannot be imported; the message says why."""


def case_export(case: ConsumerCase) -> bytes:
    """The zip of the case (deterministic for the same case: fixed file times)."""
    buffer = io.BytesIO()
    stamp = (2026, 1, 1, 0, 0, 0)

    def put(name: str, data: bytes) -> None:
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, data)

    manifest: dict[str, Any] = {
        "format": FORMAT,
        "title": case.title,
        "conduct_continues": case.conduct_continues,
        "evidence": [],
        "letters": [],
    }
    evidence_items = []
    with zipfile.ZipFile(buffer, "w") as archive:
        for number, item in enumerate(case.evidence.all(), start=1):
            path = f"evidence/{number:03d}-{item.filename}" if item.sha256 else ""
            if path:
                put(path, bytes(item.content))
            evidence_items.append({"description": item.description, "filename": item.filename})
            manifest["evidence"].append(
                {
                    "path": path,
                    "filename": item.filename,
                    "description": item.description,
                    "content_type": item.content_type,
                    "sha256": item.sha256,
                }
            )
        for number, letter in enumerate(case.letters.all(), start=1):
            files = {}
            stem = f"letters/{number:02d}-{letter.kind}"
            for fmt in _LETTER_FILES:
                data = _letter_bytes(letter, fmt)
                if data:
                    files[fmt] = f"{stem}.{fmt}"
                    put(files[fmt], bytes(data))
            manifest["letters"].append(
                {
                    "kind": letter.kind,
                    "title": letter.title,
                    "subject": letter.subject,
                    "letter_date": letter.letter_date.isoformat(),
                    "drafted_at": letter.drafted_at.isoformat(),
                    "files": files,
                    "sha256": letter.sha256,
                    "fields": letter.fields,
                    "dates": letter.dates,
                    "warnings": letter.warnings,
                    "sent_method": letter.sent_method,
                    "sent_on": letter.sent_on.isoformat() if letter.sent_on else None,
                    "tracking_number": letter.tracking_number,
                }
            )
        yaml_text = casefile_dump(
            values=case.answers,
            contacts=selectors.contacts_data(case),
            evidence=evidence_items,
            jurisdiction=case.jurisdiction,
            time_zone=case.time_zone,
        )
        put("case.yaml", yaml_text.encode())
        put("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False).encode())
    return buffer.getvalue()


def _letter_bytes(letter: ConsumerLetter, fmt: str) -> bytes:
    if fmt in {"md", "txt"}:
        return str(getattr(letter, fmt)).encode()
    return bytes(getattr(letter, fmt) or b"")


def _read_zip(data: bytes) -> tuple[str, dict[str, Any], dict[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportRefused("This is not a zip file or a YAML case file.") from None
    with archive:
        names = set(archive.namelist())
        if "case.yaml" not in names:
            raise ImportRefused("The zip has no case.yaml: it is not a Plaint case export.")
        total = sum(i.file_size for i in archive.infolist())
        if total > MAX_IMPORT_BYTES:
            raise ImportRefused("The zip unpacks to more than 200 MB; it cannot be imported.")
        files = {name: archive.read(name) for name in names if not name.endswith("/")}
    manifest: dict[str, Any] = {}
    if "manifest.json" in files:
        try:
            manifest = json.loads(files["manifest.json"])
        except ValueError:
            raise ImportRefused("manifest.json in the zip is not valid JSON.") from None
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ImportRefused(f"manifest.json is not a {FORMAT} manifest.")
    try:
        text = files["case.yaml"].decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused("case.yaml in the zip is not UTF-8 text.") from None
    return text, manifest, files


def case_import(
    *, owner: Any | None, data: bytes, filename: str, today: date, now: datetime
) -> ConsumerCase:
    """A new case file from an export zip or a YAML case file; nothing is kept when any
    part of it is refused."""
    if len(data) > MAX_IMPORT_BYTES:
        raise ImportRefused("The file is larger than 200 MB.")
    manifest: dict[str, Any] = {}
    files: dict[str, bytes] = {}
    if data[:2] == b"PK":
        text, manifest, files = _read_zip(data)
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ImportRefused("The file is neither a zip nor UTF-8 YAML text.") from None
    parsed = casefile_parse(text, "case.yaml" if files else (filename or "case file"))
    jurisdiction = parsed.jurisdiction[:2] or "GB"
    with transaction.atomic():
        case = services.case_start(
            owner=owner,
            title=_title(manifest, parsed.values, filename),
            jurisdiction=jurisdiction,
            time_zone=parsed.time_zone,
            now=now,
            source="import",
            file_sha256=hashlib.sha256(data).hexdigest(),
        )
        raw = {key: _as_text(value) for key, value in parsed.values.items()}
        case = services.answers_save(
            case=case,
            answers=raw,
            today=parsed.letter_date or today,
            now=now,
            conduct_continues=bool(manifest.get("conduct_continues")) or None,
        )
        errors: dict[str, str] = {}
        zone = parse_zone(parsed.time_zone)
        for line in contacts_normalise(parsed.contacts, zone, errors):
            services.contact_log(
                case=case,
                at=line.at,
                channel=line.channel,
                direction=line.direction,
                representative=line.representative,
                ticket_number=line.ticket_number,
                wait_minutes=line.wait_minutes,
                summary=line.summary,
                now=now,
            )
        if errors:
            raise FieldErrors(errors)
        _import_evidence(case, parsed.evidence, manifest, files, now)
        for item in manifest.get("letters", []):
            _import_letter(case, item, files, now)
    case.refresh_from_db()
    return case


def _title(manifest: dict[str, Any], values: dict[str, Any], filename: str) -> str:
    found = manifest.get("title") or values.get("business.name") or filename
    return str(found or "Imported case")[:200]


def _as_text(value: Any) -> str:
    value = plain(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return "" if value is None else str(value)


def _import_evidence(
    case: ConsumerCase,
    items: list[Any],
    manifest: dict[str, Any],
    files: dict[str, bytes],
    now: datetime,
) -> None:
    listed = manifest.get("evidence") or []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise FieldErrors({f"evidence[{i + 1}]": "each item has a description"})
        entry = listed[i] if i < len(listed) and isinstance(listed[i], dict) else {}
        path = str(entry.get("path") or "")
        description = str(item.get("description") or item.get("filename") or "").strip()
        if path:
            content = files.get(path)
            if content is None or hashlib.sha256(content).hexdigest() != entry.get("sha256"):
                raise ImportRefused(
                    f"The evidence file {path} is missing from the zip or does not match its "
                    "SHA-256 in manifest.json: it was changed after the export."
                )
            services.evidence_add(
                case=case,
                filename=str(entry.get("filename") or path.rsplit("/", 1)[-1]),
                content_type=str(entry.get("content_type") or ""),
                data=content,
                description=description,
                now=now,
            )
        elif description:
            ConsumerEvidence.objects.create(
                case=case,
                description=description[:300],
                filename=str(item.get("filename") or "")[:255],
                content_type="",
                size=0,
                sha256="",
                content=b"",
                added_at=now,
            )


def _import_letter(
    case: ConsumerCase, item: dict[str, Any], files: dict[str, bytes], now: datetime
) -> None:
    try:
        kind, title = str(item["kind"]), str(item["title"])
        hashes = dict(item["sha256"])
        paths = dict(item["files"])
        letter_date = date.fromisoformat(item["letter_date"])
    except (KeyError, TypeError, ValueError):
        raise ImportRefused("A letter in manifest.json is incomplete.") from None
    content: dict[str, bytes] = {}
    for fmt, path in paths.items():
        data = files.get(str(path))
        if fmt not in _LETTER_FILES or data is None:
            raise ImportRefused(f"The letter file {path} is missing from the zip.")
        if hashlib.sha256(data).hexdigest() != hashes.get(fmt):
            raise ImportRefused(
                f"The letter file {path} does not match its SHA-256 in manifest.json: it "
                "was changed after the export."
            )
        content[fmt] = data
    locked = ConsumerCase.objects.select_for_update().get(pk=case.pk)
    event = record_append(
        case=locked,
        payload=ev.LetterGenerated(
            letter=kind,
            title=title,
            template_version="imported",
            template_sha256="",
            subject=str(item.get("subject") or ""),
            files=hashes,
            fields=dict(item.get("fields") or {}),
            warnings=list(item.get("warnings") or []),
        ),
        now=now,
    )
    letter = ConsumerLetter.objects.create(
        case=locked,
        kind=kind,
        title=title,
        subject=str(item.get("subject") or "")[:400],
        letter_date=letter_date,
        drafted_at=datetime.fromisoformat(item.get("drafted_at") or now.isoformat()),
        event_seq=event.seq,
        fields=dict(item.get("fields") or {}),
        dates=dict(item.get("dates") or {}),
        warnings=list(item.get("warnings") or []),
        md=content.get("md", b"").decode("utf-8", "replace"),
        txt=content.get("txt", b"").decode("utf-8", "replace"),
        pdf=content.get("pdf", b""),
        docx=content.get("docx", b""),
        eml=content.get("eml"),
        sha256=hashes,
    )
    if item.get("sent_on"):
        services.letter_sent_record(
            letter=letter,
            method=str(item.get("sent_method") or ""),
            sent_on=date.fromisoformat(item["sent_on"]),
            tracking_number=str(item.get("tracking_number") or ""),
            today=max(date.fromisoformat(item["sent_on"]), letter_date),
            now=now,
        )
