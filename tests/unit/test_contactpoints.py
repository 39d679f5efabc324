"""The contact-point rules: one line, no control, direction or markup characters; phones
in E.164, shown nationally; e-mail addresses checked and normalised."""

from __future__ import annotations

import pytest

from plaint.domain.contactpoints import (
    ContactPointError,
    address_clean,
    email_clean,
    letter_values_clean,
    name_clean,
    phone_clean,
    phone_display,
)

HOSTILE = {
    "Dana\nBcc: all@example.org": "contains a line break; write it on one line",
    "Dana\rWhitfield": "contains a line break; write it on one line",
    "Dana\u2028Whitfield": "contains a line break; write it on one line",
    "<script>alert(1)</script>": "contains '<', which is markup or template syntax",
    "{{ 7*7 }}": "contains '{', which is markup or template syntax",
    "Dana \u202egnp.exe": "contains the invisible text-direction character U+202E",
    "Dana\x00Whitfield": "contains a NUL character",
    "Dana\tWhitfield": "contains the control character U+0009",
}


@pytest.mark.parametrize(("value", "message"), HOSTILE.items())
def test_hostile_names_are_refused_with_the_reason(value: str, message: str) -> None:
    with pytest.raises(ContactPointError) as caught:
        name_clean(value)
    assert caught.value.message.startswith(message)


@pytest.mark.parametrize("value", ["Dana Whitfield", "Zoë O'Brien-Łukasz", "Smith & Sons Ltd"])
def test_ordinary_names_pass(value: str) -> None:
    assert name_clean(f"  {value} ") == value


def test_address_keeps_its_lines_and_names_the_bad_one() -> None:
    assert address_clean("2 Elm Row\r\n  Leeds \n\nLS1 1AA") == "2 Elm Row\nLeeds\nLS1 1AA"
    with pytest.raises(ContactPointError) as caught:
        address_clean("2 Elm Row\nLeeds {{ 7*7 }}")
    assert caught.value.message.startswith("line 2 contains '{'")
    with pytest.raises(ContactPointError, match="U\\+202E"):
        address_clean("2 Elm Row\n\u202eLeeds")


@pytest.mark.parametrize(
    ("value", "country", "stored", "shown"),
    [
        ("020 7946 0000", "GB", "+442079460000", "020 7946 0000"),
        ("+44 20 7946 0000", "US", "+442079460000", "+44 20 7946 0000"),
        ("(202) 555-0143", "US", "+12025550143", "(202) 555-0143"),
        ("", "GB", "", ""),
    ],
)
def test_phones_are_stored_in_e164_and_shown_nationally(
    value: str, country: str, stored: str, shown: str
) -> None:
    assert phone_clean(value, country=country) == stored
    assert phone_display(stored, country=country) == shown


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12", "'12' is not a valid phone number for GB"),
        ("call me", "'call me' is not a phone number"),
        ("020 7946 0000\nX-Header: 1", "contains a line break"),
    ],
)
def test_bad_phones_are_refused(value: str, message: str) -> None:
    with pytest.raises(ContactPointError) as caught:
        phone_clean(value, country="GB")
    assert caught.value.message.startswith(message)


def test_a_phone_stored_before_the_rules_is_shown_as_it_is() -> None:
    assert phone_display("ask for Dana", country="GB") == "ask for Dana"


def test_emails_are_checked_and_normalised() -> None:
    assert email_clean(" Dana@Example.ORG ") == "Dana@example.org"
    with pytest.raises(ContactPointError, match="'dana@' is not a valid e-mail address"):
        email_clean("dana@")
    with pytest.raises(ContactPointError, match="line break"):
        email_clean("dana@example.org\nBcc: x@example.org")


def test_letter_values_are_cleaned_and_each_problem_named() -> None:
    cleaned, errors = letter_values_clean(
        {
            "customer.name": "Dana",
            "customer.phone": "+442079460000",
            "business.address": "1 Commerce Way\nLondon",
            "business.email": "complaints@acme\nBcc: x@example.org",
            "case.description": "free text\nwith lines",
        },
        country="GB",
    )
    assert cleaned["customer.phone"] == "020 7946 0000"
    assert cleaned["case.description"] == "free text\nwith lines"
    assert errors == {"business.email": "contains a line break; write it on one line"}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('  name: "Dana\\nBcc: all@example.org"', "`customer: name` contains a line break"),
        ('  email: "dana@example.org\\r\\nX-Spam: 1"', "`customer: email` contains a line break"),
        ("  name: '{{ 7*7 }}'", "`customer: name` contains '{'"),
        ('  name: "Dana \\u202eWhitfield"', "`customer: name` contains the invisible"),
        ('  name: "Dana\\0"', "`customer: name` contains a NUL character"),
        ("  phone: '12'", "`customer: phone` '12' is not a valid phone number for GB"),
    ],
)
def test_the_yaml_case_file_refuses_hostile_contact_points(line: str, message: str) -> None:
    from plaint.domain.letters.casefile import CaseFileError, casefile_parse

    with pytest.raises(CaseFileError) as caught:
        casefile_parse(f"customer:\n{line}\n", "dana.yaml")
    assert message in caught.value.message


def test_the_yaml_case_file_normalises_contact_points() -> None:
    from plaint.domain.letters.casefile import casefile_parse

    parsed = casefile_parse(
        "customer:\n  name: ' Dana '\n  phone: '+442079460000'\n  email: Dana@Example.ORG\n"
        '  address: "2 Elm Row\\r\\nLeeds"\n'
    )
    assert parsed.values == {
        "customer.name": "Dana",
        "customer.phone": "020 7946 0000",
        "customer.email": "Dana@example.org",
        "customer.address": "2 Elm Row\nLeeds",
    }
