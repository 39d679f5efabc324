"""Customer portal views (placeholder until the portal is built)."""

from django.http import HttpRequest, HttpResponse


def complaint_form_view(request: HttpRequest, org: str) -> HttpResponse:
    return HttpResponse("The complaint form is coming.", content_type="text/plain")
