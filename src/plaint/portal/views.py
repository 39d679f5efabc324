"""Customer portal views: parse the request, call a portal service or selector, render.
No business logic here; who may see what is decided by the link (`links.py`) and the
portal selectors."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, BinaryIO, Concatenate, ParamSpec, cast

from django.core.files.uploadedfile import UploadedFile
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from plaint.accounts.models import Organisation
from plaint.accounts.selectors import organisation_get
from plaint.cases.downloads import evidence_response, file_response
from plaint.cases.evidence_store import BlobAltered, blob_open_checked
from plaint.cases.models import Case
from plaint.cases.services import CustomerDetails
from plaint.domain.errors import DomainError, FieldErrors
from plaint.domain.letters import InvalidFields, MissingFields, letter_spec
from plaint.letters.selectors import LetterNotFound
from plaint.limits.http import client_address, rate_limited, refused_page, too_many
from plaint.limits.services import LimitExceeded
from plaint.portal import selectors, services
from plaint.portal.forms import (
    ComplaintForm,
    EscalationForm,
    EvidenceForm,
    LinkRequestForm,
    OfferAnswerForm,
    ReplyForm,
    form_token_new,
)
from plaint.portal.links import LinkExpired, LinkInvalid, LinkRetired

P = ParamSpec("P")
SESSION_KEY = "portal.filed"

#: Where the case services' field names land on the complaint form.
COMPLAINT_FIELDS = {
    "customer.name": "name",
    "customer.email": "email",
    "customer.phone": "phone",
    "customer.preferred_contact_times": "best_times",
    "customer.postal_address": "address",
    "amount_in_dispute": "amount",
    "occurred_on": "occurred_on",
    "description": "description",
    "desired_resolution": "desired_resolution",
    "currency": "currency",
    "product": "product",
    "order_number": "order_number",
    "account_number": "account_number",
    "evidence": "evidence",
    "file": "evidence",
}


def _organisation(slug: str) -> Organisation:
    try:
        return organisation_get(slug=slug)
    except FieldErrors:
        raise Http404("There is no organisation at this address.") from None


def _problem(request: HttpRequest, title: str, message: str, status: int) -> HttpResponse:
    return render(
        request, "portal/problem.html", {"title": title, "message": message}, status=status
    )


_VERBS = ("is ", "must ", "has ", "contains ")


def _apply_errors(form: Form, errors: dict[str, str], mapping: dict[str, str]) -> None:
    """Put a service's FieldErrors on the form's fields. Messages that read "is in the
    future" get the field's label in front, so they make a sentence."""
    for key, message in errors.items():
        field = mapping.get(key, key)
        target = field if field in form.fields else None
        if message.startswith(_VERBS):
            label = form.fields[field].label if target else key
            message = f"{label} {message}."
        form.add_error(target, message)


def _uploads(files: list[UploadedFile[bytes]]) -> list[services.Upload]:
    return [
        services.Upload(
            filename=f.name or "upload",
            stream=cast(BinaryIO, f),
            content_type=f.content_type or "",
        )
        for f in files
    ]


def _limited_context(request: HttpRequest, kwargs: dict[str, Any]) -> dict[str, Any]:
    """What the 429 page shows of the organisation whose address was posted to."""
    try:
        return {"organisation": organisation_get(slug=kwargs.get("org", ""))}
    except FieldErrors:
        return {}


#: Every POST to the portal, from one client address, counts against
#: PLAINT_PUBLIC_RATE_LIMIT per PLAINT_PUBLIC_RATE_WINDOW_MINUTES (one count for all pages).
public_post = rate_limited(
    "public-post", template="portal/rate_limited.html", context=_limited_context
)


def _too_many(
    request: HttpRequest, exc: services.RateLimited, now: datetime, context: dict[str, Any]
) -> HttpResponse:
    seconds = int((exc.retry_at - now).total_seconds())
    return too_many(
        request, template="portal/rate_limited.html", retry_after=seconds, context=context
    )


