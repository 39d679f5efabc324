from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest
from django.conf import settings as django_settings

from plaint.config import appsettings


@pytest.fixture(autouse=True)
def _limits_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.LETTER_ROOT = tmp_path / "letters"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Set quota and rate-limit settings for this test (`configure(public_rate_limit=2)`)."""

    def apply(**values: int) -> None:
        monkeypatch.setattr(appsettings, "APP", replace(appsettings.APP, **values))
        if "trusted_proxies" in values:  # read from Django's settings by client_address
            monkeypatch.setattr(
                django_settings, "PLAINT_TRUSTED_PROXIES", values["trusted_proxies"], raising=False
            )

    return apply
