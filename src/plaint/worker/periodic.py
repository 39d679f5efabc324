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
import functools
import logging
from collections.abc import Callable
from datetime import datetime

from plaint.accounts.models import Organisation
from plaint.api.idempotency import idempotency_purge
from plaint.bulk.services import bulk_jobs_resume
from plaint.cases.services import require_aware
from plaint.consumer.reminders import consumer_reminders_send
from plaint.deadlines.services import deadlines_tick
from plaint.outbox.services import RunReport, deliveries_run
from plaint.records.tasks import checkpoints_due
from plaint.reputation.services import reputation_watch
from plaint.terminations.services import terminations_tick

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class PassReport:
    """What one pass did, a line per part (and the outbox's counts, which the worker
    prints whenever something was sent or flagged). `failed` names the parts that raised:
    each part runs on its own, so one failing part does not stop the others."""

    lines: tuple[str, ...]
    outbox: RunReport | None = None
    failed: tuple[str, ...] = ()


def deadlines_line(*, now: datetime) -> str:
    report = deadlines_tick(now=now)
    return (
        f"Deadline watch: {report.refreshed} case(s) re-derived, {report.reminders} "
        f"reminder(s), {report.breaches} missed deadline(s), {report.escalated} escalated."
    )


def _terminations(now: datetime) -> str:
    ended = terminations_tick(now=now)
    return f"Terminations: {ended.took_effect} took effect, {ended.tasks} aftermath task(s)."


def _reputation(now: datetime) -> str:
    alerts = sum(
        len(reputation_watch(organisation=org, now=now))
        for org in Organisation.objects.order_by("pk")
    )
    return f"Reputation watch: {alerts} alert(s)."


def _checkpoints(now: datetime) -> str:
    return f"Checkpoints: {', '.join(checkpoints_due(now=now)) or 'none due'}."


def _idempotency(now: datetime) -> str:
    return f"Idempotency-Keys forgotten: {idempotency_purge(now=now)}."


def _bulk_jobs(now: datetime) -> str:
    return f"Bulk jobs resumed: {bulk_jobs_resume(now=now)}."


def _consumer_reminders(now: datetime) -> str:
    return f"Consumer reminders: {consumer_reminders_send(now=now)} sent."


#: Every part but the outbox and the deadline watch, in the order a pass runs them: the
#: part's name (its line starts with it) and a function of `now` giving its line.
PARTS: tuple[tuple[str, Callable[[datetime], str]], ...] = (
    ("Terminations", _terminations),
    ("Reputation watch", _reputation),
    ("Checkpoints", _checkpoints),
    ("Idempotency-Keys forgotten", _idempotency),
    ("Consumer reminders", _consumer_reminders),
    ("Bulk jobs resumed", _bulk_jobs),
)


def _isolated(name: str, run: Callable[[], str], failed: list[str]) -> str:
    """`run()`'s line; if it raises, the error is logged with its traceback and the line
    says the part failed, so the parts after it still run."""
    try:
        return run()
    except Exception as error:  # one part's failure must not stop the pass
        log.exception("Periodic work %r failed", name)
        failed.append(name)
        return f"{name}: FAILED ({type(error).__name__}: {str(error)[:200]}); see the log."


def others_pass(*, now: datetime) -> PassReport:
    """Everything but the deadline watch (which `plaint worker` queues as a task of its
    own): the outbox, then each of `PARTS`."""
    require_aware(now=now)
    failed: list[str] = []
    outbox: RunReport | None = None

    def deliver() -> str:
        nonlocal outbox
        outbox = deliveries_run(now=now)
        return str(outbox)

    lines = [_isolated("Outbox", deliver, failed)]
    lines += [_isolated(name, functools.partial(run, now), failed) for name, run in PARTS]
    return PassReport(tuple(lines), outbox, tuple(failed))


def periodic_pass(*, now: datetime) -> PassReport:
    """The deadline watch, then everything else, at `now`; each part on its own."""
    failed: list[str] = []
    first = _isolated("Deadline watch", lambda: deadlines_line(now=now), failed)
    rest = others_pass(now=now)
    return PassReport((first, *rest.lines), rest.outbox, (*failed, *rest.failed))
