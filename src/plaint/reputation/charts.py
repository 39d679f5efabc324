"""The reputation trend as server-side SVG (pygal), inlined: no JavaScript. Two charts on
one weekly axis: mean rating and sentiment; and the volume of reviews beside the
complaints received and the terminations noticed or taking effect. The page shows the
same figures in a table."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pygal
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

from plaint.reputation.selectors import TrendWeek

_STYLE = Style(
    background="transparent",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#1f5fa8", "#b34700", "#2f7d32", "#7b1fa2"),
    font_family="system-ui, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=12,
    legend_font_size=12,
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
#: The hidden tooltip group's inline style (desk.css hides `.pygal-chart g.tooltip`).
_TOOLTIP_STYLE = ' style="opacity: 0" class="tooltip"'


def _config(**extra: object) -> dict[str, object]:
    return {
        "js": [],
        "disable_xml_declaration": True,
        "style": _STYLE,
        "width": 760,
        "height": 300,
        "explicit_size": False,
        "legend_at_bottom": True,
        "x_label_rotation": 30,
        "show_minor_x_labels": False,
        **extra,
    }


def _finish(svg: str, label: str, nonce: str) -> SafeString:
    """The chart as inline SVG: pygal's script and comments gone, its one style attribute
    moved to the stylesheet, and its <style> element marked with the response's CSP nonce
    (the Content-Security-Policy allows no other inline style)."""
    svg = _COMMENT.sub("", _SCRIPT.sub("", svg)).replace(_TOOLTIP_STYLE, ' class="tooltip"')
    svg = svg.replace("<style ", f'<style nonce="{escape(nonce)}" ')
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return mark_safe(svg)  # noqa: S308 -- pygal escapes every text it writes (lxml)


def _labels(rows: Sequence[TrendWeek]) -> list[str]:
    return [r.week.start.strftime("%d %b %y") for r in rows]


def rating_chart(rows: Sequence[TrendWeek], *, nonce: str) -> SafeString:
    chart = pygal.Line(**_config(range=(1, 5), secondary_range=(-1, 1), dots_size=3))
    labels = _labels(rows)
    chart.x_labels = labels
    chart.x_labels_major = labels[:: max(1, len(labels) // 8)]
    chart.add("Mean rating (1-5, left)", [r.week.rating for r in rows])
    chart.add("Mean sentiment (-1 to 1, right)", [r.week.sentiment for r in rows], secondary=True)
    return _finish(
        chart.render(is_unicode=True), "Weekly mean rating and sentiment of reviews", nonce
    )


def volume_chart(rows: Sequence[TrendWeek], *, nonce: str) -> SafeString:
    chart = pygal.Bar(**_config())
    labels = _labels(rows)
    chart.x_labels = labels
    chart.x_labels_major = labels[:: max(1, len(labels) // 8)]
    chart.add("Reviews", [r.week.count for r in rows])
    chart.add("Complaints received", [r.complaints for r in rows])
    chart.add("Terminations (notice or effective)", [r.terminations for r in rows])
    return _finish(
        chart.render(is_unicode=True),
        "Weekly reviews, complaints received and terminations on the same weeks",
        nonce,
    )
