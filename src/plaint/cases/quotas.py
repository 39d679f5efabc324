"""How much evidence may be stored: quotas checked by `case_evidence_attach` for every
interface (portal, e-mail, API, desk), inside the attaching transaction, so a refused file
refuses its whole submission and nothing of it is kept.

- Files from the customer's side (actor: the customer; the portal and e-mail replies):
  at most `PLAINT_CASE_CUSTOMER_FILES` files and `PLAINT_CASE_CUSTOMER_BYTES` bytes per
  case, for the case's life; and at most `PLAINT_ORG_CUSTOMER_BYTES_PER_DAY` bytes a day
  (UTC) per organisation, whichever case they go to.
- Every file, staff's too: an organisation's evidence never passes
  `PLAINT_ORG_STORAGE_BYTES` in all (the sizes of its evidence rows, as stored).

The customer quotas are `plaint.limits` counters (one atomic upsert each; a refusal rolls
the count back with the rest). The storage total is summed from the evidence rows under a
per-organisation lock (a PostgreSQL advisory lock; SQLite's write lock), so two uploads at
once cannot both take the last space, and files removed by erasure give their space back.
`0` turns any of them off."""

from __future__ import annotations

from datetime import datetime

from django.db import connection
from django.db.models import Sum

from plaint.config import appsettings
from plaint.domain.errors import FieldErrors
from plaint.domain.vocabulary import ActorKind
from plaint.limits.services import limit_take

from .ledger import Actor
from .models import Case, Evidence

#: The first key of the advisory lock that orders uploads into one organisation.
STORAGE_LOCK = 0x504C5154  # "PLQT"

DAY = 86_400


class QuotaExceeded(FieldErrors):
    """A file would pass a quota. The message says which, what is used, and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__({"file": message})


def size_text(size: int) -> str:
    """Bytes for a person: "19.0 MiB", "2.0 GiB", "512 bytes"."""
    for unit, power in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if size >= 1 << power:
            return f"{size / (1 << power):.1f} {unit}"
    return f"{size:,} bytes"


def _storage_lock(organisation_id: int) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [STORAGE_LOCK, organisation_id])


def _customer_quotas(*, case: Case, name: str, size: int, now: datetime) -> None:
    app = appsettings.APP
    org = case.organisation
    ask = (
        f"Nothing from this submission was kept. If you need to send more, send a message "
        f"without files and ask {org.name} how to get the rest to them."
    )
    files = limit_take(
        scope="case-customer-files",
        key=str(case.pk),
        limit=app.case_customer_files,
        window=0,
        now=now,
    )
    if not files.allowed:
        raise QuotaExceeded(
            f"{name} was not accepted: this complaint already holds the most files that can "
            f"be sent to it ({app.case_customer_files} files). {ask}"
        )
    stored = limit_take(
        scope="case-customer-bytes",
        key=str(case.pk),
        limit=app.case_customer_bytes,
        window=0,
        now=now,
        amount=size,
    )
    if not stored.allowed:
        before = stored.used - size
        raise QuotaExceeded(
            f"{name} ({size_text(size)}) was not accepted: files sent to this complaint may "
            f"take up to {size_text(app.case_customer_bytes)} in all, and "
            f"{size_text(before)} is used. {ask}"
        )
    daily = limit_take(
        scope="org-customer-bytes",
        key=str(org.pk),
        limit=app.org_customer_bytes_per_day,
        window=DAY,
        now=now,
        amount=size,
    )
    if not daily.allowed:
        hours = max(1, -(-daily.retry_after // 3600))
        raise QuotaExceeded(
            f"{name} was not accepted: {org.name} has received as many files from customers "
            f"today as it can take ({size_text(app.org_customer_bytes_per_day)} a day). The "
            f"limit resets at midnight UTC, in about {hours} hour(s): please send your files "
            "then. Nothing from this submission was kept."
        )


def evidence_quota_take(*, case: Case, actor: Actor, name: str, size: int, now: datetime) -> None:
    """Count a file of `size` bytes about to be attached to `case` (locked by the caller)
    by `actor`, or raise `QuotaExceeded`. Call it in the attaching transaction."""
    if actor.kind == ActorKind.CUSTOMER:
        _customer_quotas(case=case, name=name, size=size, now=now)
    limit = appsettings.APP.org_storage_bytes
    if limit <= 0:
        return
    _storage_lock(case.organisation_id)
    used = (
        Evidence.objects.filter(organisation_id=case.organisation_id).aggregate(total=Sum("size"))[
            "total"
        ]
        or 0
    )
    if used + size > limit:
        org = case.organisation
        if actor.kind == ActorKind.CUSTOMER:  # the customer is not told the figures
            raise QuotaExceeded(
                f"{name} was not accepted: {org.name} cannot take more files at the moment. "
                "Nothing from this submission was kept; please send a message without "
                f"files, or contact {org.name} another way."
            )
        raise QuotaExceeded(
            f"{name} ({size_text(size)}) was not stored: {org.name}'s evidence storage "
            f"holds {size_text(used)} of its {size_text(limit)}. Nothing was stored. An "
            "administrator can raise PLAINT_ORG_STORAGE_BYTES or remove files under the "
            "retention rules."
        )
