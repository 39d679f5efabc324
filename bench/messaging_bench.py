"""Mail throughput: inbound messages/s through the whole `message_receive` pipeline (parse,
dedupe, thread, keep raw, evidence, event) from an .mbox of N messages, and outbound
messages/s delivered by one outbox worker to an SMTP server on loopback (aiosmtpd).

    .venv/bin/python bench/messaging_bench.py --messages 2000 --outbound 1000 [--db postgres]

The mbox: replies to existing cases (half threaded by In-Reply-To, half by the reference
in the subject from the case's customer), one in ten with a small PDF attached, and a share
from new senders that open cases through intake (`--new-share`, default 0.02), then the
same mbox imported again (all duplicates). Then `--imap` further messages of the same mix
through a real IMAP server (Debian's Dovecot on loopback, as in the tests): first only
fetched one by one (the raw limit of the connection), then polled through
`mailbox_poll` (fetch, record, move to the done folder, save the UID)."""

from __future__ import annotations

import argparse
import mailbox
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))
from _setup import fresh_database, per_database

NOW = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _mail(n: int, sender: str, subject: str, in_reply_to: str, attach: bool) -> bytes:
    m = EmailMessage(policy=SMTP)
    m["From"] = sender
    m["To"] = "desk@bench.test"
    m["Subject"] = subject
    m["Date"] = "Mon, 02 Mar 2026 10:00:00 +0000"
    m["Message-ID"] = f"<bench{n}@mail.example.org>"
    if in_reply_to:
        m["In-Reply-To"] = in_reply_to
    m.set_content(
        f"Reply number {n}: I still have not had my refund.\n\nDana\n-- \nsig\n"
        "On Mon, Acme wrote:\n> earlier words\n"
    )
    if attach:
        m.add_attachment(PDF, maintype="application", subtype="pdf", filename=f"doc{n}.pdf")
    return m.as_bytes()


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _imap_phase(
    kind: str, org: object, count: int, make: Callable[[int], bytes], now: datetime
) -> None:
    """Fill a fresh Dovecot's INBOX (its Maildir, directly) with `count` messages, time a
    fetch-only pass over them, then time `mailbox_poll` recording them all."""
    import pwd

    from imap_tools import MailBoxUnencrypted
    from tests.messaging.dovecot import DovecotUnavailable, dovecot_running

    from plaint.messaging.imap import ImapMailbox, mailbox_poll

    try:
        running = dovecot_running()
        imap, maildir = running.__enter__()
    except DovecotUnavailable as exc:
        print(f"[{kind}] imap: SKIPPED ({exc})")
        return
    try:
        box = mailbox.Maildir(maildir, create=True)
        for n in range(count):
            box.add(make(n))
        box.close()
        owner = pwd.getpwnam("dovecot")
        for folder, _dirs, files in os.walk(maildir.parent):
            os.chown(folder, owner.pw_uid, owner.pw_gid)
            for name in files:
                os.chown(Path(folder) / name, owner.pw_uid, owner.pw_gid)
        with MailBoxUnencrypted(imap.host, imap.port).login(imap.user, imap.password) as raw:
            uids = raw.uids()  # Dovecot indexes the Maildir here, outside the timings
            started = time.perf_counter()
            for uid in uids:
                raw.client.uid("FETCH", uid, "(BODY.PEEK[])")
            fetch = time.perf_counter() - started
        print(f"[{kind}] imap fetch only (one FETCH per message, the raw limit): "
              f"{len(uids)} in {fetch:.2f}s = {len(uids) / fetch:.0f} messages/s")  # fmt: skip
        account = ImapMailbox(
            host=imap.host, port=imap.port, user=imap.user, password=imap.password, tls=False
        )
        started = time.perf_counter()
        report = mailbox_poll(organisation=org, mailbox=account, now=now, limit=count)  # type: ignore[arg-type]
        elapsed = time.perf_counter() - started
        print(f"[{kind}] imap poll, whole pipeline (fetch, record, move, save UID): "
              f"{report.fetched} in {elapsed:.2f}s = {report.fetched / elapsed:.0f} "
              f"messages/s; {report}")  # fmt: skip
    finally:
        running.__exit__(None, None, None)


