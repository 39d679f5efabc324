"""Correcting a case's facts (PATCH, If-Match required, a reason required), assigning it
and setting its priority: each through the desk's own service, with its ledger event."""

from __future__ import annotations

import json
from typing import Any

from plaint.cases.models import CaseEvent
from tests.api.conftest import CASE_BODY


def _open(api: Any) -> tuple[str, str]:
    made = api.post("/api/v1/cases", CASE_BODY)
    assert made.status_code == 201, made.content
    return made.json()["reference"], made["ETag"]


def _patch(api: Any, ref: str, body: dict[str, Any], **headers: str) -> Any:
    return api.client.generic(
        "PATCH", f"/api/v1/cases/{ref}", json.dumps(body), content_type="application/json",
        headers={"Authorization": f"Bearer {api.secret}", **headers},
    )  # fmt: skip


def test_a_patch_corrects_the_facts_with_its_reason_in_one_ledger_event(api):
    ref, etag = _open(api)
    body = {
        "reason": "The customer gave the wrong order number <script>x</script>",
        "order_number": "ORD-77",
        "amount_in_dispute": {"amount": "90.10", "currency": "GBP"},
    }
    answer = _patch(api, ref, body, **{"If-Match": etag})
    assert answer.status_code == 200, answer.content
    got = answer.json()
    assert got["order_number"] == "ORD-77"
    assert got["amount_in_dispute"] == {"amount": "90.10", "currency": "GBP"}
    assert answer["ETag"] != etag
    event = CaseEvent.objects.get(case__reference=ref, kind="case_corrected")
    assert "<script>x</script>" in event.clear_payload
    assert "API token" in event.actor_label


def test_a_patch_needs_if_match_a_fresh_one_and_a_reason(api):
    ref, etag = _open(api)

    def patch(body: dict[str, Any], **headers: str) -> Any:
        return _patch(api, ref, body, **headers)

    assert patch({"reason": "x", "product": "Gas"}).status_code == 428
    assert patch({"reason": "x", "product": "Gas"}, **{"If-Match": '"1-stale"'}).status_code == 412
    no_reason = patch({"reason": "", "product": "Gas"}, **{"If-Match": etag})
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["field"] == "reason"
    same = patch({"reason": "x", "product": CASE_BODY["product"]}, **{"If-Match": etag})
    assert same.status_code == 409
    assert not CaseEvent.objects.filter(case__reference=ref, kind="case_corrected").exists()


def test_assigning_unassigning_and_priority(api, agent, outsider):
    ref, _ = _open(api)
    answer = api.post(f"/api/v1/cases/{ref}/assignment", {"assignee": agent.pk})
    assert answer.status_code == 200, answer.content
    assert answer.json()["assignee"]["id"] == agent.pk
    theirs = api.post(f"/api/v1/cases/{ref}/assignment", {"assignee": outsider.pk})
    assert theirs.status_code == 422
    assert theirs.json()["errors"][0]["field"] == "assignee"
    assert (
        api.post(f"/api/v1/cases/{ref}/assignment", {"assignee": None}).json()["assignee"] is None
    )
    high = api.post(f"/api/v1/cases/{ref}/priority", {"priority": "high", "reason": "vulnerable"})
    assert high.status_code == 200, high.content
    assert high.json()["priority"] == "high"
    assert api.post(f"/api/v1/cases/{ref}/priority", {"priority": "high"}).status_code == 409
    bad = api.post(f"/api/v1/cases/{ref}/priority", {"priority": "urgent!!"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "priority"
    kinds = list(CaseEvent.objects.filter(case__reference=ref).values_list("kind", flat=True))
    assert kinds.count("case_assigned") == 2 and kinds.count("priority_changed") == 1


def test_a_read_only_token_changes_nothing(make_token, api):
    from tests.api.conftest import ApiClient

    ref, _ = _open(api)
    reader = ApiClient(make_token(scopes=("read",)))
    assert reader.post(f"/api/v1/cases/{ref}/priority", {"priority": "high"}).status_code == 403
