"""`/csp-report/`: where browsers send Content-Security-Policy violation reports."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from plaint.limits.http import rate_limited

from .reports import LEGACY_TYPES, REPORTING_TYPES, BadReport, log_violation, read_reports

#: The largest body read; a browser's report is a few hundred bytes.
MAX_BODY = 64 * 1024


def _refused(status: int, reason: str) -> HttpResponse:
    return HttpResponse(reason, status=status, content_type="text/plain; charset=utf-8")


# Browsers send reports with no cookie and no CSRF token, so this one view is exempt; it
# changes nothing and stores nothing. Each POST counts against PLAINT_PUBLIC_RATE_LIMIT per
# PLAINT_PUBLIC_RATE_WINDOW_MINUTES for the client's address (scope "csp-report").
@csrf_exempt
@require_POST
@rate_limited("csp-report", template="cspreport/too_many.txt")
def csp_report_view(request: HttpRequest) -> HttpResponse:
    if not getattr(settings, "PLAINT_CSP_REPORT_URI", ""):
        raise Http404("Violation reports are off (PLAINT_CSP_REPORTS=false).")
    content_type = request.content_type or ""
    if content_type not in LEGACY_TYPES | REPORTING_TYPES:
        return _refused(415, "Send application/csp-report or application/reports+json.\n")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _refused(400, "Content-Length is not a number.\n")
    if declared > MAX_BODY:
        return _refused(413, f"A report is at most {MAX_BODY} bytes.\n")
    body = request.read(MAX_BODY + 1)
    if len(body) > MAX_BODY:
        return _refused(413, f"A report is at most {MAX_BODY} bytes.\n")
    try:
        violations = read_reports(body, content_type, request.META.get("HTTP_USER_AGENT", ""))
    except BadReport as exc:
        return _refused(400, f"{exc}\n")
    for violation in violations:
        log_violation(violation)
    return HttpResponse(status=204)
