"""The customer records their own cease-and-desist in the portal (method, tracking number,
the date the conduct must stop) and later whether it stopped; bad input is refused with
the reason next to the field and nothing written. The clock is pinned (conftest) to
2 March 2026."""

from __future__ import annotations

import pytest
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.cases.models import Case, CaseEvent
from plaint.disputes.models import CeaseDesistSent
from tests.conftest import open_case
from tests.portal.helpers import portal_token

GOOD = {
    "sent_on": "2026-02-16",
    "method": "recorded_delivery",
    "tracking_number": "RR123456785GB",
    "comply_by": "2026-03-01",
    "conduct": "Calling me at work about the February bill.",
}


def _base(case: Case) -> str:
    return f"/complain/{case.organisation.slug}/case/{portal_token(case)}/"


def _events(case: Case) -> list[tuple[str, str]]:
    return list(
        CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", "actor_kind")
    )


def test_the_customer_records_the_letter_and_that_it_did_not_stop(
    client: Client, org: Organisation, agent: User
) -> None:
    case = open_case(org, agent, regime="UK-OFGEM")
    base = _base(case)
    page = client.get(base).content.decode()
    assert "Record a cease-and-desist letter you sent" in page
    form = client.get(f"{base}disputes/sent/")
    assert form.status_code == 200 and "Tracking number" in form.content.decode()

    response = client.post(f"{base}disputes/sent/", GOOD)
    assert response.status_code == 302 and response["Location"] == f"{base}#disputes"
    row = CeaseDesistSent.objects.get(case=case)
    assert (row.method, row.tracking_number, str(row.comply_by)) == (
        "recorded_delivery",
        "RR123456785GB",
        "2026-03-01",
    )
    assert _events(case)[-1] == ("cease_desist_sent", "customer")

    page = client.get(base).content.decode()
    assert "Your cease-and-desist letter went out on 16 February 2026" in page
    assert "(tracking number RR123456785GB)" in page
    assert "That date has passed." in page  # 1 March is before the pinned 2 March
    assert "Did it stop?" in page and "What you can do next" not in page

    response = client.post(
        f"{base}disputes/sent/{row.pk}/outcome/", {"stopped": "no", "note": "Called 2 March."}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.stopped is False and row.outcome_note == "Called 2 March."
    assert _events(case)[-1] == ("cease_desist_outcome", "customer")
    page = client.get(base).content.decode()
    assert "It did not stop." in page and "What you can do next" in page
    assert "Did it stop?" not in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tracking_number": ""}, "Tracking number is required for recorded delivery."),
        ({"sent_on": "2026-03-03"}, "is 2026-03-03, after today (2026-03-02)"),
        ({"comply_by": "2026-02-01"}, "before the letter was sent (2026-02-16)"),
        ({"conduct": ""}, "What your letter asked them to stop is required"),
        ({"method": "pigeon"}, "Select a valid choice"),
        ({"tracking_number": "RR1\u202eX"}, "Tracking number"),
        ({"conduct": "stop\x00"}, "What your letter asked them to stop"),
    ],
)
def test_bad_records_are_refused_in_the_portal(
    client: Client, case: Case, change: dict[str, str], message: str
) -> None:
    before = _events(case)
    response = client.post(f"{_base(case)}disputes/sent/", {**GOOD, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CeaseDesistSent.objects.exists() and _events(case) == before


def test_hostile_text_is_shown_not_run(client: Client, case: Case) -> None:
    conduct = "<script>alert(1)</script> {{ 7*7 }}"
    client.post(f"{_base(case)}disputes/sent/", {**GOOD, "conduct": conduct})
    assert CeaseDesistSent.objects.get().conduct == conduct


def test_an_outcome_needs_an_answer_and_a_letter_of_this_case(
    client: Client, org: Organisation, agent: User, case: Case
) -> None:
    client.post(f"{_base(case)}disputes/sent/", GOOD)
    row = CeaseDesistSent.objects.get()
    before = _events(case)
    response = client.post(f"{_base(case)}disputes/sent/{row.pk}/outcome/", {"stopped": ""})
    assert response.status_code == 400 and "This field is required" in response.content.decode()
    other = open_case(org, agent)
    response = client.post(f"{_base(other)}disputes/sent/{row.pk}/outcome/", {"stopped": "no"})
    assert response.status_code == 404
    row.refresh_from_db()
    assert row.stopped is None and _events(case) == before


def test_a_forged_link_opens_nothing(client: Client, case: Case) -> None:
    response = client.post(f"/complain/{case.organisation.slug}/case/forged/disputes/sent/", GOOD)
    assert response.status_code == 404 and not CeaseDesistSent.objects.exists()
