"""The shipped regime files are complete, consistent and cite their sources."""

from __future__ import annotations

import pytest

from plaint.domain.deadlines.milestones import MILESTONES, is_known
from plaint.domain.deadlines.model import Verification
from plaint.domain.deadlines.regimes import (
    RegimeError,
    UnknownRegime,
    regime_get,
    regime_parse,
    regimes_all,
)

EXPECTED = {
    "HOUSE",
    "UK-FCA-DISP",
    "UK-FCA-PSD",
    "US-CFPB",
    "US-FCBA",
    "US-FDCPA",
    "US-FCRA",
    "UK-CRA-GOODS",
    "UK-PRE-ACTION",
    "EU-CRD",
    "EU-ADR",
    "UK-OFCOM",
    "UK-OFGEM",
}


def test_every_regime_loads() -> None:
    assert set(regimes_all()) == EXPECTED


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_rules_cite_sources_and_name_known_milestones(code: str) -> None:
    regime = regime_get(code)
    assert regime.version and regime.rules
    for rule in regime.rules:
        assert rule.sources, rule.id
        for source in rule.sources:
            assert source.citation and source.last_verified.year >= 2026
            if source.verification is Verification.UNVERIFIED:
                assert source.note, f"{code}/{rule.id}: say what is unverified and why"
        names = [
            rule.trigger,
            *rule.satisfied_by,
            rule.pause_starts,
            rule.pause_ends,
            rule.extension_on,
            *rule.also_triggered_by,
            rule.restarts_on,
        ]
        for name in filter(None, names):
            assert name.startswith("rule:") or is_known(name), f"{code}/{rule.id}: {name}"
        assert (code == "HOUSE") == (rule.verification is Verification.POLICY)


def test_every_milestone_is_used_by_some_rule() -> None:
    used = {
        name
        for regime in regimes_all().values()
        for rule in regime.rules
        for name in (
            rule.trigger,
            *rule.satisfied_by,
            rule.pause_starts,
            rule.pause_ends,
            rule.extension_on,
            *rule.also_triggered_by,
        )
    }
    assert set(MILESTONES) <= used | {"complaint_received"}


def test_unknown_regime() -> None:
    with pytest.raises(UnknownRegime, match=r"Unknown regime 'XX'\. Known regimes: EU-ADR"):
        regime_get("XX")


GOOD_RULE = """
[[rules]]
id = "a"
title = "A"
trigger = "complaint_received"
period = { amount = 3, unit = "calendar_days" }
[[rules.sources]]
citation = "s.1"
verification = "primary"
last_verified = 2026-11-23
"""
HEAD = 'code = "T"\ntitle = "T"\njurisdiction = "GB"\nversion = "1"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("code = ", "not valid TOML"),
        (HEAD + GOOD_RULE.replace('unit = "calendar_days"', 'unit = "fortnights"'), "period"),
        (HEAD + GOOD_RULE.replace("last_verified = 2026-11-23", ""), "last_verified"),
        (
            HEAD + GOOD_RULE.replace('verification = "primary"', 'verification = "probably"'),
            "verification",
        ),
        (
            HEAD + GOOD_RULE.replace('trigger = "complaint_received"', 'trigger = "rule:b"'),
            "refers to b",
        ),
        (HEAD + GOOD_RULE + GOOD_RULE, "rule ids repeat"),
        (HEAD + GOOD_RULE.replace('id = "a"', 'id = "a"\nwhen = "soon"'), "unknown key"),
        (HEAD + GOOD_RULE.replace('id = "a"', 'id = "a"\npausable = true'), "pause_starts"),
        ('title = "T"\n' + GOOD_RULE, "missing 'code'"),
    ],
)
def test_malformed_regime_files_say_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(RegimeError, match=message):
        regime_parse(text, "test.toml")
