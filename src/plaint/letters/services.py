"""Generating a letter from a case: fill it, keep an exact copy, record it in the ledger;
and recording that a kept letter was sent.

`letter_generate` writes nothing when the letter cannot be generated: missing fields,
bad values and past deadlines are raised (as `MissingFields` / `InvalidFields`) before a
file is stored or an event appended. `letter_mark_sent` is the one way a kept letter
becomes sent; it too writes nothing when it refuses (`FieldErrors` naming the field).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction

from plaint.cases.ledger import Actor, event_append
from plaint.cases.models import Case, CaseEvent
from plaint.cases.services import (
    case_lock,
    case_milestone_record,
    case_transition,
    require_aware,
)
from plaint.domain import events as ev
from plaint.domain.contactpoints import letter_values_clean
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.events import canonical_json
from plaint.domain.letters import (
    FORMATS,
    LetterSpec,
    RenderedLetter,
    Side,
    UnknownLetter,
    letter_prepare,
    letter_render,
    letter_spec,
)
from plaint.domain.letters.fragments import PLACEHOLDER_OPEN
from plaint.domain.lifecycle import CaseStatus, allowed_targets
from plaint.domain.vocabulary import DeliveryMethod, Visibility
from plaint.letters.overrides import templates_dir
from plaint.letters.record import case_letter_request
from plaint.letters.selectors import (
    KeptLetter,
    LetterNotFound,
    case_letter,
    case_letters,
    letter_regenerate,
)
from plaint.letters.sent_hooks import letter_sent_hooks
from plaint.letters.store import letter_put, letter_read

TRACKING_NUMBER_MAX_LENGTH = 64
WITHDRAW_REASON_MAX_LENGTH = 500
#: The milestone whose letter, once sent, moves a received case to acknowledged.
ACKNOWLEDGED_BY = "acknowledgement_sent"

#: Kept formats that hold the letter's words as text, searched for `PLACEHOLDER_OPEN`.
_TEXT_FORMATS = ("md", "txt", "html")

_INCOMPLETE = (
    "the letter still has wording to complete (a 'TO COMPLETE BEFORE SENDING' passage); "
    "it cannot be recorded as sent"
)


@dataclass(frozen=True)
class GeneratedLetter:
    event: CaseEvent
    letter: RenderedLetter
    files: dict[str, str]  # format -> SHA-256 in the letter store
    milestone_event: CaseEvent | None = None
    sent_event: CaseEvent | None = None
    #: True when the same letter was already kept as an unsent draft (a double click):
    #: `event` is that draft's, and nothing new was kept.
    reused: bool = False


@transaction.atomic
def letter_generate(
    *,
    case: Case,
    kind: str,
    actor: Actor,
    now: datetime,
    fields: Mapping[str, Any] | None = None,
    formats: Sequence[str] = ("md", "html", "pdf"),
    page_size: str = "",  # "": US Letter for a US organisation's letters, A4 otherwise
    sent_at: datetime | None = None,
    sent_method: DeliveryMethod | str = DeliveryMethod.POST,
    sent_tracking_number: str = "",
) -> GeneratedLetter:
    """Generate letter `kind` for the case and keep it: each output file is stored under
    its SHA-256 and one `letter_generated` event records the template id and version, the
    field values used and the hashes. `fields` (dotted keys, e.g. ``business.address``,
    ``letter.compliance_days``) supply what the case does not hold. With `sent_at`, the
    kept letter is then marked as sent (`sent_method`, `sent_tracking_number`) exactly as
    `letter_mark_sent` does it: a `letter_sent` event, and the milestone sending the letter
    represents (``final_response_sent``...) where it represents one."""
    require_aware(now=now, sent_at=sent_at)
    if sent_at is not None:
        _delivery_checked(
            method=sent_method, tracking_number=sent_tracking_number, sent_at=sent_at, now=now
        )
    case = (
        Case.objects.select_for_update().select_related("organisation", "customer").get(pk=case.pk)
    )
    if fields:
        # Names, phones, e-mail and addresses typed for the letter follow the same rules
        # as the case's own (no line breaks in a name, no markup, phones checked).
        fields, problems = letter_values_clean(fields, country=case.organisation.country)
        if problems:
            raise FieldErrors(problems)
    today = now.astimezone(ZoneInfo(case.organisation.time_zone)).date()
    request = case_letter_request(
        case=case,
        kind=kind,
        actor=actor,
        today=today,
        fields=fields,
        formats=formats,
        page_size=page_size,
    )
    prepared = letter_prepare(request)
    letter = letter_render(prepared, override_dir=templates_dir())
    if sent_at is not None and letter.incomplete:
        raise FieldErrors({"sent_at": _INCOMPLETE})
    same = _same_draft(case, letter, prepared.field_values())
    if same is not None:
        # The same letter from the same inputs is still an unsent draft (a second click
        # on "Generate"): hand that one back rather than keep a duplicate.
        sent_event = milestone_event = None
        if sent_at is not None:
            sent_event, milestone_event = _letter_sent_record(
                case=case,
                seq=same.event.seq,
                method=sent_method,
                tracking_number=sent_tracking_number,
                sent_at=sent_at,
                actor=actor,
                now=now,
            )
        return GeneratedLetter(
            event=same.event,
            letter=letter,
            files=dict(same.payload.files),
            milestone_event=milestone_event,
            sent_event=sent_event,
            reused=True,
        )
    files = {fmt: letter_put(data) for fmt, data in letter.outputs.items()}
    payload = ev.LetterGenerated(
        letter=letter.spec.id,
        title=letter.spec.title,
        template_version=letter.template_version,
        template_sha256=letter.template_sha256,
        subject=letter.subject,
        files=files,
        fields=prepared.field_values(),
        warnings=letter.warnings,
    )
    event = event_append(
        case=case, payload=payload, actor=actor, now=now, visibility=Visibility.INTERNAL
    )
    sent_event = milestone_event = None
    if sent_at is not None:
        sent_event, milestone_event = _letter_sent_record(
            case=case,
            seq=event.seq,
            method=sent_method,
            tracking_number=sent_tracking_number,
            sent_at=sent_at,
            actor=actor,
            now=now,
        )
    return GeneratedLetter(
        event=event,
        letter=letter,
        files=files,
        milestone_event=milestone_event,
        sent_event=sent_event,
    )


@transaction.atomic
def letter_mark_sent(
    *,
    case: Case,
    seq: int,
    method: DeliveryMethod | str,
    tracking_number: str = "",
    sent_at: datetime,
    actor: Actor,
    now: datetime,
) -> CaseEvent:
    """Record that the letter kept by event `seq` of this case was sent: how (`method`, a
    `DeliveryMethod`; tracked services need their tracking number), when (`sent_at`, not
    after `now`), and which file (the PDF, or the first file kept). Appends one
    `letter_sent` event, which the customer sees when the business sent the letter to
    them, and records the milestone the letter represents, if any, at `sent_at`. Sending
    the acknowledgement moves a received case to acknowledged (a `status_changed` event,
    through `case_transition`); a case in any other status keeps it.

    Refused, with nothing written: an unknown `seq` or one that is not a letter of this
    case, a letter already marked as sent, and a letter that still holds a 'TO COMPLETE
    BEFORE SENDING' passage."""
    event, _ = _letter_sent_record(
        case=case,
        seq=seq,
        method=method,
        tracking_number=tracking_number,
        sent_at=sent_at,
        actor=actor,
        now=now,
    )
    return event


