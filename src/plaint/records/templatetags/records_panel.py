"""`{% records_case_panel case user %}`: the desk case page's records panel (correct a
fact, download the evidence pack), with its own context."""

from __future__ import annotations

from typing import Any

from django import template

from plaint.cases.models import Case
from plaint.records.erasure import CONFIRMING_ROLES
from plaint.records.forms import CorrectionForm
from plaint.records.retention import case_on_hold
from plaint.records.subject_access import RECEIVED_BY, case_subject_access

register = template.Library()


@register.inclusion_tag("records/_case_panel.html", takes_context=True)
def records_case_panel(context: Any, case: Case, user: Any) -> dict[str, Any]:
    return {
        "messages": context.get("messages", ()),
        "case": case,
        "can_correct": bool(user.has_perm("cases.work_case")),
        "form": CorrectionForm(),
        "on_hold": case_on_hold(case),
        "requests": case_subject_access(case=case),
        "received_by": RECEIVED_BY,
        "can_answer": bool(user.has_perm("cases.reassign_case")),
        "can_erase": case.status == "closed"
        and any(role in CONFIRMING_ROLES for role in getattr(user, "roles", ())),
        "can_hold": bool(
            user.has_perm("cases.reassign_case") or user.has_perm("cases.review_legal")
        ),
    }