def worker(
    kind: str, messages: int, outbound: int, cases: int, new_share: float, imap: int, batch: int
) -> None:
    print(f"[{kind}] load average at start {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    fresh_database(kind, pg_name="plaint_mail_bench")
    from django.conf import settings
    from django.db import connection

    from plaint.accounts.services import organisation_create
    from plaint.cases.ledger import Actor
    from plaint.cases.services import CustomerDetails, case_open
    from plaint.messaging.inbound import message_receive, messages_receive
    from plaint.messaging.models import Message
    from plaint.messaging.notifications import notifications_follow
    from plaint.messaging.outbound import message_send
    from plaint.outbox.services import deliveries_run

    settings.DEFAULT_FROM_EMAIL = "desk@bench.test"
    org = organisation_create(slug="bench", name="Bench Ltd", now=NOW, reference_prefix="BE")
    opened = []
    for i in range(cases):
        opened.append(
            case_open(
                organisation=org,
                customer=CustomerDetails(name=f"Customer {i}", email=f"c{i}@example.org"),
                channel="phone",
                received_at=NOW - timedelta(days=1),
                description="Charged twice",
                actor=Actor.system("bench"),
                now=NOW,
            )
        )
    # One of our messages per case, so replies can thread by In-Reply-To.
    ours = [
        message_send(
            case=c, subject="Our reply", text="We are on it.", actor=Actor.system("bench"), now=NOW
        ).message_id
        for c in opened
    ]
    notifications_follow(NOW)  # start the notification cursor now
    # A new sender's case is triaged; the shipped model loads once per process (seconds on
    # a loaded machine), which is start-up, not a per-message cost: load it before timing.
    from plaint.triage.classifier import shipped_model

    t0 = time.perf_counter()
    shipped_model()
    import scipy.sparse  # noqa: F401 - triage imports these on first use: start-up too
    import sklearn  # noqa: F401

    print(f"[{kind}] triage model loaded (once, before timing) in {time.perf_counter() - t0:.1f}s")

    box_path = Path(settings.EVIDENCE_ROOT).parent / "bench.mbox"
    box = mailbox.mbox(box_path)
    new_every = int(1 / new_share) if new_share > 0 else 0

    def make(n: int) -> bytes:
        i = n % cases
        if new_every and n % new_every == new_every - 1:
            return _mail(n, f"New Person {n} <new{n}@example.net>", "A new complaint", "", False)
        if n % 2:
            return _mail(n, f"c{i}@example.org", "Re: Our reply", ours[i], n % 10 == 0)
        ref = opened[i].reference
        return _mail(n, f"c{i}@example.org", f"Re: {ref}", "", n % 10 == 0)

    for n in range(messages):
        box.add(make(n))
    box.flush()
    box.close()

    queries: list[int] = []

    def _count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        queries.append(1)
        return execute(sql, params, many, context)

    def import_once() -> tuple[float, list[float], dict[str, int]]:
        times: list[float] = []
        outcomes: dict[str, int] = {}
        reader = mailbox.mbox(box_path, create=False)
        queries.clear()
        started = time.perf_counter()
        keys = list(reader.iterkeys())
        with connection.execute_wrapper(_count):
            for start in range(0, len(keys), batch):  # as `plaint mail import` does
                raws = [reader.get_bytes(key) for key in keys[start : start + batch]]
                t0 = time.perf_counter()
                if batch == 1:  # one transaction per message
                    got = [message_receive(raws[0], organisation=org, source="bench", now=NOW)]
                else:
                    got = messages_receive(raws, organisation=org, source="bench", now=NOW)
                times += [(time.perf_counter() - t0) / len(raws)] * len(raws)
                for one in got:
                    outcomes[one.outcome] = outcomes.get(one.outcome, 0) + 1
        elapsed = time.perf_counter() - started
        reader.close()
        return elapsed, times, outcomes

    elapsed, times, outcomes = import_once()
    print(f"[{kind}] inbound ({batch} per transaction): {messages} messages in "
          f"{elapsed:.2f}s = "
          f"{messages / elapsed:.0f} messages/s; per message median "
          f"{statistics.median(times) * 1000:.1f} ms, p95 {_pct(times, 0.95) * 1000:.1f} ms; "
          f"{len(queries) / messages:.1f} queries per message; {outcomes}")  # fmt: skip
    elapsed, times, outcomes = import_once()
    print(f"[{kind}] inbound again (all duplicates): {messages / elapsed:.0f} messages/s; "
          f"{outcomes}")  # fmt: skip

    if imap:
        _imap_phase(kind, org, imap, lambda n: make(messages + n), NOW)

    # Outbound: queue M staff replies, then one worker pass delivers them to an aiosmtpd
    # server on loopback, in a process of its own (as a real mail server would be).
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
         "-c", "aiosmtpd.handlers.Sink"],
    )  # fmt: skip
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER, settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = "", False, False
    deliveries_run(now=NOW)  # whatever intake queued (acknowledgements, the seed replies)
    started = time.perf_counter()
    for n in range(outbound):
        message_send(case=opened[n % cases], subject=f"Update {n}", text="Still on it.",
                     actor=Actor.system("bench"), now=NOW)  # fmt: skip
    queued = time.perf_counter() - started
    started = time.perf_counter()
    report = deliveries_run(now=NOW + timedelta(seconds=1), limit=200, batches=1000)
    elapsed = time.perf_counter() - started
    server.terminate()
    server.wait(timeout=10)
    print(f"[{kind}] outbound: {outbound} queued in {queued:.2f}s "
          f"({outbound / queued:.0f}/s); delivered by one worker in {elapsed:.2f}s = "
          f"{report.sent / elapsed:.0f} messages/s ({report})")  # fmt: skip
    print(f"[{kind}] messages stored: {Message.objects.count()}; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} on {os.cpu_count()} cores")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="sqlite")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--outbound", type=int, default=1000)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--new-share", type=float, default=0.02)
    parser.add_argument("--imap", type=int, default=1000, help="messages through Dovecot")
    parser.add_argument(
        "--batch", type=int, default=100, help="messages per transaction (1: one each)"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(
            args.db, args.messages, args.outbound, args.cases, args.new_share, args.imap,
            max(1, args.batch),
        )  # fmt: skip
        return
    per_database(
        __file__, args.db, "--messages", str(args.messages), "--outbound", str(args.outbound),
        "--cases", str(args.cases), "--new-share", str(args.new_share), "--imap", str(args.imap),
        "--batch", str(args.batch),
    )  # fmt: skip


if __name__ == "__main__":
    main()
