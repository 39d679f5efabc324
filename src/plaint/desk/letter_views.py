"""Letters on the case page: pick a kind, supply what the case lacks, generate, preview,
download, mark as sent. Views parse and call `plaint.letters`; they decide nothing."""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_POST

from plaint.accesslog.models import AccessAction
from plaint.accesslog.recording import request_access_record
from plaint.cases.downloads import file_response
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.cases.services import case_at_version
from plaint.deadlines.services import case_deadlines_refresh
from plaint.desk import views
from plaint.desk.forms import LetterFieldsForm, LetterForm
from plaint.desk.letter_forms import LetterMarkSentForm, LetterWithdrawForm
from plaint.domain.collision import version_parse
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.letters import InvalidFields, MissingFields, UnknownLetter
from plaint.letters import selectors as letter_selectors
from plaint.letters.selectors import LetterNotFound
from plaint.letters.services import letter_generate, letter_mark_sent, letter_withdraw

FORMATS = ("md", "html", "pdf", "docx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
}
FIELD_PREFIX = "f-"


def _at_version(request: HttpRequest, case: Case, now: datetime) -> AbstractContextManager[Case]:
    """The case, locked, if it is still at the version the form was rendered at; else
    `StaleForm` (collision: someone else changed it meanwhile), and nothing is written."""
    return case_at_version(case=case, version=version_parse(request.POST.get("version")), now=now)


def _require_work(request: HttpRequest) -> None:
    if not request.user.has_perm("cases.work_case"):
        raise PermissionDenied("Your role does not allow writing letters.")


@login_required
@require_POST
def letter_generate_view(request: HttpRequest, reference: str) -> HttpResponse:
    case = views._case(request, reference)
    _require_work(request)
    form = LetterForm(request.POST)
    supplied = {
        key.removeprefix(FIELD_PREFIX): value
        for key in request.POST
        if key.startswith(FIELD_PREFIX) and (value := request.POST.get(key, "").strip())
    }
    fields_form: forms.Form | None = None
    if form.is_valid():
        now = timezone.now()
        try:
            with _at_version(request, case, now):
                letter_generate(
                    case=case,
                    kind=form.cleaned_data["kind"],
                    actor=Actor.staff(views._user(request)),
                    now=now,
                    fields=supplied,
                    formats=FORMATS,
                    page_size=form.cleaned_data["page_size"],
                )
        except MissingFields as exc:
            fields_form = LetterFieldsForm(
                request.POST, missing=exc.missing, prefix=FIELD_PREFIX.rstrip("-")
            )
            form.add_error(None, f"{len(exc.missing)} field(s) needed: fill them in below.")
        except InvalidFields as exc:
            form.add_error(None, exc.message)
        except (UnknownLetter, FieldErrors, DomainError) as exc:
            form.add_error(None, exc.message)
        else:
            case_deadlines_refresh(case=case, now=now)
            return redirect(f"{reverse('desk:case_detail', args=[case.reference])}#letters")
    return views._case_page(
        request,
        case,
        {"letter": form, **({"letter_fields": fields_form} if fields_form else {})},
        400,
    )


@login_required
@require_POST
def letter_sent_view(request: HttpRequest, reference: str, seq: int) -> HttpResponse:
    """Record that a kept letter was sent (`letter_mark_sent`): how, when, with what
    tracking number. Like the other case-page forms it redirects back to the letters on
    success and shows the page again with the errors otherwise; htmx swaps the case in
    place, and without JavaScript it is a plain form post."""
    case = views._case(request, reference)
    _require_work(request)
    try:
        letter_selectors.case_letter(case=case, seq=seq)
    except LetterNotFound:
        raise Http404(f"No letter #{seq} on {case.reference}.") from None
    form = LetterMarkSentForm(request.POST, zone=ZoneInfo(case.organisation.time_zone))
    form.auto_id = f"id_sent{seq}_%s"
    if form.is_valid():
        data = form.cleaned_data
        now = timezone.now()
        try:
            with _at_version(request, case, now):
                letter_mark_sent(
                    case=case,
                    seq=seq,
                    method=data["method"],
                    tracking_number=data["tracking_number"],
                    sent_at=data["sent_at"],
                    actor=Actor.staff(views._user(request)),
                    now=now,
                )
        except DomainError as exc:
            views._show_errors(form, exc)
        else:
            case_deadlines_refresh(case=case, now=now)
            return redirect(f"{reverse('desk:case_detail', args=[case.reference])}#letters")
    return views._case_page(request, case, {f"sent{seq}": form}, 400)


@login_required
@require_POST
def letter_withdraw_view(request: HttpRequest, reference: str, seq: int) -> HttpResponse:
    """Withdraw a kept letter that was never sent (`letter_withdraw`), with the reason."""
    case = views._case(request, reference)
    _require_work(request)
    try:
        letter_selectors.case_letter(case=case, seq=seq)
    except LetterNotFound:
        raise Http404(f"No letter #{seq} on {case.reference}.") from None
    form = LetterWithdrawForm(request.POST)
    form.auto_id = f"id_withdraw{seq}_%s"
    if form.is_valid():
        now = timezone.now()
        try:
            with _at_version(request, case, now):
                letter_withdraw(
                    case=case,
                    seq=seq,
                    reason=form.cleaned_data["reason"],
                    actor=Actor.staff(views._user(request)),
                    now=now,
                )
        except DomainError as exc:
            views._show_errors(form, exc)
        else:
            return redirect(f"{reverse('desk:case_detail', args=[case.reference])}#letters")
    return views._case_page(request, case, {f"withdraw{seq}": form}, 400)


def _letter_bytes(request: HttpRequest, reference: str, seq: int, fmt: str) -> bytes:
    case = views._case(request, reference)
    if fmt not in CONTENT_TYPES:
        raise Http404(f"No format {fmt!r}.")
    try:
        return letter_selectors.case_letter_file(case=case, seq=seq, fmt=fmt)
    except LetterNotFound as exc:
        raise Http404(str(exc)) from None


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_GET
def letter_file_view(request: HttpRequest, reference: str, seq: int, fmt: str) -> HttpResponse:
    data = _letter_bytes(request, reference, seq, fmt)
    request_access_record(
        request,
        AccessAction.LETTER_DOWNLOADED,
        case_reference=reference,
        detail={"letter": seq, "format": fmt},
    )
    filename = f"{reference}-letter-{seq}.{fmt}"
    return file_response(data, filename=filename, content_type=CONTENT_TYPES[fmt])


@login_required
@permission_required("cases.view_case", raise_exception=True)
@require_GET
@xframe_options_sameorigin
def letter_preview_view(request: HttpRequest, reference: str, seq: int) -> HttpResponse:
    """The kept HTML of a letter, shown in a sandboxed frame: no scripts, no forms."""
    response = HttpResponse(
        _letter_bytes(request, reference, seq, "html"), content_type=CONTENT_TYPES["html"]
    )
    # The kept letter carries its own <style> (the letter as it was sent, so a hash would
    # change with every stored letter): inline style is allowed here and nowhere else, in a
    # sandboxed document that may run no script, submit no form, load nothing but its own
    # data: images, and be framed by the desk alone.
    response["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
        "frame-ancestors 'self'; form-action 'none'; base-uri 'none'"
    )
    return response
