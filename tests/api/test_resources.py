"""The resources end to end, each through the service the desk calls: what the service
writes is what the API answers."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from plaint.cases.models import Case, CaseEvent
from plaint.triage.models import TriageRecord
from tests.api.conftest import CASE_BODY, ApiClient

ADDRESS = {"business.address": "1 Commerce Way\nLondon", "customer.address": "2 Elm Row\nLeeds"}


def _etag(api: ApiClient, ref: str) -> str:
    return str(api.get(f"/api/v1/cases/{ref}")["ETag"])


def test_opening_a_case_derives_deadlines_and_indexes_it(api):
    made = api.post("/api/v1/cases", dict(CASE_BODY, order_number="INV-42", issue="Zebra fee"))
    assert made.status_code == 201
    ref = made.json()["reference"]
    assert made["Location"] == f"/api/v1/cases/{ref}"
    kinds = set(CaseEvent.objects.filter(case__reference=ref).values_list("kind", flat=True))
    assert {"case_opened", "deadline_set"} <= kinds
    deadlines = api.get(f"/api/v1/cases/{ref}/deadlines").json()["deadlines"]
    assert any(d["key"].startswith("UK-FCA-DISP/") for d in deadlines)
    assert [c["reference"] for c in api.get("/api/v1/cases", q="zebra").json()["items"]] == [ref]


def test_list_filters(api, org, agent):
    from tests.conftest import open_case

    phone = open_case(org, agent, product="Broadband")
    open_case(org, agent)
    items = api.get("/api/v1/cases", product="Broadband").json()["items"]
    assert [i["reference"] for i in items] == [phone.reference]
    assert len(api.get("/api/v1/cases", unassigned="true").json()["items"]) == 2
    assert api.get("/api/v1/cases", status="closed").json()["items"] == []
    assert len(api.get("/api/v1/cases", received_from="2026-03-01").json()["items"]) == 2


def test_a_case_s_life_over_the_api(api, case):
    ref = case.reference
    base = f"/api/v1/cases/{ref}"
    contact = api.post(
        f"{base}/contacts",
        {"contact_at": "2026-03-01T12:00:00+00:00", "channel": "phone", "direction": "inbound",
         "summary": "Called about the bill", "wait_minutes": 12},
    )  # fmt: skip
    assert contact.status_code == 201, contact.content
    assert [c["summary"] for c in api.get(f"{base}/contacts").json()] == ["Called about the bill"]
    note = api.post(f"{base}/notes", {"text": "Checked the meter readings."})
    assert note.json()["kind"] == "note_added" and note.json()["sentence"]
    moved = api.post(
        f"{base}/transitions", {"to": "investigating"}, headers={"If-Match": _etag(api, ref)}
    )
    assert moved.json()["status"] == "investigating"
    offer = api.post(
        f"{base}/offers",
        {"redress": "refund", "amount": {"amount": "84.2", "currency": "gbp"}},
        headers={"If-Match": _etag(api, ref)},
    )
    assert offer.status_code == 201, offer.content
    assert offer.json()["amount"] == {"amount": "84.20", "currency": "GBP"}
    answered = api.post(
        f"{base}/offers/{offer.json()['id']}/answer",
        {"accepted": True, "comment": "Thanks"},
        headers={"If-Match": _etag(api, ref)},
    )
    assert answered.json()["answer"] == "accepted"
    closed = api.post(
        f"{base}/close",
        {"outcome": "upheld", "root_cause_code": "systems"},
        headers={"If-Match": _etag(api, ref)},
    )
    assert closed.json()["status"] == "closed" and closed.json()["outcome"] == "upheld"
    events = api.get(f"{base}/events", limit=3).json()
    assert [e["seq"] for e in events["items"]] == [1, 2, 3]
    rest = api.get(f"{base}/events", cursor=events["next"], limit=200).json()
    assert rest["items"][0]["seq"] == 4 and rest["next"] is None
    kinds = [e["kind"] for e in events["items"] + rest["items"]]
    assert kinds.count("note_added") == 1 and "case_closed" in kinds
    assert all(e["actor_label"] for e in rest["items"])
    check = api.get(f"{base}/ledger/verification").json()
    assert check["ok"] is True and check["events_checked"] == Case.objects.get().ledger_length


def test_deadlines_explain_cite_their_sources(api, case):
    answer = api.get(f"/api/v1/cases/{case.reference}/deadlines", explain="true").json()
    fca = [d for d in answer["explain"] if d["key"].startswith("UK-FCA-DISP/")]
    assert fca and all(d["sources"] for d in fca)
    assert all(s["citation"] and s["last_verified"] for d in fca for s in d["sources"])
    assert any(d["steps"] for d in fca)


def run_worker() -> int:
    """Run the queued tasks as the worker would, in this process and transaction."""
    ran = 0
    for queued in DBTaskResult.objects.filter(status="READY").order_by("enqueued_at"):
        queued.task.call(*queued.args_kwargs["args"], **queued.args_kwargs["kwargs"])
        queued.status = "SUCCESSFUL"
        queued.save(update_fields=["status"])
        ran += 1
    return ran


def test_triage_is_queued_in_the_opening_transaction_and_run_by_the_worker(api):
    ref = api.post("/api/v1/cases", CASE_BODY).json()["reference"]
    queued = DBTaskResult.objects.get(status="READY")
    assert queued.task.module_path == "plaint.intake.tasks.intake_triage_task"
    assert api.get(f"/api/v1/cases/{ref}/triage").status_code == 404
    assert run_worker() == 1
    assert TriageRecord.objects.filter(case__reference=ref).exists()
    kinds = CaseEvent.objects.filter(case__reference=ref).values_list("kind", flat=True)
    assert "triage_suggested" in kinds
    # Run twice (a redelivery): triaged once.
    from plaint.intake.tasks import intake_triage_task

    case = Case.objects.get(reference=ref)
    assert intake_triage_task.call(case_id=case.pk, now="2026-03-02T10:30:00+00:00") == "skipped"


def test_a_refused_case_queues_nothing(api):
    assert api.post("/api/v1/cases", dict(CASE_BODY, description="")).status_code == 422
    assert not DBTaskResult.objects.exists()


def test_triage_suggestions_and_their_confirmation(api):
    ref = api.post("/api/v1/cases", CASE_BODY).json()["reference"]
    run_worker()
    triage = api.get(f"/api/v1/cases/{ref}/triage")
    assert triage.status_code == 200, triage.content
    record = TriageRecord.objects.get()
    label = next(iter(record.suggestions.values()))["label"]
    name = next(iter(record.suggestions))
    confirmed = api.post(f"/api/v1/cases/{ref}/triage/confirm", {"labels": {name: label}})
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "confirmed"
    wrong = api.post(f"/api/v1/cases/{ref}/triage/confirm", {"labels": {"colour": "red"}})
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["field"] == "colour"


def test_letters_generate_list_download_and_mark_sent(api, case):
    base = f"/api/v1/cases/{case.reference}/letters"
    made = api.post(base, {"kind": "acknowledgement", "fields": ADDRESS, "formats": ["md", "pdf"]})
    assert made.status_code == 201, made.content
    letter = made.json()
    assert letter["draft"] is True and letter["formats"] == ["md", "pdf"]
    assert [x["seq"] for x in api.get(base).json()] == [letter["seq"]]
    pdf = api.get(f"{base}/{letter['seq']}/files/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].startswith("attachment")
    assert api.get(f"{base}/{letter['seq']}/files/docx").status_code == 404
    sent = api.post(
        f"{base}/{letter['seq']}/sent", {"method": "post", "sent_at": "2026-03-02T09:00:00+00:00"}
    )
    assert sent.status_code == 200, sent.content
    assert sent.json()["sent_method"] == "post" and sent.json()["draft"] is False
    again = api.post(
        f"{base}/{letter['seq']}/sent", {"method": "post", "sent_at": "2026-03-02T09:00:00+00:00"}
    )
    assert again.status_code in (409, 422) and "sent" in again.json()["detail"]
    unknown = api.post(base, {"kind": "no-such-letter"})
    assert unknown.status_code in (409, 422)


@pytest.mark.parametrize("limit", [1, 50])
def test_staff_list_for_admins(make_token, agent, supervisor, limit):
    api = ApiClient(make_token(scopes=("admin",)))
    names: list[str] = []
    page = api.get("/api/v1/staff", limit=limit).json()
    while True:
        names += [m["username"] for m in page["items"]]
        if not page["next"]:
            break
        page = api.get("/api/v1/staff", limit=limit, cursor=page["next"]).json()
    assert sorted(names) == ["ada", "alice", "sue"]


def test_a_contact_restriction_refuses_an_outbound_contact(api, case, agent):
    """ "Stop calling" in force: logging an outbound call is a 422 problem naming the
    restriction on `channel`, and nothing is written; an inbound call is still logged."""
    from plaint.cases.ledger import Actor
    from plaint.disputes.services import restriction_add
    from tests.conftest import NOW

    restriction_add(case=case, kind="stop_calling", actor=Actor.staff(agent), now=NOW)
    before = CaseEvent.objects.filter(case=case).count()
    call = {"contact_at": "2026-03-05T12:00:00+00:00", "channel": "phone", "summary": "x"}
    refused = api.post(f"/api/v1/cases/{case.reference}/contacts", dict(call, direction="outbound"))
    assert refused.status_code == 422, refused.content
    assert refused["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in refused.json()["errors"]] == ["channel"]
    # The service's refusal names the restriction and when it was recorded (NOW).
    (error,) = refused.json()["errors"]
    assert "Stop calling (restriction #" in error["message"]
    assert "recorded 2026-03-02 10:30 UTC): the customer asked not to be called" in error["message"]
    assert CaseEvent.objects.filter(case=case).count() == before
    taken = api.post(f"/api/v1/cases/{case.reference}/contacts", dict(call, direction="inbound"))
    assert taken.status_code == 201, taken.content
