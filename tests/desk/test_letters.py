"""Letters on the case page: missing fields asked inline, generate, preview, download,
mark as sent."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from plaint.cases.models import CaseEvent
from plaint.letters.selectors import case_letters

XSS = "<script>alert('x')</script>"


@pytest.fixture(autouse=True)
def _letter_store(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.LETTER_ROOT = tmp_path / "letters"


def kinds(case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


def generate(client: Client, case, data: dict) -> tuple[int, str]:
    response = client.post(f"/cases/{case.reference}/letters/", data)
    return response.status_code, response.content.decode()


def test_missing_fields_are_asked_inline_then_the_letter_is_generated(as_agent, case) -> None:
    before = kinds(case)
    status, page = generate(as_agent, case, {"kind": "cease-and-desist", "page_size": "A4"})
    assert status == 400 and kinds(case) == before
    for label in ("postal address", "Kind of conduct to stop", "conduct that must stop", "Agency"):
        assert label in page, label
    for name in (
        "f-customer.address",
        "f-letter.issue_type",
        "f-letter.conduct",
        "f-letter.agency",
    ):
        assert f'name="{name}"' in page, name
    assert "case page → Customer → Postal address" in page
    data = {
        "kind": "cease-and-desist",
        "page_size": "A4",
        "f-customer.address": "2 Elm Row\nLeeds",
        "f-letter.issue_type": "unfair_billing",
        "f-letter.conduct": XSS + " charging me twice",
        "f-letter.agency": "the Financial Ombudsman Service",
    }
    response = as_agent.post(f"/cases/{case.reference}/letters/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"].endswith("#letters")
    kept = case_letters(case=case)[-1]
    assert set(kept.payload.files) == {"md", "html", "pdf", "docx"}
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    assert kept.payload.title in page and "<script>alert" not in page
    seq = kept.event.seq
    pdf = as_agent.get(f"/cases/{case.reference}/letters/{seq}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and "attachment" in pdf["Content-Disposition"]
    docx = as_agent.get(f"/cases/{case.reference}/letters/{seq}.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    preview = as_agent.get(f"/cases/{case.reference}/letters/{seq}/preview/")
    assert preview.status_code == 200 and "sandbox" in preview["Content-Security-Policy"]
    assert "<script>alert" not in preview.content.decode()
    assert as_agent.get(f"/cases/{case.reference}/letters/{seq}.exe").status_code == 404
    assert as_agent.get(f"/cases/{case.reference}/letters/999.pdf").status_code == 404


def test_bad_values_are_shown(as_agent, case) -> None:
    before = kinds(case)
    data = {
        "kind": "cease-and-desist",
        "page_size": "A4",
        "f-customer.address": "2 Elm Row",
        "f-letter.issue_type": "nonsense",
        "f-letter.conduct": "x",
        "f-letter.agency": "y",
    }
    status, page = generate(as_agent, case, data)
    assert status == 400 and "cannot be generated" in page and kinds(case) == before
    status, page = generate(as_agent, case, {"kind": "no-such-letter", "page_size": "A4"})
    assert status == 400 and "Select a valid choice" in page


def _acknowledgement(client: Client, case) -> int:
    data = {
        "kind": "acknowledgement",
        "page_size": "A4",
        "f-customer.address": "2 Elm Row\nLeeds",
        "f-business.address": "1 Commerce Way\nLondon",
    }
    response = client.post(f"/cases/{case.reference}/letters/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return case_letters(case=case)[-1].event.seq


def test_mark_as_sent_records_the_letter_and_its_milestone(as_agent, case) -> None:
    seq = _acknowledgement(as_agent, case)
    url = f"/cases/{case.reference}/letters/{seq}/sent/"
    before = kinds(case)
    bad = as_agent.post(url, {"sent_at": "2999-01-01T10:00", "method": "post"})
    assert bad.status_code == 400 and "in the future" in bad.content.decode()
    assert kinds(case) == before
    data = {
        "sent_at": "2026-03-01T16:00",
        "method": "recorded_delivery",
        "tracking_number": "RR1GB",
    }
    assert as_agent.post(url, data).status_code == 302
    # the letter, the milestone it represents, and the deadline that milestone meets
    # the acknowledgement sent also acknowledges the received case
    assert kinds(case) == [
        *before,
        "letter_sent",
        "milestone_recorded",
        "status_changed",
        "deadline_met",
    ]
    event = CaseEvent.objects.filter(case=case, kind="milestone_recorded").last()
    assert event is not None
    assert "acknowledgement_sent" in event.clear_payload and "RR1GB" in event.clear_payload
    assert as_agent.post(f"/cases/{case.reference}/letters/999/sent/", data).status_code == 404


def test_letters_need_the_work_permission(as_legal, as_agent, case) -> None:
    seq = _acknowledgement(as_agent, case)
    page = as_legal.get(f"/cases/{case.reference}/").content.decode()
    assert 'id="letter"' not in page and "Mark as sent" not in page
    assert generate(as_legal, case, {"kind": "acknowledgement", "page_size": "A4"})[0] == 403
    sent = {"sent_at": "2026-03-01T16:00", "method": "email"}
    assert as_legal.post(f"/cases/{case.reference}/letters/{seq}/sent/", sent).status_code == 403
    # viewing and downloading is allowed
    assert as_legal.get(f"/cases/{case.reference}/letters/{seq}.pdf").status_code == 200


def test_other_organisations_letters_are_not_found(as_outsider, as_agent, case) -> None:
    seq = _acknowledgement(as_agent, case)
    assert as_outsider.get(f"/cases/{case.reference}/letters/{seq}.pdf").status_code == 404
    assert as_outsider.get(f"/cases/{case.reference}/letters/{seq}/preview/").status_code == 404
    status, _ = generate(as_outsider, case, {"kind": "acknowledgement", "page_size": "A4"})
    assert status == 404


def test_letter_forms_need_csrf(admin_of_org, as_agent, case) -> None:
    seq = _acknowledgement(as_agent, case)
    client = Client(enforce_csrf_checks=True)
    assert client.login(username="ada", password="pw-ada-123")
    before = kinds(case)
    assert generate(client, case, {"kind": "acknowledgement", "page_size": "A4"})[0] == 403
    sent = {"sent_at": "2026-03-01T16:00", "method": "email"}
    assert client.post(f"/cases/{case.reference}/letters/{seq}/sent/", sent).status_code == 403
    assert kinds(case) == before
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert len(re.findall(r'name="csrfmiddlewaretoken"', page)) >= 3


def test_the_letter_form_offers_the_organisations_paper(as_agent, case) -> None:
    selected = re.compile(r'<option value="(\w+)"[^>]*selected')

    def paper() -> list[str]:
        page = as_agent.get(f"/cases/{case.reference}/").content.decode()
        form = page[page.index('id="id_letter_page_size"') :]
        return selected.findall(form[: form.index("</select>")])

    assert paper() == ["A4"]
    case.organisation.country = "US"
    case.organisation.save(update_fields=["country"])
    assert paper() == ["Letter"]
