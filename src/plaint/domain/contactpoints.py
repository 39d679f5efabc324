"""The rules for the fields that say who someone is and how to reach them: names, phone
numbers, e-mail addresses and postal addresses.

Every interface that accepts them (the desk, the portal, the YAML case file of the
`plaint letter` command) and the case services behind them use these functions, so a value
refused in one place is refused in all of them:

- A name, phone number or e-mail address is one line. A line break there could add a
  header to an e-mail (``.eml``) or a line to a letter that the record does not hold.
- A postal address may have several lines; each line follows the rules of a name.
- None of them may hold control characters (NUL, tabs...), the invisible characters that
  change the direction of text (U+202E and its kin, which can make a name read
  differently from what is stored), or markup and template syntax (``<``, ``>``, ``{``,
  ``}``), which no name or address needs.
- Phone numbers are parsed with the organisation's country as the default region and
  stored in E.164 (``+442079460000``); they are shown in the national format of that
  country (``020 7946 0000``), and in the international format otherwise.
- E-mail addresses are checked for syntax (not deliverability: no network look-up) and
  stored in their normalised form (the domain in lower case).

Each function returns the cleaned value or raises `ContactPointError`, whose message is a
phrase that follows the field's name ("contains a line break...").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

import email_validator
import phonenumbers

from plaint.domain.errors import DomainError

NAME_MAX = 200
ADDRESS_MAX = 1000
ADDRESS_LINE_MAX = 200
PHONE_INPUT_MAX = 40

#: Characters that reorder or hide text: the bidirectional embeddings, overrides and
#: isolates, and the marks that carry direction without showing.
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
#: Markup and template syntax: a name or an address never needs them.
MARKUP = frozenset("<>{}")
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


class ContactPointError(DomainError):
    """A name, phone number, e-mail address or postal address was refused. The message
    reads after the field's name: "contains a line break; write it on one line"."""


class Kind(StrEnum):
    NAME = "name"
    PHONE = "phone"
    EMAIL = "email"
    ADDRESS = "address"


def _character_problem(text: str, *, line_breaks_allowed: bool = False) -> str:
    """What is wrong with the characters of `text`, or ""."""
    for char in text:
        if char in LINE_BREAKS and not line_breaks_allowed:
            return "contains a line break; write it on one line"
        if char == "\x00":
            return "contains a NUL character"
        if char in BIDI_CONTROLS:
            return (
                f"contains the invisible text-direction character U+{ord(char):04X}, "
                "which can make it read differently from what is stored"
            )
        if char in MARKUP:
            return f"contains {char!r}, which is markup or template syntax and not part of it"
        if char in LINE_BREAKS:
            continue
        category = unicodedata.category(char)
        if category in {"Cc", "Cs", "Co", "Cn"} or (category == "Cf" and char != "\u200d"):
            return f"contains the control character U+{ord(char):04X}"
    return ""


def _checked_line(value: str, *, max_length: int, required: bool = False) -> str:
    text = value.strip()
    problem = _character_problem(text)
    if problem:
        raise ContactPointError(problem)
    if required and not text:
        raise ContactPointError("is required")
    if len(text) > max_length:
        raise ContactPointError(f"is longer than {max_length:,} characters ({len(text):,})")
    return text


def name_clean(value: str, *, required: bool = False) -> str:
    """A person's or a business's name: one line, no control, direction or markup
    characters, at most `NAME_MAX` characters; surrounding spaces removed."""
    return _checked_line(value, max_length=NAME_MAX, required=required)


def address_clean(value: str) -> str:
    """A postal address: lines separated by line breaks (any spelling of them becomes
    ``\\n``), each line checked like a name, blank lines and surrounding spaces removed."""
    unified = value.replace("\r\n", "\n").replace("\r", "\n")
    for separator in ("\u2028", "\u2029", "\x85"):
        unified = unified.replace(separator, "\n")
    lines = []
    for number, line in enumerate(unified.split("\n"), start=1):
        try:
            text = _checked_line(line, max_length=ADDRESS_LINE_MAX)
        except ContactPointError as exc:
            raise ContactPointError(f"line {number} {exc.message}") from None
        if text:
            lines.append(text)
    address = "\n".join(lines)
    if len(address) > ADDRESS_MAX:
        raise ContactPointError(f"is longer than {ADDRESS_MAX:,} characters ({len(address):,})")
    return address


