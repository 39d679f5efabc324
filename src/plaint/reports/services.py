"""Writes of the reports app: the organisation's root-cause taxonomy and its mapping of
products to the FCA return's product groups. Each runs in one transaction; callers pass
`now`. Neither is case data, so neither writes a case ledger event."""

from __future__ import annotations

from datetime import date, datetime

from django.db import transaction

from plaint.accounts.models import Organisation, User
from plaint.cases.models import Case, RootCause
from plaint.cases.taxonomy import root_cause_labels
from plaint.domain.errors import FieldErrors
from plaint.domain.returns.fca import ProductGroup
from plaint.domain.rootcauses import DEFAULT_ROOT_CAUSES, code_from_label
from plaint.reports.models import ImprovementAction, ReturnProductMap


def _materialise(organisation: Organisation) -> None:
    """Copy the default taxonomy to the organisation before its first edit."""
    if not RootCause.objects.filter(organisation=organisation).exists():
        RootCause.objects.bulk_create(
            RootCause(organisation=organisation, code=c.code, label=c.label, position=i)
            for i, c in enumerate(DEFAULT_ROOT_CAUSES)
        )


@transaction.atomic
def root_cause_add(
    *, organisation: Organisation, label: str, actor: User, now: datetime
) -> RootCause:
    """Add a root cause to the organisation's taxonomy; its code is made from the label."""
    text = " ".join(label.split())
    if not text:
        raise FieldErrors({"label": "is required"})
    if len(text) > 100:
        raise FieldErrors({"label": f"is longer than 100 characters ({len(text)})"})
    _materialise(organisation)
    code = code_from_label(text)
    existing = RootCause.objects.filter(organisation=organisation, code=code).first()
    if existing is not None and existing.active:
        raise FieldErrors({"label": f"the taxonomy already has a root cause coded {code!r}"})
    if existing is not None:  # a retired entry comes back
        existing.active, existing.label = True, text
        existing.save(update_fields=["active", "label"])
        return existing
    last = RootCause.objects.filter(organisation=organisation).order_by("-position").first()
    return RootCause.objects.create(
        organisation=organisation,
        code=code,
        label=text,
        position=(last.position + 1) if last else 0,
    )


@transaction.atomic
def root_cause_retire(
    *, organisation: Organisation, code: str, actor: User, now: datetime
) -> RootCause:
    """Stop offering a root cause when closing cases. Closed cases keep it."""
    _materialise(organisation)
    row = RootCause.objects.filter(organisation=organisation, code=code, active=True).first()
    if row is None:
        raise FieldErrors({"code": f"{code!r} is not a root cause in use"})
    if RootCause.objects.filter(organisation=organisation, active=True).count() == 1:
        raise FieldErrors({"code": "is the last root cause in use; add another first"})
    row.active = False
    row.save(update_fields=["active"])
    return row


@transaction.atomic
def return_product_map_set(
    *, organisation: Organisation, product: str, group: str, actor: User, now: datetime
) -> ReturnProductMap | None:
    """Map one of the organisation's products to a return product group ("" removes the
    mapping)."""
    name = product.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["product"] = "is required"
    if group and group not in {g.value for g in ProductGroup}:
        options = ", ".join(g.value for g in ProductGroup)
        errors["group"] = f"{group!r} is not one of: {options}"
    if errors:
        raise FieldErrors(errors)
    if not group:
        ReturnProductMap.objects.filter(organisation=organisation, product=name).delete()
        return None
    row, _ = ReturnProductMap.objects.update_or_create(
        organisation=organisation, product=name, defaults={"group": group, "updated_at": now}
    )
    return row


@transaction.atomic
def action_open(
    *,
    organisation: Organisation,
    title: str,
    root_cause_code: str,
    owner_id: int | None,
    due_on: date | None,
    actor: User,
    now: datetime,
    case_references: list[str] | None = None,
) -> ImprovementAction:
    """Open an improvement action for a root cause, from one case or a group of cases."""
    errors: dict[str, str] = {}
    text = " ".join(title.split())
    if not text:
        errors["title"] = "is required: say what will change"
    elif len(text) > 300:
        errors["title"] = f"is longer than 300 characters ({len(text)})"
    labels = root_cause_labels(organisation=organisation)
    if root_cause_code not in labels or not root_cause_code:
        errors["root_cause_code"] = f"{root_cause_code!r} is not a root cause of this organisation"
    owner = (
        User.objects.filter(organisation=organisation, pk=owner_id, is_active=True).first()
        if owner_id is not None
        else None
    )
    if owner is None:
        errors["owner"] = "choose a member of staff of this organisation"
    if due_on is None:
        errors["due_on"] = "is required"
    refs = [r.strip() for r in case_references or [] if r.strip()]
    cases = list(Case.objects.filter(organisation=organisation, reference__in=refs))
    missing = sorted(set(refs) - {c.reference for c in cases})
    if missing:
        errors["cases"] = f"no case with the reference {', '.join(missing)}"
    if errors:
        raise FieldErrors(errors)
    assert owner is not None and due_on is not None
    action = ImprovementAction.objects.create(
        organisation=organisation,
        title=text,
        root_cause_code=root_cause_code,
        owner=owner,
        due_on=due_on,
        opened_by=actor,
        opened_at=now,
    )
    action.cases.set(cases)
    return action


@transaction.atomic
def action_done(
    *, action: ImprovementAction, done_on: date | None, actor: User, now: datetime
) -> ImprovementAction:
    """Record the day the change took effect; the before/after measure starts there."""
    action = ImprovementAction.objects.select_for_update().get(pk=action.pk)
    if done_on is None:
        raise FieldErrors({"done_on": "is required"})
    if done_on < action.opened_at.date():
        raise FieldErrors({"done_on": "is before the action was opened"})
    if done_on > now.date():
        raise FieldErrors({"done_on": "is in the future"})
    action.done_on = done_on
    action.save(update_fields=["done_on"])
    return action


@transaction.atomic
def action_judge(
    *, action: ImprovementAction, worked: bool, note: str, actor: User, now: datetime
) -> ImprovementAction:
    """Record whether the action worked, after looking at its measured effect."""
    action = ImprovementAction.objects.select_for_update().get(pk=action.pk)
    if action.done_on is None:
        raise FieldErrors({"result": "record when the change was done first"})
    action.result = (
        ImprovementAction.Result.WORKED if worked else ImprovementAction.Result.DID_NOT_WORK
    )
    action.result_note = note.strip()[:5000]
    action.judged_at = now
    action.save(update_fields=["result", "result_note", "judged_at"])
    return action
