"""The dates a letter states, counted with the deadline engine.

Statutory periods come from the regime files (`plaint.domain.deadlines.regimes`), so a
letter and the case's deadlines can never disagree. Periods the sender chooses (the days
to comply with a cease-and-desist letter) are counted the same way. A date a letter sets
for the other side must not lie in the past: that is an error, not a warning.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Any

from plaint.domain.deadlines.calendars import WorkCalendar, calendar_for
from plaint.domain.deadlines.counting import count
from plaint.domain.deadlines.engine import derive
from plaint.domain.deadlines.model import Counting, Facts, Period, Rule, Unit
from plaint.domain.deadlines.regimes import UnknownRegime, regime_get
from plaint.domain.letters.fields import ALL_FIELDS, InvalidFields, Missing, MissingFields


@dataclass(frozen=True)
class LetterDate:
    day: date
    basis: str  # how it was counted, in words
    citation: str = ""
    rule_key: str = ""


@dataclass(frozen=True)
class DeadlineInfo:
    """A deadline of the case, as the desk derived it (or as derived from a YAML file)."""

    key: str  # REGIME/rule-id
    title: str
    due: date | None
    verification: str = ""


#: The rule that says when the full answer to a complaint is due, per regime.
RESPONSE_RULES = {
    "UK-FCA-DISP": "final-response",
    "UK-FCA-PSD": "final-response",
    "US-CFPB": "company-response",
    "US-FCBA": "resolution",
    "US-FCRA": "reinvestigation",
    "UK-OFCOM": "adr-letter",
    "UK-OFGEM": "eight-week-letter",
    "UK-PRE-ACTION": "letter-before-claim-response",
}

#: In a YAML case file the complaint's received date also starts these regimes' clocks.
_RECEIPT_MILESTONES = (
    "complaint_received",
    "billing_notice_received",
    "dispute_received",
    "cfpb_sent_to_company",
    "letter_before_claim_received",
)


def rule_of(key: str) -> Rule:
    code, _, rule_id = key.partition("/")
    return regime_get(code).rule(rule_id)


def _citation(rule: Rule) -> str:
    return "; ".join(s.citation for s in rule.sources)


def days_after(start: date, days: int) -> date:
    day, _ = count(start, Period(days, Unit.CALENDAR_DAYS), Counting.AFTER, None, explain=False)
    return day


def rule_date(key: str, start: date, calendar: WorkCalendar | None) -> LetterDate:
    rule = rule_of(key)
    cal = calendar if rule.period.unit is Unit.BUSINESS_DAYS else None
    day, _ = count(start, rule.period, rule.counting, cal, explain=False)
    word = "from" if rule.counting is Counting.AFTER else "beginning on"
    return LetterDate(day, f"{rule.period} {word} {start.isoformat()}", _citation(rule), key)


@lru_cache(maxsize=64)
def _calendar(name: str) -> WorkCalendar:
    return calendar_for(name)


def derive_deadlines(
    *, regime: str, received: date, zone: tzinfo, holiday_calendar: str
) -> list[DeadlineInfo]:
    """The case's deadlines when there is no desk to ask: its regime and house rules
    counted from the day the complaint was received."""
    return list(_derive_deadlines(regime, received, zone, holiday_calendar))


@lru_cache(maxsize=256)
def _derive_deadlines(
    regime: str, received: date, zone: tzinfo, holiday_calendar: str
) -> tuple[DeadlineInfo, ...]:
    regimes = [regime_get("HOUSE")]
    if regime:
        regimes.append(regime_get(regime))
    at = datetime.combine(received, time(9, 0), tzinfo=zone)
    facts = Facts(milestones={m: [at] for m in _RECEIPT_MILESTONES})

    def calendars(name: str) -> WorkCalendar:
        return _calendar(holiday_calendar if name == "organisation" else name)

    out = []
    for due in derive(
        regimes, facts, zone=zone, close_of_business=time(17), calendars=calendars, explain=False
    ):
        out.append(DeadlineInfo(due.key, due.rule.title, due.due_date, due.rule.verification))
    return tuple(out)


def _response_deadline(regime: str, deadlines: Sequence[DeadlineInfo]) -> DeadlineInfo | None:
    by_key = {d.key: d for d in deadlines if d.due is not None}
    wanted = [f"{regime}/{RESPONSE_RULES[regime]}"] if regime in RESPONSE_RULES else []
    for key in [*wanted, "HOUSE/respond"]:
        if key in by_key:
            return by_key[key]
    return None


def day_words(day: date, us: bool = False) -> str:
    """A date in words, as the letter writes it: 2 March 2026, or March 2, 2026."""
    return f"{day:%B} {day.day}, {day.year}" if us else f"{day.day} {day:%B %Y}"


#: The most days a sender may give the other side (a year); more is a typing slip.
MAX_SENDER_DAYS = 365

#: Dates of things that have already happened: none may be after the date of the letter.
PAST_EVENTS = (
    "case.occurred_on",
    "case.received_on",
    "letter.contacted_on",
    "letter.validation_notice_date",
    "letter.stop_requested_on",
    "letter.delivered_on",
    "letter.statement_date",
)


def _future(
    errors: dict[str, str], key: str, day: date, today: date, what: str, us: bool = False
) -> None:
    """`what` ("the validation period ended on") is said of `day` when it is before the
    date of the letter."""
    if day < today:
        if what.endswith((" on", " by")):
            message = f"{what} {day_words(day, us)}, before the date of this letter"
        else:
            message = f"{what}, {day_words(day, us)}, is before the date of this letter"
        errors[key] = f"{message} ({day_words(today, us)})"


def _window(
    errors: dict[str, str],
    values: Mapping[str, Any],
    today: date,
    field: str,
    rule_key: str,
    closed: str,
    us: bool = False,
) -> LetterDate | None:
    """The end of a statutory window that opens on the date in `field`; the date must not
    be after the letter and the window must still be open (otherwise `closed` + its end)."""
    start = values[field]
    if start > today:
        return None  # reported with the other events after the letter
    end = rule_date(rule_key, start, None)
    _future(errors, field, end.day, today, closed, us)
    return end


def _positive(errors: dict[str, str], values: Mapping[str, Any], key: str) -> None:
    value = values.get(key)
    if value is not None and value < 1:
        errors[key] = "must be at least 1 day"
    elif value is not None and value > MAX_SENDER_DAYS:
        errors[key] = (
            f"must be at most {MAX_SENDER_DAYS} days; {value:,} days is about "
            f"{value // 365:,} years"
        )


def letter_dates(
    kind: str,
    values: Mapping[str, Any],
    *,
    today: date,
    zone: tzinfo = UTC,
    holiday_calendar: str = "GB-ENG",
    deadlines: Sequence[DeadlineInfo] = (),
    us: bool = False,
) -> dict[str, LetterDate]:
    """Every date the letter `kind` states, keyed by name. Raises InvalidFields when a
    deadline would lie in the past, MissingFields when one cannot be computed."""
    errors: dict[str, str] = {}
    out: dict[str, LetterDate] = {}
    for key in ("letter.wait_days", "letter.reply_days", "letter.compliance_days"):
        _positive(errors, values, key)
    for key in PAST_EVENTS:
        day = values.get(key)
        if day is not None and day > today:
            errors[key] = (
                f"is {day_words(day, us)}, after the date of the letter ({day_words(today, us)}): "
                "it must be a day that has already happened"
            )

    def sender_set(name: str, key: str, default: int) -> None:
        days = values.get(key) or default
        out[name] = LetterDate(days_after(today, days), f"{days} days from the date of the letter")

    if kind == "complaint":
        sender_set("wait_until", "letter.wait_days", 14)
    elif kind == "escalation":
        sender_set("reply_by", "letter.reply_days", 7)
    elif kind == "cease-and-desist":
        sender_set("comply_by", "letter.compliance_days", 14)
    elif kind == "us-fcba-billing-error":
        arrive = _window(
            errors,
            values,
            today,
            "letter.statement_date",
            "US-FCBA/consumer-notice",
            "the 60-day window for the notice to reach the creditor ended on",
            us,
        )
        if arrive is not None:
            out["must_arrive_by"] = arrive
            out["post_by"] = LetterDate(
                max(today, arrive.day - timedelta(days=7)),
                "a week before it must arrive, for postage",
            )
    elif kind == "us-fdcpa-validation-request" and values.get("letter.validation_notice_date"):
        sent = values["letter.validation_notice_date"]
        facts = Facts(
            milestones={"validation_info_provided": [datetime.combine(sent, time(9), zone)]}
        )
        computed = derive(
            [regime_get("US-FDCPA")],
            facts,
            zone=zone,
            close_of_business=time(17),
            calendars=lambda name: _calendar("US" if name == "organisation" else name),
            explain=False,
        )
        end = next(d for d in computed if d.rule.id == "validation-period")
        if end.due_date is not None:
            out["validation_ends"] = LetterDate(
                end.due_date,
                "30 days after the notice is assumed received (5 business days after it was sent)",
                _citation(end.rule),
                end.key,
            )
            _future(
                errors,
                "letter.validation_notice_date",
                end.due_date,
                today,
                "the validation period ended on",
                us,
            )
    elif kind == "uk-letter-before-claim":
        key = (
            "UK-PRE-ACTION/debt-claim-reply"
            if values.get("letter.debt_claim")
            else "UK-PRE-ACTION/letter-before-claim-response"
        )
        out["reply_by"] = rule_date(key, today, None)
    elif kind == "uk-cra-short-term-rejection":
        window = _window(
            errors,
            values,
            today,
            "letter.delivered_on",
            "UK-CRA-GOODS/short-term-reject",
            "the 30-day short-term right to reject ended on",
            us,
        )
        if window is not None:
            out["reject_by"] = window
    elif kind == "acknowledgement":
        given = values.get("letter.acknowledge_by")
        regime = str(values.get("case.regime") or "")
        found = _response_deadline(regime, deadlines)
        if given is not None:
            out["respond_by"] = LetterDate(given, "the date set on the letter form")
            _future(errors, "letter.acknowledge_by", given, today, "the response date", us)
        elif found is not None and found.due is not None:
            out["respond_by"] = LetterDate(found.due, found.title, rule_key=found.key)
        else:
            raise MissingFields(
                "acknowledgement",
                [
                    Missing(
                        ALL_FIELDS["letter.acknowledge_by"],
                        "no regime deadline could be computed for this case",
                    )
                ],
            )
    elif kind == "holding-response":
        expected = values["letter.expected_by"]
        out["expected_by"] = LetterDate(expected, "the date set on the letter form")
        _future(errors, "letter.expected_by", expected, today, "the expected date", us)
        regime = str(values.get("case.regime") or "")
        found = _response_deadline(regime, deadlines)
        if found is not None and found.due is not None:
            out["regime_due"] = LetterDate(found.due, found.title, rule_key=found.key)
            if (
                regime == "UK-FCA-DISP"
                and expected > found.due
                and not values.get("letter.fos_referral_now")
            ):
                errors["letter.fos_referral_now"] = (
                    f"must be yes: the full response is promised for {day_words(expected)}, "
                    f"after the end of the eight weeks on {day_words(found.due)}, so the letter "
                    "must tell the customer they may refer the complaint to the Financial "
                    "Ombudsman Service (DISP 1.6.2R(2))"
                )
    elif kind == "final-response":
        if values.get("case.regime") in {"UK-FCA-DISP", "UK-FCA-PSD"}:
            code = str(values["case.regime"])
            out["fos_by"] = rule_date(f"{code}/fos-referral", today, None)
    elif kind == "resolution-confirmation":
        action = values["letter.action_by"]
        out["action_by"] = LetterDate(action, "the date agreed")
        _future(errors, "letter.action_by", action, today, "the date agreed for the action", us)
        if values["letter.agreed_on"] > today:
            errors["letter.agreed_on"] = (
                f"is {day_words(values['letter.agreed_on'], us)}, after the date of the letter"
            )
    elif kind == "cease-and-desist-reply":
        respond = values["letter.respond_by"]
        out["respond_by"] = LetterDate(respond, "the date set on the letter form")
        _future(errors, "letter.respond_by", respond, today, "the reply date", us)
        if values["letter.their_letter_date"] > today:
            errors["letter.their_letter_date"] = (
                f"is {day_words(values['letter.their_letter_date'], us)}, after the date of "
                "this reply"
            )
    elif kind == "service-termination":
        notice = values["letter.notice_days"]
        earliest = days_after(today, notice)
        given = values.get("letter.effective_date")
        if given is not None and given < earliest:
            errors["letter.effective_date"] = (
                f"{day_words(given, us)} does not honour the {notice}-day notice period: the "
                f"earliest effective date is {day_words(earliest, us)}"
            )
        day = given or earliest
        out["effective"] = LetterDate(day, f"{notice} days' notice from the date of the letter")
    if errors:
        raise InvalidFields(errors)
    return out


#: What each date a letter states is, in words (for warnings).
DATE_NAMES = {
    "wait_until": "the date you will wait until",
    "reply_by": "the reply date",
    "comply_by": "the date to comply by",
    "must_arrive_by": "the date the notice must arrive by",
    "post_by": "the date to post it by",
    "validation_ends": "the end of the validation period",
    "reject_by": "the last day to reject the goods",
    "respond_by": "the response date",
    "expected_by": "the expected date",
    "regime_due": "the regime's response deadline",
    "fos_by": "the end of the six months to refer to the ombudsman",
    "action_by": "the date agreed for the action",
    "effective": "the date the service ends",
}


def past_dates(dates: Mapping[str, LetterDate], *, dated: date, today: date, us: bool) -> list[str]:
    """Warnings for a letter dated before `today` (the day it is written): its date, and
    each date it states that has already passed."""
    if dated >= today:
        return []
    out = [f"The letter is dated {day_words(dated, us)}, before today ({day_words(today, us)})."]
    for name, when in sorted(dates.items(), key=lambda item: item[1].day):
        if when.day < today:
            out.append(
                f"{DATE_NAMES.get(name, name.replace('_', ' ')).capitalize()}, "
                f"{day_words(when.day, us)}, has already passed."
            )
    return out


def period_words(key: str) -> str:
    """A rule's period in words, e.g. '30 calendar days' (for letters that cannot date it)."""
    try:
        return str(rule_of(key).period)
    except (UnknownRegime, KeyError):
        return ""
