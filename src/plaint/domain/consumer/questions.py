"""The guided interview: one plain-language question per letter field, why it matters,
and how an answer is checked before it is kept.

The questions a letter asks are its own fields (`LetterSpec.required`, the fields its
values make required, then `LetterSpec.optional`), so an interview never asks for
something the letter does not use. Answers are kept per case, not per letter: a second
letter starts with everything the first one was told.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from plaint.domain.contactpoints import LETTER_FIELDS as CONTACT_POINTS
from plaint.domain.contactpoints import ContactPointError, contact_point_clean
from plaint.domain.errors import DomainError
from plaint.domain.letters.catalogue import CATALOGUE, LetterSpec, Side, letter_spec
from plaint.domain.letters.fields import ALL_FIELDS, Kind, coerce, plain
from plaint.domain.letters.schedule import PAST_EVENTS, day_words
from plaint.domain.money import MoneyError, money_parse


class Input(StrEnum):
    LINE = "line"
    TEXT = "text"  # several lines
    DATE = "date"
    MONEY = "money"
    DAYS = "days"
    CHOICE = "choice"
    YESNO = "yesno"
    EMAIL = "email"
    PHONE = "phone"
    LIST = "list"  # one item a line


@dataclass(frozen=True)
class Question:
    key: str
    ask: str
    why: str
    input: Input = Input.LINE
    choices: tuple[tuple[str, str], ...] = ()  # (value, words)
    max_chars: int = 200
    example: str = ""

    @property
    def label(self) -> str:
        return ALL_FIELDS[self.key].label


class AnswerProblem(DomainError):
    """An answer that cannot be kept, said in plain words for beside the question."""


_CONCISE = 2_000  # about half a page: a letter that is read is short
_Q = Question
QUESTIONS: dict[str, Question] = {
    q.key: q
    for q in (
        _Q("customer.name", "What is your full name?",
           "The business finds you by name, and the letter is signed with it."),
        _Q("customer.address", "What is your postal address?",
           "It goes at the top of the letter so a reply by post reaches you.",
           Input.TEXT, max_chars=400, example="41 Larch Street\nHometown, TX 77008"),
        _Q("customer.email", "What e-mail address should they reply to?",
           "A written reply is a record; e-mail is the quickest way to get one.", Input.EMAIL),
        _Q("customer.phone", "What phone number can they call you on?",
           "Include the area code, so they can call back without asking.", Input.PHONE),
        _Q("customer.best_times", "When is the best time to reach you?",
           "It saves calls that miss you and shows you are easy to deal with.",
           example="weekdays after 5 p.m."),
        _Q("business.name", "What is the business called?",
           "Use the name on your bill or receipt, so the letter reaches the right company."),
        _Q("business.address", "What is the business's postal address?",
           "Use the complaints or customer-relations address if they publish one: a letter "
           "there is logged.", Input.TEXT, max_chars=400),
        _Q("business.email", "What is the business's e-mail address for complaints?",
           "With it Plaint can draft the e-mail for you to send.", Input.EMAIL),
        _Q("business.contact_name", "Is there a person you are writing to? (their name)",
           "A named person is harder to ignore than 'Sir or Madam'."),
        _Q("business.contact_title", "What is that person's job title?",
           "It shows you chose the right person, e.g. Director of Customer Relations."),
        _Q("business.department", "Which department are you writing to?",
           "Letters addressed to a department get routed instead of lost.",
           example="Customer Relations"),
        _Q("case.product", "What did you buy, or what service is it?",
           "Give the model or serial number if there is one: it pins down what you mean.",
           example="Unlimited Plus phone plan"),
        _Q("case.bought_where", "Where did you buy it?",
           "The shop or website shows which part of the business sold it to you."),
        _Q("case.order_number", "What is the order number?",
           "The order number lets them find your account without asking you again."),
        _Q("case.account_number", "What is your account number?",
           "It ties the letter to the account the problem is on."),
        _Q("case.occurred_on", "On what date did it happen (or did you buy it)?",
           "Dates let them check their records, and some of your rights run from this date.",
           Input.DATE),
        _Q("case.description", "What went wrong? Say it in a few sentences.",
           "Facts in order, without anger, are what get a complaint taken seriously. Put "
           "long detail in your evidence instead.", Input.TEXT, max_chars=_CONCISE),
        _Q("case.amount", "How much money is in dispute?",
           "A figure turns a complaint into a specific request.", Input.MONEY,
           example="84.20"),
        _Q("case.currency", "In which currency?",
           "So the amount is printed correctly.", Input.CHOICE,
           choices=(("USD", "US dollars ($)"), ("GBP", "Pounds sterling (£)"),
                    ("EUR", "Euros (€)"))),
        _Q("case.desired_resolution", "What do you want them to do?",
           "Saying exactly what would put it right (a refund, a repair, a corrected bill) "
           "makes it easy for them to say yes.", Input.TEXT, max_chars=1_000),
        _Q("letter.wait_days", "How many days will you give them to reply?",
           "The letter names a date; after it you may go to an agency. 14 days is usual.",
           Input.DAYS, example="14"),
        _Q("letter.reply_days", "How many days will you give them to reply to the escalation?",
           "An escalation asks for a prompt answer; 7 days is usual.", Input.DAYS,
           example="7"),
        _Q("letter.compliance_days", "How many days will you give them to stop?",
           "A cease-and-desist letter sets a reasonable date to comply; 14 days is usual.",
           Input.DAYS, example="14"),
        _Q("letter.agency", "Which agency or ombudsman will you go to if they do nothing?",
           "Naming where you will go next shows you know your options.",
           example="the state Attorney General's consumer protection office"),
        _Q("letter.issue_type", "What kind of conduct do you want stopped?",
           "The letter is tailored to the problem: billing, harassment, false claims or a "
           "refused warranty.", Input.CHOICE,
           choices=(("unfair_billing", "Unfair or wrong billing"),
                    ("harassment", "Harassment (repeated calls, threats)"),
                    ("misrepresentation", "False or misleading claims"),
                    ("warranty_refusal", "Refusing a repair, replacement or warranty"))),
        _Q("letter.conduct", "What exactly must stop? Describe it in a sentence or two.",
           "The business must know precisely what to stop doing, and since when.",
           Input.TEXT, max_chars=1_000),
        _Q("letter.delivery", "How will you send this letter?",
           "Saying how it was sent (e.g. e-mail and certified mail) records that it arrived.",
           example="e-mail, with a copy by tracked post"),
        _Q("letter.charges_not_agreed", "Did you agree to these charges?",
           "The letter says you did not agree only if you tell it so.", Input.YESNO,
           choices=(("yes", "I did not agree to them"), ("no", "I agreed, or I am not sure"))),
        _Q("letter.statement_date", "What is the date of the statement that shows the error?",
           "For a US credit card the 60 days to dispute run from this statement.",
           Input.DATE),
        _Q("letter.billing_address", "What is the card issuer's address for billing errors?",
           "The dispute must go to the 'billing inquiries' address on your statement, not "
           "the payments address.", Input.TEXT, max_chars=400),
        _Q("letter.error_category", "What kind of billing error is it?",
           "The law lists the kinds of error it covers; naming yours makes the notice clear.",
           Input.CHOICE,
           choices=(("wrong_amount", "Charged the wrong amount (or twice)"),
                    ("unauthorised", "A charge I did not make or allow"),
                    ("not_delivered", "Goods or services not delivered as agreed"),
                    ("payment_not_credited", "A payment not credited"),
                    ("computational", "A mistake in the sums"),
                    ("clarification", "A charge I need explained, with proof"))),
        _Q("letter.contacted_on", "On what date did the collector contact you?",
           "It dates the contact you are asking to stop.", Input.DATE),
        _Q("letter.contacted_by", "How did the collector contact you?",
           "Phone, letter, text...: the letter names what must stop.", example="phone"),
        _Q("letter.debt_details", "What did the collector say the debt is?",
           "So there is no doubt which debt the letter is about.", Input.TEXT,
           max_chars=1_000),
        _Q("letter.also_dispute", "Do you also dispute that you owe it?",
           "If so the letter says so, in writing.", Input.YESNO,
           choices=(("yes", "Yes, I dispute it"), ("no", "No"))),
        _Q("letter.stop_requested_on", "When did you first ask them to stop?",
           "An earlier request by phone or in person shows they already knew.", Input.DATE),
        _Q("letter.stop_requested_how", "How, and to whom, did you ask?",
           "For example: on the phone, to the agent who called.", max_chars=300),
        _Q("letter.contacted_at_work", "Did they contact you at work?",
           "The letter mentions it only if you say so.", Input.YESNO,
           choices=(("yes", "Yes"), ("no", "No"))),
        _Q("letter.employer_prohibits", "Does your employer forbid such calls at work?",
           "The letter says so only if it is true.", Input.YESNO,
           choices=(("yes", "Yes"), ("no", "No"))),
        _Q("letter.third_parties", "Did they contact anyone else about the debt?",
           "For example: my sister, my neighbour.", max_chars=300),
        _Q("letter.validation_notice_date", "On what date was their validation notice sent?",
           "The time you have to ask for validation runs from it.", Input.DATE),
        _Q("letter.disputed_items", "Which items on the report are wrong? One a line.",
           "Each wrong item is listed so it can be checked.", Input.LIST, max_chars=1_000),
        _Q("letter.legal_basis", "What right are you relying on?",
           "A letter before claim says why the money or action is owed.", Input.TEXT,
           max_chars=1_000),
        _Q("letter.amount_calculation", "How is the amount you claim worked out?",
           "Showing the sum lets them check it and pay it.", Input.TEXT, max_chars=1_000),
        _Q("letter.debt_claim", "Are you a business claiming a debt from a person?",
           "A consumer writing to a business answers no.", Input.YESNO,
           choices=(("no", "No, I am a consumer"), ("yes", "Yes"))),
        _Q("handler.name", "Who is signing the letter?",
           "The name under the signature."),
        _Q("letter.delivered_on", "On what date were the goods delivered?",
           "Under the Consumer Rights Act the 30 days to reject run from delivery.",
           Input.DATE),
        _Q("letter.fault", "What is wrong with the goods?",
           "Describe the fault plainly, as you would to a repairer.", Input.TEXT,
           max_chars=1_000),
    )
}  # fmt: skip

_INPUT_OF_KIND = {
    Kind.DATE: Input.DATE,
    Kind.MONEY: Input.MONEY,
    Kind.INT: Input.DAYS,
    Kind.BOOL: Input.YESNO,
    Kind.CHOICE: Input.CHOICE,
    Kind.LIST: Input.LIST,
}


def question_for(key: str) -> Question:
    """The question for a letter field (a plain one made from its label if Plaint has no
    wording of its own for it)."""
    if key in QUESTIONS:
        return QUESTIONS[key]
    field = ALL_FIELDS[key]
    return Question(
        key=key,
        ask=field.label + "?",
        why="The letter uses it.",
        input=_INPUT_OF_KIND.get(field.kind, Input.LINE),
        choices=tuple((c, c.replace("_", " ")) for c in field.choices),
    )


def consumer_letters(jurisdiction: str) -> list[LetterSpec]:
    """The letters a consumer in `jurisdiction` (US, GB) can write."""
    code = jurisdiction.upper()[:2]
    return [
        spec
        for spec in CATALOGUE.values()
        if spec.side is not Side.BUSINESS
        and (spec.jurisdiction == "ANY" or spec.jurisdiction[:2] == code)
    ]


def interview_keys(kind: str, answers: Mapping[str, Any]) -> list[str]:
    """The questions of the letter `kind`, in order: what it needs, what the answers so far
    make it need, what it can use, then the two e-mail addresses its e-mail draft is sent
    from and to."""
    spec = letter_spec(kind)
    typed = typed_answers(answers)
    keys: list[str] = []
    sender, to = (
        ("business", "customer") if spec.side is Side.BUSINESS else ("customer", "business")
    )
    emails = (f"{sender}.email", f"{to}.email")
    for key in (*spec.required, *(k for k, _ in spec.conditional(typed)), *spec.optional, *emails):
        if key not in keys:
            keys.append(key)
    return keys


def required_keys(kind: str, answers: Mapping[str, Any]) -> set[str]:
    spec = letter_spec(kind)
    return {*spec.required, *(k for k, _ in spec.conditional(typed_answers(answers)))}


def typed_answers(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The kept answers as typed values (for a letter's conditions); unreadable ones are
    left out."""
    out: dict[str, Any] = {}
    for key, value in answers.items():
        if key in ALL_FIELDS:
            try:
                out[key] = coerce(ALL_FIELDS[key], value)
            except ValueError:
                continue
    return out


