"""`plaint letter list | fields KIND | new KIND --case FILE.yaml | check FILE --kind KIND`.

`new`, `list`, `fields` and `check` need no database: a consumer can write a letter from
a small YAML file with nothing else installed.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.domain.errors import DomainError
from plaint.domain.letters import ALL_FIELDS, CATALOGUE, FORMATS, letter_make, letter_spec
from plaint.domain.letters.casefile import casefile_parse
from plaint.domain.letters.checker import letter_check
from plaint.domain.letters.fields import parse_date, parse_zone
from plaint.domain.letters.render import past_date_warnings
from plaint.letters.overrides import templates_dir

_MARKS = {"primary": "✅", "secondary": "🟡", "unverified": "⚠️ UNVERIFIED", "policy": "practice"}


class Command(BaseCommand):
    help = "Letters: list the catalogue, explain a letter's fields, write one, check one."
    requires_system_checks: list[str] = []  # no database needed

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="The letters Plaint can write.")
        fields = sub.add_parser("fields", help="What a letter needs, and its sources.")
        fields.add_argument("kind", help="The letter's kind (see `plaint letter list`).")
        new = sub.add_parser("new", help="Write a letter from a YAML case file.")
        new.add_argument("kind", help="The letter's kind (see `plaint letter list`).")
        new.add_argument("--case", required=True, help="the YAML case file (see examples/)")
        new.add_argument("--format", default="md", choices=FORMATS, help="Output format (md).")
        new.add_argument("-o", "--output", help="file to write (default: standard output)")
        new.add_argument(
            "--page-size",
            default="",
            choices=("A4", "Letter"),
            help="default: Letter for US letters, A4 otherwise",
        )
        new.add_argument(
            "--date",
            help="date of the letter, YYYY-MM-DD (default: the case file's letter_date, or today)",
        )
        new.add_argument("--templates", help="a folder of templates overriding the shipped ones")
        check = sub.add_parser("check", help="Check a letter's text against its kind's checklist.")
        check.add_argument("file", help="The letter to check (a text or Markdown file).")
        check.add_argument("--kind", required=True, help="The kind it should be a letter of.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as exc:
            raise CommandError(exc.message) from None

    def _list(self, options: dict[str, Any]) -> None:
        self.stdout.write(f"{'kind':<30} {'sender':<9} {'where':<7} {'sources':<11} title")
        for spec in CATALOGUE.values():
            self.stdout.write(
                f"{spec.id:<30} {spec.side.value:<9} {spec.jurisdiction:<7} "
                f"{spec.verification.value:<11} {spec.title}"
            )
        self.stdout.write(
            "\nsources: the weakest mark among a letter's sources (primary: the law's text was "
            "read; secondary: a secondary source; unverified: check before relying on it; "
            "policy: a practice checklist, not law)."
        )
        self.stdout.write("\n`plaint letter fields KIND` says what a letter needs.")

    def _fields(self, options: dict[str, Any]) -> None:
        spec = letter_spec(options["kind"])
        w = self.stdout.write
        w(f"{spec.title} [{spec.id}], version {spec.version}")
        w(f"  sent by: the {spec.side.value}; jurisdiction: {spec.jurisdiction}")
        w(f"  purpose: {spec.purpose}")
        w(f"  delivery: {spec.delivery}")
        w(f"  deadline it starts: {spec.starts}")
        w("  sources:")
        for source in spec.sources:
            w(
                f"    - {source.citation} [{_MARKS[source.verification.value]}, last verified "
                f"{source.last_verified}]{' ' + source.note if source.note else ''}"
            )
        w("  required:")
        for key in spec.required:
            w(f"    - {key:<30} {ALL_FIELDS[key].label}{self._choices(key)}")
        w("  optional:")
        for key in spec.optional:
            w(f"    - {key:<30} {ALL_FIELDS[key].label}{self._choices(key)}")
        if spec.id == "escalation":
            w("  contacts: the previous-contacts summary is built from `contacts:`.")
        w("  evidence: `evidence:` items are listed as enclosures (copies).")

    @staticmethod
    def _choices(key: str) -> str:
        field = ALL_FIELDS[key]
        return f" (one of: {', '.join(field.choices)})" if field.choices else ""

    def _new(self, options: dict[str, Any]) -> None:
        path = Path(options["case"])
        text = self._read_case_file(path)
        case_file = casefile_parse(text, str(path))
        fmt = options["format"]
        if fmt in {"pdf", "docx", "eml"} and not options["output"]:
            raise CommandError(f"A {fmt} letter is a binary file: give -o FILE.{fmt}")
        today = self._today(options, case_file.time_zone)
        if options["date"] and case_file.letter_date and case_file.letter_date != today:
            raise CommandError(
                f"--date {today.isoformat()} and the case file's letter_date "
                f"{case_file.letter_date.isoformat()} disagree: give only one of them, or the "
                "same date in both."
            )
        today = case_file.letter_date or today
        override = Path(options["templates"]).resolve() if options["templates"] else templates_dir()
        letter = letter_make(
            case_file.request(
                options["kind"], today=today, formats=(fmt,), page_size=options["page_size"]
            ),
            override_dir=override,
        )
        data = letter.outputs[fmt]
        if options["output"]:
            Path(options["output"]).write_bytes(data)
            self.stderr.write(f"Wrote {options['output']} ({len(data):,} bytes): {letter.subject}")
        else:
            self.stdout.write(data.decode(), ending="")
        for name, when in letter.prepared.dates.items():
            self.stderr.write(f"  date {name}: {when.day.isoformat()} ({when.basis})")
        written_on = self._today({"date": None}, case_file.time_zone)
        for warning in [*letter.warnings, *past_date_warnings(letter.prepared, written_on)]:
            self.stderr.write(f"  warning: {warning}")

    @staticmethod
    def _read_case_file(path: Path) -> str:
        """The case file's text; a file that is not UTF-8 is named with the line and
        column of the first byte that cannot be read."""
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
            raise CommandError(
                f"{path} is not UTF-8 text: the byte 0x{data[exc.start]:02X} on line {line}, "
                f"column {column} is not valid UTF-8 (the file was probably saved as Latin-1 "
                "or Windows-1252). Save it as UTF-8 and try again."
            ) from None

    @staticmethod
    def _today(options: dict[str, Any], zone_name: str) -> date:
        if options["date"]:
            try:
                return parse_date(options["date"])
            except ValueError as exc:
                raise CommandError(f"--date {exc}") from None
        try:
            zone = parse_zone(zone_name)
        except ValueError as exc:
            raise CommandError(f"time_zone: {exc}") from None
        return timezone.now().astimezone(zone).date()

    def _check(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        findings = letter_check(text, options["kind"])
        spec = letter_spec(options["kind"])
        if not findings:
            self.stdout.write(f"{path}: nothing missing for a {spec.title.lower()}.")
            return
        self.stdout.write(f"{path}: {len(findings)} thing(s) missing for a {spec.title.lower()}:")
        for finding in findings:
            self.stdout.write(f"  - {finding.message} [{finding.code}]")
        sys.stdout.flush()
        raise CommandError(f"{len(findings)} item(s) missing")
