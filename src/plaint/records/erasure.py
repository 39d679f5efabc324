"""Erasure by redaction: a case past its retention period, not on hold, loses every personal
value and file while its chain still verifies and reports still count it.

`case_erase` (the CLI's `plaint retention erase` and the desk's confirmation page call it)
runs in one transaction:

- refuses a case on legal hold (its own or its customer's), a case whose retention period
  has not ended, a case already erased, and a case whose events were written before
  commitments (their personal values are hashed in clear: see docs/records.md);
- deletes the case's `PersonalDatum` rows (salt and value together), so each event's
  commitment stays and can no longer be tested;
- redacts the case row (description, desired resolution, order and account numbers, the
  free-text root cause become `ERASED`; status, dates, product, category, regime, outcome,
  root-cause code and amounts stay), its contacts, offers, evidence rows, messages (and
  their outbox deliveries), disputes, contact restrictions, cease-and-desists, triage
  record and termination texts; deletes its search entries;
- redacts the customer ("Erased customer #ID", no contact points) once none of their
  cases is left unerased;
- deletes the evidence, letter and raw-mail files no other case names, after the commit;
- appends `case_erased` (rule, retention end, confirming supervisor, what was erased).

On SQLite the connection runs with ``PRAGMA secure_delete = ON`` for the erasure, so the
freed space of every deleted or rewritten row is overwritten with zeros, and
`erasure_purge` (called after each erasure, or once after a batch) merges the full-text
index so deleted entries leave its segments, and checkpoints the write-ahead log so the
old pages leave it too. On PostgreSQL deleted and updated rows stay as dead tuples until
VACUUM reclaims them (see docs/records.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Q

from plaint.accounts.models import User
from plaint.accounts.roles import Role
from plaint.cases import evidence_store
from plaint.cases.ledger import Actor, event_append
from plaint.cases.models import (
    Case,
    CaseEvent,
    Contact,
    Customer,
    Evidence,
    PersonalDatum,
    ResolutionOffer,
    SearchEntry,
)
from plaint.cases.services import case_lock, require_aware
from plaint.disputes.models import CeaseDesistSent, ContactRestriction, Dispute
from plaint.domain.errors import DomainError
from plaint.domain.events import EventKind
from plaint.domain.events_records import CaseErased
from plaint.domain.personal import ERASED, clear_personal_paths
from plaint.domain.retention import retention_ends, retention_rule
from plaint.letters import store as letter_store
from plaint.messaging import rawstore
from plaint.messaging.models import Message
from plaint.outbox.models import Delivery
from plaint.records.retention import case_on_hold, customer_on_hold, retention_policies
from plaint.terminations.models import Termination
from plaint.triage.models import FlagVerdict, TriageRecord

#: The roles whose members may confirm an erasure.
CONFIRMING_ROLES = (Role.SUPERVISOR, Role.ADMIN)

#: Case columns that lose their value (the rest is what reports count).
CASE_REDACTED = (
    "description",
    "desired_resolution",
    "order_number",
    "account_number",
    "root_cause",
)


@dataclass(frozen=True)
class Erasure:
    reference: str
    personal_values: int
    files: int
    rows: int


def case_erased(case: Case) -> bool:
    return CaseEvent.objects.filter(case=case, kind=EventKind.CASE_ERASED.value).exists()


def _retention_end(case: Case) -> tuple[str, date]:
    zone = ZoneInfo(case.organisation.time_zone)
    rule = retention_rule(case.regime, retention_policies(organisation=case.organisation))
    ends = retention_ends(
        rule,
        received_on=case.received_at.astimezone(zone).date(),
        closed_on=case.closed_at.astimezone(zone).date() if case.closed_at else None,
    )
    if ends is None or case.status != "closed":
        raise DomainError(f"{case.reference} is open: a case is never erased while it is open.")
    return rule.key, ends


def _legacy_events(case: Case) -> list[int]:
    """The events holding personal values in clear (written before commitments)."""
    return [
        seq
        for seq, kind, payload in CaseEvent.objects.filter(case=case)
        .order_by("seq")
        .values_list("seq", "kind", "payload")
        if clear_personal_paths(kind, payload)
    ]


def _check(case: Case, confirmed_by: User, today: date) -> tuple[str, date]:
    if not confirmed_by.is_active or not any(r in CONFIRMING_ROLES for r in confirmed_by.roles):
        raise DomainError(
            f"{confirmed_by.username} may not confirm an erasure: only a supervisor or an "
            "admin may."
        )
    if confirmed_by.organisation_id != case.organisation_id:
        raise DomainError(f"{confirmed_by.username} is not a member of this organisation.")
    if case_erased(case):
        raise DomainError(f"{case.reference} has already been erased.")
    if case_on_hold(case):
        raise DomainError(f"{case.reference} is on legal hold: lift the hold before erasing.")
    if customer_on_hold(case.customer):
        raise DomainError(
            f"{case.reference}'s customer is on legal hold: lift the hold before erasing."
        )
    rule, ends = _retention_end(case)
    if ends > today:
        raise DomainError(
            f"{case.reference} is kept under {rule} until {ends.isoformat()}: "
            "it cannot be erased before then."
        )
    legacy = _legacy_events(case)
    if legacy:
        numbers = ", ".join(f"#{seq}" for seq in legacy[:5]) + ("..." if len(legacy) > 5 else "")
        raise DomainError(
            f"{case.reference} cannot be erased by redaction: {len(legacy)} of its events "
            f"({numbers}) were written before personal data were kept apart from the ledger "
            "and hold them in clear under their hash. Such cases are deleted whole when "
            "their own retention ends (docs/records.md, 'Events written before commitments')."
        )
    return rule, ends


@dataclass(frozen=True)
class ErasurePreview:
    """What erasing a case would do, for the confirmation page: the rule and the day its
    retention ended, and what would go; or, in `refusal`, why it may not be erased."""

    reference: str
    refusal: str
    rule: str
    retention_ended_on: date | None
    personal_values: int
    evidence_files: int
    letter_files: int
    mail_files: int
    messages: int
    customer_erased: bool

    @property
    def allowed(self) -> bool:
        return not self.refusal


def erasure_preview(*, case: Case, confirmed_by: User, today: date) -> ErasurePreview:
    """Whether `confirmed_by` may erase `case` on `today` and, if so, what would be
    erased. Reads only: the same checks `case_erase` makes, without taking the lock."""
    refusal, rule, ends = "", "", None
    try:
        rule, ends = _check(case, confirmed_by, today)
    except DomainError as exc:
        refusal = exc.message
    evidence, letters, raws = _files_to_delete(case)
    others = Case.objects.filter(customer_id=case.customer_id).exclude(pk=case.pk)
    return ErasurePreview(
        reference=case.reference,
        refusal=refusal,
        rule=rule,
        retention_ended_on=ends,
        personal_values=PersonalDatum.objects.filter(case=case).count(),
        evidence_files=len(evidence),
        letter_files=len(letters),
        mail_files=len(raws),
        messages=Message.objects.filter(case=case).count(),
        customer_erased=not any(not case_erased(other) for other in others),
    )


#: Parts of the record kept by apps above this one (the API's webhook messages), each a
#: function that redacts what it keeps of an erased case and returns the rows it changed.
_PARTS: dict[str, Callable[[Case], int]] = {}


def erasure_part_register(name: str, part: Callable[[Case], int]) -> None:
    """Make `part` a step of every erasure (an app's `ready()` registers it). It runs in the
    erasure's transaction after the case's personal values are deleted, so what it
    rebuilds from the ledger no longer holds them; an error in it rolls the erasure back."""
    _PARTS[name] = part


def _redact(model: type, filters: Q, fields: dict[str, object]) -> int:
    return int(model.objects.filter(filters).update(**fields))  # type: ignore[attr-defined]


def _files_to_delete(case: Case) -> tuple[set[str], set[str], set[str]]:
    """(evidence, letters, raw mails) SHA-256s of this case that no other case names."""
    evidence = set(Evidence.objects.filter(case=case).values_list("sha256", flat=True))
    evidence -= set(
        Evidence.objects.filter(sha256__in=evidence)
        .exclude(case=case)
        .values_list("sha256", flat=True)
    )
    letters: set[str] = set()
    for event in CaseEvent.objects.filter(case=case, kind=EventKind.LETTER_GENERATED.value):
        letters.update(event.data.files.values())  # type: ignore[attr-defined]
    for sha in list(letters):
        if (
            CaseEvent.objects.filter(kind=EventKind.LETTER_GENERATED.value, payload__contains=sha)
            .exclude(case=case)
            .exists()
        ):
            letters.discard(sha)
    raws = set(
        Message.objects.filter(case=case)
        .exclude(raw_sha256="")
        .values_list("raw_sha256", flat=True)
    )
    raws -= set(
        Message.objects.filter(raw_sha256__in=raws)
        .exclude(case=case)
        .values_list("raw_sha256", flat=True)
    )
    return evidence, letters, raws


def _redact_rows(case: Case) -> int:
    on_case = Q(case=case)
    rows = 0
    rows += _redact(Contact, on_case, {"summary": ERASED})
    rows += _redact(ResolutionOffer, on_case, {"description": ERASED, "answer_comment": ""})
    rows += _redact(Evidence, on_case, {"filename": ERASED, "description": ""})
    messages = Message.objects.filter(case=case)
    rows += Delivery.objects.filter(
        pk__in=messages.exclude(delivery=None).values("delivery_id")
    ).update(payload=b"", recipients=[], sender="", last_error="")
    rows += messages.update(
        sender="",
        sender_name="",
        to="",
        subject=ERASED,
        text="",
        text_shown="",
        html_safe="",
        in_reply_to="",
        references="",
        reason="",
    )
    rows += _redact(
        Dispute,
        on_case,
        {
            "sender": ERASED,
            "on_behalf_of": "",
            "demands": ERASED,
            "their_reference": "",
            "conduct": "",
            "investigator": "",
            "records_checked": [],
            "findings": "",
            "decision_reasons": "",
        },
    )
    rows += _redact(ContactRestriction, on_case, {"note": "", "lifted_reason": ""})
    rows += _redact(CeaseDesistSent, on_case, {"conduct": ERASED, "tracking_number": ""})
    rows += _redact(TriageRecord, on_case, {"flags": [], "vector": b"", "similar": []})
    rows += _redact(FlagVerdict, on_case, {"note": ""})
    kept = [t.pk for t in Termination.objects.filter(cases=case) if _all_erased(t, case)]
    rows += Termination.objects.filter(pk__in=kept).update(
        facts=ERASED,
        immediate_justification="",
        contract_clause="",
        vulnerability_steps="",
        open_cases_note="",
        legal_note="",
        decision_reasons="",
        reversal_reason="",
        appeal_grounds="",
        appeal_note="",
    )
    SearchEntry.objects.filter(case=case).delete()
    for name in CASE_REDACTED:
        if getattr(case, name):  # an empty value says nothing, and its events say it too
            setattr(case, name, ERASED)
    return rows + 1


def _all_erased(termination: Termination, case: Case) -> bool:
    """Whether every case of the termination but `case` is erased already."""
    return all(case_erased(other) for other in termination.cases.exclude(pk=case.pk))


def _customer_redact(case: Case) -> int:
    others = Case.objects.filter(customer_id=case.customer_id).exclude(pk=case.pk)
    if any(not case_erased(other) for other in others):
        return 0  # still the customer of a case that is kept
    return Customer.objects.filter(pk=case.customer_id).update(
        name=f"Erased customer #{case.customer_id}",
        email="",
        phone="",
        postal_address="",
        preferred_contact_times="",
        vulnerability_notes="",
    )


@contextmanager
def _secure_delete() -> Iterator[None]:
    """On SQLite, overwrite freed space with zeros while erasing."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA secure_delete")
        (before,) = cursor.fetchone()
        cursor.execute("PRAGMA secure_delete = ON")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA secure_delete = {int(before)}")


