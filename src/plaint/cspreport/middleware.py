"""`Reporting-Endpoints` on every response whose policy reports (`report-to`)."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from .policy import CSP_REPORT_GROUP, reporting_endpoints

HEADER = "Content-Security-Policy"


class ReportingEndpointsMiddleware:
    """Placed outside django-csp's middleware, so it sees the policy the response got: a
    response under a policy with `report-to csp-endpoint` gets the header that says where
    that is. The letter preview's own policy has no `report-to` and gets none."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        uri = getattr(settings, "PLAINT_CSP_REPORT_URI", "")
        policy = response.get(HEADER, "")
        if uri and f"report-to {CSP_REPORT_GROUP}" in policy:
            response["Reporting-Endpoints"] = reporting_endpoints(uri)
        return response
