"""How upset the customer sounds: VADER's lexicon model on the narrative.

VADER scores a sentence from -1 (very negative) to +1 (very positive) from a lexicon of
words and rules for negation, intensifiers and capitals. It is transparent and needs no
training. As its authors advise for longer texts, a narrative is scored sentence by
sentence and the sentence scores are averaged (this is also linear in the length of the
text, where scoring a whole narrative at once is quadratic). Averages of many sentences
sit closer to zero than single sentences, so the bands below are narrower than VADER's
usual ones for a single sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from vaderSentiment.vaderSentiment import (  # type: ignore[import-untyped]
    BOOSTER_DICT,
    SentimentIntensityAnalyzer,
    SentiText,
)

#: VADER's cost grows with the text; the opening of a narrative says how the customer
#: feels, and a 20,000-character narrative would otherwise cost 100 short ones.
MAX_CHARS = 2_000
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|[\r\n]+")


@dataclass(frozen=True, slots=True)
class Sentiment:
    compound: float  # mean of the sentences' VADER compound scores, -1 .. +1
    most_negative: float = 0.0  # the most negative sentence's score

    @property
    def label(self) -> str:
        if self.compound <= -0.35:
            return "very upset"
        if self.compound <= -0.1:
            return "upset"
        if self.compound < 0.15:
            return "neutral"
        return "calm or positive"


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def compound(analyzer: SentimentIntensityAnalyzer, sentence: str) -> float:
    """VADER's compound score of one sentence, the same as `polarity_scores` gives.

    For ASCII text this is `polarity_scores` less its first step, a character-by-character
    pass that replaces emoji (all non-ASCII) with their names and for ASCII text only
    strips the sentence: that pass was about a fifth of VADER's time. Words not in the
    lexicon get their 0 without a method call. Non-ASCII text goes through
    `polarity_scores` itself. tests/triage/test_sentiment.py checks both give the same.
    """
    if not sentence.isascii():
        return float(analyzer.polarity_scores(sentence)["compound"])
    text = sentence.strip()
    sentitext = SentiText(text)
    words = sentitext.words_and_emoticons
    lexicon = analyzer.lexicon
    sentiments: list[float] = []
    for i, item in enumerate(words):
        lowered = item.lower()
        # a word not in the lexicon (most words) has valence 0: what
        # `sentiment_valence` returns for it, without the call
        if (
            lowered not in lexicon
            or lowered in BOOSTER_DICT
            or (lowered == "kind" and i < len(words) - 1 and words[i + 1].lower() == "of")
        ):
            sentiments.append(0)
            continue
        sentiments = analyzer.sentiment_valence(0, sentitext, item, i, sentiments)
    sentiments = analyzer._but_check(words, sentiments)
    return float(analyzer.score_valence(sentiments, text)["compound"])


def sentiment_of(text: str) -> Sentiment:
    analyzer = _analyzer()
    scores = [
        compound(analyzer, sentence)
        for sentence in _SENTENCE_END.split(text[:MAX_CHARS])
        if sentence.strip()
    ]
    if not scores:
        return Sentiment(0.0)
    return Sentiment(round(sum(scores) / len(scores), 4), round(min(scores), 4))
