"""`plaint portal link`: staff issue a new private link to a case from the command line."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.portal.models import PortalLink
from tests.conftest import open_case

pytestmark = pytest.mark.django_db


def test_the_command_prints_a_working_link(client: Client, org: Organisation, agent: User) -> None:
    case = open_case(org, agent)
    out, err = StringIO(), StringIO()
    call_command(
        "portal", "link", org.slug, case.reference, "--base-url", "http://testserver/",
        stdout=out, stderr=err,
    )  # fmt: skip
    url = out.getvalue().strip()
    assert url.startswith("http://testserver/complain/acme/case/")
    assert case.reference not in url
    assert "(63 days)" in err.getvalue()
    assert client.get(url.removeprefix("http://testserver")).status_code == 200
    assert PortalLink.objects.get(case=case).reason == "issued"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["acme", "AC-2026-999999"], "has no case 'AC-2026-999999'"),
        (["nobody", "AC-2026-000001"], "nobody"),
    ],
)
def test_the_command_refuses_what_it_cannot_find(
    org: Organisation, agent: User, arguments: list[str], message: str
) -> None:
    open_case(org, agent)
    with pytest.raises(CommandError, match=message):
        call_command("portal", "link", *arguments, "--base-url", "https://x.example")
    assert not PortalLink.objects.exists()


def test_the_base_url_must_be_an_address(org: Organisation, agent: User) -> None:
    case = open_case(org, agent)
    with pytest.raises(CommandError, match="is not an http"):
        call_command("portal", "link", "acme", case.reference, "--base-url", "javascript:x")