def _size_words(chars: int) -> str:
    pages = chars / 3_000
    return "under a page" if pages < 1 else f"about {round(pages):,} page{'s' * (pages >= 1.5)}"


def answer_check(key: str, raw: str, *, today: date, country: str) -> Any:
    """The answer to keep for `key` (JSON-ready: text, a yes/no, a number of days, a list),
    or AnswerProblem saying in plain words what is wrong. An empty answer is None."""
    question = question_for(key)
    field = ALL_FIELDS[key]
    text = (raw or "").replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        raise AnswerProblem("This answer contains a hidden NUL character; please type it again.")
    text = text.strip()
    if not text:
        return None
    limit = question.max_chars
    if len(text) > limit:
        raise AnswerProblem(
            f"This answer is {len(text):,} characters long ({_size_words(len(text))}). The "
            f"letter needs {limit:,} characters at most (about "
            f"{max(1, limit // 6):,} words): keep the key facts here and add the rest to "
            "your evidence."
        )
    if question.input is Input.MONEY:
        try:
            amount = money_parse(text)
        except MoneyError as exc:
            raise AnswerProblem(f"“{text[:40]}” {exc.message}.") from None
        if amount is None:
            raise AnswerProblem("Write just the number, e.g. 84.20.")
        return str(amount)
    if question.input is Input.DAYS:
        if not text.isdigit() or not 1 <= int(text) <= 365:
            raise AnswerProblem(f"“{text}” is not a number of days: write a whole number, e.g. 14.")
        return int(text)
    if question.input is Input.DATE:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise AnswerProblem(
                f"“{text}” is not a date we can read. Write it as year-month-day, e.g. "
                f"{today.isoformat()}."
            ) from None
        if key in PAST_EVENTS and day > today:
            raise AnswerProblem(
                f"{day_words(day, country == 'US')} is in the future. This question asks "
                "when something happened, so the date must be today or earlier."
            )
        return day.isoformat()
    if key in CONTACT_POINTS:
        try:
            return contact_point_clean(CONTACT_POINTS[key], text, country=country) or None
        except ContactPointError as exc:
            raise AnswerProblem(_contact_words(question, text, exc.message)) from None
    if question.input is Input.LIST:
        return [line.strip() for line in text.split("\n") if line.strip()]
    try:
        value = coerce(field, text)
    except ValueError as exc:
        raise AnswerProblem(f"This answer {exc}.") from None
    return plain(value)


def _contact_words(question: Question, text: str, message: str) -> str:
    if question.input is Input.EMAIL:
        return (
            f"“{text}” cannot be an e-mail address ({message.split(': ', 1)[-1]}). It "
            "looks like name@example.com."
        )
    if question.input is Input.PHONE:
        return f"“{text}” is not a phone number we can read: check the digits and the area code."
    return f"This answer {message}."
