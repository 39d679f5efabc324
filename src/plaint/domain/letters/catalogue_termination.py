"""The termination workflow's own letters (see plaint.domain.termination): the notice
itself is `service-termination` in catalogue.py; this is the letter withdrawing it."""

from __future__ import annotations

from datetime import date

from plaint.domain.deadlines.model import Verification
from plaint.domain.letters.catalogue import LetterSource, LetterSpec, Side

LETTERS: tuple[LetterSpec, ...] = (
    LetterSpec(
        id="termination-warning",
        title="Warning before ending a service",
        side=Side.BUSINESS,
        purpose="An alternative tried before a termination: tell the customer what has "
        "gone wrong, what must change, and that the service could otherwise end.",
        jurisdiction="ANY",
        required=(
            "business.name",
            "customer.name",
            "case.reference",
            "handler.name",
            "letter.reasons",
            "letter.actions",
        ),
        optional=("customer.address", "handler.role", "case.account_number"),
        sources=(
            LetterSource(
                "Plaint practice: alternatives before a termination, a warning letter first "
                "(issue 13, step 2)",
                Verification.POLICY,
                last_verified=date(2026, 12, 1),
            ),
        ),
        delivery="Post (recorded) and e-mail, so that it leaves a record.",
        starts="Nothing: it is a warning, not a notice.",
        version="2026-12-01.1",
    ),
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
