"""The speed-ups in triage change no result: the flags' RE2 prefilter gives exactly what
running every cue with `re` gives, and the VADER shortcut exactly VADER's scores."""

from __future__ import annotations

import csv
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plaint.domain.triage.flags import CUES, detect_flags, loosened
from plaint.triage.evaluation import FLAGSET
from plaint.triage.sentiment import _SENTENCE_END, _analyzer, compound, sentiment_of


def _narratives() -> list[str]:
    with FLAGSET.open(newline="", encoding="utf-8") as handle:
        return [row["narrative"] for row in csv.DictReader(handle)]


def test_prefilter_gives_the_same_flags_and_spans_on_the_labelled_set() -> None:
    texts = _narratives()
    assert len(texts) > 500
    fast = [detect_flags(text) for text in texts]
    slow = [detect_flags(text, prefilter=False) for text in texts]
    assert fast == slow
    assert sum(len(hits) for hits in fast) > 300  # the comparison covers many flags


# Words the cues are made of, so generated texts do hit them (and near-misses of them).
_WORDS = sorted(
    {
        word
        for cues in CUES.values()
        for cue in cues
        for word in re.findall(r"[a-z']{2,}", cue.lowered.pattern)
    }
)
_TEXT = st.lists(
    st.one_of(
        st.sampled_from(_WORDS),
        st.sampled_from(["I", "we", "they", "not", "never", "my", "the", "XXXX", "XX/XX/XXXX"]),
        st.sampled_from([".", ",", '"', "\n", "  ", "!", "'s", "\u201c", "\u201d", "-"]),
    ),
    max_size=60,
).map(" ".join)


@settings(max_examples=300, deadline=None)
@given(_TEXT)
def test_prefilter_gives_the_same_flags_on_generated_text(text: str) -> None:
    assert detect_flags(text) == detect_flags(text, prefilter=False)


def test_non_ascii_text_is_checked_without_the_prefilter() -> None:
    text = "J\u2019ai parlé à mon avocat: I will sue you in small claims court. Café İstanbul"
    assert detect_flags(text) == detect_flags(text, prefilter=False)
    assert [hit.flag.value for hit in detect_flags(text)] == ["litigation"]


@pytest.mark.parametrize(
    ("pattern", "loose"),
    [
        (r"\b(?<!in )the media\b", r"\bthe media\b"),
        (r"x(?=[^.]{0,60}?(?:from|out of))y", "xy"),
        (r"(?:\w+ ){0,2}?lawyer", r"(?:\w+ )*?lawyer"),
        (r"[{}]{2}\{3\}", r"[{}]*\{3\}"),
        (r"a\sb", "a[\\t\\n\\v\\f\\r \\x1c-\\x1f]b"),
    ],
)
def test_loosened_drops_lookarounds_and_bounds_only(pattern: str, loose: str) -> None:
    assert loosened(pattern) == loose


def test_vader_shortcut_scores_every_sentence_as_vader_does() -> None:
    analyzer = _analyzer()
    sentences = [
        sentence
        for text in _narratives()[:200]
        for sentence in _SENTENCE_END.split(text)
        if sentence.strip()
    ]
    sentences += [
        "I am NOT happy!!! but it is kind of ok",
        "no good at all, nor helpful",
        "  Very   BAD  service :( ",
        "The app is great \U0001f600 but the refund \U0001f621",  # emoji: VADER's own path
        "at least they called",
    ]
    ours = [compound(analyzer, s) for s in sentences]
    theirs = [float(analyzer.polarity_scores(s)["compound"]) for s in sentences]
    assert ours == theirs
    assert any(score < -0.5 for score in ours) and any(score > 0.5 for score in ours)


def test_sentiment_of_a_hostile_text_is_a_number() -> None:
    result = sentiment_of("<script>alert(1)</script> {{ 7*7 }}\x00\u202e terrible service")
    assert -1.0 <= result.compound < 0
