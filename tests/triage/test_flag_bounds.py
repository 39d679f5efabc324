"""The legal-risk flags' precision and recall on the labelled set may not fall: each
flag's figures on the held-out `test` rows and on the `dev` rows the rules were tuned on
(docs/triage.md, "Figures"), as measured when the bounds were last raised. A change to a
cue that loses a test or dev row fails here; one that gains should raise the bound."""

from __future__ import annotations

import csv
from functools import cache

import pytest

from plaint.domain.triage.flags import Flag, detect_flags
from plaint.domain.triage.scoring import precision_recall
from plaint.triage.evaluation import FLAGSET

# (precision, recall) per flag, rounded down to three decimals; 2026-12-03, 358 test and
# 410 dev rows (rounds 5-8 added 150 dev rows).
TEST_BOUNDS: dict[Flag, tuple[float, float]] = {
    Flag.LITIGATION: (0.913, 0.750),
    Flag.REGULATOR: (0.857, 0.909),
    Flag.BREACH_OF_CONTRACT: (0.647, 0.458),
    Flag.PRODUCT_SAFETY: (0.250, 0.666),
    Flag.DISCRIMINATION: (0.714, 0.909),
    Flag.HARASSMENT: (0.628, 0.758),
    Flag.DATA_PROTECTION: (0.909, 0.666),
    Flag.FRAUD: (0.872, 0.833),
    Flag.VULNERABILITY: (0.805, 0.818),
    Flag.MEDIA: (0.600, 1.000),
}
DEV_BOUNDS: dict[Flag, tuple[float, float]] = {
    Flag.LITIGATION: (0.897, 0.956),
    Flag.REGULATOR: (1.000, 0.969),
    Flag.BREACH_OF_CONTRACT: (0.730, 0.475),
    Flag.PRODUCT_SAFETY: (0.750, 0.600),
    Flag.DISCRIMINATION: (0.928, 1.000),
    Flag.HARASSMENT: (0.905, 0.857),
    Flag.DATA_PROTECTION: (0.963, 0.929),
    Flag.FRAUD: (0.913, 0.876),
    Flag.VULNERABILITY: (0.806, 0.862),
    Flag.MEDIA: (1.000, 1.000),
}


@cache
def _scored(part: str) -> tuple[tuple[frozenset[str], frozenset[str]], ...]:
    with FLAGSET.open(encoding="utf-8") as handle:
        rows = [row for row in csv.DictReader(handle) if row["part"] == part]
    return tuple(
        (
            frozenset(row["flags"].split(";")) - {""},
            frozenset(hit.flag.value for hit in detect_flags(row["narrative"])),
        )
        for row in rows
    )


@pytest.mark.parametrize(("part", "bounds"), [("test", TEST_BOUNDS), ("dev", DEV_BOUNDS)])
@pytest.mark.parametrize("flag", list(Flag))
def test_flag_precision_and_recall_hold(
    part: str, bounds: dict[Flag, tuple[float, float]], flag: Flag
) -> None:
    scored = _scored(part)
    truth = [flag.value in labelled for labelled, _ in scored]
    found = [flag.value in raised for _, raised in scored]
    precision, recall, _ = precision_recall(truth, found)
    low_p, low_r = bounds[flag]
    assert precision >= low_p and recall >= low_r, (part, precision, recall)


def test_the_set_keeps_its_parts() -> None:
    assert len(_scored("test")) == 358
    assert len(_scored("dev")) >= 410
