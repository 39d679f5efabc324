"""Public reviews (Trustpilot-style exports) read into one shape, the weekly trend of
their rating and sentiment, the drop that raises an alert, and a drafted public reply
that discloses nothing from the record. Pure: no Django, no clock."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from plaint.domain.errors import MalformedRow

MAX_TEXT = 20_000
#: A case reference written anywhere in a review ("AC-2026-000123").
REFERENCE_IN_TEXT = re.compile(r"\b[A-Z]{1,8}-\d{4}-\d{6,}\b")
_TRAVEL_TAIL = re.compile(
    r"(?P<date>(?:January|February|March|April|May|June|July|August|September|October|"
    r"November|December) \d{1,2}, \d{4})(?P<tail>[A-Za-z ]*review)?\s*$"
)


@dataclass(frozen=True)
class ReviewRow:
    line: int
    external_id: str
    posted_at: datetime
    rating: int
    title: str
    text: str
    source: str
    link: str = ""
    enterprise: str = ""
    author: str = ""

    @property
    def references(self) -> list[str]:
        return sorted(set(REFERENCE_IN_TEXT.findall(f"{self.title}\n{self.text}")))


@dataclass(frozen=True)
class ParsedReviews:
    rows: list[ReviewRow]
    errors: list[MalformedRow]


def _clean(value: Any, field: str, line: int, *, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if "\x00" in text:
        raise MalformedRow(line, f"{field} contains a NUL character")
    if required and not text:
        raise MalformedRow(line, f"{field} is empty")
    if len(text) > MAX_TEXT:
        raise MalformedRow(line, f"{field} is longer than {MAX_TEXT:,} characters")
    return text


def _when(value: str, line: int) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = datetime.strptime(f"{value} +0000", "%B %d, %Y %z")
        except ValueError:
            raise MalformedRow(line, f"date {value[:40]!r} is not an ISO 8601 date") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)  # a bare date or time: read as UTC
    return moment


def _rating(value: Any, line: int, *, offset: int = 0) -> int:
    try:
        rating = int(str(value).strip()) + offset
    except ValueError:
        raise MalformedRow(line, f"rating {str(value)[:20]!r} is not a whole number") from None
    if not 1 <= rating <= 5:
        raise MalformedRow(line, f"rating {rating} is not between 1 and 5")
    return rating


def _identity(source: str, *parts: str) -> str:
    digest = hashlib.sha256("\x1f".join((source, *parts)).encode()).hexdigest()
    return digest[:32]


def _from_mapping(raw: Mapping[str, Any], line: int, source: str) -> ReviewRow:
    if "text" in raw and "label" in raw and "review" not in raw:
        # The travel export: title and body run together, the date and "Unprompted
        # review" stuck to the end, and the stars as label 0-4.
        body = _clean(raw["text"], "text", line, required=True)
        match = _TRAVEL_TAIL.search(body)
        if match is None:
            raise MalformedRow(line, "no date at the end of the text")
        posted = _when(match["date"], line)
        text = body[: match.start()].strip()
        return ReviewRow(
            line=line,
            external_id=_identity(source, posted.isoformat(), text),
            posted_at=posted,
            rating=_rating(raw["label"], line, offset=1),
            title="",
            text=text,
            source=source,
        )
    when = _clean(raw.get("datetime") or raw.get("date"), "datetime", line, required=True)
    posted = _when(when, line)
    title = _clean(raw.get("title"), "title", line)
    text = _clean(raw.get("review") or raw.get("text"), "review", line, required=True)
    link = _clean(raw.get("link") or raw.get("url"), "link", line)
    if link and not link.startswith(("https://", "http://")):
        raise MalformedRow(line, "link is not an http(s) address")
    given_id = _clean(raw.get("id"), "id", line)
    return ReviewRow(
        line=line,
        external_id=given_id[:64] or _identity(source, posted.isoformat(), title, text),
        posted_at=posted,
        rating=_rating(raw.get("rating"), line),
        title=title,
        text=text,
        source=_clean(raw.get("source"), "source", line) or source,
        link=link,
        enterprise=_clean(raw.get("enterprise"), "enterprise", line),
        author=_clean(raw.get("author"), "author", line),
    )


def _collect(items: Iterable[tuple[int, Any]], source: str) -> ParsedReviews:
    rows: list[ReviewRow] = []
    errors: list[MalformedRow] = []
    for line, raw in items:
        if not isinstance(raw, Mapping):
            errors.append(MalformedRow(line, "is not an object with review fields"))
            continue
        try:
            rows.append(_from_mapping(raw, line, source))
        except MalformedRow as exc:
            errors.append(exc)
    return ParsedReviews(rows, errors)


def _csv_items(text: str) -> Iterator[tuple[int, Any]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    for raw in reader:
        # The line the row starts on (a quoted field may span lines).
        yield reader.line_num, raw


def reviews_parse(data: bytes, *, filename: str, source: str) -> ParsedReviews:
    """Read a CSV (the gyms or travel export shapes) or JSON (a list of objects with the
    gyms export's keys, plus optional id, link, source, author). Malformed rows are
    reported by line (CSV) or by item number (JSON, from 1) and the rest are kept."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise MalformedRow(0, "the file is not UTF-8 text") from None
    if filename.lower().endswith(".json"):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MalformedRow(exc.lineno, f"not JSON ({exc.msg})") from None
        if not isinstance(items, list):
            raise MalformedRow(1, "a JSON review file is a list of reviews")
        return _collect(enumerate(items, 1), source)
    return _collect(_csv_items(text), source)


# ---------------------------------------------------------------- trend and alerts


def week_of(moment: datetime) -> date:
    """The Monday of the ISO week the instant falls in (UTC)."""
    day = moment.astimezone(UTC).date()
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Week:
    start: date
    count: int
    rating: float | None
    sentiment: float | None


def weekly(points: Sequence[tuple[datetime, int, float]], *, first: date, last: date) -> list[Week]:
    """One row per week from `first` to `last` (Mondays): volume, mean rating and mean
    sentiment of the reviews (posted_at, rating, sentiment) in it."""
    buckets: dict[date, list[tuple[int, float]]] = {}
    for at, rating, sentiment in points:
        buckets.setdefault(week_of(at), []).append((rating, sentiment))
    out: list[Week] = []
    day = first
    while day <= last:
        items = buckets.get(day, [])
        if items:
            out.append(
                Week(
                    day,
                    len(items),
                    round(sum(r for r, _ in items) / len(items), 2),
                    round(sum(s for _, s in items) / len(items), 3),
                )
            )
        else:
            out.append(Week(day, 0, None, None))
        day += timedelta(days=7)
    return out


@dataclass(frozen=True)
class Drop:
    metric: str  # "rating" or "sentiment"
    before: float
    after: float
    window_start: date
    window_end: date

    @property
    def sentence(self) -> str:
        return (
            f"The mean {self.metric} of reviews fell from {self.before} to {self.after} in "
            f"the {((self.window_end - self.window_start).days + 1) // 7} weeks from "
            f"{self.window_start.isoformat()}, against the weeks before."
        )


def drops(
    weeks: Sequence[Week],
    *,
    window: int,
    rating_drop: float,
    sentiment_drop: float,
    min_reviews: int = 3,
) -> list[Drop]:
    """Compare the last `window` weeks with the `window` weeks before them: a fall in
    mean rating of at least `rating_drop` stars, or in mean sentiment of at least
    `sentiment_drop`, is a drop. Too few reviews on either side is no signal."""
    if window < 1 or len(weeks) < 2 * window:
        return []
    before, after = weeks[-2 * window : -window], weeks[-window:]

    def mean(rows: Sequence[Week], attr: str) -> tuple[float, int]:
        total = sum((getattr(w, attr) or 0) * w.count for w in rows)
        n = sum(w.count for w in rows)
        return (round(total / n, 3) if n else 0.0), n

    out = []
    for metric, limit in (("rating", rating_drop), ("sentiment", sentiment_drop)):
        b, nb = mean(before, metric)
        a, na = mean(after, metric)
        if nb >= min_reviews and na >= min_reviews and b - a >= limit:
            out.append(Drop(metric, b, a, after[0].start, after[-1].start + timedelta(days=6)))
    return out


# ---------------------------------------------------------------- the public reply


def reply_draft(*, business: str, rating: int, contact: str) -> str:
    """A public reply that says nothing from the record: no name, no reference, no
    account or case detail, whatever the review or the case holds. It thanks, answers
    the tone of the rating, and asks the reviewer to get in touch privately."""
    if rating >= 4:
        opening = "Thank you for taking the time to review us; we are glad to hear it."
    elif rating == 3:
        opening = "Thank you for your review. We are sorry that not everything went well."
    else:
        opening = "Thank you for telling us. We are sorry about your experience."
    return (
        f"{opening} We cannot discuss anyone's account in public, so if you would like us "
        f"to look into this, please contact us at {contact} and we will pick it up "
        f"with you directly. - The {business} team"
    )
