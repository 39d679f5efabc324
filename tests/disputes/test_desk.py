"""The disputes panel on the desk case page, its forms, the contact warning and the list of
disputes due."""

from __future__ import annotations

import subprocess
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from plaint.cases import services as case_services
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent
from plaint.disputes import services
from plaint.disputes.models import Dispute
from tests.conftest import NOW, open_case
from tests.letters.records import tool


def kinds(case: Case) -> list[str]:
    return list(CaseEvent.objects.filter(case=case).order_by("seq").values_list("kind", flat=True))


def act(case: Case, action: str) -> str:
    return f"/disputes/cases/{case.reference}/{action}/"


LETTER = {
    "sender": "Grey & Co Solicitors",
    "on_behalf_of": "Dana Whitfield",
    "their_reference": "GC/441",
    "letter_date": "2026-02-26",
    "deadline": "2026-03-12",
    "demands": "Stop calling our client.",
}


def test_log_a_letter_from_the_case_page(as_agent: Client, case: Case) -> None:
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    assert "Log a cease-and-desist received" in page and "No cease-and-desist letter" in page
    upload = SimpleUploadedFile("letter.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    response = as_agent.post(act(case, "log"), {**LETTER, "letter": upload})
    assert response.status_code == 302
    assert response["Location"] == f"/cases/{case.reference}/#disputes"
    assert kinds(case)[-4:] == [
        "evidence_attached",
        "dispute_logged",
        "legal_review_requested",
        "deadline_set",  # the reply deadline, a clock on the case
    ]
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    assert "Cease-and-desist from Grey &amp; Co Solicitors" in page
    assert "Thu 12 Mar 2026" in page and "letter.pdf" in page
    assert "Cease-and-desist letter received from Grey &amp; Co Solicitors" in page  # timeline


def test_bad_letter_is_shown_and_nothing_written(as_agent: Client, case: Case) -> None:
    before = kinds(case)
    response = as_agent.post(
        act(case, "log"), {**LETTER, "sender": "", "deadline": "2026-02-01", "demands": ""}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "sender: is required" in page and "demands: is required" in page
    assert kinds(case) == before and not Dispute.objects.exists()


def test_hostile_text_is_escaped(as_agent: Client, case: Case) -> None:
    as_agent.post(act(case, "log"), {**LETTER, "demands": "<script>alert(1)</script> {{ 7*7 }}"})
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ 7*7 }}" in page


def test_reviewer_works_the_checklist(as_reviewer: Client, case: Case, agent) -> None:
    dispute = services.dispute_log(
        case=case,
        sender="Grey & Co",
        demands="Stop calling.",
        letter_date=date(2026, 2, 26),
        actor=Actor.staff(agent),
        now=NOW,
    )
    d = {"dispute_id": dispute.pk}
    assert as_reviewer.post(act(case, "authority"), {**d, "status": "on_file"}).status_code == 302
    assert as_reviewer.post(act(case, "conduct"), {**d, "conduct": "Calls"}).status_code == 302
    response = as_reviewer.post(
        act(case, "investigation"),
        {
            **d,
            "investigator": "Lee Gal",
            "records_checked": "call log\nnotes",
            "findings": "4 calls",
        },
    )
    assert response.status_code == 302
    response = as_reviewer.post(
        act(case, "decision"), {**d, "decision": "comply", "reasons": "Calls stop."}
    )
    assert response.status_code == 302
    response = as_reviewer.post(act(case, "reply"), {**d, "respond_by": "2999-01-01"})
    assert response.status_code == 302 and kinds(case)[-1] == "letter_generated"
    dispute.refresh_from_db()
    assert (dispute.authority, dispute.decision, dispute.records_checked) == (
        "on_file",
        "comply",
        ["call log", "notes"],
    )


def test_restriction_shows_on_the_case_and_warns_before_a_contact(
    as_agent: Client, case: Case
) -> None:
    response = as_agent.post(act(case, "restrict"), {"kind": "stop_calling", "note": "Solicitor"})
    assert response.status_code == 302
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    assert "Contact restricted:" in page and "Stop calling" in page
    before = kinds(case)
    call = {"contact_at": "2026-03-02T16:30", "channel": "phone", "direction": "outbound"}
    response = as_agent.post(f"/cases/{case.reference}/actions/contact/", call)
    assert response.status_code == 400
    assert "the customer asked not to be called" in response.content.decode()
    assert kinds(case) == before
    # Inbound calls and letters are never restricted; a confirmed call is logged.
    letter = {**call, "channel": "letter"}
    assert as_agent.post(f"/cases/{case.reference}/actions/contact/", letter).status_code == 302
    confirmed = {**call, "confirm_restricted": "on"}
    assert as_agent.post(f"/cases/{case.reference}/actions/contact/", confirmed).status_code == 302
    # A contradicting restriction is refused with its reason.
    response = as_agent.post(act(case, "restrict"), {"kind": "phone_only"})
    assert response.status_code == 400 and "leave no channel" in response.content.decode()


