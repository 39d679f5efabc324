"""The SMTP transport: Django's EMAIL_* settings (from PLAINT_SMTP_URL) name the server.
One connection carries a whole batch; the server's reply to DATA is its acceptance."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

from plaint.outbox.transports import Accepted, Permanent, Transient

TIMEOUT = 30


class _SmtpSession:
    def __init__(self) -> None:
        self.connection: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        host, port = settings.EMAIL_HOST, int(settings.EMAIL_PORT)
        try:
            if getattr(settings, "EMAIL_USE_SSL", False):
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    host, port, timeout=TIMEOUT, context=ssl.create_default_context()
                )
            else:
                conn = smtplib.SMTP(host, port, timeout=TIMEOUT)
                if getattr(settings, "EMAIL_USE_TLS", False):
                    conn.starttls(context=ssl.create_default_context())
            if settings.EMAIL_HOST_USER:
                conn.login(settings.EMAIL_HOST_USER, settings.EMAIL_HOST_PASSWORD)
        except (OSError, smtplib.SMTPException) as exc:
            raise Transient(f"cannot reach the mail server {host}:{port}: {exc}") from exc
        return conn

    def send(self, *, sender: str, recipients: list[str], payload: bytes) -> Accepted:
        if self.connection is None:
            self.connection = self._connect()
        conn = self.connection
        try:
            conn.ehlo_or_helo_if_needed()
            code, text = conn.mail(sender)
            if code != 250:
                self._refused(code, f"sender {sender}: {text.decode(errors='replace')}")
            refused: list[tuple[int, str]] = []
            for recipient in recipients:
                code, text = conn.rcpt(recipient)
                if code not in (250, 251):
                    refused.append((code, f"{recipient}: {code} {text.decode(errors='replace')}"))
            if len(refused) == len(recipients):
                self._refused(max(c for c, _ in refused), "; ".join(t for _, t in refused))
            code, text = conn.data(payload)
            if code != 250:
                self._refused(code, f"data: {text.decode(errors='replace')}")
        except (Transient, Permanent):
            raise
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise Transient(f"the mail server connection failed: {exc}") from exc
        reply = f"{code} {text.decode(errors='replace')}"
        if refused:
            reply += " (refused: " + "; ".join(t for _, t in refused) + ")"
        return Accepted(reply)

    def _refused(self, code: int, text: str) -> None:
        self._reset()
        if 500 <= code < 600:
            raise Permanent(f"{code} {text}")
        raise Transient(f"{code} {text}")

    def _reset(self) -> None:
        if self.connection is not None:
            try:
                self.connection.rset()
            except (OSError, smtplib.SMTPException):
                self.close()

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (OSError, smtplib.SMTPException):
                self.connection.close()
            self.connection = None


class SmtpTransport:
    @contextmanager
    def session(self) -> Iterator[_SmtpSession]:
        session = _SmtpSession()
        try:
            yield session
        finally:
            session.close()
