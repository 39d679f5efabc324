"""A case's e-mail over the API: sending queues it in the outbox (never sent from the
request), listing shows it with its delivery status; hostile text is kept as data."""

from __future__ import annotations

from plaint.outbox.models import Delivery
from tests.api.conftest import CASE_BODY
from tests.conftest import open_case


def test_a_message_is_queued_for_the_customer_and_listed(api):
    ref = api.post("/api/v1/cases", CASE_BODY).json()["reference"]
    sent = api.post(
        f"/api/v1/cases/{ref}/messages",
        {"subject": "Your complaint", "text": "We are looking into it <script>x</script>"},
    )
    assert sent.status_code == 202, sent.content
    got = sent.json()
    assert got["direction"] == "out" and got["to"] == CASE_BODY["customer"]["email"]
    assert got["status"] == "queued"
    assert Delivery.objects.filter(transport="smtp", purpose="messaging").count() == 1
    listed = api.get(f"/api/v1/cases/{ref}/messages").json()["items"]
    assert [m["subject"] for m in listed] == ["Your complaint"]
    assert "<script>x</script>" in listed[0]["text"]


def test_a_message_without_its_text_is_refused_and_nothing_is_queued(api):
    ref = api.post("/api/v1/cases", CASE_BODY).json()["reference"]
    answer = api.post(f"/api/v1/cases/{ref}/messages", {"subject": "Hello", "text": ""})
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "text"
    assert not Delivery.objects.exists()


def test_another_organisation_s_case_has_no_messages_here(api, other_org, outsider):
    theirs = open_case(other_org, outsider)
    assert api.get(f"/api/v1/cases/{theirs.reference}/messages").status_code == 404
    answer = api.post(f"/api/v1/cases/{theirs.reference}/messages", {"subject": "a", "text": "b"})
    assert answer.status_code == 404