def _same_draft(case: Case, letter: RenderedLetter, fields: Mapping[str, Any]) -> KeptLetter | None:
    """The case's unsent, unwithdrawn draft of the same letter, if any: the same kind,
    template (version and hash), formats and field values (which hold the letter's date,
    so a draft from another day is another letter)."""
    wanted = canonical_json(dict(fields))
    for kept in reversed(case_letters(case=case)):
        payload = kept.payload
        if (
            kept.is_draft
            and payload.letter == letter.spec.id
            and payload.template_version == letter.template_version
            and payload.template_sha256 == letter.template_sha256
            and set(payload.files) == set(letter.outputs)
            and canonical_json(payload.fields) == wanted
        ):
            return kept
    return None


@transaction.atomic
def letter_withdraw(*, case: Case, seq: int, reason: str, actor: Actor, now: datetime) -> CaseEvent:
    """Withdraw the kept letter of event `seq`, which was never sent: one
    `letter_withdrawn` event (internal) records who withdrew it and why. The letter stays
    in the record and can no longer be marked as sent. Refused, with nothing written: no
    reason, an unknown letter, a letter already sent or already withdrawn."""
    require_aware(now=now)
    why = reason.strip()
    if not why:
        raise FieldErrors({"reason": "is required: say why the draft is withdrawn"})
    if len(why) > WITHDRAW_REASON_MAX_LENGTH:
        raise FieldErrors(
            {"reason": f"is longer than {WITHDRAW_REASON_MAX_LENGTH} characters ({len(why)})"}
        )
    if "\x00" in why:
        raise FieldErrors({"reason": "contains a NUL character"})
    case = case_lock(case)
    kept = _kept_letter(case, seq)
    if kept.sent is not None:
        raise FieldErrors(
            {
                "seq": f"letter #{seq} was sent ({kept.sent.method_words}, "
                f"{kept.sent.sent_at:%d %b %Y %H:%M}); a sent letter cannot be withdrawn"
            }
        )
    if kept.withdrawn is not None:
        raise FieldErrors({"seq": _withdrawn_words(seq, kept)})
    payload = ev.LetterWithdrawn(
        letter_seq=seq, letter=kept.payload.letter, title=kept.payload.title, reason=why
    )
    return event_append(
        case=case, payload=payload, actor=actor, now=now, visibility=Visibility.INTERNAL
    )


