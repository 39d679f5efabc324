"""Review import (the shared Trustpilot exports, read from ../shared, never shipped),
idempotence, malformed rows by line, linking, the trend, the alert and the reply."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from plaint.accounts.models import Organisation, User
from plaint.cases.models import Case
from plaint.domain.reviews import Week, drops, reviews_parse, weekly
from plaint.reputation import services
from plaint.reputation.models import ReputationAlert, Review
from plaint.reputation.selectors import reputation_trend
from tests.conftest import NOW

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
if not SHARED.is_dir():  # the worktree sits beside /work/shared
    SHARED = Path("/work/shared/data")


def shared(name: str) -> bytes:
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"{path} is not on this machine")
    return path.read_bytes()


def test_parse_both_shared_shapes() -> None:
    gyms = reviews_parse(shared("trustpilot_reviews_gyms_dk.csv"), filename="g.csv", source="tp")
    assert (len(gyms.rows), gyms.errors) == (2802, [])
    first = gyms.rows[0]
    assert (first.rating, first.enterprise, first.posted_at.tzinfo) == (4, "PureGym", UTC)
    travel = reviews_parse(
        shared("trustpilot_reviews_travel_en.csv"), filename="t.csv", source="tp"
    )
    assert (len(travel.rows), travel.errors) == (300, [])
    row = travel.rows[0]
    assert row.rating == 1 and row.posted_at.date() == date(2025, 11, 30)
    assert not row.text.endswith("Unprompted review")


def test_malformed_rows_are_reported_by_line() -> None:
    data = (
        b"datetime,rating,title,review,event_time,enterprise\n"
        b"2026-03-01T10:00:00Z,5,Good,Fine service,1 March,Acme\n"
        b"not a date,5,Bad date,text,x,Acme\n"
        b'2026-03-02T10:00:00Z,9,"Multi\nline title",text,x,Acme\n'
        b"2026-03-03T10:00:00Z,2,Empty,,x,Acme\n"
        b"2026-03-04T10:00:00Z,1,Nul,bad\x00text,x,Acme\n"
    )
    parsed = reviews_parse(data, filename="r.csv", source="tp")
    assert len(parsed.rows) == 1
    assert [str(e) for e in parsed.errors] == [
        "line 3: date 'not a date' is not an ISO 8601 date",
        "line 5: rating 9 is not between 1 and 5",
        "line 6: review is empty",
        "line 7: review contains a NUL character",
    ]


def test_json_items_are_numbered() -> None:
    data = json.dumps(
        [
            {"datetime": "2026-03-01T10:00:00Z", "rating": 5, "review": "ok", "id": "a1"},
            "not an object",
            {"datetime": "2026-03-01T10:00:00Z", "rating": 3, "review": "x", "link": "ftp://x"},
        ]
    ).encode()
    parsed = reviews_parse(data, filename="r.json", source="tp")
    assert [r.external_id for r in parsed.rows] == ["a1"]
    assert [str(e) for e in parsed.errors] == [
        "line 2: is not an object with review fields",
        "line 3: link is not an http(s) address",
    ]


def test_import_is_idempotent_and_scores_each_review(org: Organisation) -> None:
    data = shared("trustpilot_reviews_travel_en.csv")
    first = services.reviews_import(
        organisation=org, data=data, filename="t.csv", source="trustpilot", now=NOW
    )
    assert (first.created, first.already, first.errors) == (300, 0, [])
    again = services.reviews_import(
        organisation=org, data=data, filename="t.csv", source="trustpilot", now=NOW
    )
    assert (again.created, again.already) == (0, 300)
    assert Review.objects.filter(organisation=org).count() == 300
    one_star = Review.objects.filter(organisation=org, rating=1)
    assert sum(r.sentiment for r in one_star) / one_star.count() < 0
    assert Review.objects.exclude(flags=[]).exists()  # triage flags ran on them


def test_a_review_naming_a_case_links_to_it(org: Organisation, case: Case) -> None:
    data = json.dumps(
        [
            {
                "datetime": "2026-03-02T10:00:00Z",
                "rating": 1,
                "review": f"Complaint {case.reference} still not answered!",
            },
            {"datetime": "2026-03-02T11:00:00Z", "rating": 1, "review": "AC-2026-999999 nope"},
        ]
    ).encode()
    report = services.reviews_import(
        organisation=org, data=data, filename="r.json", source="tp", now=NOW
    )
    assert report.linked == 1
    assert case.events.order_by("-seq").first().kind == "review_linked"  # type: ignore[union-attr]


def test_customer_matching_only_where_allowed(org: Organisation, case: Case) -> None:
    data = json.dumps(
        [
            {
                "datetime": "2026-03-02T10:00:00Z",
                "rating": 2,
                "review": "Poor",
                "author": "dana whitfield",
            }
        ]
    ).encode()
    report = services.reviews_import(
        organisation=org, data=data, filename="r.json", source="tp", now=NOW
    )
    assert report.linked == 0
    services.reputation_settings_set(
        organisation=org, match_customers=True, window_weeks=4, rating_drop=0.5,
        sentiment_drop=0.2,
    )  # fmt: skip
    data2 = data.replace(b"Poor", b"Very poor")
    assert (
        services.reviews_import(
            organisation=org, data=data2, filename="r.json", source="tp", now=NOW
        ).linked
        == 1
    )


def _weeks(ratings: list[float]) -> list[Week]:
    start = date(2026, 1, 5)
    return [Week(start + timedelta(weeks=i), 5, r, 0.0) for i, r in enumerate(ratings)]


def test_drop_beyond_threshold() -> None:
    assert drops(_weeks([4.5] * 4 + [3.9] * 4), window=4, rating_drop=0.5, sentiment_drop=1)
    assert not drops(_weeks([4.5] * 4 + [4.1] * 4), window=4, rating_drop=0.5, sentiment_drop=1)
    pts = [(datetime(2026, 1, 6, tzinfo=UTC), 5, 0.5), (datetime(2026, 1, 7, tzinfo=UTC), 3, 0.1)]
    [week] = weekly(pts, first=date(2026, 1, 5), last=date(2026, 1, 5))
    assert (week.count, week.rating, week.sentiment) == (2, 4.0, 0.3)


def test_watch_alerts_supervisors_once(
    org: Organisation,
    supervisor: User,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    supervisor.email = "sue@example.org"
    supervisor.save()
    items = []
    for week in range(8):
        rating = 5 if week < 4 else 1
        for n in range(3):
            at = datetime(2026, 1, 5, 10, tzinfo=UTC) + timedelta(weeks=week, hours=n)
            text = "Great, friendly and helpful." if rating == 5 else "Awful, rude, a disgrace."
            items.append(
                {"datetime": at.isoformat(), "rating": rating, "review": f"{text} {n}{week}"}
            )
    services.reviews_import(
        organisation=org, data=json.dumps(items).encode(), filename="r.json", source="tp", now=NOW
    )
    at = datetime(2026, 3, 1, 12, tzinfo=UTC)  # a Sunday: the 8th week is complete
    with django_capture_on_commit_callbacks(execute=True):
        alerts = services.reputation_watch(organisation=org, now=at)
    assert {a.metric for a in alerts} == {"rating", "sentiment"}
    queued = [r.args_kwargs["kwargs"] for r in DBTaskResult.objects.all()]
    assert len(queued) == 2 and all(q["recipients"] == ["sue@example.org"] for q in queued)
    assert (
        "fell from 5.0 to 1.0" in queued[0]["body"] or "fell from 5.0 to 1.0" in queued[1]["body"]
    )
    assert services.reputation_watch(organisation=org, now=at) == []
    assert ReputationAlert.objects.count() == 2
    trend = reputation_trend(organisation=org, until=at, weeks=8)
    assert [t.week.count for t in trend] == [3] * 8


def test_reply_discloses_nothing_and_is_masker_checked(org: Organisation, case: Case) -> None:
    data = json.dumps(
        [{"datetime": "2026-03-02T10:00:00Z", "rating": 1,
          "review": f"My account ACC-998877, case {case.reference}, call me on 07700 900123"}]
    ).encode()  # fmt: skip
    services.reviews_import(organisation=org, data=data, filename="r.json", source="tp", now=NOW)
    review = Review.objects.get()
    draft = services.review_reply_draft(review=review)
    assert draft.clean
    for private in ("ACC-998877", case.reference, "Dana", "07700", "84.20"):
        assert private not in draft.text
    services.reputation_settings_set(
        organisation=org, match_customers=False, window_weeks=4, rating_drop=0.5,
        sentiment_drop=0.2, contact="help@acme.example",
    )  # fmt: skip
    assert services.review_reply_draft(review=review).clean  # its own contact point is fine


def test_reputation_page_and_upload(
    client: Client, org: Organisation, supervisor: User, agent: User
) -> None:
    client.force_login(agent)
    assert client.get("/reputation/").status_code == 403
    client.force_login(supervisor)
    hostile = json.dumps(
        [{"datetime": "2026-03-02T10:00:00Z", "rating": 1,
          "review": "<script>alert(1)</script> {{ 7*7 }} \u202e", "title": "<b>x</b>"}]
    ).encode()  # fmt: skip
    services.reviews_import(organisation=org, data=hostile, filename="h.json", source="tp", now=NOW)
    shown = client.get("/reputation/?to=latest").content.decode()
    assert "&lt;script&gt;alert(1)" in shown and "<script>alert" not in shown
    upload = pytest.importorskip("django.core.files.uploadedfile").SimpleUploadedFile(
        "t.csv", shared("trustpilot_reviews_travel_en.csv"), content_type="text/csv"
    )
    page = client.post("/reputation/", {"file": upload, "source": "trustpilot"})
    body = page.content.decode()
    assert page.status_code == 200 and "Imported 300 reviews" in body
    assert "<script" not in body.split("<main", 1)[1]
    chart = client.get("/reputation/?weeks=12&to=latest").content.decode()
    assert 'aria-label="Weekly mean rating and sentiment of reviews"' in chart
    review = Review.objects.first()
    assert review is not None
    reply = client.get(f"/reputation/reviews/{review.pk}/reply/").content.decode()
    assert "select and copy" in reply


def test_the_shared_files_have_no_column_that_names_a_reviewer(
    org: Organisation, tmp_path: Path
) -> None:
    """Matching a review to a customer needs an `author` column; the shared Trustpilot
    files have none (SOURCES.md: the reviewer's name was dropped as personal data), so
    the report counts every row as unmatched for that reason."""
    heads = {
        name: shared(name).decode("utf-8").splitlines()[0].split(",")
        for name in ("trustpilot_reviews_gyms_dk.csv", "trustpilot_reviews_travel_en.csv")
    }
    assert heads == {
        "trustpilot_reviews_gyms_dk.csv": [
            "datetime", "rating", "title", "review", "event_time", "enterprise",
        ],
        "trustpilot_reviews_travel_en.csv": ["text", "label"],
    }  # fmt: skip
    data = shared("trustpilot_reviews_travel_en.csv")
    one = json.dumps([{"datetime": "2026-03-01T10:00:00Z", "rating": 1, "review": "Bad"}])
    off = services.reviews_import(
        organisation=org, data=one.encode(), filename="r.json", source="a", now=NOW
    )
    assert (off.no_author, off.no_author_sentence) == (0, "")  # matching is off
    services.reputation_settings_set(
        organisation=org, match_customers=True, window_weeks=4, rating_drop=0.5,
        sentiment_drop=0.2,
    )  # fmt: skip
    report = services.reviews_import(
        organisation=org, data=data, filename="t.csv", source="trustpilot", now=NOW
    )
    assert (report.created, report.linked, report.no_author) == (300, 0, 300)
    assert report.no_author_sentence == (
        "300 review(s) could not be matched to a customer: they name no author. Matching a "
        "review to a customer needs an author column in the file."
    )
    out = io.StringIO()
    path = tmp_path / "travel.csv"
    path.write_bytes(data)
    call_command("reputation", "import", org.slug, str(path), "--source", "tp2", stdout=out)
    assert report.no_author_sentence in out.getvalue()
