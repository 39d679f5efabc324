"""Secrets kept out of log lines and out of mail printed to the console.

A customer's private link, a consumer's sign-in link, an API token or a webhook secret
in a log line is a key left on the doormat: anyone who can read the logs can open the
case. Every log handler Plaint configures runs `RedactSecrets`, and the console mail
backend (used when no SMTP server is set) prints mail through `redact` too. Real mail,
sent over SMTP, carries the links unchanged: that is what they are for.
"""

from __future__ import annotations

import logging
import re

from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend
from django.core.mail.message import EmailMessage

MARK = "[redacted]"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # A customer's private link: /complain/<org>/case/<token>/...
    (re.compile(r"(/case/)[A-Za-z0-9_\-]{8,}"), rf"\g<1>{MARK}"),
    # A consumer's sign-in link: /consumer/sign-in/<uid>/<code>/
    (re.compile(r"(/sign-in/)[^/\s\"'<>]+/[^/\s\"'<>]+"), rf"\g<1>{MARK}"),
    # API tokens (plt_<hex>_<secret>) and webhook secrets (whsec_...), wherever they are.
    (re.compile(r"\b(plt_[0-9a-f]{8})_[A-Za-z0-9_\-]+"), rf"\g<1>_{MARK}"),
    (re.compile(r"\bwhsec_[A-Za-z0-9+/=_\-]+"), f"whsec_{MARK}"),
    # Query strings of URLs: they may carry anything (tokens, e-mail addresses).
    (re.compile(r"(https?://[^\s?\"'<>]*|/[^\s?\"'<>]*)\?[^\s\"'<>]+"), rf"\g<1>?{MARK}"),
)


def redact(text: str) -> str:
    """TEXT with every private link, token and query string replaced by the marker."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites each record's message (and any formatted traceback) with `redact`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class RedactingConsoleEmailBackend(ConsoleEmailBackend):
    """Django's console mail backend, with links and tokens redacted from what it prints.

    To follow a link by hand on a local desk, point PLAINT_SMTP_URL at a local mail
    catcher instead (e.g. `python -m aiosmtpd -n -l 127.0.0.1:8025`)."""

    def write_message(self, message: EmailMessage) -> None:
        text = message.message().as_string()
        self.stream.write(f"{redact(text)}\n")
        self.stream.write("-" * 79)
        self.stream.write("\n")
