"""Fixtures of the mail tests: a real SMTP server (aiosmtpd) on loopback that the outbox's
SMTP transport talks to, able to refuse, to go down and to come back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from tests.messaging.dovecot import dovecot  # noqa: F401 - the IMAP server fixture
from tests.messaging.ports import free_port


@dataclass
class Inbox:
    """What the loopback server received; `answer` is what it says to DATA."""

    messages: list[tuple[list[str], bytes]] = field(default_factory=list)
    answer: str = "250 2.0.0 Ok: queued as LOOP1"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        if self.answer.startswith("250"):
            self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return self.answer

    def parsed(self) -> list[EmailMessage]:
        return [
            message_from_bytes(raw, policy=policy.default)  # type: ignore[misc]
            for _, raw in self.messages
        ]


class Smtp:
    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp(settings) -> Iterator[Smtp]:  # type: ignore[no-untyped-def]
    server = Smtp(free_port())
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "desk@acme.test"
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _letter_store(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.LETTER_ROOT = tmp_path / "letters"
    settings.DEFAULT_FROM_EMAIL = "desk@acme.test"
