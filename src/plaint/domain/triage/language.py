"""Which language a complaint is written in, from its most common small words.

Triage (the category model, the legal-risk flags, the sentiment lexicon) reads English
only. A complaint detected as another language is sent to human triage with "language
not supported" shown, rather than given categories and flags that silently miss.

The detector counts the function words ("the", "und", "og", "le"...) of each language
it knows; a word shared by several languages counts for each of them in proportion
(1 / the number of lists it is on). A text with too few such words (a one-line tweet,
a list of account numbers) is *undetermined* and treated as English, the language the
rest of triage assumes. Pure Python, no model to load.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

UNDETERMINED = ""
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
    "pl": "Polish",
}

_WORDS: dict[str, str] = {
    "en": "i a the and to of my is it that was for on with this have not they be are but at we "
    "you me your from has had been would will can did what when there their which them "
    "because about after could should were she he an or if so please any just also",
    "de": "der die das und ist ich nicht sie es mit den ein eine einen zu von für auf wir "
    "ihr ihre mein meine meinen bitte haben habe wurde wurden dass auch sich uns aber noch "
    "wie bei kann sind im dem des werden wird oder nach sehr vielen dank grüßen unser "
    "unsere geehrte geehrtes damen herren",
    "da": "og jeg det er at en til på ikke med har den som af var mig men så kan vi et min "
    "mit der om fra hvor meget også være når jeres vores dem hun han have skal blev bliver "
    "efter eller kun godt hos sig ud nu alle",
    "nl": "de het een en van ik te dat die niet is op zijn met voor mijn maar ook aan er "
    "wij hebben heb was naar bij uw dit worden wordt nog geen mij",
    "fr": "le la les et de des un une je est pas que qui en du pour dans sur avec mon ma "
    "mes ce il elle nous vous au aux ont été mais très votre",
    "es": "el la los las y de que en un una es por con para mi mis no se lo del al pero "
    "muy su sus este esta fue han como yo usted",
    "it": "il lo la gli le e di che un una è per con non mi mio mia sono del della al "
    "ma molto questo questa ho hanno anche",
    "pt": "o a os as e de que em um uma é por com para meu minha não se do da dos das ao "
    "mas muito este esta foi tem eu você",
    "sv": "och att det som en på är för med jag inte har av till den de om min mitt var "
    "men så kan vi ett från eller när",
    "no": "og jeg det er at en til på ikke med har den som av var meg men så kan vi et min "
    "mitt fra eller når hun han være skal ble blir",
    "pl": "i w na nie się z do że to jest jak o mnie mój moja ale po za czy przez od już",
}

_LISTS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split()) for lang, words in _WORDS.items()
}
_SHARE: Counter[str] = Counter(word for words in _LISTS.values() for word in words)
_TOKEN = re.compile(r"[^\W\d_]+", re.UNICODE)
_NOISE = re.compile(r"https?://\S+|@\w+|#\w+|\bX{2,}\b", re.IGNORECASE)

MIN_WORDS = 2.0  # weighted function words needed to decide
SCANNED = 3000  # characters read: the language shows in the first paragraphs


@dataclass(frozen=True, slots=True)
class Language:
    code: str  # ISO 639-1, or "" when undetermined
    score: float  # weighted function words of the winning language

    @property
    def supported(self) -> bool:
        return self.code == UNDETERMINED or self.code in SUPPORTED_LANGUAGES

    @property
    def name(self) -> str:
        return LANGUAGE_NAMES.get(self.code, "undetermined")


def detect_language(text: str) -> Language:
    """The language of `text` (or undetermined: code "")."""
    cleaned = _NOISE.sub(" ", text[:SCANNED]).lower()
    scores: dict[str, float] = {}
    for token in _TOKEN.findall(cleaned):
        share = _SHARE.get(token)
        if not share:
            continue
        for lang, words in _LISTS.items():
            if token in words:
                scores[lang] = scores.get(lang, 0.0) + 1.0 / share
    if not scores:
        return Language(UNDETERMINED, 0.0)
    (best, top), (second, runner_up) = [
        *sorted(scores.items(), key=lambda item: -item[1])[:2],
        ("", 0.0),
    ][:2]
    if top < MIN_WORDS:
        return Language(UNDETERMINED, round(top, 2))
    # Close calls matter only when they change the answer to "is it supported?": Danish
    # and Norwegian share most of their small words, and neither is supported.
    close = top < 1.3 * runner_up
    if close and language_supported(best) != language_supported(second):
        return Language(UNDETERMINED, round(top, 2))
    return Language(best, round(top, 2))


def language_supported(code: str) -> bool:
    return code == UNDETERMINED or code in SUPPORTED_LANGUAGES
