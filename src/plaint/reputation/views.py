"""The reputation watch page: parse, call a selector or service, render. Supervisors
(`cases.view_all_cases`) see it; reviews count across the whole organisation."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from plaint.accounts.models import Organisation
from plaint.domain.errors import FieldErrors
from plaint.reputation import charts, selectors, services
from plaint.reputation.models import Review

VIEW = "cases.view_all_cases"


def _organisation(request: HttpRequest) -> Organisation:
    org: Organisation | None = getattr(request.user, "organisation", None)
    if org is None:
        raise PermissionDenied("Your account does not belong to an organisation.")
    return org


@login_required
@permission_required(VIEW, raise_exception=True)
def reputation_view(request: HttpRequest) -> HttpResponse:
    org = _organisation(request)
    errors: dict[str, str] = {}
    report = None
    now = timezone.now()
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors["file"] = "choose a CSV or JSON file of reviews"
        else:
            try:
                report = services.reviews_import(
                    organisation=org,
                    data=upload.read(services.MAX_FILE + 1),
                    filename=upload.name or "",
                    source=request.POST.get("source", ""),
                    now=now,
                )
                services.reputation_watch(organisation=org, now=now)
            except FieldErrors as exc:
                errors.update(exc.errors)
    try:
        weeks = max(4, min(156, int(request.GET.get("weeks", "26"))))
    except ValueError:
        weeks = 26
    until = now
    latest = selectors.review_list(organisation=org).first()
    if request.GET.get("to") == "latest" and latest is not None:
        until = latest.posted_at
    rows = selectors.reputation_trend(organisation=org, until=until, weeks=weeks)
    nonce = str(request.csp_nonce)  # type: ignore[attr-defined]  # django-csp's middleware
    return render(
        request,
        "reputation/reputation.html",
        {
            "rows": rows,
            "rating_chart": charts.rating_chart(rows, nonce=nonce),
            "volume_chart": charts.volume_chart(rows, nonce=nonce),
            "reviews": selectors.review_list(organisation=org)[:50],
            "alerts": selectors.alert_list(organisation=org)[:20],
            "flags": selectors.flag_counts(organisation=org),
            "linked": selectors.linked_count(organisation=org),
            "report": report,
            "errors": errors,
            "weeks": weeks,
        },
        status=400 if errors else 200,
    )


@login_required
@permission_required(VIEW, raise_exception=True)
def reply_view(request: HttpRequest, pk: int) -> HttpResponse:
    org = _organisation(request)
    try:
        review = selectors.review_get(organisation=org, pk=pk)
    except Review.DoesNotExist:
        raise Http404("No such review.") from None
    return render(
        request,
        "reputation/reply.html",
        {"review": review, "draft": services.review_reply_draft(review=review)},
    )
