"""A cover sheet for a letter sent by tracked or certified post: who it goes to, what it
is, the date it must arrive by, and boxes to write the tracking number and the posting
date in (then record them in the workspace)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from markupsafe import escape

from plaint.domain.letters.schedule import day_words


def cover_sheet_html(
    *,
    title: str,
    letter_date: date,
    sender: Sequence[str],
    addressee: Sequence[str],
    must_arrive_by: date | None,
    sha256: str,
    us: bool,
) -> str:
    """The cover sheet as a small HTML page (made into a PDF by the letters' converter)."""
    service = "certified mail, return receipt requested" if us else "tracked or signed-for post"

    def block(lines: Sequence[str]) -> str:
        return "<br>".join(str(escape(line)) for line in lines)

    arrive = (
        f"<p class='due'>It must <strong>arrive</strong> by {escape(day_words(must_arrive_by, us))}"
        ": post it at least a week before.</p>"
        if must_arrive_by
        else ""
    )
    return f"""<!doctype html>
<html lang="{"en-US" if us else "en-GB"}"><head><meta charset="utf-8">
<title>Cover sheet: {escape(title)}</title>
<style>
@page {{ size: {"Letter" if us else "A4"}; margin: 20mm; }}
body {{ font-family: "DejaVu Sans", sans-serif; font-size: 11pt; color: #111; }}
h1 {{ font-size: 16pt; }}
.box {{ border: 1.5pt solid #111; height: 14mm; margin: 2mm 0 6mm; }}
.cols {{ display: flex; gap: 12mm; }}
.due {{ font-size: 12pt; }}
small {{ color: #333; }}
</style></head><body>
<h1>Cover sheet: {escape(title)}</h1>
<p>Letter dated {escape(day_words(letter_date, us))}. Send it by {service} and keep the
receipt.</p>
{arrive}
<div class="cols"><div><h2>To</h2><p>{block(addressee)}</p></div>
<div><h2>From</h2><p>{block(sender)}</p></div></div>
<h2>Tracking number</h2><div class="box"></div>
<h2>Date posted</h2><div class="box"></div>
<h2>Post office or branch</h2><div class="box"></div>
<p>Then record the tracking number and the date in your Plaint workspace, so the dates
that count from it are right.</p>
<p><small>The letter's SHA-256 (it proves later which text was sent): {escape(sha256)}</small></p>
</body></html>
"""
