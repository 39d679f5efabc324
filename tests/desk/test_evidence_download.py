"""Staff open a case's evidence from the case page: as a download, and only evidence of
that case."""

from __future__ import annotations

import io

from plaint.cases import services
from plaint.cases.ledger import Actor
from tests.conftest import NOW, open_case

PDF = b"%PDF-1.4\n%receipt\n"


def attach(case, agent, name="receipt.pdf", data=PDF):
    return services.case_evidence_attach(
        case=case,
        filename=name,
        stream=io.BytesIO(data),
        content_type="application/pdf",
        actor=Actor.staff(agent),
        now=NOW,
    )


def test_evidence_downloads_as_an_attachment(as_agent, org, agent) -> None:
    case = open_case(org, agent)
    item = attach(case, agent)
    page = as_agent.get(f"/cases/{case.reference}/").content.decode()
    url = f"/cases/{case.reference}/evidence/{item.pk}/"
    assert f'href="{url}"' in page
    response = as_agent.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="receipt.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


def test_evidence_of_another_case_is_not_reachable_through_this_one(
    as_agent, as_outsider, org, agent
) -> None:
    case, other = open_case(org, agent), open_case(org, agent)
    theirs = attach(other, agent, name="other.pdf", data=PDF + b"other")
    assert as_agent.get(f"/cases/{case.reference}/evidence/{theirs.pk}/").status_code == 404
    assert as_agent.get(f"/cases/{other.reference}/evidence/{theirs.pk}/").status_code == 200
    assert as_outsider.get(f"/cases/{other.reference}/evidence/{theirs.pk}/").status_code == 404
