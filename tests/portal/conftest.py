from __future__ import annotations

from collections.abc import Callable

import pytest

from plaint.accounts.models import Organisation
from plaint.cases.models import Case
from plaint.portal.links import link_token


@pytest.fixture(autouse=True)
def _portal_settings(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.LETTER_ROOT = tmp_path / "letters"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def case_url() -> Callable[..., str]:
    def make(case: Case, suffix: str = "", org: Organisation | None = None) -> str:
        slug = (org or case.organisation).slug
        return f"/complain/{slug}/case/{link_token(case)}/{suffix}"

    return make
