"""The terminations panels of the desk and portal case pages (one inclusion tag each)."""

from __future__ import annotations

from typing import Any

from django import template

from plaint.cases.models import Case
from plaint.domain.termination import Status
from plaint.terminations.selectors import case_terminations, is_reaction
from plaint.terminations.views import appeal_token

register = template.Library()


@register.inclusion_tag("terminations/_desk_panel.html")
def terminations_case_panel(case: Case, user: Any) -> dict[str, Any]:
    rows = [
        {"t": t, "reaction": is_reaction(termination=t, case=case)}
        for t in case_terminations(case=case)
    ]
    return {
        "case": case,
        "rows": rows,
        "can_propose": user.has_perm("cases.work_case") and case.status != "closed",
    }


@register.inclusion_tag("terminations/_portal_panel.html", takes_context=True)
def terminations_portal_panel(context: template.Context, case: Case) -> dict[str, Any]:
    """What the customer sees: a notice that went out, and the appeal form while it can
    still be appealed."""
    rows = [
        {
            "t": t,
            "token": appeal_token(termination=t, case_id=case.pk)
            if t.status == Status.NOTICE_SENT and t.appealed_at is None
            else "",  # one appeal per termination (Rule T7)
        }
        for t in case_terminations(case=case)
        if t.status in (Status.NOTICE_SENT, Status.APPEALED, Status.EFFECTIVE)
        or (t.status == Status.REVERSED and t.notice_on)
    ]
    return {"rows": rows, "csrf_token": context.get("csrf_token")}
