"""The termination workflow's own letters (see plaint.domain.termination): the notice
itself is `service-termination` in catalogue.py; this is the letter withdrawing it."""

from __future__ import annotations

from datetime import date

from plaint.domain.deadlines.model import Verification
from plaint.domain.letters.catalogue import LetterSource, LetterSpec, Side

LETTERS: tuple[LetterSpec, ...] = (
    LetterSpec(
        id="service-termination-withdrawn",
        title="Withdrawal of a notice of service termination",
        side=Side.BUSINESS,
        purpose="Tell the customer that a notice ending their service is withdrawn, why, "
        "and that the service continues.",
        jurisdiction="ANY",
        required=(
            "business.name",
            "customer.name",
            "case.reference",
            "handler.name",
            "letter.reasons",
        ),
        optional=("customer.address", "handler.role", "case.account_number"),
        sources=(
            LetterSource(
                "Plaint practice: a termination reversed before its effective date is "
                "confirmed in writing (issue 13, step 7)",
                Verification.POLICY,
                last_verified=date(2026, 12, 1),
            ),
        ),
        delivery="The way the notice was sent, so that it leaves the same record.",
        starts="Nothing: the service continues.",
        version="2026-12-01.1",
    ),
)
