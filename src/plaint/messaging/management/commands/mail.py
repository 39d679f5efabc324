"""`plaint mail import FILE.eml|FILE.mbox --org SLUG` and `plaint mail poll --org SLUG
--host ... --user ...`: mail into cases through the one receiving service. Importing the
same file twice records nothing twice (each message is recognised by its Message-ID)."""

from __future__ import annotations

import mailbox
import os
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.accounts.models import Organisation
from plaint.messaging.inbound import BATCH, message_receive, messages_receive


class Command(BaseCommand):
    help = "Import e-mail (.eml or .mbox) into cases, or poll an IMAP mailbox."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Import an .eml file or an .mbox mailbox.")
        imp.add_argument("file", help="The .eml file or .mbox mailbox to import.")
        imp.add_argument("--org", required=True, help="The organisation's slug.")
        imp.add_argument(
            "--no-new-cases", action="store_true", help="Send mail no case matches to a person."
        )
        poll = sub.add_parser("poll", help="Fetch new mail from an IMAP folder once.")
        poll.add_argument("--org", required=True, help="The organisation's slug.")
        poll.add_argument("--host", required=True, help="The IMAP server.")
        poll.add_argument("--port", type=int, default=993, help="Its port (993, IMAP over TLS).")
        poll.add_argument("--user", required=True, help="The mailbox's login name.")
        poll.add_argument(
            "--password-env",
            default="PLAINT_IMAP_PASSWORD",
            help="The environment variable holding the password (PLAINT_IMAP_PASSWORD).",
        )
        poll.add_argument("--folder", default="INBOX", help="The folder to read (INBOX).")
        poll.add_argument(
            "--done-folder",
            default="Plaint/Processed",
            help="Where processed mail is moved (Plaint/Processed); nothing is deleted.",
        )
        poll.add_argument("--plain", action="store_true", help="No TLS (loopback tests only).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = Organisation.objects.get(slug=options["org"])
        except Organisation.DoesNotExist:
            raise CommandError(f"No organisation with the slug {options['org']!r}.") from None
        if options["action"] == "import":
            self._import(org, Path(options["file"]), not options["no_new_cases"])
        else:
            from plaint.messaging.imap import ImapMailbox, mailbox_poll

            password = os.environ.get(options["password_env"], "")
            box = ImapMailbox(
                host=options["host"], port=options["port"], user=options["user"],
                password=password, folder=options["folder"],
                done_folder=options["done_folder"], tls=not options["plain"],
            )  # fmt: skip
            report = mailbox_poll(organisation=org, mailbox=box, now=timezone.now())
            self.stdout.write(str(report))

    def _import(self, org: Organisation, path: Path, open_cases: bool) -> None:
        if not path.is_file():
            raise CommandError(f"{path} is not a file.")
        counts: Counter[str] = Counter()
        source = f"import:{path.name}"[:40]
        with path.open("rb") as fh:
            head = fh.read(5)
        if head == b"From ":
            box = mailbox.mbox(path, create=False)
            try:
                keys = list(box.iterkeys())
                for start in range(0, len(keys), BATCH):  # one transaction per batch
                    raws = [box.get_bytes(key) for key in keys[start : start + BATCH]]
                    for got in messages_receive(
                        raws, organisation=org, source=source, now=timezone.now(),
                        open_cases=open_cases,
                    ):  # fmt: skip
                        counts[got.outcome] += 1
            finally:
                box.close()
        else:
            got = message_receive(
                path.read_bytes(), organisation=org, source=source, now=timezone.now(),
                open_cases=open_cases,
            )  # fmt: skip
            counts[got.outcome] += 1
        summary = ", ".join(f"{n} {what}" for what, n in sorted(counts.items())) or "nothing"
        self.stdout.write(f"Mail import of {path.name}: {summary}.")
