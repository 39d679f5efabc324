"""Triage on the case page: the suggestion, highlighted risk flags, confirm, legal clear."""

from __future__ import annotations

import pytest

from plaint.cases.models import CaseEvent
from plaint.desk.templatetags.desk import highlight
from plaint.triage.selectors import triage_get
from plaint.triage.services import triage_run
from tests.conftest import NOW, open_case

NARRATIVE = (
    "<script>alert('x')</script> They charged me twice. I have reported this to the "
    "Financial Conduct Authority and I will take you to court <b>now</b>."
)


@pytest.fixture
def flagged(org, agent):
    case = open_case(org, agent, description=NARRATIVE)
    record = triage_run(case=case, now=NOW)
    assert record.flags and record.legal_review == "pending"
    return case


def kinds(case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


def test_case_page_shows_the_suggestion_and_highlighted_flags(as_agent, flagged) -> None:
    page = as_agent.get(f"/cases/{flagged.reference}/").content.decode()
    record = triage_get(case=flagged)
    assert record is not None
    assert "Triage" in page and "Urgency" in page and "Sentiment" in page
    for part in record.urgency_parts:
        assert part["reason"].replace("'", "&#x27;") in page or part["name"] in page
    for flag in record.flags:
        assert flag["label"] in page
        for evidence in flag["evidence"]:
            assert f">{evidence['text']}</mark>" in page
    narrative = page.split("What happened")[1]
    assert "<script>alert" not in page and "<b>now</b>" not in page
    assert "&lt;script&gt;" in narrative and "&lt;b&gt;now&lt;/b&gt;" in narrative
    assert "Awaiting legal review" in page


def test_agent_confirms_or_corrects_the_category(as_agent, flagged) -> None:
    url = f"/cases/{flagged.reference}/actions/triage/"
    before = kinds(flagged)
    response = as_agent.post(url, {"category": "No such category"})
    assert response.status_code == 400 and kinds(flagged) == before
    assert as_agent.post(url, {"category": "Billing, fees and charges"}).status_code == 302
    flagged.refresh_from_db()
    assert flagged.category == "Billing, fees and charges"
    assert "triage_confirmed" in kinds(flagged)


def test_confirm_is_not_offered_before_triage(as_agent, case) -> None:
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    assert 'id="triage"' not in page
    response = as_agent.post(f"/cases/{case.reference}/actions/triage/", {})
    assert response.status_code == 400
    assert "has not been triaged yet" in response.content.decode()


def test_legal_reviewer_clears_flags(as_legal, flagged) -> None:
    url = f"/cases/{flagged.reference}/actions/legal_clear/"
    page = as_legal.get(f"/cases/{flagged.reference}/").content.decode()
    assert 'id="legal_clear"' in page and 'id="triage"' not in page
    before = kinds(flagged)
    response = as_legal.post(url, {"note": "  "})
    assert response.status_code == 400 and kinds(flagged) == before
    assert as_legal.post(url, {"note": "Threat only; no claim filed."}).status_code == 302
    assert "legal_review_cleared" in kinds(flagged)
    response = as_legal.post(url, {"note": "again"})
    assert (
        response.status_code == 400 and "not waiting for legal review" in response.content.decode()
    )


def test_agents_cannot_clear_legal_flags(as_agent, flagged) -> None:
    page = as_agent.get(f"/cases/{flagged.reference}/").content.decode()
    assert 'id="legal_clear"' not in page
    before = kinds(flagged)
    response = as_agent.post(f"/cases/{flagged.reference}/actions/legal_clear/", {"note": "x"})
    assert response.status_code == 403 and kinds(flagged) == before


def test_legal_reviewer_cannot_confirm_triage(as_legal, flagged) -> None:
    response = as_legal.post(f"/cases/{flagged.reference}/actions/triage/", {"category": "Other"})
    assert response.status_code == 403


def test_highlight_escapes_everything_and_ignores_bad_spans() -> None:
    text = "<i>sue</i> & court\nnext"
    flags = [
        {"label": 'Lit"igation', "evidence": [{"start": 3, "end": 6, "text": "sue"}]},
        {"label": "Bad", "evidence": [{"start": 0, "end": 99, "text": "x"}]},
        {"label": "Mismatch", "evidence": [{"start": 13, "end": 18, "text": "other"}]},
        {"label": "Overlap", "evidence": [{"start": 4, "end": 8, "text": "ue</"}]},
        "not a flag",
    ]
    html = str(highlight(text, flags))
    assert html == (
        '&lt;i&gt;<mark title="Lit&quot;igation">sue</mark>&lt;/i&gt; &amp; court<br>next'
    )
    assert str(highlight("<b>", None)) == "&lt;b&gt;"
