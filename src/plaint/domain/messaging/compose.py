"""Composing outgoing mail with the standard library's `email` package.

Every header value is built through `email.headerregistry` objects or cleaned of line
breaks first, so a customer's name or a subject holding CR/LF cannot add a header.
Our Message-ID names the case (`<AC-2026-000123.k3j4h5@desk.example>`), so a reply that
keeps it in In-Reply-To or References threads back to the case without reading the subject.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime

from plaint.domain.errors import FieldErrors

#: Characters that never go into a header: line breaks (injection), NUL, and the Unicode
#: bidirectional controls that can make a subject read differently from what it says.
_UNSAFE = re.compile(r"[\r\n\x00\u2028\u2029\u202a-\u202e\u2066-\u2069\x0b\x0c\x85]")
_SPACES = re.compile(r"\s+")
SUBJECT_MAX = 200


def header_text_clean(value: str, *, max_length: int = SUBJECT_MAX) -> str:
    """`value` made safe for one header line: unsafe characters become spaces, runs of
    spaces one space, and it is cut to `max_length` characters."""
    text = _SPACES.sub(" ", _UNSAFE.sub(" ", value)).strip()
    return text[:max_length]


def address_make(name: str, address: str, *, field_name: str = "to") -> Address:
    """An `Address` whose display name is cleaned (a name cannot break out of its header);
    an address that is not one mailbox is refused."""
    clean = address.strip()
    if _UNSAFE.search(clean) or clean.count("@") != 1 or any(c in clean for c in ' <>,;"()'):
        raise FieldErrors({field_name: f"{address!r} is not one e-mail address"})
    local, domain = clean.split("@")
    if not local or not domain:
        raise FieldErrors({field_name: f"{address!r} is not one e-mail address"})
    try:
        return Address(display_name=header_text_clean(name, max_length=100), addr_spec=clean)
    except (ValueError, IndexError):
        raise FieldErrors({field_name: f"{address!r} is not one e-mail address"}) from None


def message_id_make(reference: str, domain: str, token: str | None = None) -> str:
    """Our Message-ID for a message about case `reference`: `<reference.random@domain>`."""
    safe_ref = re.sub(r"[^A-Za-z0-9-]", "", reference)
    random = token if token is not None else secrets.token_hex(8)
    return f"<{safe_ref}.{random}@{domain}>"


_OUR_ID = re.compile(r"^<([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)\.([0-9a-f]+)@([^>]+)>$")


def reference_of_message_id(message_id: str, domain: str) -> str | None:
    """The case reference our own Message-ID names, or None when it is not one of ours."""
    found = _OUR_ID.match(message_id.strip())
    if found is None or found.group(3).lower() != domain.lower():
        return None
    return found.group(1)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Outgoing:
    """What one outgoing e-mail says, before it becomes bytes."""

    sender: Address
    to: Address
    subject: str
    text: str
    message_id: str
    date: datetime
    html: str = ""
    automatic: bool = False  # an automatic notification (Auto-Submitted: auto-generated)
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    loop_marker: str = ""  # our X-Loop value, so our own mail is recognised coming back


def _safe_filename(name: str) -> str:
    clean = header_text_clean(name.replace("/", "_").replace("\\", "_"), max_length=150)
    return clean or "attachment"


def message_compose(outgoing: Outgoing) -> EmailMessage:
    """The `EmailMessage` for `outgoing` (serialise with `message_bytes`)."""
    if outgoing.date.tzinfo is None:
        raise FieldErrors({"date": "must be a timezone-aware date and time"})
    message = EmailMessage(policy=SMTP)
    message["From"] = outgoing.sender
    message["To"] = outgoing.to
    message["Subject"] = header_text_clean(outgoing.subject)
    message["Date"] = format_datetime(outgoing.date)
    message["Message-ID"] = outgoing.message_id
    if outgoing.in_reply_to:
        message["In-Reply-To"] = header_text_clean(outgoing.in_reply_to, max_length=998)
    refs = " ".join(header_text_clean(r, max_length=998) for r in outgoing.references if r)
    if refs:
        message["References"] = refs
    # RFC 3834: automatic notifications say so; a person's reply carries no such header.
    if outgoing.automatic:
        message["Auto-Submitted"] = "auto-generated"
        message["X-Auto-Response-Suppress"] = "All"
    if outgoing.loop_marker:
        message["X-Loop"] = header_text_clean(outgoing.loop_marker)
    message.set_content(outgoing.text.replace("\x00", ""))
    if outgoing.html:
        message.add_alternative(outgoing.html.replace("\x00", ""), subtype="html")
    for item in outgoing.attachments:
        maintype, _, subtype = item.content_type.partition("/")
        message.add_attachment(
            item.data,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=_safe_filename(item.filename),
        )
    return message


def message_bytes(message: EmailMessage) -> bytes:
    return message.as_bytes(policy=SMTP)
