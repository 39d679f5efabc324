"""The disputes panel of the customer portal's case page: `{% disputes_portal_panel case %}`.
Read-only: the referral option with its dates, the customer's cease-and-desist letters and,
when one was ignored, what to do next."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

from plaint.cases.models import Case
from plaint.disputes import selectors

register = template.Library()


@register.inclusion_tag("disputes/_portal_panel.html")
def disputes_portal_panel(case: Case) -> dict[str, Any]:
    today = timezone.now().astimezone(ZoneInfo(case.organisation.time_zone)).date()
    rows = selectors.case_cease_desists_sent(case=case)
    sent = [{"row": s, "passed": s.comply_by < today} for s in rows]
    ignored = any(s.stopped is False for s in rows)
    return {
        "case": case,
        "sent": sent,
        "ignored": ignored,
        "steps": selectors.case_next_steps(case=case) if ignored else [],
        "referral": selectors.referral_option_or_none(case=case, today=today),
    }
