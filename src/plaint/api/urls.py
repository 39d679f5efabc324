"""Mounted at /api/ by `plaint.config.urls`: the API itself under v1/ (every path carries
its version), and the desk's page of API tokens under tokens/."""

from django.urls import include, path

from plaint.api import desk_views
from plaint.api.api import api

desk_patterns = (
    [
        path("", desk_views.tokens_view, name="tokens"),
        path("<str:prefix>/revoke/", desk_views.token_revoke_view, name="token_revoke"),
    ],
    "api_desk",
)

urlpatterns = [
    path("v1/", api.urls),
    path("tokens/", include(desk_patterns)),
]
