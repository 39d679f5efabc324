"""The API's conventions, each on its own: problem+json for every error, cursor
pagination, Idempotency-Key, ETag/If-Match, rate limits, RFC 3339 times and amounts as
decimal strings with their currency."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import connection  # noqa: F401 (read by the skipif below)

from plaint.api.models import IdempotentRequest
from plaint.cases.models import Case
from tests.api.conftest import CASE_BODY, ApiClient
from tests.conftest import open_case

PROBLEM = "application/problem+json"


def _problem(answer, status):  # type: ignore[no-untyped-def]
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"] == PROBLEM
    body = answer.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    return body


def test_every_error_is_a_problem(api, make_token, case, monkeypatch):
    _problem(ApiClient("").get("/api/v1/cases"), 401)
    _problem(ApiClient(make_token(scopes=("read",))).post("/api/v1/cases", CASE_BODY), 403)
    _problem(api.get("/api/v1/no/such/thing"), 404)
    _problem(api.get("/api/v1/cases/AC-2026-999999"), 404)
    not_allowed = api.call("DELETE", f"/api/v1/cases/{case.reference}")
    _problem(not_allowed, 405)
    assert "GET" in not_allowed["Allow"]
    body = _problem(api.post("/api/v1/cases", {"customer": {"name": "X"}}), 422)
    assert {"field": "description", "message": "Field required"} in body["errors"]
    _problem(api.post("/api/v1/cases", "{not json"), 400)

    from plaint.cases import selectors

    def boom(**_: object) -> None:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(selectors, "case_get", boom)
    monkeypatch.setattr("plaint.api.access.case_get", boom)
    body = _problem(api.get(f"/api/v1/cases/{case.reference}"), 500)
    assert "fire" not in body["detail"]


def test_a_service_s_field_errors_become_errors(api):
    body = dict(CASE_BODY, description="   ", customer={"name": "Dana", "email": "not-mail"})
    problem = _problem(api.post("/api/v1/cases", body), 422)
    fields = {e["field"]: e["message"] for e in problem["errors"]}
    assert fields["description"] == "is required"
    assert "customer.email" in fields
    assert Case.objects.count() == 0


def test_a_refusal_by_a_rule_is_a_409_with_the_service_s_words(api, case):
    etag = api.get(f"/api/v1/cases/{case.reference}")["ETag"]
    answer = api.post(
        f"/api/v1/cases/{case.reference}/transitions", {"to": "closed"}, headers={"If-Match": etag}
    )
    assert "cannot move from 'received' to 'closed'" in _problem(answer, 409)["detail"]


def test_lists_page_with_an_opaque_cursor(api, org, agent):
    refs = {open_case(org, agent).reference for _ in range(5)}
    seen: list[str] = []
    page = api.get("/api/v1/cases", limit=2).json()
    while True:
        seen += [item["reference"] for item in page["items"]]
        if page["next"] is None:
            break
        assert "offset" not in page["next"]
        page = api.get("/api/v1/cases", limit=2, cursor=page["next"]).json()
    assert len(seen) == 5 and set(seen) == refs
    _problem(api.get("/api/v1/cases", cursor="garbage!"), 422)
    from plaint.api.cursor import cursor_make

    for forged in (cursor_make("x", "y"), cursor_make("2026-03-01T09:00:00", 1), cursor_make(1)):
        _problem(api.get("/api/v1/cases", cursor=forged), 422)
    events = f"/api/v1/cases/{next(iter(refs))}/events"
    for forged in (cursor_make("x"), cursor_make(1, 2)):
        _problem(api.get(events, cursor=forged), 422)
    _problem(api.get("/api/v1/cases", limit=0), 422)
    _problem(api.get("/api/v1/cases", limit=10_000), 422)


def test_an_idempotency_key_replays_the_first_answer(api, make_token):
    headers = {"Idempotency-Key": "order-7781"}
    first = api.post("/api/v1/cases", CASE_BODY, headers=headers)
    again = api.post("/api/v1/cases", CASE_BODY, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    assert again["Location"] == first["Location"] and again["ETag"] == first["ETag"]
    assert Case.objects.count() == 1
    other = dict(CASE_BODY, description="Another complaint")
    body = _problem(api.post("/api/v1/cases", other, headers=headers), 422)
    assert "different request" in body["detail"]
    # Keys are the token's own: another token's same key is another request.
    assert (
        ApiClient(make_token()).post("/api/v1/cases", CASE_BODY, headers=headers).status_code == 201
    )
    assert Case.objects.count() == 2
    _problem(api.post("/api/v1/cases", CASE_BODY, headers={"Idempotency-Key": "x" * 300}), 400)


def test_keys_are_kept_24_hours_then_forgotten(api):
    headers = {"Idempotency-Key": "k1"}
    api.post("/api/v1/cases", CASE_BODY, headers=headers)
    IdempotentRequest.objects.update(created_at=datetime(2000, 1, 1, tzinfo=UTC))
    assert api.post("/api/v1/cases", CASE_BODY, headers=headers).get("Idempotent-Replayed") is None
    assert Case.objects.count() == 2


def test_a_refused_request_is_replayed_too_but_a_stale_if_match_is_not_kept(api, case):
    path = f"/api/v1/cases/{case.reference}/transitions"
    headers = {"Idempotency-Key": "t1", "If-Match": '"0-stale"'}
    _problem(api.post(path, {"to": "investigating"}, headers=headers), 412)
    assert not IdempotentRequest.objects.exists()  # released: retry with a fresh ETag
    etag = api.get(f"/api/v1/cases/{case.reference}")["ETag"]
    ok = api.post(
        path, {"to": "investigating"}, headers={"Idempotency-Key": "t2", "If-Match": etag}
    )
    assert ok.status_code == 200
    replay = api.post(
        path, {"to": "investigating"}, headers={"Idempotency-Key": "t2", "If-Match": etag}
    )
    assert replay.status_code == 200 and replay["Idempotent-Replayed"] == "true"


def test_if_match_guards_changes(api, case):
    path = f"/api/v1/cases/{case.reference}/transitions"
    read = api.get(f"/api/v1/cases/{case.reference}")
    etag = read["ETag"]
    assert read.json()["etag"] == etag
    _problem(api.post(path, {"to": "investigating"}), 428)
    stale = _problem(api.post(path, {"to": "investigating"}, headers={"If-Match": '"1-x"'}), 412)
    assert stale["type"] == "urn:plaint:problem:precondition"
    moved = api.post(path, {"to": "investigating"}, headers={"If-Match": etag})
    assert moved.status_code == 200 and moved["ETag"] != etag
    assert moved.json()["status"] == "investigating"
    # The old ETag no longer matches, even for a change that does not require one.
    note = api.post(
        f"/api/v1/cases/{case.reference}/notes", {"text": "hi"}, headers={"If-Match": etag}
    )
    _problem(note, 412)
    assert api.post(f"/api/v1/cases/{case.reference}/notes", {"text": "hi"}).status_code == 201


def test_rate_limits_announce_themselves_and_refuse_with_retry_after(api, settings):
    settings.PLAINT_API_RATE_LIMIT = 3
    answers = [api.get("/api/v1/cases") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0]["RateLimit-Policy"].startswith('"default";q=3;w=')
    assert answers[0]["RateLimit"].startswith('"default";r=2;t=')
    assert answers[2]["RateLimit"].startswith('"default";r=0;t=')
    refused = _problem(answers[3], 429)
    assert int(answers[3]["Retry-After"]) >= 1
    assert refused["type"] == "urn:plaint:problem:rate-limited"


def test_times_carry_their_offset_and_amounts_are_strings_with_currency(api):
    body = dict(CASE_BODY, received_at="2026-03-01T10:00:00+01:00")
    case = api.post("/api/v1/cases", body).json()
    assert datetime.fromisoformat(case["received_at"]) == datetime(2026, 3, 1, 9, tzinfo=UTC)
    assert case["received_at"].endswith(("Z", "+00:00"))
    assert case["amount_in_dispute"] == {"amount": "84.20", "currency": "GBP"}
    naive = dict(CASE_BODY, received_at="2026-03-01T10:00:00")
    fields = {e["field"] for e in _problem(api.post("/api/v1/cases", naive), 422)["errors"]}
    assert fields == {"received_at"}
    number = dict(CASE_BODY, amount_in_dispute={"amount": 84.2, "currency": "GBP"})
    _problem(api.post("/api/v1/cases", number), 422)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_one_key_sent_twice_at_once_opens_one_case(make_token):
    """Two concurrent first requests with one key: one opens the case, the other is told
    the key is in use (409) or gets the replay, never a second case."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    api = ApiClient(make_token())

    def send(_: int) -> int:
        try:
            return api.post(
                "/api/v1/cases", CASE_BODY, headers={"Idempotency-Key": "race"}
            ).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(4) as pool:
        codes = list(pool.map(send, range(4)))
    assert Case.objects.count() == 1
    assert codes.count(201) >= 1 and set(codes) <= {201, 409}


def test_a_body_too_large_to_read_is_a_413_problem(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = dict(CASE_BODY, description="x" * 5000)
    _problem(api.post("/api/v1/cases", big, headers={"Idempotency-Key": "big"}), 413)
    _problem(api.post("/api/v1/cases", big), 413)
    assert Case.objects.count() == 0
