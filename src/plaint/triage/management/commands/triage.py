"""`plaint triage`: triage a case, retrain, rebuild the shipped model, or print the figures.

plaint triage CASE_REF --org SLUG          triage one case now and print the result
plaint triage --all --org SLUG             triage every case not triaged yet
plaint triage train --org SLUG             retrain from the organisation's confirmed cases
plaint triage train --cfpb FILE --output PATH.npz
                                           train a model on a CFPB file (the shipped one)
plaint triage evaluate FILE.csv [--split]  print accuracy, macro-F1, flag and
                                           similar-case figures
plaint triage evaluate FILE.csv --languages
                                           only the language-detection figures
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from plaint.accounts.selectors import organisation_get
from plaint.cases.selectors import CaseNotFound, case_get
from plaint.domain.errors import DomainError
from plaint.triage import business_eval, evaluation, services
from plaint.triage.cfpb_data import read_cfpb
from plaint.triage.classifier import ModelError, sha256_of, train
from plaint.triage.models import TriageRecord
from plaint.triage.selectors import untriaged_cases


class Command(BaseCommand):
    help = (
        "Triage cases and manage the triage model. Usage: `plaint triage CASE_REF --org SLUG`, "
        "`plaint triage --all --org SLUG`, `plaint triage train --org SLUG`, "
        "`plaint triage evaluate FILE.csv [--split]`."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("target", nargs="?", help="A case reference, or 'train' or 'evaluate'.")
        parser.add_argument("file", nargs="?", type=Path, help="The CSV file for 'evaluate'.")
        parser.add_argument("--org", help="Slug of the organisation.")
        parser.add_argument("--all", action="store_true", help="Triage every untriaged case.")
        parser.add_argument("--split", action="store_true", help="Train and test on a split.")
        parser.add_argument("--no-flags", action="store_true", help="Skip the flag figures.")
        parser.add_argument(
            "--languages",
            action="store_true",
            help="Print only the language-detection figures (per true language).",
        )
        parser.add_argument("--cfpb", type=Path, help="'train' from this CFPB file instead.")
        parser.add_argument("--output", type=Path, help="Where 'train --cfpb' writes the model.")
        parser.add_argument(
            "--shared",
            type=Path,
            help="Folder of the third-party evaluation files (default: the folder of FILE).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target = options["target"]
        try:
            if target == "evaluate":
                self._evaluate(options)
            elif target == "train":
                self._train(options)
            elif options["all"]:
                self._all(options)
            elif target:
                self._one(target, options)
            else:
                raise CommandError("Name a case reference, --all, 'train' or 'evaluate'.")
        except (DomainError, ModelError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from None

    def _evaluate(self, options: dict[str, Any]) -> None:
        path = options["file"]
        if path is None:
            raise CommandError("Usage: plaint triage evaluate FILE.csv [--split]")
        if options["languages"]:
            shared = options["shared"] or path.parent
            lines = business_eval.language_lines(shared)
        else:
            lines = evaluation.evaluate(
                path,
                split=options["split"],
                flags=not options["no_flags"],
                shared=options["shared"],
            )
        for line in lines:
            self.stdout.write(line)

    def _train(self, options: dict[str, Any]) -> None:
        if options["cfpb"]:
            output = options["output"]
            if output is None:
                raise CommandError("train --cfpb FILE needs --output PATH.npz")
            data = read_cfpb(options["cfpb"])
            # words only: see classifier.train (the shipped model serves other trades too)
            model = train(data.examples(), info={"source": options["cfpb"].name}, char_ngrams=False)
            blob = model.to_bytes()
            output.write_bytes(blob)
            output.with_suffix(".sha256").write_text(f"{sha256_of(blob)}  {output.name}\n")
            self.stdout.write(
                f"Trained on {len(data.complaints)} complaints "
                f"({len(data.malformed)} malformed left out): {output} ({len(blob):,} bytes)."
            )
            return
        org = organisation_get(slug=self._org(options))
        version = services.triage_train(organisation=org, now=timezone.now())
        self.stdout.write(
            f"Model #{version.pk} trained on {version.examples} confirmed case(s) of "
            f"{org.slug} ({version.taxonomy}); it is now the active model."
        )

    def _org(self, options: dict[str, Any]) -> str:
        if not options["org"]:
            raise CommandError("--org SLUG is required.")
        return str(options["org"])

    def _all(self, options: dict[str, Any]) -> None:
        org = organisation_get(slug=self._org(options))
        count = 0
        for case in untriaged_cases(organisation=org).iterator(chunk_size=500):
            services.triage_run(case=case, now=timezone.now())
            count += 1
        self.stdout.write(f"Triaged {count} case(s) of {org.slug}.")

    def _one(self, reference: str, options: dict[str, Any]) -> None:
        org = organisation_get(slug=self._org(options))
        try:
            case = case_get(organisation=org, reference=reference)
        except CaseNotFound:
            raise CommandError(f"No case {reference!r} in {org.slug}.") from None
        record = services.triage_run(case=case, now=timezone.now())
        self._print(record)

    def _print(self, record: TriageRecord) -> None:
        out = self.stdout.write
        out(f"{record.case.reference}: {record.get_status_display()} (model {record.model})")
        for name, s in record.suggestions.items():
            out(f"  {name}: {s['label']} (confidence {s['confidence']:.2f})")
        for flag in record.flags:
            words = "; ".join(e["context"] for e in flag["evidence"][:3])
            out(f"  flag {flag['label']}: {words}")
        if record.legal_review:
            out(f"  legal review: {record.get_legal_review_display()}")
        out(f"  urgency {record.urgency:.1f} → {record.suggested_priority}")
        for part in record.urgency_parts:
            out(f"    {part['name']}: {part['points']:.1f}/{part['weight']:.0f} ({part['reason']})")
        out(f"  sentiment {record.sentiment:+.2f}")
        for item in record.similar:
            redress = f", {item['redress']}" if item.get("redress") else ""
            out(f"  similar {item['reference']} ({item['score']:.2f}): {item['outcome']}{redress}")
