"""Who Plaint's mail is from: the address in PLAINT_EMAIL_FROM, its domain (which our
Message-IDs name) and the X-Loop marker that recognises our own mail coming back."""

from __future__ import annotations

from email.utils import parseaddr

from django.conf import settings


def from_address() -> str:
    return parseaddr(str(settings.DEFAULT_FROM_EMAIL))[1] or "plaint@localhost"


def mail_domain() -> str:
    return from_address().rsplit("@", 1)[-1].lower()


def loop_marker() -> str:
    return from_address().lower()


def our_addresses() -> frozenset[str]:
    return frozenset({from_address().lower()})
