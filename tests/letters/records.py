"""A complete record that fills every letter in the catalogue, for the tests."""

from __future__ import annotations

import shutil
from datetime import date
from typing import Any

from plaint.domain.letters import LetterRequest

TODAY = date(2026, 3, 2)

FULL: dict[str, Any] = {
    "customer.name": "Dana Whitfield",
    "customer.address": "41 Larch Street\nHometown\nHT1 2AB",
    "customer.email": "dana@example.org",
    "customer.phone": "+44 20 7946 0000",
    "customer.best_times": "weekdays after 5pm",
    "business.name": "Acme Energy Ltd",
    "business.contact_name": "Morgan Reyes",
    "business.contact_title": "Head of Customer Relations",
    "business.department": "Customer Relations",
    "business.address": "1 Commerce Way\nLondon\nEC1A 1AA",
    "business.email": "complaints@acme.example",
    "business.phone": "0300 000 0000",
    "case.reference": "AC-2026-000001",
    "case.order_number": "INV-12345",
    "case.account_number": "ACC-998877",
    "case.product": "Dual fuel energy plan",
    "case.description": "I was charged twice for my February bill.",
    "case.occurred_on": date(2026, 2, 3),
    "case.bought_where": "acme.example",
    "case.amount": "84.20",
    "case.currency": "GBP",
    "case.desired_resolution": "Refund the duplicate charge.",
    "case.received_on": date(2026, 3, 1),
    "case.regime": "UK-FCA-DISP",
    "handler.name": "Alice Agent",
    "handler.role": "Complaints Handler",
    "letter.agency": "Trading Standards",
    "letter.issue_type": "unfair_billing",
    "letter.conduct": "Charging the monthly fee twice.",
    "letter.statement_date": date(2026, 2, 10),
    "letter.billing_address": "Card Services, Billing Inquiries\nPO Box 4410\nDallas, TX 75221",
    "letter.error_category": "wrong_amount",
    "letter.contacted_on": date(2026, 2, 20),
    "letter.contacted_by": "phone",
    "letter.debt_details": "A phone bill of $412 from 2023.",
    "letter.also_dispute": True,
    "letter.validation_notice_date": date(2026, 2, 20),
    "letter.disputed_items": [
        "Late payment marked on ACC-1 in June 2025",
        "Account ACC-2 is not mine",
    ],
    "letter.legal_basis": "Breach of contract: the goods were not of satisfactory quality.",
    "letter.amount_calculation": "The price paid, £84.20.",
    "letter.delivered_on": date(2026, 2, 20),
    "letter.fault": "The boiler does not heat water.",
    "letter.next_steps": "We will check your billing history and call you.",
    "letter.progress": "We have reviewed your bills.",
    "letter.delay_reason": "We are waiting for our payments team.",
    "letter.expected_by": date(2026, 3, 20),
    "letter.outcome": "accept",
    "letter.findings": "Our system took your payment twice.",
    "letter.reasons": "The duplicate was our error.",
    "letter.redress": "Refund £84.20 to your card.",
    "letter.fos_time_limit_case": "no_waiver_six_months",
    "letter.agreed_on": date(2026, 3, 1),
    "letter.action_by": date(2026, 3, 9),
    "letter.their_letter_date": date(2026, 2, 27),
    "letter.their_sender": "Lee & Co Solicitors\n5 Court Lane\nLondon",
    "letter.their_demand": "stop calling their client at work.",
    "letter.investigating": "Our call records for the account.",
    "letter.actions": "We have stopped all calls while we investigate.",
    "letter.respond_by": date(2026, 3, 16),
    "letter.reasons_for_termination": "Repeated abuse of our staff.",
    "letter.contract_clause": "Clause 12.3 of our terms lets us end the contract on notice.",
    "letter.notice_days": 30,
    "letter.alternatives": ["Contact only in writing", "A named account manager"],
    "letter.how_to_respond": "Write to us at the address above.",
    "letter.final_steps": "We will send a final bill.",
    # disputes
    "letter.adr_letter_type": "deadlock",
    "letter.final_position": "We have refunded the duplicate charge and will not refund more.",
    "letter.adr_scheme": "Energy Ombudsman",
    "letter.offer_open": True,
    "letter.their_reference": "LC/77",
    "letter.first_letter_date": date(2026, 2, 16),
    "letter.first_letter_tracking": "RR123456785GB",
    "letter.continued_conduct": "You called me at work on 24 and 26 February.",
    "letter.final_deadline": date(2026, 3, 9),
    "letter.proposal": "A refund of £84.20 and no further charges.",
    "letter.reply_by": date(2026, 3, 16),
    "letter.results_date": date(2026, 2, 20),
    "letter.mediator": "a mediator of the Civil Mediation Council's directory",
    "letter.arbitration_clause": "Clause 18 (disputes are settled by arbitration).",
}

CONTACTS = [
    {
        "at": "2026-02-10 14:05",
        "channel": "phone",
        "direction": "inbound",
        "representative": "Sam",
        "ticket_number": "T-1",
        "wait_minutes": 35,
        "summary": "Promised a refund.",
    },
    {
        "at": "2026-02-12 10:00",
        "channel": "email",
        "direction": "outbound",
        "representative": "Priya",
        "ticket_number": "T-1",
        "summary": "Said it was being processed.",
    },
    {"at": "2026-02-20 09:00", "channel": "chat", "direction": "inbound", "ticket_number": "T-2"},
]

EVIDENCE = [{"description": "February bill"}, {"description": "Card statement"}]


def request(kind: str, formats: tuple[str, ...] = ("md", "html"), **values: Any) -> LetterRequest:
    merged = {**FULL, **values}
    return LetterRequest(
        kind=kind,
        values={k: v for k, v in merged.items() if v is not None},
        today=TODAY,
        contacts=CONTACTS,
        evidence=EVIDENCE,
        time_zone="Europe/London",
        formats=formats,
    )


def tool(name: str) -> str:
    """The full path of a poppler tool (pdftotext, pdftoppm): scripts/system-deps.sh
    installs them, and the PDF tests need them."""
    path = shutil.which(name)
    assert path, f"{name} is not installed (poppler-utils)"
    return path


def folder_with_gap(folder: Any, monkeypatch: Any) -> None:
    """An organisation's templates folder whose Annex 3R copy still has a gap to fill, set
    as the folder the letters service uses: letters from it must not be marked sent."""
    from plaint.config import appsettings

    (folder / "required").mkdir(parents=True, exist_ok=True)
    (folder / "required" / "disp-1-annex-3r.md").write_text(
        "---\nsource: FCA Handbook DISP 1 Annex 3R\nlast_verified: 2026-12-01\n---\n"
        "[TO COMPLETE BEFORE SENDING: our compliance team checks this paragraph.]\n"
    )
    monkeypatch.setattr(
        appsettings,
        "APP",
        appsettings.AppSettings.from_env({"PLAINT_LETTER_TEMPLATES_DIR": str(folder)}),
    )
