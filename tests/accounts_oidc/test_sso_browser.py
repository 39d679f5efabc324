"""The sign-in page with single sign-on on, in Debian's Chromium (screenshot for the docs:
PLAINT_SCREENSHOTS=1 writes docs/screenshots/signin-sso.png)."""

from __future__ import annotations

from plaint.accounts.models import Organisation
from tests.accounts_oidc.conftest import sso_config
from tests.accounts_oidc.provider import Provider
from tests.browser.conftest import SCREENSHOTS


def test_the_sign_in_page_shows_the_single_sign_on_button(  # type: ignore[no-untyped-def]
    page, settings, provider: Provider, org: Organisation
) -> None:
    settings.PLAINT_OIDC = sso_config(provider)
    page.goto("/login/")
    button = page.get_by_role("link", name="Sign in with single sign-on")
    assert button.is_visible() and page.get_by_label("Password").is_visible()
    assert button.get_attribute("href") == "/login/sso/"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "signin-sso.png"))
