"""Show times in the signed-in member of staff's organisation's time zone."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class OrganisationTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        org = getattr(getattr(request, "user", None), "organisation", None)
        if org is not None:
            timezone.activate(ZoneInfo(org.time_zone))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
