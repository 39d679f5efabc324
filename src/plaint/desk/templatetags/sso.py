"""`{% sso_button next %}`: the sign-in page's "Sign in with single sign-on" link, shown
only while single sign-on is on (plaint.accounts.oidc)."""

from __future__ import annotations

from typing import Any

from django import template

from plaint.accounts import oidc

register = template.Library()


@register.inclusion_tag("desk/_sso_button.html")
def sso_button(next_url: str = "") -> dict[str, Any]:
    return {"sso_on": oidc.config() is not None, "next": next_url or ""}