def case_erase(
    *, case: Case, confirmed_by: User, now: datetime, today: date, purge: bool = True
) -> Erasure:
    """Erase the case's personal data by redaction, as confirmed by `confirmed_by` (a
    supervisor or admin). `today` is the organisation's date the retention is judged on.
    With `purge` (the default) the database's freed space is cleaned at once; a batch
    passes False and calls `erasure_purge` after its last erasure."""
    require_aware(now=now)
    with _secure_delete():
        erasure, files = _erase(case, confirmed_by, now, today)
        if purge:
            erasure_purge()
    for sha in files[0]:
        evidence_store.blob_delete(sha)
    for sha in files[1]:
        letter_store.letter_delete(sha)
    for sha in files[2]:
        rawstore.raw_path(sha).unlink(missing_ok=True)
    return erasure


@transaction.atomic
def _erase(
    case: Case, confirmed_by: User, now: datetime, today: date
) -> tuple[Erasure, tuple[set[str], set[str], set[str]]]:
    case = case_lock(case)
    rule, ends = _check(case, confirmed_by, today)
    files = _files_to_delete(case)
    personal = PersonalDatum.objects.filter(case=case).delete()[0]
    rows = _redact_rows(case) + _customer_redact(case)
    rows += sum(part(case) for part in _PARTS.values())
    count = len(files[0]) + len(files[1]) + len(files[2])
    event_append(
        case=case,
        payload=CaseErased(
            rule=rule,
            retention_ended_on=ends.isoformat(),
            confirmed_by_id=confirmed_by.pk,
            confirmed_by=confirmed_by.display_name,
            erased={"personal_values": personal, "files": count, "rows": rows},
        ),
        actor=Actor.staff(confirmed_by),
        now=now,
        changed=list(CASE_REDACTED),
    )
    return Erasure(case.reference, personal, count, rows), files


def erasure_purge() -> None:
    """Clean what deleted rows leave behind. SQLite: merge the full-text index (deleted
    entries stay in its segments until then) and checkpoint the write-ahead log, so no
    copy of an erased value is left in the database's files. PostgreSQL: nothing here;
    VACUUM reclaims dead tuples (docs/records.md)."""
    if connection.vendor != "sqlite" or connection.in_atomic_block:
        return
    with _secure_delete(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO cases_searchentry_fts(cases_searchentry_fts) VALUES('optimize')"
        )
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
