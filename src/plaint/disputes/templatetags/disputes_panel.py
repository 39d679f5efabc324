"""The disputes panel of the desk case page: `{% disputes_case_panel case request.user %}`.
It reads its own context through the disputes selectors."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

from plaint.accounts.models import User
from plaint.cases.models import Case
from plaint.disputes import forms, selectors

register = template.Library()


@register.inclusion_tag("disputes/_panel.html", takes_context=True)
def disputes_case_panel(context: template.Context, case: Case, user: User) -> dict[str, Any]:
    now = timezone.now()
    today = now.astimezone(ZoneInfo(case.organisation.time_zone)).date()
    can_work = user.has_perm("cases.work_case") or user.has_perm("cases.review_legal")
    disputes = [
        {
            "row": d,
            "overdue": not d.decision and d.deadline < today,
            "days_left": (d.deadline - today).days,
            "forms": {
                name: forms.FORMS[name](auto_id=f"id_d{d.pk}_{name}_%s")
                for name in ("authority", "conduct", "investigation", "decision", "reply")
            },
        }
        for d in selectors.case_disputes(case=case)
    ]
    referral = selectors.referral_option_or_none(case=case, today=today)
    return {
        "csrf_token": context.get("csrf_token"),
        "case": case,
        "can_work": can_work,
        "can_decide": user.has_perm("cases.review_legal"),
        "restrictions": selectors.restrictions_in_force(case=case, now=now),
        "disputes": disputes,
        "referral": referral,
        "eight_week": selectors.eight_week_letter_due(case=case, now=now),
        "eligibility": selectors.fos_eligibility_get(case=case),
        "forms": {
            name: forms.FORMS[name](auto_id=f"id_disputes_{name}_%s")
            for name in ("log", "restrict", "eligibility", "sent")
        },
        "sent": selectors.case_cease_desists_sent(case=case),
        "business_steps": selectors.case_next_steps(case=case, side="business"),
    }
