"""Trimming a reply for display: the quoted history and the signature go, the person's
new words stay. The full text is always kept; this only decides what is shown first."""

from __future__ import annotations

import re

_ATTRIBUTION = re.compile(
    r"^\s*(On .{3,200}wrote:|Le .{3,200}a écrit\s?:|Am .{3,200}schrieb .{0,80}:|"
    r"-{2,}\s*Original Message\s*-{2,}|_{5,}|From: .+)\s*$",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(r"^(-- ?|Sent from my \w+.*|Get Outlook for .*)$", re.IGNORECASE)


def text_trim(text: str) -> str:
    """`text` without quoted history (lines starting with `>`, and everything after an
    "On ... wrote:" line) and without a signature (after a `-- ` line). Never empty when
    `text` is not: if trimming would remove everything, the text is shown whole."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for line in lines:
        if _ATTRIBUTION.match(line) or _SIGNATURE.match(line.rstrip()):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    trimmed = "\n".join(kept).strip()
    return trimmed or text.strip()
