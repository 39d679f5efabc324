"""The periodic work of every part, in one pass: what `plaint tick` (cron) and each pass of
`plaint worker` run.

This module sits at the top of the layers (beside the desk, the portal and the API), so it
may call every part's service; the parts themselves never call each other's periodic work.
Each piece is the same service its own command runs (`plaint terminations tick`,
`plaint reputation watch`, `plaint checkpoint`, `plaint token purge-keys`, `plaint outbox
deliver`) or, for hosted consumers' reminder e-mails, the same service
(`consumer_reminders_send`); here they run one after another at the same `now`.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from plaint.accounts.models import Organisation
from plaint.api.idempotency import idempotency_purge
from plaint.cases.services import require_aware
from plaint.consumer.reminders import consumer_reminders_send
from plaint.deadlines.services import deadlines_tick
from plaint.outbox.services import RunReport, deliveries_run
from plaint.records.tasks import checkpoints_due
from plaint.reputation.services import reputation_watch
from plaint.terminations.services import terminations_tick


@dataclasses.dataclass(frozen=True)
class PassReport:
    """What one pass did, a line per part (and the outbox's counts, which the worker
    prints whenever something was sent or flagged)."""

    lines: tuple[str, ...]
    outbox: RunReport | None = None


def deadlines_line(*, now: datetime) -> str:
    report = deadlines_tick(now=now)
    return (
        f"Deadline watch: {report.refreshed} case(s) re-derived, {report.reminders} "
        f"reminder(s), {report.breaches} missed deadline(s), {report.escalated} escalated."
    )


def others_pass(*, now: datetime) -> PassReport:
    """Everything but the deadline watch (which `plaint worker` queues as a task of its
    own): the outbox, terminations taking effect, the reputation watch, the daily ledger
    checkpoints, the expiry of old Idempotency-Keys and hosted consumers' reminder e-mails."""
    require_aware(now=now)
    outbox = deliveries_run(now=now)
    ended = terminations_tick(now=now)
    alerts = sum(
        len(reputation_watch(organisation=org, now=now))
        for org in Organisation.objects.order_by("pk")
    )
    checkpointed = checkpoints_due(now=now)
    forgotten = idempotency_purge(now=now)
    reminded = consumer_reminders_send(now=now)
    return PassReport(
        (
            str(outbox),
            f"Terminations: {ended.took_effect} took effect, {ended.tasks} aftermath task(s).",
            f"Reputation watch: {alerts} alert(s).",
            f"Checkpoints: {', '.join(checkpointed) or 'none due'}.",
            f"Idempotency-Keys forgotten: {forgotten}.",
            f"Consumer reminders: {reminded} sent.",
        ),
        outbox,
    )


def periodic_pass(*, now: datetime) -> PassReport:
    """The deadline watch, then everything else, at `now`."""
    first = deadlines_line(now=now)
    rest = others_pass(now=now)
    return PassReport((first, *rest.lines), rest.outbox)
