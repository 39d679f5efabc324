"""Fixed wording a letter must carry word for word, stored as template fragments keyed by
the case they cover.

DISP 1 Annex 3R (FCA): the research read only paragraphs (1)-(2) of the 2016 text, and of
those only the first sentence of (1) word for word. The rest is NOT invented: each
fragment file holds what was read, followed by a bracketed instruction to copy the rest
from the current Annex. The whole set needs verification against the current Annex
before use. An organisation that has checked the current Annex puts its own copies in
``fragments/`` of its templates folder; Plaint then reports the wording as supplied by
the organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Fragment:
    key: str
    case: str  # the case the paragraph covers, as the Annex heads it
    template: str  # file under templates/
    complete: bool  # False: only part of the wording was read


@dataclass(frozen=True)
class FragmentSet:
    name: str
    citation: str
    text_as_at: date
    read_on: date
    needs_verification: bool
    fragments: dict[str, Fragment]


ANNEX_3R = FragmentSet(
    name="DISP 1 Annex 3R",
    citation="FCA Handbook DISP 1 Annex 3R (text as at 2016-07-17), required by DISP 1.6.2R(1)(f)",
    text_as_at=date(2016, 7, 17),
    read_on=date(2026, 11, 23),
    needs_verification=True,
    fragments={
        f.key: f
        for f in (
            Fragment(
                "no_waiver_six_months",
                "The firm does not consent to waive the six-month time limit in DISP 2.8.2R(1)",
                "fragments/disp1-annex3r-no_waiver_six_months.md",
                complete=False,
            ),
            Fragment(
                "out_of_time_no_waiver",
                "The complaint was received outside the six-year/three-year limits and the firm "
                "does not consent to waive them or the six-month limit",
                "fragments/disp1-annex3r-out_of_time_no_waiver.md",
                complete=False,
            ),
        )
    },
)

#: Marks a place where wording Plaint does not hold must be supplied before sending.
PLACEHOLDER_OPEN = "[TO COMPLETE BEFORE SENDING:"
