"""Private links, tokens and query strings never reach a log line or printed mail."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest
from django.core.mail import EmailMessage
from django.test import Client

from plaint.accounts.models import Organisation
from plaint.config.log_redaction import MARK, RedactingConsoleEmailBackend, redact

TOKEN = "Zq3xY7_k-2Lm9Pq4Rs8Tu1Vw5Xy0Ab6Cd2Ef7Gh3Ij"
API_TOKEN = "plt_0a1b2c3d_Sx9vQ2kLm4Np7Rt1Uw3Yz5Ab8Cd0Ef2Gh4Ij6Kl"


@pytest.mark.parametrize(
    ("line", "secret", "kept"),
    [
        (f"Not Found: /complain/acme/case/{TOKEN}/evidence/", TOKEN, "/complain/acme/case/"),
        (f"http://desk.example/complain/acme/case/{TOKEN}/", TOKEN, "http://desk.example"),
        ("GET /consumer/sign-in/MTI/c7k2-9f1e3a/ 302", "c7k2-9f1e3a", "/consumer/sign-in/"),
        (f"Authorization: Bearer {API_TOKEN}", API_TOKEN[13:], "plt_0a1b2c3d_"),
        (
            "secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "whsec_",
        ),
        ("Bad Request: /complain/acme/link/?email=dana@example.org", "dana@example.org", "/link/"),
    ],
)
def test_redact_removes_the_secret_and_keeps_the_rest(line: str, secret: str, kept: str) -> None:
    cleaned = redact(line)
    assert secret not in cleaned
    assert kept in cleaned and MARK in cleaned


def test_ordinary_text_is_left_alone() -> None:
    line = "Periodic work 'Deadline watch' failed for case ACME-2026-000042 at /cases/ACME-1/"
    assert redact(line) == line


@pytest.fixture
def root_output() -> Iterator[io.StringIO]:
    """What the root logger's own (configured) handler writes, captured."""
    (handler,) = [h for h in logging.getLogger().handlers if h.get_name() == "console"]
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


@pytest.mark.django_db
def test_a_404_on_a_private_link_is_logged_without_its_token(
    client: Client, org: Organisation, root_output: io.StringIO
) -> None:
    response = client.get(f"/complain/{org.slug}/case/{TOKEN}/evidence/999999/")
    assert response.status_code == 404
    logged = root_output.getvalue()
    assert f"/complain/{org.slug}/case/{MARK}" in logged  # the line is there...
    assert TOKEN not in logged  # ...without the token


@pytest.mark.django_db
def test_a_traceback_is_logged_without_the_token(root_output: io.StringIO) -> None:
    try:
        raise ValueError(f"no link for /complain/acme/case/{TOKEN}/")
    except ValueError:
        logging.getLogger("plaint.test").exception("failed on %s", f"/x/?token={TOKEN}")
    logged = root_output.getvalue()
    assert "ValueError" in logged and "failed on /x/?" in logged
    assert TOKEN not in logged


def test_mail_printed_to_the_console_has_its_link_redacted() -> None:
    stream = io.StringIO()
    link = f"http://desk.example/complain/acme/case/{TOKEN}/"
    message = EmailMessage(
        "Your private link", f"Open your case here:\n{link}\n", to=["dana@example.org"]
    )
    RedactingConsoleEmailBackend(stream=stream).send_messages([message])
    printed = stream.getvalue()
    assert "Your private link" in printed and "dana@example.org" in printed
    assert "http://desk.example/complain/acme/case/" in printed
    assert TOKEN not in printed
    assert link in message.body  # the mail itself still carries the link