def _withdrawn_words(seq: int, kept: KeptLetter) -> str:
    withdrawn = kept.withdrawn
    assert withdrawn is not None
    return (
        f"letter #{seq} was withdrawn by {withdrawn.by} on {withdrawn.at:%d %b %Y} "
        f"({withdrawn.reason})"
    )


def _delivery_checked(
    *, method: DeliveryMethod | str, tracking_number: str, sent_at: datetime, now: datetime
) -> tuple[DeliveryMethod, str]:
    """The delivery method and the cleaned tracking number, or `FieldErrors`."""
    require_aware(sent_at=sent_at, now=now)
    errors: dict[str, str] = {}
    chosen: DeliveryMethod | None = None
    try:
        chosen = DeliveryMethod(method)
    except ValueError:
        options = ", ".join(m.value for m in DeliveryMethod)
        errors["method"] = f"{method!r} is not one of: {options}"
    tracking = tracking_number.strip()
    if len(tracking) > TRACKING_NUMBER_MAX_LENGTH:
        errors["tracking_number"] = f"is longer than {TRACKING_NUMBER_MAX_LENGTH} characters"
    elif not tracking.isprintable():
        errors["tracking_number"] = "may hold only printable characters (no line breaks or tabs)"
    elif not tracking and chosen is not None and chosen.needs_tracking:
        errors["tracking_number"] = f"is required for {chosen.label.lower()}"
    if sent_at > now:
        errors["sent_at"] = "is in the future"
    if errors or chosen is None:
        raise FieldErrors(errors)
    return chosen, tracking


def _spec(letter_id: str) -> LetterSpec | None:
    try:
        return letter_spec(letter_id)
    except UnknownLetter:
        return None


def _sent_by_business(spec: LetterSpec | None, fields: Mapping[str, Any]) -> bool:
    """Whether the business sends this letter to the customer (as `letter_render` decides
    the sender: a letter either side may send is the business's when it claims a debt)."""
    if spec is None:
        return False
    if spec.side is Side.EITHER:
        return bool(fields.get("letter.debt_claim"))
    return spec.side is Side.BUSINESS


def _sent_file(files: Mapping[str, str]) -> str:
    """The SHA-256 of the file that went out: the PDF, else the first format kept in the
    order of `FORMATS` (Markdown first)."""
    if "pdf" in files:
        return files["pdf"]
    ordered = [fmt for fmt in FORMATS if fmt in files] + sorted(set(files) - set(FORMATS))
    return files[ordered[0]] if ordered else ""


