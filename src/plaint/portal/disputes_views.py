"""The portal's disputes pages: the customer records the cease-and-desist they sent (how,
with its tracking number, and the date by which the conduct must stop) and later whether
the conduct stopped. The views only parse; `plaint.disputes.services` checks and records,
the same services the desk calls."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from plaint.accounts.models import Organisation
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.disputes import selectors, services
from plaint.disputes.forms import PortalOutcomeForm, PortalSentForm
from plaint.domain.errors import DomainError, FieldErrors
from plaint.portal.views import _apply_errors, _case_context, with_case


def _to_panel(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    token = request.resolver_match.kwargs["token"] if request.resolver_match else ""
    url = reverse("portal:case", kwargs={"org": organisation.slug, "token": token})
    return redirect(f"{url}#disputes")


def _refused(form: PortalSentForm | PortalOutcomeForm, exc: DomainError) -> None:
    if isinstance(exc, FieldErrors):
        _apply_errors(form, exc.errors, {})
    else:
        form.add_error(None, exc.message)


@require_http_methods(["GET", "POST"])
@with_case
def sent_view(request: HttpRequest, organisation: Organisation, case: Case) -> HttpResponse:
    form = PortalSentForm(request.POST or None)
    context = _case_context(request, organisation, case, form=form)
    if request.method != "POST":
        return render(request, "disputes/portal_sent.html", context)
    if form.is_valid():
        try:
            services.cease_desist_sent_record(
                case=case,
                actor=Actor.customer(case.customer.name),
                now=timezone.now(),
                **form.cleaned_data,
            )
        except DomainError as exc:
            _refused(form, exc)
        else:
            return _to_panel(request, organisation)
    return render(request, "disputes/portal_sent.html", context, status=400)


@require_POST
@with_case
def outcome_view(
    request: HttpRequest, organisation: Organisation, case: Case, pk: int
) -> HttpResponse:
    try:
        sent = selectors.cease_desist_sent_get(case=case, sent_id=pk)
    except DomainError:
        raise Http404("There is no such letter on this complaint.") from None
    form = PortalOutcomeForm(request.POST)
    if form.is_valid():
        try:
            services.cease_desist_outcome_record(
                sent=sent,
                stopped=form.cleaned_data["stopped"],
                note=form.cleaned_data["note"],
                actor=Actor.customer(case.customer.name),
                now=timezone.now(),
            )
        except DomainError as exc:
            _refused(form, exc)
        else:
            return _to_panel(request, organisation)
    context = _case_context(request, organisation, case, form=form, sent=sent)
    return render(request, "disputes/portal_outcome.html", context, status=400)
