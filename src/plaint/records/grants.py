"""Signed grants for the customer's own pack: minted on the portal page the customer's
private link opened, good for one case and `GRANT_SECONDS`."""

from __future__ import annotations

from django.core import signing

from plaint.cases.models import Case

GRANT_SECONDS = 3600
_SALT = "plaint.records.customer-pack"


def customer_pack_grant(case: Case) -> str:
    return signing.dumps({"case": case.pk, "org": case.organisation_id}, salt=_SALT)


def customer_pack_case(grant: str) -> Case | None:
    """The case a grant names, or None for a forged, altered or expired one."""
    try:
        claim = signing.loads(grant, salt=_SALT, max_age=GRANT_SECONDS)
        return Case.objects.select_related("organisation", "customer").get(
            pk=int(claim["case"]), organisation_id=int(claim["org"])
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, Case.DoesNotExist):
        return None
