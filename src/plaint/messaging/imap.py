"""IMAP polling of a mailbox folder with `imap-tools`.

Each new message (UID above the last one recorded, under the folder's UIDVALIDITY) is
fetched byte for byte (`BODY.PEEK[]`, so it is not marked read), handed to
`message_receive`, then moved to the done folder; the last UID is saved after each one.
Nothing is ever deleted. A connection lost half-way loses nothing: what was recorded but
not yet moved is fetched again next time and recognised by its Message-ID."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from imap_tools import AND, MailBox, MailBoxUnencrypted
from imap_tools.query import U

from plaint.accounts.models import Organisation
from plaint.messaging.inbound import message_receive
from plaint.messaging.models import MailboxState


@dataclass(frozen=True)
class ImapMailbox:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    done_folder: str = "Plaint/Processed"
    tls: bool = True

    @property
    def name(self) -> str:
        return f"{self.user}@{self.host}:{self.port}/{self.folder}"


@dataclass
class PollReport:
    fetched: int = 0
    recorded: int = 0
    duplicates: int = 0
    other: int = 0
    restarted: bool = False

    def __str__(self) -> str:
        restart = " (UIDVALIDITY changed: started again)" if self.restarted else ""
        return (
            f"IMAP: {self.fetched} fetched, {self.recorded} recorded, "
            f"{self.duplicates} already recorded, {self.other} kept for a person{restart}."
        )


class ImapError(Exception):
    pass


def _raw(box: MailBox | MailBoxUnencrypted, uid: int) -> bytes | None:
    typ, data = box.client.uid("FETCH", str(uid), "(BODY.PEEK[])")
    if typ != "OK":
        raise ImapError(f"FETCH of UID {uid} failed: {data!r}")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            return item[1]
    return None  # the message went away meanwhile


def mailbox_poll(
    *, organisation: Organisation, mailbox: ImapMailbox, now: datetime, limit: int = 500
) -> PollReport:
    """Fetch and record up to `limit` new messages of the folder."""
    state, _ = MailboxState.objects.get_or_create(organisation=organisation, mailbox=mailbox.name)
    report = PollReport()
    box_class = MailBox if mailbox.tls else MailBoxUnencrypted
    with box_class(mailbox.host, mailbox.port).login(
        mailbox.user, mailbox.password, initial_folder=mailbox.folder
    ) as box:
        status = box.folder.status(mailbox.folder, ["UIDVALIDITY"])
        validity = int(status["UIDVALIDITY"])
        if validity != state.uidvalidity:
            report.restarted = state.uidvalidity != 0
            state.uidvalidity, state.last_uid = validity, 0
            state.save(update_fields=["uidvalidity", "last_uid"])
        if not box.folder.exists(mailbox.done_folder):
            box.folder.create(mailbox.done_folder)
        uids = sorted(
            int(u)
            for u in box.uids(AND(uid=U(str(state.last_uid + 1), "*")))
            if int(u) > state.last_uid
        )[:limit]
        for uid in uids:
            raw = _raw(box, uid)
            if raw is not None:
                report.fetched += 1
                got = message_receive(
                    raw, organisation=organisation, source=f"imap:{mailbox.user}"[:40], now=now
                )
                if got.outcome == "duplicate":
                    report.duplicates += 1
                elif got.outcome in {"recorded", "new_case", "bounce"}:
                    report.recorded += 1
                else:
                    report.other += 1
                box.move(str(uid), mailbox.done_folder)
            state.last_uid = uid
            state.polled_at = now
            state.save(update_fields=["last_uid", "polled_at"])
    return report
