"""Hosted workspaces: one account per consumer, signed in by an e-mailed link that works
once, for an hour; the desk refuses the account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client, TestCase
from django.urls import reverse

from plaint.consumer import services
from tests.consumer.journeys import DAY_ONE

pytestmark = pytest.mark.django_db


@pytest.fixture
def hosted(settings):  # type: ignore[no-untyped-def]
    settings.CONSUMER_LOCAL = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(DAY_ONE, tick=False) as traveller:
        yield traveller


def ask_link(client: Client, address: str) -> str:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("consumer:sign_in"), {"email": address})
    assert response.status_code == 200 and "Check your e-mail" in response.content.decode()
    found = re.search(r"http://testserver(/consumer/sign-in/[^\s]+/)", mail.outbox[-1].body)
    assert found, mail.outbox[-1].body
    return found[1]


def test_a_link_signs_in_once_and_shows_only_their_cases(client: Client, hosted) -> None:  # type: ignore[no-untyped-def]
    assert client.get(reverse("consumer:home"))["Location"].startswith("/consumer/sign-in/")
    link = ask_link(client, "Dana.Whitfield@example.org")
    assert mail.outbox[-1].to == ["Dana.Whitfield@example.org"]
    assert "Sign in as" in client.get(link).content.decode()  # opening it signs no one in
    assert client.post(link).status_code == 302
    home = client.get(reverse("consumer:home"))
    assert home.status_code == 200
    case = services.case_start(
        owner=home.wsgi_request.user,
        title="Mine",
        jurisdiction="US",
        time_zone="America/New_York",
        now=DAY_ONE,
    )
    assert client.get(reverse("consumer:case", args=[case.pk])).status_code == 200
    # The desk is not theirs.
    assert client.get("/").status_code in {302, 403}
    # Used once: the same link is refused.
    client.logout()
    refused = client.post(link)
    assert refused.status_code == 400 and "has been used" in refused.content.decode()
    # The same address signs in to the same account again.
    client.post(ask_link(client, "dana.whitfield@example.org"))
    assert client.get(reverse("consumer:case", args=[case.pk])).status_code == 200


def test_an_old_or_forged_link_is_refused(client: Client, hosted) -> None:  # type: ignore[no-untyped-def]
    link = ask_link(client, "lee@example.org")
    hosted.shift(timedelta(minutes=61))
    assert "more than 60 minutes old" in client.post(link).content.decode()
    forged = re.sub(r"/[^/]+/$", "/cafe-0123456789abcdef/", ask_link(client, "lee@example.org"))
    assert client.post(forged).status_code == 400
    assert client.post("/consumer/sign-in/!!/x-y/").status_code == 400


def test_bad_addresses_and_too_many_links(client: Client, hosted) -> None:  # type: ignore[no-untyped-def]
    bad = client.post(reverse("consumer:sign_in"), {"email": "dana@@example"})
    assert bad.status_code == 400 and "is not a valid e-mail address" in bad.content.decode()
    header = client.post(reverse("consumer:sign_in"), {"email": "a@example.org\nBcc: x@y.z"})
    assert header.status_code == 400
    for _ in range(5):
        ask_link(client, "sam@example.org")
    again = client.post(reverse("consumer:sign_in"), {"email": "sam@example.org"})
    assert again.status_code == 400 and "Several links" in again.content.decode()
    assert len(mail.outbox) == 5


def test_the_local_workspace_has_no_sign_in(client: Client) -> None:
    assert client.get(reverse("consumer:sign_in")).status_code == 404
