"""Which language a complaint is written in.

Triage (the category model, the legal-risk flags, the sentiment lexicon) reads English
only. A complaint detected as another language is sent to human triage with "language
not supported" shown, rather than given categories and flags that silently miss.

The detector is py3langid (langid.py's byte n-gram naive Bayes over 140 languages, its
model inside the wheel, no download), on the text less what carries no language (links,
@handles, XXXX redactions, <placeholders>, digits). Three outcomes:

- English: triage reads it.
- Another language: not read. When py3langid is less than `NAMED` sure, the language is
  shown as "not English" (code `und`) rather than guessed: a short Danish review can come
  out as Norwegian or Latin, and it is not English either way.
- Too little text to tell (fewer than `MIN_LETTERS` letters: "ok", an emoji, a link):
  *undetermined*, code "", read as English. There is nothing in it for a model or a flag
  to misread.

Before issue 19 the detector counted function words: short German tickets and Danish
reviews had too few of them and were read as English (docs/triage.md has the figures).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

UNDETERMINED = ""  # too little text to tell: read as English
NOT_ENGLISH = "und"  # ISO 639-2 "undetermined": not English, not sure which language
SUPPORTED_LANGUAGES: frozenset[str] = frozenset({"en"})

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "de": "German",
    "da": "Danish",
    "nl": "Dutch",
    "fr": "French",
    "es": "Spanish",
    "it": "Italian",
    "pt": "Portuguese",
    "sv": "Swedish",
    "no": "Norwegian",
    "nn": "Norwegian Nynorsk",
    "pl": "Polish",
    "fi": "Finnish",
    "is": "Icelandic",
    "cy": "Welsh",
    "ga": "Irish",
    "ro": "Romanian",
    "cs": "Czech",
    "hu": "Hungarian",
    "el": "Greek",
    "tr": "Turkish",
    "ru": "Russian",
    "uk": "Ukrainian",
    "ar": "Arabic",
    "he": "Hebrew",
    "hi": "Hindi",
    "ur": "Urdu",
    "zh": "Chinese",
    "ja": "Japanese",
    "ko": "Korean",
    "vi": "Vietnamese",
    NOT_ENGLISH: "a language other than English (which one is unclear)",
}

MIN_LETTERS = 15  # letters left after cleaning below which a text is undetermined
NAMED = 0.5  # py3langid's normalised probability below which the language is not named
SCANNED = 300  # characters read: the language shows in the first lines

_NOISE = re.compile(
    r"https?://\S+|www\.\S+|@\w+|#|\bX{2,}\b|<[^<>\s]{1,30}>|__\w+__|[\d_]+", re.IGNORECASE
)
_ENOUGH_LETTERS = re.compile(rf"(?:[^\W\d_][\W\d_]*){{{MIN_LETTERS}}}")


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # ISO 639-1 (or py3langid's 639-3), "und" not English, "" undetermined
    score: float  # py3langid's probability of that language (0 when undetermined)

    @property
    def supported(self) -> bool:
        return language_supported(self.code)

    @property
    def name(self) -> str:
        return language_name(self.code)


@cache
def _identifier() -> Any:
    """py3langid's model, loaded once (about 0.8 s) on first use, not at import."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> Language:
    """The language of `text`: English, another language, or undetermined (code "")."""
    cleaned = _NOISE.sub(" ", text[:SCANNED])
    if not _ENOUGH_LETTERS.search(cleaned):
        return Language(UNDETERMINED, 0.0)
    if sum(c.isupper() for c in cleaned) > sum(c.islower() for c in cleaned):
        cleaned = cleaned.lower()  # shouting: the model knows words in lower case
    code, probability = _identifier().classify(cleaned)
    probability = round(float(probability), 3)
    if code == "en":
        return Language("en", probability)
    if probability < NAMED or code == "zxx":  # zxx: "no linguistic content"
        return Language(NOT_ENGLISH, probability)
    return Language(str(code), probability)


def language_supported(code: str) -> bool:
    return code == UNDETERMINED or code in SUPPORTED_LANGUAGES


def language_name(code: str) -> str:
    if code == UNDETERMINED:
        return "undetermined"
    return LANGUAGE_NAMES.get(code, f"language code {code!r}")
