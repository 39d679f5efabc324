"""The disputes panel of the customer portal's case page: `{% disputes_portal_panel case %}`.
The referral option with its dates, the customer's cease-and-desist letters (with the forms
to record one and whether the conduct stopped, posted to `plaint.portal.disputes_views`)
and, when one was ignored, what to do next."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

from plaint.cases.models import Case
from plaint.disputes import selectors
from plaint.disputes.forms import PortalOutcomeForm

register = template.Library()


@register.inclusion_tag("disputes/_portal_panel.html", takes_context=True)
def disputes_portal_panel(context: template.Context, case: Case) -> dict[str, Any]:
    today = timezone.now().astimezone(ZoneInfo(case.organisation.time_zone)).date()
    rows = selectors.case_cease_desists_sent(case=case)
    sent = [
        {
            "row": s,
            "passed": s.comply_by < today,
            "form": PortalOutcomeForm(auto_id=f"id_outcome{s.pk}_%s"),
        }
        for s in rows
    ]
    ignored = any(s.stopped is False for s in rows)
    return {
        "case": case,
        "organisation": case.organisation,
        "token": context.get("token", ""),
        "csrf_token": context.get("csrf_token"),
        "sent": sent,
        "ignored": ignored,
        "steps": selectors.case_next_steps(case=case) if ignored else [],
        "referral": selectors.referral_option_or_none(case=case, today=today),
    }
