"""Server-side SVG charts (pygal), inlined in the page: no JavaScript, no CDN. Each chart's
<style> carries the response's Content-Security-Policy nonce (`nonce`).

pygal writes a small configuration <script> into every chart even with `js=[]`; it does
nothing without pygal's own script, and we strip it so the page carries no script at
all. Each chart gets `role="img"` and an `aria-label`; the page shows a table of the same
figures beside it. Every bar or point links to the cases behind it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import pygal
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

from plaint.reports.selectors import Bar

_STYLE = Style(
    background="transparent",
    plot_background="#ffffff",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#52606d",
    colors=("#1f5fa8", "#b34700", "#2f7d32"),
    font_family="system-ui, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    value_font_size=12,
    title_font_size=14,
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
#: The hidden tooltip group's inline style (desk.css hides `.pygal-chart g.tooltip`).
_TOOLTIP_STYLE = ' style="opacity: 0" class="tooltip"'

Href = Callable[[str], str]


def _config(**extra: object) -> dict[str, object]:
    return {
        "js": [],
        "disable_xml_declaration": True,
        "show_legend": False,
        "style": _STYLE,
        "width": 640,
        "height": 280,
        "explicit_size": False,
        "print_values": False,
        "truncate_label": 24,
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


def _ticks(values: Sequence[int]) -> list[int]:
    """Whole-number ticks for counts: at most about six of them."""
    top = max([1, *values])
    step = max(1, -(-top // 6))
    return list(range(0, top + step, step))


def _points(bars: Sequence[Bar], href: Href) -> list[dict[str, object]]:
    return [
        {"value": b.value, "label": f"{b.label}: {b.value}", "xlink": {"href": href(b.drill)}}
        for b in bars
    ]


def bar_chart(title: str, bars: Sequence[Bar], href: Href, *, nonce: str) -> SafeString:
    chart = pygal.HorizontalBar(
        **_config(height=max(120, 40 + 28 * len(bars)), y_labels=_ticks([b.value for b in bars]))
    )
    chart.x_labels = [b.label for b in bars]
    chart.add("Cases", _points(bars, href))
    return _finish(chart.render(is_unicode=True), title, nonce)


def line_chart(title: str, bars: Sequence[Bar], href: Href, *, nonce: str) -> SafeString:
    chart = pygal.Line(
        **_config(x_label_rotation=30, dots_size=4, y_labels=_ticks([b.value for b in bars]))
    )
    chart.x_labels = [b.label for b in bars]
    chart.add("Cases", _points(bars, href))
    return _finish(chart.render(is_unicode=True), title, nonce)


def histogram(
    title: str, bars: Sequence[Bar], edges: Sequence[tuple[int, int]], href: Href, *, nonce: str
) -> SafeString:
    """Bars whose widths are the bucket's span of days (`edges`: first and last day)."""
    chart = pygal.Histogram(
        **_config(x_title="Age in days", y_labels=_ticks([b.value for b in bars]))
    )
    chart.add(
        "Open cases",
        [
            {
                "value": (b.value, start, end + 1),
                "label": f"{b.label}: {b.value}",
                "xlink": {"href": href(b.drill)},
            }
            for b, (start, end) in zip(bars, edges, strict=True)
        ],
    )
    return _finish(chart.render(is_unicode=True), title, nonce)
