"""The organisation's root-cause taxonomy as the desk and `case_close` read it."""

from __future__ import annotations

from plaint.accounts.models import Organisation
from plaint.cases.models import RootCause
from plaint.domain.rootcauses import DEFAULT_ROOT_CAUSES, UNCODED, RootCauseCode


def root_causes(*, organisation: Organisation, active_only: bool = True) -> list[RootCauseCode]:
    """The organisation's root causes in order: its own list once it has edited one, else
    the default list."""
    rows = RootCause.objects.filter(organisation=organisation)
    if not rows.exists():
        return list(DEFAULT_ROOT_CAUSES)
    if active_only:
        rows = rows.filter(active=True)
    return [RootCauseCode(code, label) for code, label in rows.values_list("code", "label")]


def root_cause_labels(*, organisation: Organisation) -> dict[str, str]:
    """Every code the organisation has ever had (retired ones too) -> its label, and the
    blank code -> "Uncoded"."""
    labels = {c.code: c.label for c in DEFAULT_ROOT_CAUSES}
    labels.update(RootCause.objects.filter(organisation=organisation).values_list("code", "label"))
    labels[""] = UNCODED
    return labels