def address_line_clean(value: str) -> str:
    """One line of an address (a town, a postcode): like a name."""
    return _checked_line(value, max_length=ADDRESS_LINE_MAX)


def _region(country: str) -> str | None:
    code = country.strip().upper()
    if code == "UK":
        code = "GB"
    return code if code in phonenumbers.SUPPORTED_REGIONS else None


def phone_clean(value: str, *, country: str) -> str:
    """A phone number in E.164 (``+442079460000``), read as a number of `country` (ISO 3166
    alpha-2, e.g. ``GB``) unless it starts with ``+`` and its country code. "" stays ""."""
    text = _checked_line(value, max_length=PHONE_INPUT_MAX)
    if not text:
        return ""
    region = _region(country)
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        if region is None and not text.startswith("+"):
            raise ContactPointError(
                "must start with + and the country code (e.g. +44 20 7946 0000)"
            ) from None
        raise ContactPointError(f"{text!r} is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        where = f" for {region}" if region and not text.startswith("+") else ""
        raise ContactPointError(
            f"{text!r} is not a valid phone number{where}; check the digits, or start "
            "with + and the country code"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_display(value: str, *, country: str) -> str:
    """A stored phone number as people write it: the national format for a number of
    `country`, the international format for any other. A value that is not a phone number
    (stored before numbers were checked) is shown as it is."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, _region(country))
    except phonenumbers.NumberParseException:
        return value
    if not phonenumbers.is_valid_number(number):
        return value
    same = phonenumbers.region_code_for_number(number) == _region(country)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if same
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)


def email_clean(value: str) -> str:
    """An e-mail address, checked for syntax (no network look-up) and normalised. "" stays
    ""."""
    text = _checked_line(value, max_length=254)
    if not text:
        return ""
    try:
        checked = email_validator.validate_email(text, check_deliverability=False)
    except email_validator.EmailNotValidError as exc:
        reason = str(exc).rstrip(".")
        raise ContactPointError(f"{text!r} is not a valid e-mail address: {reason}") from None
    return str(checked.normalized)


def contact_point_clean(kind: Kind | str, value: str, *, country: str) -> str:
    """Clean `value` as a contact point of `kind`."""
    match Kind(kind):
        case Kind.NAME:
            return name_clean(value)
        case Kind.PHONE:
            return phone_clean(value, country=country)
        case Kind.EMAIL:
            return email_clean(value)
        case Kind.ADDRESS:
            return address_clean(value)


#: The letter fields that are contact points, by their dotted key.
LETTER_FIELDS: dict[str, Kind] = {
    "customer.name": Kind.NAME,
    "customer.address": Kind.ADDRESS,
    "customer.email": Kind.EMAIL,
    "customer.phone": Kind.PHONE,
    "business.name": Kind.NAME,
    "business.contact_name": Kind.NAME,
    "business.department": Kind.NAME,
    "business.address": Kind.ADDRESS,
    "business.email": Kind.EMAIL,
    "business.phone": Kind.PHONE,
    "handler.name": Kind.NAME,
}


def letter_values_clean(
    values: Mapping[str, Any], *, country: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """The letter values with their contact points cleaned (phones in the national
    format of `country`, as a letter shows them), and the problems by dotted key."""
    cleaned = dict(values)
    errors: dict[str, str] = {}
    for key, kind in LETTER_FIELDS.items():
        value = values.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            errors[key] = "must be text"
            continue
        try:
            text = contact_point_clean(kind, value, country=country)
        except ContactPointError as exc:
            errors[key] = exc.message
            continue
        cleaned[key] = phone_display(text, country=country) if kind is Kind.PHONE else text
    return cleaned, errors
