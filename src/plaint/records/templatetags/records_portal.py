"""`{% records_customer_pack case %}`: on the customer's portal page, a button for their
own evidence pack. The page is opened by the customer's private link; the button carries
a signed, short-lived grant for this one case, so the download needs nothing else."""

from __future__ import annotations

from typing import Any

from django import template

from plaint.cases.models import Case
from plaint.records.grants import customer_pack_grant

register = template.Library()


@register.inclusion_tag("records/_customer_pack.html", takes_context=True)
def records_customer_pack(context: Any, case: Case) -> dict[str, Any]:
    return {"csrf_token": context.get("csrf_token"), "grant": customer_pack_grant(case)}
