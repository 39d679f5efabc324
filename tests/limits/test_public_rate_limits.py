"""Every page anyone may post to is rate-limited per client address: the portal's
complaint form, its link pages' posts, the new-link request, the consumer's sign-in and
pages, the desk's login. Past the limit: HTTP 429, `Retry-After`, a page in the site's own
style, and the post is not acted on. `X-Forwarded-For` is believed only as far as
PLAINT_TRUSTED_PROXIES says. Staff pages are not limited by these."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from plaint.accounts.models import Organisation, User
from plaint.cases.models import Case, CaseEvent
from plaint.consumer.models import ConsumerCase
from tests.portal.helpers import complaint, portal_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_window() -> datetime:
    """A pinned instant 4 minutes into a 10-minute window (6 minutes before it ends)."""
    return datetime(2026, 3, 5, 10, 24, tzinfo=UTC)


def refused(response, *, style: str, seconds: int = 6 * 60) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 429
    assert response["Retry-After"] == str(seconds)
    page = response.content.decode()
    assert style in page
    assert "Please try again later" in page
    return page


def test_the_complaint_form(
    org: Organisation, configure: Callable[..., None], in_window: datetime
) -> None:
    configure(public_rate_limit=2)
    client = Client()
    with time_machine.travel(in_window, tick=False):
        assert client.post(f"/complain/{org.slug}/", complaint()).status_code == 302
        assert client.post(f"/complain/{org.slug}/", {"name": ""}).status_code == 400  # counted
        page = refused(client.post(f"/complain/{org.slug}/", complaint()), style="portal.css")
        assert "Acme Energy" in page and "in 6 minutes" in page
        assert client.get(f"/complain/{org.slug}/").status_code == 200  # reading is not limited
    assert Case.objects.count() == 1


def test_the_link_pages_and_the_new_link_request_share_the_count(
    case: Case, configure: Callable[..., None], in_window: datetime
) -> None:
    configure(public_rate_limit=2)
    link = f"/complain/{case.organisation.slug}/case/{portal_token(case)}/"
    client = Client()
    with time_machine.travel(in_window, tick=False):
        assert client.post(link + "reply/", {"text": "hello"}).status_code == 302
        assert client.post(link + "evidence/", {}).status_code == 400
        before = CaseEvent.objects.filter(case=case).count()
        refused(client.post(link + "reply/", {"text": "again"}), style="portal.css")
        refused(client.post(link + "escalate/", {"grounds": "unhappy"}), style="portal.css")
        refused(client.post(link + "disputes/sent/", {"sent_on": "2026-03-01"}), style="portal.css")
        new_link = f"/complain/{case.organisation.slug}/new-link/"
        refused(
            client.post(new_link, {"reference": case.reference, "email": "x@example.org"}),
            style="portal.css",
        )
        assert CaseEvent.objects.filter(case=case).count() == before
        assert client.get(link).status_code == 200
        # Another address has its own count.
        other = Client(REMOTE_ADDR="10.1.2.3")
        assert other.post(link + "reply/", {"text": "hi"}).status_code == 302


def test_forwarded_for_is_not_believed_without_a_trusted_proxy(
    org: Organisation, configure: Callable[..., None], in_window: datetime
) -> None:
    configure(public_rate_limit=1)
    with time_machine.travel(in_window, tick=False):
        url = f"/complain/{org.slug}/new-link/"
        data = {"reference": "PL-2026-000001", "email": "a@example.org"}
        assert Client(HTTP_X_FORWARDED_FOR="10.0.0.1").post(url, data).status_code == 200
        # A made-up header does not make a new client.
        second = Client(HTTP_X_FORWARDED_FOR="10.0.0.2").post(url, data)
        refused(second, style="portal.css")


def test_forwarded_for_behind_one_trusted_proxy(
    org: Organisation, configure: Callable[..., None], in_window: datetime
) -> None:
    configure(public_rate_limit=1, trusted_proxies=1)
    url = f"/complain/{org.slug}/new-link/"
    data = {"reference": "PL-2026-000001", "email": "a@example.org"}
    with time_machine.travel(in_window, tick=False):
        # The proxy appends the address it saw; what the client wrote before it is ignored.
        alice = Client(HTTP_X_FORWARDED_FOR="203.0.113.7")
        assert alice.post(url, data).status_code == 200
        spoof = Client(HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7")
        refused(spoof.post(url, data), style="portal.css")
        bob = Client(HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
        assert bob.post(url, data).status_code == 200


@pytest.fixture
def hosted(settings):  # type: ignore[no-untyped-def]
    settings.CONSUMER_LOCAL = False


def test_the_consumer_sign_in_and_pages(
    hosted: None, configure: Callable[..., None], in_window: datetime
) -> None:
    configure(public_rate_limit=2)
    client = Client()
    with time_machine.travel(in_window, tick=False):
        sign_in = reverse("consumer:sign_in")
        assert client.post(sign_in, {"email": "dana@example.org"}).status_code == 200
        assert client.post("/consumer/sign-in/x/y-z/").status_code == 400
        page = refused(client.post(sign_in, {"email": "dana@example.org"}), style="consumer.css")
        assert "in 6 minutes" in page
    # A signed-in consumer's posts count too.
    owner = User.objects.get(email="dana@example.org")
    mine = Client(REMOTE_ADDR="10.7.7.7")
    mine.force_login(owner)
    with time_machine.travel(in_window, tick=False):
        for title in ("One", "Two"):
            data = {"title": title, "jurisdiction": "US", "time_zone": "America/New_York"}
            assert mine.post(reverse("consumer:home"), data).status_code == 302
        data = {"title": "Three", "jurisdiction": "US", "time_zone": "America/New_York"}
        refused(mine.post(reverse("consumer:home"), data), style="consumer.css")
    assert ConsumerCase.objects.count() == 2


def test_the_desk_login(agent: User, configure: Callable[..., None], in_window: datetime) -> None:
    configure(login_rate_limit=3)
    client = Client()
    with time_machine.travel(in_window, tick=False):
        for _ in range(3):
            wrong = client.post("/login/", {"username": "alice", "password": "guess"})
            assert wrong.status_code == 200
        page = refused(
            client.post("/login/", {"username": "alice", "password": "plaint-demo"}),
            style="plaint/desk.css",
        )
        assert "Too many sign-in attempts" in page
        assert "_auth_user_id" not in client.session  # the right password was not tried
        assert client.get("/login/").status_code == 200


def test_staff_pages_are_not_limited(
    case: Case, agent: User, configure: Callable[..., None]
) -> None:
    configure(public_rate_limit=1, login_rate_limit=1)
    desk = Client()
    desk.force_login(agent)
    for n in range(4):
        data = {"text": f"note {n}", "visibility": "internal"}
        assert desk.post(f"/cases/{case.reference}/actions/note/", data).status_code == 302
    assert CaseEvent.objects.filter(case=case, kind="note_added").count() == 4