def test_disputes_due_lists_undecided_letters(as_agent: Client, case: Case, agent) -> None:
    services.dispute_log(
        case=case,
        sender="Grey & Co",
        demands="Stop calling.",
        letter_date=date(2026, 2, 26),
        actor=Actor.staff(agent),
        now=NOW,
    )
    page = as_agent.get("/disputes/").content.decode()
    assert case.reference in page and "Grey &amp; Co" in page


def test_other_organisations_cannot_touch_the_case(as_outsider: Client, case: Case) -> None:
    assert as_outsider.post(act(case, "log"), LETTER).status_code == 404
    assert case.reference not in as_outsider.get("/disputes/").content.decode()


def test_eligibility_out_of_range_is_shown(as_agent: Client, case: Case) -> None:
    before = kinds(case)
    response = as_agent.post(
        act(case, "eligibility"), {"complainant": "charity", "annual_income": "-3"}
    )
    assert response.status_code == 400 and "must be zero or more" in response.content.decode()
    assert kinds(case) == before
    response = as_agent.post(act(case, "eligibility"), {"complainant": "consumer"})
    assert response.status_code == 302 and kinds(case)[-1] == "fos_eligibility_recorded"


def test_referral_pack_pdf(as_agent: Client, case: Case, agent, tmp_path) -> None:
    case_services.case_note_add(
        case=case, text="<script>x</script> note", actor=Actor.staff(agent), now=NOW
    )
    response = as_agent.get(f"/disputes/cases/{case.reference}/referral-pack.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "pack.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(
        [tool("pdftotext"), "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for heading in ("1. The complaint", "2. The final response", "3. Timeline", "4. Evidence"):
        assert heading in text
    assert "Financial Ombudsman Service" in text and "I was charged twice" in text
    assert "<script>x</script> note" in " ".join(text.split())


def test_no_referral_pack_for_a_regime_without_a_route(as_agent: Client, org, agent) -> None:
    case = open_case(org, agent, regime="UK-CRA-GOODS")
    response = as_agent.get(f"/disputes/cases/{case.reference}/referral-pack.pdf")
    assert response.status_code == 404 and b"no ombudsman or ADR referral" in response.content


def test_a_forged_dispute_id_is_a_message_not_a_500(as_reviewer: Client, case: Case) -> None:
    for forged in ("abc", "99999", "1 OR 1=1", ""):
        response = as_reviewer.post(
            act(case, "conduct"), {"dispute_id": forged, "conduct": "Calls"}
        )
        assert response.status_code == 400, forged


def test_the_referral_uses_the_evidence_pack_for_its_files(
    as_agent: Client, case: Case, tmp_path
) -> None:
    """The PDF lists each file by its SHA-256; the panel's evidence-pack button (the records
    app's export) gives those very files at evidence/<sha256>."""
    import hashlib
    import io
    import zipfile

    scan = b"%PDF-1.4 scan of the solicitor's letter"
    upload = SimpleUploadedFile("letter.pdf", scan, content_type="application/pdf")
    assert as_agent.post(act(case, "log"), {**LETTER, "letter": upload}).status_code == 302
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    export = f"/records/cases/{case.reference}/export/"
    assert f'action="{export}"' in page and "Download the files for the referral" in page

    pdf = tmp_path / "pack.pdf"
    pdf.write_bytes(as_agent.get(f"/disputes/cases/{case.reference}/referral-pack.pdf").content)
    text = subprocess.run(
        [tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    sha = hashlib.sha256(scan).hexdigest()
    joined = "".join(text.split())
    assert sha in joined and "eachatevidence/followedbyitsSHA-256" in joined

    response = as_agent.post(export)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as pack:
        assert pack.read(f"evidence/{sha}") == scan
    assert kinds(case)[-1] == "case_exported"
