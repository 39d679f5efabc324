"""Reading a browser's violation report and writing it to the log.

Two formats arrive: the legacy one (`report-uri`, `application/csp-report`, one object
under `"csp-report"`) and the Reporting API's (`report-to`, `application/reports+json`, an
array of reports, of which only `"type": "csp-violation"` ones are read). Each violation
becomes one JSON line on the `plaint.security.csp` logger. What a report says about
addresses is cut down before it is written: the blocked resource to its origin (or a
keyword such as `inline`), the page to its path with any private link redacted, never a
query string or fragment; the user agent to 200 characters."""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

from plaint.config.log_redaction import redact

logger = logging.getLogger("plaint.security.csp")

LEGACY_TYPES = frozenset({"application/csp-report", "application/json"})
REPORTING_TYPES = frozenset({"application/reports+json"})
#: Reports read from one body; the rest are dropped (a page cannot flood the log).
MAX_REPORTS = 50
USER_AGENT_CHARS = 200
FIELD_CHARS = 100
#: What browsers put in blocked-uri for things that are not addresses.
KEYWORDS = frozenset(
    {"inline", "eval", "wasm-eval", "self", "trusted-types-policy", "trusted-types-sink"}
)


class BadReport(ValueError):
    """The body is not a violation report Plaint reads."""


@dataclass(frozen=True)
class Violation:
    directive: str
    blocked: str
    document: str
    disposition: str
    user_agent: str
    format: str


def _text(value: Any, limit: int = FIELD_CHARS) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int):
        raise BadReport("A report field is not text.")
    text = str(value)
    if "\x00" in text:
        raise BadReport("A report field holds a NUL character.")
    return text[:limit]


def blocked_origin(raw: Any) -> str:
    """The origin of a blocked address (`https://cdn.example`), its scheme alone for
    `data:`/`blob:` and the like, or the browser's keyword (`inline`, `eval`)."""
    text = _text(raw, 2048).strip()
    if not text:
        return ""
    if text in KEYWORDS:
        return text
    try:
        parts = urlsplit(text)
    except ValueError:
        return "(unreadable)"
    scheme = parts.scheme.lower()
    if scheme in {"http", "https", "ws", "wss"}:
        try:
            host = parts.hostname or ""
            port = parts.port
        except ValueError:
            return f"{scheme}:(unreadable)"
        return f"{scheme}://{host}" + (f":{port}" if port else "")
    if scheme and scheme.isascii() and scheme.replace("-", "").replace("+", "").isalnum():
        return f"{scheme}:"[:FIELD_CHARS]
    return "(unreadable)"


def document_path(raw: Any) -> str:
    """The page's path, without query or fragment, with private links redacted."""
    text = _text(raw, 2048).strip()
    if not text:
        return ""
    try:
        path = urlsplit(text).path
    except ValueError:
        return "(unreadable)"
    return redact(path)[: FIELD_CHARS * 2]


def _directive(value: Any) -> str:
    # Legacy `violated-directive` may be the whole directive ("script-src 'self'").
    text = _text(value, 2048).strip()
    return text.split(" ", 1)[0][:FIELD_CHARS] if text else ""


def _legacy(data: Any, user_agent: str) -> list[Violation]:
    if not isinstance(data, dict) or not isinstance(data.get("csp-report"), dict):
        raise BadReport('A report-uri body is an object with a "csp-report" object.')
    body = data["csp-report"]
    return [
        Violation(
            directive=_directive(body.get("effective-directive") or body.get("violated-directive")),
            blocked=blocked_origin(body.get("blocked-uri")),
            document=document_path(body.get("document-uri")),
            disposition=_text(body.get("disposition")) or "enforce",
            user_agent=user_agent,
            format="report-uri",
        )
    ]


def _reporting(data: Any, user_agent: str) -> list[Violation]:
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise BadReport("A report-to body is an array of report objects.")
    found = []
    for item in data[:MAX_REPORTS]:
        if item.get("type") != "csp-violation":
            continue
        body = item.get("body")
        if not isinstance(body, dict):
            raise BadReport('A csp-violation report has a "body" object.')
        agent = _text(item.get("user_agent"), USER_AGENT_CHARS) or user_agent
        found.append(
            Violation(
                directive=_directive(body.get("effectiveDirective")),
                blocked=blocked_origin(body.get("blockedURL")),
                document=document_path(body.get("documentURL") or item.get("url")),
                disposition=_text(body.get("disposition")) or "enforce",
                user_agent=agent,
                format="report-to",
            )
        )
    return found


def read_reports(body: bytes, content_type: str, user_agent: str) -> list[Violation]:
    """The violations in BODY, sent as CONTENT_TYPE; `BadReport` if it is not one."""
    if b"\x00" in body:
        raise BadReport("The body holds a NUL byte.")
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise BadReport("The body is not JSON.") from exc
    agent = _text(user_agent.replace("\x00", ""), USER_AGENT_CHARS)
    if content_type in REPORTING_TYPES:
        return _reporting(data, agent)
    return _legacy(data, agent)


def log_violation(violation: Violation) -> None:
    """One JSON line (ASCII, control characters escaped) on `plaint.security.csp`."""
    logger.warning(json.dumps({"event": "csp-violation", **asdict(violation)}, sort_keys=True))