def _still_to_complete(seq: int, payload: ev.LetterGenerated) -> bool:
    """Whether the kept letter holds a 'TO COMPLETE BEFORE SENDING' passage.

    `letter_render` sets `RenderedLetter.incomplete` when the Markdown it rendered holds
    `PLACEHOLDER_OPEN`; the same marker is looked for here in the kept file itself (the
    Markdown, plain text or HTML: each carries the letter's words as text). A letter kept
    only as PDF, DOCX or e-mail is rendered again from the values its event recorded, and
    that is trusted only while the templates are the ones it was made from."""
    for fmt in _TEXT_FORMATS:
        if fmt in payload.files:
            text = letter_read(payload.files[fmt]).decode("utf-8", errors="replace")
            return PLACEHOLDER_OPEN in text
    unsure = (
        f"letter #{seq} was kept without a text copy and its wording cannot be checked "
        "against the current templates; generate it again to record it as sent"
    )
    try:
        again = letter_regenerate(payload, formats=("md",))
    except DomainError:
        raise FieldErrors({"seq": unsure}) from None
    if again.template_sha256 != payload.template_sha256:
        raise FieldErrors({"seq": unsure})
    return again.incomplete


def _letter_sent_record(
    *,
    case: Case,
    seq: int,
    method: DeliveryMethod | str,
    tracking_number: str,
    sent_at: datetime,
    actor: Actor,
    now: datetime,
) -> tuple[CaseEvent, CaseEvent | None]:
    """Check and write what `letter_mark_sent` records, in the caller's transaction: the
    `letter_sent` event and the milestone event (None when the letter represents none)."""
    chosen, tracking = _delivery_checked(
        method=method, tracking_number=tracking_number, sent_at=sent_at, now=now
    )
    case = case_lock(case)
    kept = _kept_letter(case, seq)
    if kept.sent is not None:
        raise FieldErrors(
            {
                "seq": f"letter #{seq} was already marked as sent "
                f"({kept.sent.method_words}, {kept.sent.sent_at:%d %b %Y %H:%M})"
            }
        )
    if kept.withdrawn is not None:
        raise FieldErrors({"seq": _withdrawn_words(seq, kept) + "; it cannot be marked as sent"})
    if _still_to_complete(seq, kept.payload):
        raise FieldErrors({"seq": _INCOMPLETE})
    letter = kept.payload
    spec = _spec(letter.letter)
    milestone = spec.milestone_for(letter.fields) if spec is not None else ""
    payload = ev.LetterSent(
        letter_seq=seq,
        letter=letter.letter,
        title=letter.title,
        method=chosen.value,
        tracking_number=tracking,
        sent_at=sent_at.isoformat(),
        file_sha256=_sent_file(letter.files),
    )
    visibility = (
        Visibility.CUSTOMER if _sent_by_business(spec, letter.fields) else Visibility.INTERNAL
    )
    event = event_append(
        case=case, payload=payload, actor=actor, now=now, occurred_at=sent_at, visibility=visibility
    )
    for hook in letter_sent_hooks(letter.letter):
        hook(case, letter, sent_at, actor, now)
        case = case_lock(case)
    milestone_event = None
    if milestone:
        how = chosen.words + (f", tracking number {tracking}" if tracking else "")
        milestone_event = case_milestone_record(
            case=case,
            milestone=milestone,
            at=sent_at,
            actor=actor,
            now=now,
            note=f"{letter.title} (letter #{seq}) sent {how}.",
        )
    if milestone == ACKNOWLEDGED_BY and CaseStatus.ACKNOWLEDGED in allowed_targets(
        case_lock(case).status_enum
    ):
        # The acknowledgement went out: the case is acknowledged, through the one
        # transition service (its own status_changed event, in this transaction). A case
        # that cannot move there (already investigating, say) keeps its status.
        case_transition(
            case=case,
            to=CaseStatus.ACKNOWLEDGED,
            actor=actor,
            now=now,
            reason=f"{letter.title} (letter #{seq}) sent {chosen.words}.",
        )
    return event, milestone_event


def _kept_letter(case: Case, seq: int) -> KeptLetter:
    """The case's kept letter `seq`, or a field error saying the case has none."""
    try:
        return case_letter(case=case, seq=seq)
    except LetterNotFound:
        raise FieldErrors({"seq": f"{case.reference} has no kept letter #{seq}"}) from None
