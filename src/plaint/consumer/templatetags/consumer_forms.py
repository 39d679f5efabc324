"""`{{ field|described }}`: a form field's widget tied to its hint and its error message
(aria-describedby, aria-invalid), so a screen reader reads the error with the field."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def described(field: Any) -> SafeString:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    attrs: dict[str, str] = {}
    if field.errors:
        ids.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    widget: SafeString = field.as_widget(attrs=attrs)
    return widget
