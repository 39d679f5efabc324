"""The desk's mail pages: parse the request, call a service or selector, render."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from plaint.accounts.models import Organisation, User
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.cases.selectors import CaseNotFound, case_get
from plaint.cases.services import case_at_version
from plaint.domain.collision import version_parse
from plaint.domain.disputes.restrictions import ContactRestricted
from plaint.domain.errors import DomainError, FieldErrors
from plaint.messaging import selectors
from plaint.messaging.inbound import replies_mark_read
from plaint.messaging.models import CannedReply, Message
from plaint.messaging.outbound import canned_reply_send, letter_email_send, message_send
from plaint.outbox.models import Delivery
from plaint.outbox.services import delivery_resolve

WORK = "cases.work_case"
ALL = "cases.view_all_cases"


def _organisation(request: HttpRequest) -> Organisation:
    org: Organisation | None = getattr(request.user, "organisation", None)
    if org is None:
        raise PermissionDenied("Your account does not belong to an organisation.")
    return org


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _case(request: HttpRequest, reference: str) -> Case:
    try:
        return case_get(
            organisation=_organisation(request), reference=reference, visible_to=_user(request)
        )
    except CaseNotFound:
        raise Http404("No such case.") from None


class ComposeForm(forms.Form):
    subject = forms.CharField(max_length=200, required=False)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
    canned = forms.IntegerField(required=False)
    letter_seq = forms.IntegerField(required=False, min_value=1)
    evidence = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=())
    confirm_restricted = forms.BooleanField(required=False)


def _send(
    case: Case, data: dict[str, Any], actor: Actor, now: datetime, *, confirmed: bool, by: str
) -> None:
    """Send what the compose form asked for: a canned reply, a kept letter, or a message
    (`confirmed`: by `by`, despite a contact restriction that forbids e-mail)."""
    if data["canned"]:
        reply = CannedReply.objects.filter(
            organisation=case.organisation, pk=data["canned"]
        ).first()
        if reply is None:
            raise FieldErrors({"canned": "is not a canned reply of this organisation"})
        canned_reply_send(
            case=case,
            reply=reply,
            actor=actor,
            now=now,
            extra=data["text"],
            confirmed_despite_restriction=confirmed,
            confirmed_by=by,
        )
    elif data["letter_seq"] and not data["text"]:
        letter_email_send(
            case=case,
            seq=data["letter_seq"],
            actor=actor,
            now=now,
            confirmed_despite_restriction=confirmed,
            confirmed_by=by,
        )
    else:
        message_send(
            case=case,
            subject=data["subject"],
            text=data["text"],
            letter_seq=data["letter_seq"],
            evidence_ids=data["evidence"],
            actor=actor,
            now=now,
            confirmed_despite_restriction=confirmed,
            confirmed_by=by,
        )


def _back(case: Case) -> HttpResponse:
    return redirect(reverse("desk:case_detail", args=[case.reference]) + "#mail")


@login_required
@permission_required(WORK, raise_exception=True)
@require_POST
def message_send_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    form = ComposeForm(request.POST)
    evidence_field = form.fields["evidence"]
    assert isinstance(evidence_field, forms.TypedMultipleChoiceField)
    evidence_field.choices = [(e.pk, e.filename) for e in case.evidence.all()]
    actor, now = Actor.staff(_user(request)), timezone.now()
    errors: dict[str, str] = {}
    if form.is_valid():
        data = form.cleaned_data
        confirmed = bool(data["confirm_restricted"])
        by = actor.label if confirmed else ""
        try:
            # A form rendered before someone else changed the case is refused (collision).
            version = version_parse(request.POST.get("version"))
            with case_at_version(case=case, version=version, now=now):
                _send(case, data, actor, now, confirmed=confirmed, by=by)
        except ContactRestricted as exc:
            errors = {"confirm_restricted": f"{exc.reasons}. Tick to send it anyway"}
        except FieldErrors as exc:
            errors = dict(exc.errors)
        except DomainError as exc:
            errors = {"message": exc.message}
        else:
            return _back(case)
    else:
        errors = {name: " ".join(str(m) for m in e) for name, e in form.errors.items()}
    return render(
        request,
        "messaging/compose_refused.html",
        {"case": case, "errors": errors, "form": form},
        status=400,
    )


@login_required
@permission_required(ALL, raise_exception=True)
@require_GET
def outbox_view(request: HttpRequest) -> HttpResponse:
    org = _organisation(request)
    status = request.GET.get("status", "")
    if status and status not in Delivery.Status.values:
        status = ""
    context: dict[str, Any] = {
        "rows": selectors.outbox_list(organisation=org, status=status)[:200],
        "counts": selectors.outbox_counts(organisation=org),
        "statuses": Delivery.Status.choices,
        "status": status,
    }
    return render(request, "messaging/outbox.html", context)


@login_required
@permission_required(ALL, raise_exception=True)
@require_POST
def delivery_resolve_view(request: HttpRequest, pk: int) -> HttpResponse:
    org = _organisation(request)
    delivery = Delivery.objects.filter(organisation=org, pk=pk).first()
    if delivery is None:
        raise Http404("No such delivery.")
    arrived = request.POST.get("arrived") == "yes"
    try:
        delivery_resolve(
            delivery=delivery, arrived=arrived, by=_user(request).display_name, now=timezone.now()
        )
    except DomainError as exc:
        return render(request, "messaging/problem.html", {"problem": exc.message}, status=400)
    return redirect(reverse("messaging:outbox") + "?status=unknown")


@login_required
@permission_required(WORK, raise_exception=True)
@require_GET
def replies_view(request: HttpRequest) -> HttpResponse:
    org = _organisation(request)
    user = _user(request)
    rows = [
        r
        for r in selectors.new_replies(organisation=org)
        if user.has_perm(ALL) or r.case.assignee_id in (None, user.pk)
    ]
    unmatched = selectors.unmatched(organisation=org)[:100] if user.has_perm(ALL) else []
    return render(request, "messaging/replies.html", {"rows": rows, "unmatched": unmatched})


@login_required
@permission_required(WORK, raise_exception=True)
@require_POST
def replies_read_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = _case(request, reference)
    replies_mark_read(case=case)
    return _back(case)


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_GET
def message_view(request: HttpRequest, pk: int) -> HttpResponse:
    org = _organisation(request)
    try:
        message = selectors.message_get(organisation=org, pk=pk)
    except Message.DoesNotExist:
        raise Http404("No such message.") from None
    if message.case is not None:
        _case(request, message.case.reference)  # may this person see its case?
    elif not _user(request).has_perm(ALL):
        raise Http404("No such message.")
    response = render(request, "messaging/message.html", {"message": message})
    # Received HTML is sanitised; the page also forbids every image, frame and script.
    response["Content-Security-Policy"] = (
        "default-src 'self'; img-src 'none'; frame-src 'none'; script-src 'self'; style-src 'self'"
    )
    return response
