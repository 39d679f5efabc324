"""Wording a rule requires firms to reproduce exactly, kept as data files and included
verbatim.

Each file under ``templates/required/`` holds one standard paragraph: YAML front matter
(its source, the case it covers, how it was verified and when) and then the text, which a
letter reproduces character for character with its source and last-verified date. An
organisation that has checked the current text puts its own copy, of the same name, in
its templates folder; Plaint then reports the wording as supplied by the organisation.

DISP 1 Annex 3R (FCA): only the paragraph for a firm that does not consent to waive the
six-month time limit is held. The other cases (the firm consents to waive; the complaint
is outside the six-year/three-year limits) were not found word for word, so a letter that
needs them is refused until the organisation supplies checked wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import yaml

from plaint.domain.errors import DomainError


@dataclass(frozen=True)
class Fragment:
    key: str
    case: str  # the case the paragraph covers, as the Annex heads it
    template: str  # file under templates/ (or the organisation's templates folder)


@dataclass(frozen=True)
class FragmentSet:
    name: str
    citation: str
    fragments: dict[str, Fragment]


@dataclass(frozen=True)
class RequiredText:
    """One required paragraph, read from its data file."""

    text: str
    source: str
    last_verified: date
    verification: str
    case: str
    note: str = ""


class RequiredTextProblem(DomainError):
    """A required-wording file is missing its front matter or its text."""


ANNEX_3R = FragmentSet(
    name="DISP 1 Annex 3R",
    citation="FCA Handbook DISP 1 Annex 3R, required by DISP 1.6.2R(1)(f)",
    fragments={
        f.key: f
        for f in (
            Fragment(
                "no_waiver_six_months",
                "The firm does not consent to waive the six-month time limit in DISP 2.8.2R(1)",
                "required/disp-1-annex-3r.md",
            ),
            Fragment(
                "out_of_time_no_waiver",
                "The complaint was received outside the six-year/three-year limits and the firm "
                "does not consent to waive them or the six-month limit",
                "required/disp-1-annex-3r-out_of_time_no_waiver.md",
            ),
        )
    },
)

#: Marks a place where wording Plaint does not hold must be supplied before sending. No
#: shipped template writes it any more; an organisation's template still may.
PLACEHOLDER_OPEN = "[TO COMPLETE BEFORE SENDING:"


def required_text_parse(source: str, name: str) -> RequiredText:
    """The paragraph and its metadata from a required-wording file (front matter between
    ``---`` lines, then the text, kept exactly except for the surrounding blank lines)."""
    head, sep, body = source.removeprefix("---\n").partition("\n---\n")
    if not source.startswith("---\n") or not sep:
        raise RequiredTextProblem(f"{name} has no front matter (source, last_verified) in ---")
    meta = yaml.safe_load(head) or {}
    text = body.strip("\n")
    missing = [k for k in ("source", "last_verified") if not meta.get(k)]
    if missing or not text:
        raise RequiredTextProblem(
            f"{name} lacks {', '.join(missing) or 'its text'}: a required paragraph names its "
            "source and last-verified date"
        )
    verified = meta["last_verified"]
    if not isinstance(verified, date):
        try:
            verified = date.fromisoformat(str(verified))
        except ValueError:
            raise RequiredTextProblem(f"{name}: last_verified is not a date") from None
    return RequiredText(
        text=text,
        source=str(meta["source"]),
        last_verified=verified,
        verification=str(meta.get("verification") or ""),
        case=str(meta.get("heading") or meta.get("case") or ""),
        note=" ".join(str(meta.get("note") or "").split()),
    )
