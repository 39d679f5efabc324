from __future__ import annotations

from collections.abc import Callable

import pytest

from plaint.accounts.models import Organisation
from plaint.cases.models import Case
from tests.messaging.conftest import smtp  # noqa: F401 - the loopback SMTP server
from tests.portal.helpers import portal_token


@pytest.fixture(autouse=True)
def _portal_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.LETTER_ROOT = tmp_path / "letters"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def case_url() -> Callable[..., str]:
    """The case's link (one per case for the whole test), under `org` if given."""
    tokens: dict[int, str] = {}

    def make(case: Case, suffix: str = "", org: Organisation | None = None) -> str:
        slug = (org or case.organisation).slug
        if case.pk not in tokens:
            tokens[case.pk] = portal_token(case)
        return f"/complain/{slug}/case/{tokens[case.pk]}/{suffix}"

    return make
