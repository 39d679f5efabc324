"""Received HTML made safe to show: scripts, styles, event handlers and forms removed by
`nh3` (the Ammonia sanitiser), and every image dropped, so a remote image (a tracking
pixel) is never loaded by opening a message. Links keep their address and open nowhere
by themselves (`rel="noopener noreferrer nofollow"`)."""

from __future__ import annotations

import nh3

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "div", "dl", "dt", "em", "h1",
    "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "s", "small", "span",
    "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}  # fmt: skip


def html_sanitise(html: str) -> str:
    """`html` with only harmless markup left: no script, style, image, form or frame, no
    event handler or inline style, and links restricted to http, https and mailto."""
    return nh3.clean(
        html.replace("\x00", ""),
        tags=_TAGS,
        clean_content_tags={"script", "style", "title", "head"},
        attributes={"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
