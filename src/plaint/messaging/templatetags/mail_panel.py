"""`{% mail_case_panel case request.user %}`: the case page's mail panel, with its own
context from the messaging selectors."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from plaint.accounts.models import User
from plaint.cases.contact_restrictions import contact_forbidden
from plaint.cases.models import Case
from plaint.domain.vocabulary import Channel
from plaint.letters.selectors import case_letters
from plaint.messaging import selectors

register = template.Library()


@register.inclusion_tag("messaging/_panel.html")
def mail_case_panel(case: Case, user: User) -> dict[str, Any]:
    can_work = user.has_perm("cases.work_case")
    rows = selectors.case_messages(case=case)
    return {
        "case": case,
        "rows": rows,
        "see_all": user.has_perm("cases.view_all_cases"),
        "can_work": can_work and bool(case.customer.email),
        "no_address": not case.customer.email,
        "canned": list(selectors.canned_replies(organisation=case.organisation)),
        "letters": [k for k in case_letters(case=case) if k.is_draft and "pdf" in k.payload.files],
        "evidence": list(case.evidence.all()),
        "unread": any(r.message.needs_reading for r in rows),
        "restricted": [
            hit.sentence
            for hit in contact_forbidden(case=case, channel=Channel.EMAIL, at=timezone.now())
        ],
    }
