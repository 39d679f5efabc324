"""A complaint is filed once however often its form is sent (the form token), and the
honeypot refuses a bot without telling it which field gave it away."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, connection, transaction  # noqa: F401 (skipif)
from django.test import Client

from plaint.accounts.models import Organisation
from plaint.cases.models import Case, Evidence
from plaint.portal.models import ComplaintSubmission
from tests.portal.helpers import complaint, pdf_file

pytestmark = pytest.mark.django_db


def _form_token(client: Client, org: Organisation) -> str:
    html = client.get(f"/complain/{org.slug}/").content.decode()
    found = re.search(r'name="submission" value="([A-Za-z0-9_-]+)"', html)
    assert found is not None, "the form carries a form token"
    return found.group(1)


def test_each_form_gets_its_own_token(client: Client, org: Organisation) -> None:
    assert _form_token(client, org) != _form_token(client, org)


def test_the_same_submission_sent_twice_files_one_case(client: Client, org: Organisation) -> None:
    token = _form_token(client, org)
    first = client.post(
        f"/complain/{org.slug}/", complaint(submission=token, evidence=[pdf_file()])
    )
    assert first.status_code == 302
    (case,) = Case.objects.filter(organisation=org)
    # The response was lost; the browser sends the same form again.
    again = client.post(
        f"/complain/{org.slug}/", complaint(submission=token, evidence=[pdf_file()])
    )
    assert again.status_code == 302
    assert list(Case.objects.filter(organisation=org)) == [case]
    assert Evidence.objects.filter(case=case).count() == 1
    page = client.get(again["Location"]).content.decode()
    assert case.reference in page
    assert "already" in page  # it says the complaint was received before
    assert "/case/" not in page  # no new private link is handed out for a form token


def test_a_new_form_files_a_new_case(client: Client, org: Organisation) -> None:
    for _ in range(2):
        token = _form_token(client, org)
        assert client.post(f"/complain/{org.slug}/", complaint(submission=token)).status_code == 302
    assert Case.objects.filter(organisation=org).count() == 2


def test_a_refused_submission_keeps_its_token_free(client: Client, org: Organisation) -> None:
    token = _form_token(client, org)
    refused = client.post(f"/complain/{org.slug}/", complaint(submission=token, description=""))
    assert refused.status_code == 400
    assert f'value="{token}"' in refused.content.decode()  # the corrected form keeps it
    assert not ComplaintSubmission.objects.exists()
    assert client.post(f"/complain/{org.slug}/", complaint(submission=token)).status_code == 302
    assert Case.objects.filter(organisation=org).count() == 1


def test_a_damaged_token_is_refused_plainly(client: Client, org: Organisation) -> None:
    response = client.post(f"/complain/{org.slug}/", complaint(submission="x<y"))
    assert response.status_code == 400
    assert "Please reload the page" in response.content.decode()
    assert not Case.objects.exists()


def test_the_token_is_unique_in_the_database(client: Client, org: Organisation) -> None:
    """The guarantee is the constraint, not a look-up before the insert: two racing
    requests cannot both insert the same token."""
    token = _form_token(client, org)
    client.post(f"/complain/{org.slug}/", complaint(submission=token))
    (row,) = ComplaintSubmission.objects.all()
    with pytest.raises(IntegrityError), transaction.atomic():
        ComplaintSubmission.objects.create(organisation=org, token=token, case=row.case, at=row.at)


def test_the_honeypot_is_not_named_to_a_bot(client: Client, org: Organisation) -> None:
    form = client.get(f"/complain/{org.slug}/").content.decode().lower()
    assert "leave this" not in form and "empty" not in form
    response = client.post(f"/complain/{org.slug}/", complaint(website="http://spam.example"))
    assert response.status_code == 400
    html = response.content.decode().lower()
    assert (
        "leave this" not in html
        and "empty" not in html
        and "website" not in html.split('class="hp"')[0]
    )
    assert "could not be sent" in html
    assert not Case.objects.exists()


# The SQLite test database is shared-cache in memory, where a second writer fails at
# once instead of waiting; on a file SQLite takes the write lock at BEGIN (IMMEDIATE) and
# the second request simply queues behind the first.
@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_the_same_form_sent_twice_at_once_files_one_case() -> None:
    """Two requests with one form token at the same moment, each on its own database
    connection: one files the case, the other gets that case back."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connections

    from plaint.accounts.services import organisation_create
    from plaint.cases.services import CustomerDetails
    from plaint.portal import services
    from tests.conftest import NOW

    org = organisation_create(slug="race", name="Race Ltd", now=NOW)
    start = Barrier(2)

    def send(_: int) -> tuple[str, bool]:
        try:
            start.wait(timeout=10)
            filed = services.complaint_file(
                organisation=org,
                customer=CustomerDetails(name="Dana Whitfield", email="dana@example.org"),
                complaint=services.ComplaintDetails(
                    description="Charged twice.", desired_resolution="Refund."
                ),
                uploads=[],
                now=NOW,
                link_for=lambda token: f"http://testserver/{token}",
                form_token="R" * 32,
            )
            return filed.case.reference, filed.again
        finally:
            connections.close_all()

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(send, range(2)))
    assert Case.objects.filter(organisation=org).count() == 1
    assert len({reference for reference, _ in results}) == 1
    assert sorted(again for _, again in results) == [False, True]
