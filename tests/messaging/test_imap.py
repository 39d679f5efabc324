"""IMAP polling against a real Dovecot on loopback: new mail is recorded once, moved to
the done folder (never deleted), and a connection dropped half-way loses nothing and
records nothing twice."""

from __future__ import annotations

import imaplib
import socket
from typing import Any

import pytest

from plaint.accounts.models import Organisation
from plaint.cases.models import Case, CaseEvent
from plaint.messaging import imap as imap_module
from plaint.messaging.imap import ImapMailbox, mailbox_poll
from plaint.messaging.models import MailboxState
from tests.conftest import NOW
from tests.messaging.dovecot import Imap
from tests.messaging.mail import raw_mail


def append(server: Imap, messages: list[bytes]) -> None:
    client = imaplib.IMAP4(server.host, server.port)
    client.login(server.user, server.password)
    for raw in messages:
        client.append("INBOX", "", imaplib.Time2Internaldate(NOW.timestamp()), raw)
    client.logout()


def folder_count(server: Imap, folder: str) -> int:
    client = imaplib.IMAP4(server.host, server.port)
    client.login(server.user, server.password)
    typ, data = client.select(f'"{folder}"', readonly=True)
    client.logout()
    return int(data[0]) if typ == "OK" else -1


def box(server: Imap) -> ImapMailbox:
    return ImapMailbox(
        host=server.host, port=server.port, user=server.user, password=server.password,
        tls=False,
    )  # fmt: skip


def received(case: Case) -> int:
    return CaseEvent.objects.filter(case=case, kind="message_received").count()


def test_poll_records_and_moves(org: Organisation, case: Case, dovecot: Imap) -> None:
    append(dovecot, [raw_mail(message_id=f"<i{n}@x>", subject=case.reference) for n in range(3)])
    report = mailbox_poll(organisation=org, mailbox=box(dovecot), now=NOW)
    assert (report.fetched, report.recorded) == (3, 3)
    assert received(case) == 3
    assert folder_count(dovecot, "INBOX") == 0
    assert folder_count(dovecot, "Plaint/Processed") == 3  # moved, never deleted
    state = MailboxState.objects.get()
    assert state.uidvalidity > 0 and state.last_uid == 3
    again = mailbox_poll(organisation=org, mailbox=box(dovecot), now=NOW)
    assert again.fetched == 0 and received(case) == 3


def test_connection_dropped_mid_fetch(
    org: Organisation,
    case: Case,
    dovecot: Imap,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    append(dovecot, [raw_mail(message_id=f"<d{n}@x>", subject=case.reference) for n in range(5)])
    original = imap_module._raw
    calls = {"n": 0}

    def dropping(mailbox: Any, uid: int) -> bytes | None:
        calls["n"] += 1
        if calls["n"] == 3:  # the network goes away while the third message is fetched
            mailbox.client.sock.shutdown(socket.SHUT_RDWR)
        return original(mailbox, uid)

    monkeypatch.setattr(imap_module, "_raw", dropping)
    with pytest.raises((imaplib.IMAP4.abort, OSError)):
        mailbox_poll(organisation=org, mailbox=box(dovecot), now=NOW)
    assert received(case) == 2
    monkeypatch.setattr(imap_module, "_raw", original)
    report = mailbox_poll(organisation=org, mailbox=box(dovecot), now=NOW)
    assert report.fetched == 3
    assert received(case) == 5  # none skipped, none twice
    assert folder_count(dovecot, "Plaint/Processed") == 5


def test_recorded_but_not_moved_is_recognised(
    org: Organisation,
    case: Case,
    dovecot: Imap,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    append(dovecot, [raw_mail(message_id="<m1@x>", subject=case.reference)])

    def broken_move(self: Any, uids: Any, folder: Any) -> None:
        raise imaplib.IMAP4.abort("connection lost")

    with monkeypatch.context() as patch:
        patch.setattr(imap_module.MailBoxUnencrypted, "move", broken_move)
        with pytest.raises(imaplib.IMAP4.abort):
            mailbox_poll(organisation=org, mailbox=box(dovecot), now=NOW)
    assert received(case) == 1
    report = mailbox_poll(organisation=org, mailbox=box(dovecot), now=NOW)
    assert report.duplicates == 1 and received(case) == 1
    assert folder_count(dovecot, "INBOX") == 0


def test_a_new_uidvalidity_starts_the_folder_again(
    org: Organisation, case: Case, dovecot: Imap
) -> None:
    append(dovecot, [raw_mail(message_id="<v1@x>", subject=case.reference)])
    mailbox_poll(organisation=org, mailbox=box(dovecot), now=NOW)
    append(dovecot, [raw_mail(message_id="<v2@x>", subject=case.reference)])
    MailboxState.objects.update(uidvalidity=1, last_uid=99)  # as if the folder was rebuilt
    report = mailbox_poll(organisation=org, mailbox=box(dovecot), now=NOW)
    assert report.restarted and report.fetched == 1
    assert received(case) == 2