@require_http_methods(["GET", "POST"])
@public_post
def complaint_form_view(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _organisation(org)
    form = ComplaintForm(
        request.POST or None,
        request.FILES or None,
        country=organisation.country,
        initial={"submission": form_token_new()},
    )
    context: dict[str, Any] = {"organisation": organisation, "form": form}
    if request.method != "POST":
        return render(request, "portal/complaint_form.html", context)
    if form.is_spam:
        # Says nothing of the honeypot: a bot learns no field to leave alone.
        form.add_error(
            None,
            "Your complaint could not be sent. Please try again later, or contact us another way.",
        )
        return render(request, "portal/complaint_form.html", context, status=400)
    if not form.is_valid():
        return render(request, "portal/complaint_form.html", context, status=400)
    now = timezone.now()
    data = form.cleaned_data
    try:
        services.intake_throttle(ip=client_address(request), now=now)
    except services.RateLimited as exc:
        return _too_many(request, exc, now, {"organisation": organisation})

    def link_for(token: str) -> str:
        return request.build_absolute_uri(
            reverse("portal:case", kwargs={"org": organisation.slug, "token": token})
        )

    try:
        filed = services.complaint_file(
            organisation=organisation,
            customer=CustomerDetails(
                name=data["name"],
                email=data["email"],
                phone=data["phone"],
                postal_address=data["address"],
                preferred_contact_times=data["best_times"],
            ),
            complaint=services.ComplaintDetails(
                description=data["description"],
                desired_resolution=data["desired_resolution"],
                product=data["product"],
                order_number=data["order_number"],
                account_number=data["account_number"],
                occurred_on=data["occurred_on"],
                amount=data["amount"],
                currency=data["currency"],
            ),
            uploads=_uploads(data["evidence"]),
            now=now,
            link_for=link_for,
            form_token=data["submission"],
        )
    except FieldErrors as exc:
        _apply_errors(form, exc.errors, COMPLAINT_FIELDS)
        return render(request, "portal/complaint_form.html", context, status=400)
    request.session[SESSION_KEY] = {
        "reference": filed.case.reference,
        "link": filed.link,
        "days": filed.days,
        "again": filed.again,
    }
    return redirect("portal:received", org=organisation.slug)


@never_cache
@require_GET
def received_view(request: HttpRequest, org: str) -> HttpResponse:
    organisation = _organisation(org)
    filed = request.session.pop(SESSION_KEY, None)
    return render(
        request,
        "portal/received.html",
        {"organisation": organisation, "filed": filed, "days": (filed or {}).get("days")},
    )


def _ask_for_new_link(
    request: HttpRequest, organisation: Organisation, title: str, message: str
) -> HttpResponse:
    context = {"organisation": organisation, "title": title, "message": message}
    return render(request, "portal/link_gone.html", context, status=410)


#: The least time a request for a new link takes, matched or not, so that how long the
#: answer took does not tell whether a reference and an address belong together. It covers
#: issuing the link and handing the e-mail to the mail server.
LINK_REQUEST_SECONDS = 1.0


@require_http_methods(["GET", "POST"])
@public_post
def link_request_view(request: HttpRequest, org: str) -> HttpResponse:
    """Ask for a new private link. The answer is the same page whether or not the
    reference and the address matched a case, and takes about the same time."""
    organisation = _organisation(org)
    form = LinkRequestForm(request.POST or None)
    context: dict[str, Any] = {"organisation": organisation, "form": form}
    if request.method != "POST":
        return render(request, "portal/link_request.html", context)
    started = time.monotonic()
    if not form.is_valid():
        return render(request, "portal/link_request.html", context, status=400)
    now = timezone.now()
    try:
        services.link_request_throttle(ip=client_address(request), now=now)
    except services.RateLimited as exc:
        context = {"organisation": organisation, "what": "requests for a new link"}
        return _too_many(request, exc, now, context)

    def link_for(token: str) -> str:
        return request.build_absolute_uri(
            reverse("portal:case", kwargs={"org": organisation.slug, "token": token})
        )

    services.link_request(
        organisation=organisation,
        reference=form.cleaned_data["reference"],
        email=form.cleaned_data["email"],
        now=now,
        link_for=link_for,
    )
    left = LINK_REQUEST_SECONDS - (time.monotonic() - started)
    if left > 0:
        time.sleep(left)
    return render(request, "portal/link_requested.html", context)


CaseView = Callable[Concatenate[HttpRequest, Organisation, Case, P], HttpResponseBase]


def with_case(view: CaseView[P]) -> Callable[..., HttpResponseBase]:
    """Open the case the link names, or answer with a plain message: 404 for a link that
    is not genuine for this organisation, 410 for an expired one."""

    @wraps(view)
    @never_cache
    @public_post
    def wrapper(
        request: HttpRequest, org: str, token: str, *args: P.args, **kwargs: P.kwargs
    ) -> HttpResponseBase:
        organisation = _organisation(org)
        try:
            case = selectors.portal_case(organisation=organisation, token=token, now=timezone.now())
        except LinkExpired:
            return _ask_for_new_link(
                request,
                organisation,
                "This link has expired",
                "Private links stop working after a while, to keep your complaint private. "
                "Your complaint is not affected.",
            )
        except LinkRetired:
            return _ask_for_new_link(
                request,
                organisation,
                "This link is no longer used",
                f"{organisation.name} now sends a new kind of private link, and links like "
                "this one no longer open a complaint. Your complaint is not affected.",
            )
        except LinkInvalid:
            return _problem(
                request,
                "This link does not open a complaint",
                "Check that you copied the whole link from your e-mail. Links cannot be "
                "changed or guessed.",
                404,
            )
        try:
            return view(request, organisation, case, *args, **kwargs)
        except LimitExceeded as exc:  # a service's per-case limit (`case_post_take`)
            return refused_page(
                request,
                exc,
                template="portal/rate_limited.html",
                context={"organisation": organisation},
            )

    return wrapper


# The case page holds several forms: their fields' ids must not collide.
REPLY_IDS, OFFER_IDS = "id_reply_%s", "id_offer_%s"


def _case_context(
    request: HttpRequest, organisation: Organisation, case: Case, **extra: Any
) -> dict[str, Any]:
    now = timezone.now()
    return {
        "organisation": organisation,
        "case": case,
        "token": request.resolver_match.kwargs["token"] if request.resolver_match else "",
        "timeline": selectors.customer_timeline(case=case),
        "deadlines": selectors.business_deadlines(case=case, now=now),
        "overdue": selectors.overdue_business_deadlines(case=case, now=now),
        "letters": selectors.customer_letters(case=case),
        "evidence": selectors.customer_evidence(case=case),
        "ombudsman": selectors.ombudsman_info(case=case),
        "offers": selectors.customer_offers(case=case),
        "offer_form": extra.pop("offer_form", None) or OfferAnswerForm(auto_id=OFFER_IDS),
        "offer_error_id": extra.pop("offer_error_id", None),
        "conversation": selectors.customer_conversation(case=case),
        "letter_pdfs": selectors.customer_letter_pdfs(case=case),
        "reply_form": extra.pop("reply_form", None) or ReplyForm(auto_id=REPLY_IDS),
        "evidence_form": extra.pop("evidence_form", None) or EvidenceForm(),
        **extra,
    }


def _back(organisation: Organisation, request: HttpRequest) -> HttpResponse:
    token = request.resolver_match.kwargs["token"] if request.resolver_match else ""
    return redirect("portal:case", org=organisation.slug, token=token)


@require_GET
@with_case
def case_view(request: HttpRequest, organisation: Organisation, case: Case) -> HttpResponse:
    return render(request, "portal/case.html", _case_context(request, organisation, case))


@require_POST
@with_case
def reply_view(request: HttpRequest, organisation: Organisation, case: Case) -> HttpResponse:
    form = ReplyForm(request.POST, request.FILES, auto_id=REPLY_IDS)
    if form.is_valid():
        try:
            services.reply_send(
                case=case,
                text=form.cleaned_data["text"],
                uploads=_uploads(form.cleaned_data["evidence"]),
                now=timezone.now(),
            )
        except FieldErrors as exc:
            _apply_errors(form, exc.errors, {"file": "evidence"})
        else:
            token = request.resolver_match.kwargs["token"] if request.resolver_match else ""
            url = reverse("portal:case", kwargs={"org": organisation.slug, "token": token})
            return redirect(f"{url}#messages")
    context = _case_context(request, organisation, case, reply_form=form)
    return render(request, "portal/case.html", context, status=400)


@require_POST
@with_case
def evidence_view(request: HttpRequest, organisation: Organisation, case: Case) -> HttpResponse:
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(
                case=case, uploads=_uploads(form.cleaned_data["evidence"]), now=timezone.now()
            )
        except FieldErrors as exc:
            _apply_errors(form, exc.errors, {"file": "evidence"})
        else:
            return _back(organisation, request)
    context = _case_context(request, organisation, case, evidence_form=form)
    return render(request, "portal/case.html", context, status=400)


@require_POST
@with_case
def offer_answer_view(
    request: HttpRequest, organisation: Organisation, case: Case, pk: int
) -> HttpResponse:
    form = OfferAnswerForm(request.POST, auto_id=OFFER_IDS)
    if form.is_valid():
        try:
            services.offer_answer(
                case=case,
                offer_id=pk,
                accepted=form.accepted,
                reason=form.cleaned_data["reason"],
                now=timezone.now(),
            )
        except FieldErrors as exc:
            if "offer" in exc.errors:
                return _problem(request, "Not found", exc.errors["offer"], 404)
            _apply_errors(form, exc.errors, {})
        except LimitExceeded:
            raise  # answered by `with_case` (HTTP 429)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            token = request.resolver_match.kwargs["token"] if request.resolver_match else ""
            url = reverse("portal:case", kwargs={"org": organisation.slug, "token": token})
            return redirect(f"{url}#offer-{pk}")
        case.refresh_from_db()
    context = _case_context(request, organisation, case, offer_form=form, offer_error_id=pk)
    return render(request, "portal/case.html", context, status=400)


@require_GET
@with_case
def evidence_download_view(
    request: HttpRequest, organisation: Organisation, case: Case, pk: int
) -> HttpResponseBase:
    try:
        item = selectors.customer_evidence_get(case=case, evidence_id=pk)
    except LookupError:
        return _problem(request, "Not found", "There is no such file on your complaint.", 404)
    try:
        stream = blob_open_checked(item.sha256)
    except BlobAltered:
        return _problem(
            request,
            "This file cannot be sent",
            "The stored copy of this file failed its integrity check, so it is not sent. "
            "Ask the business for a copy.",
            409,
        )
    return evidence_response(stream, filename=item.filename, content_type=item.content_type)


@require_GET
@with_case
def letter_download_view(
    request: HttpRequest, organisation: Organisation, case: Case, seq: int
) -> HttpResponse:
    try:
        kept, pdf = selectors.customer_letter_pdf(case=case, seq=seq)
    except LetterNotFound:
        return _problem(request, "Not found", "There is no such letter on your complaint.", 404)
    filename = f"{case.reference}-{kept.payload.letter}-{seq}.pdf"
    return file_response(pdf, filename=filename, content_type="application/pdf")


ESCALATION_KEYS = tuple(
    dict.fromkeys((*letter_spec("escalation").required, *letter_spec("escalation").optional))
)


@require_http_methods(["GET", "POST"])
@with_case
def escalate_view(request: HttpRequest, organisation: Organisation, case: Case) -> HttpResponse:
    keys = [k for k in ESCALATION_KEYS if k in request.POST]
    form = EscalationForm(request.POST or None, letter_keys=keys, country=organisation.country)
    context = _case_context(request, organisation, case, form=form, missing=[])
    if request.method != "POST":
        return render(request, "portal/escalate.html", context)
    if not form.is_valid():
        return render(request, "portal/escalate.html", context, status=400)
    try:
        escalation = services.case_escalate(
            case=case,
            grounds=form.cleaned_data["grounds"],
            explanation=form.cleaned_data["explanation"],
            fields=form.letter_fields(),
            now=timezone.now(),
        )
    except MissingFields as exc:
        asked = list(dict.fromkeys([*keys, *(m.field.key for m in exc.missing)]))
        form = EscalationForm(request.POST, letter_keys=asked, country=organisation.country)
        form.is_valid()
        for m in exc.missing:
            if m.field.key in form.errors:
                del form.errors[m.field.key]
        context.update(form=form, missing=exc.missing)
        return render(request, "portal/escalate.html", context, status=400)
    except InvalidFields as exc:
        _apply_errors(form, exc.errors, {})
        return render(request, "portal/escalate.html", context, status=400)
    except FieldErrors as exc:
        _apply_errors(form, exc.errors, {})
        return render(request, "portal/escalate.html", context, status=400)
    context.update(escalation=escalation, seq=escalation.letter.event.seq)
    return render(request, "portal/escalated.html", context)
