"""Legal-risk flags, each explained by the exact words that raised it.

A flag is raised by a *cue*: a regular expression for words that carry the risk ("I will
sue", "the CFPB", "harassing calls"). A cue match does not count when

- it is **negated** within its own clause ("I do not want to sue", "they never harassed
  me"; but not "I will not hesitate to sue", which is a threat),
- it sits inside **quoted text** that is not the customer's own words (a collector's letter
  quoted as "we may take legal action" is the company speaking, not a threat to the
  company), or
- the cue says the **company** is the actor or the customer its target, where the flag is
  about what the customer will do ("they threatened to sue me" is not the customer
  threatening litigation).

Every counted match becomes an `Evidence` span (offsets into the text as given), so a
handler can see why a flag was raised and judge it. See docs/triage.md for the rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum


class Flag(StrEnum):
    LITIGATION = "litigation"
    REGULATOR = "regulator"
    BREACH_OF_CONTRACT = "breach_of_contract"
    PRODUCT_SAFETY = "product_safety"
    DISCRIMINATION = "discrimination"
    HARASSMENT = "harassment"
    DATA_PROTECTION = "data_protection"
    FRAUD = "fraud"
    VULNERABILITY = "vulnerability"
    MEDIA = "media"


FLAG_LABELS: dict[Flag, str] = {
    Flag.LITIGATION: "Threat of litigation",
    Flag.REGULATOR: "Regulator or agency mentioned",
    Flag.BREACH_OF_CONTRACT: "Breach of contract alleged",
    Flag.PRODUCT_SAFETY: "Product liability, injury or safety",
    Flag.DISCRIMINATION: "Discrimination (protected characteristic)",
    Flag.HARASSMENT: "Harassment or abusive contact",
    Flag.DATA_PROTECTION: "Data protection or privacy breach",
    Flag.FRAUD: "Fraud or identity theft",
    Flag.VULNERABILITY: "Vulnerable customer",
    Flag.MEDIA: "Media or social-media threat",
}


@dataclass(frozen=True, slots=True)
class Evidence:
    """The words that raised a flag: `text[start:end]` of the text that was checked."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class FlagHit:
    flag: Flag
    evidence: tuple[Evidence, ...]

    @property
    def label(self) -> str:
        return FLAG_LABELS[self.flag]


@dataclass(frozen=True, slots=True)
class _Cue:
    """One way a flag is raised. `customer_act` cues describe something the customer does
    (sue, go to the press): they do not count when the company is the clause's subject or
    the customer is the object ("sue me")."""

    pattern: re.Pattern[str]
    lowered: re.Pattern[str]  # the same, for lower-cased text: about twice as fast
    hints: tuple[str, ...]
    customer_act: bool = False
    company_act: bool = False
    negatable: bool = True

    def candidates(self, lowered: str) -> bool:
        """False when no match is possible: none of the words every match contains is
        in the (lower-cased) text. A cheap test that skips most regular expressions."""
        return any(hint in lowered for hint in self.hints)


def _cue(
    pattern: str,
    hints: str,
    *,
    customer_act: bool = False,
    company_act: bool = False,
    negatable: bool = True,
) -> _Cue:
    if re.search(r"\\[WSDBAZ]", pattern):
        raise ValueError("a cue may not use an upper-case escape: it is also run lower-cased")
    return _Cue(
        re.compile(pattern, re.IGNORECASE),
        re.compile(pattern.lower()),
        tuple(hints.split()),
        customer_act=customer_act,
        company_act=company_act,
        negatable=negatable,
    )


# ----------------------------------------------------------------------------- the cues
# Written against the flag definitions in docs/triage.md. Word boundaries everywhere:
# "court" must not match "courteous", "sue" must not match "issue" or "pursue".

_PROTECTED = (
    r"(?:race|racial|ethnicity|ethnic|colou?r|national origin|nationality|religion|"
    r"religious|sex|gender|sexual orientation|age|disabilit(?:y|ies)|pregnan\w+|"
    r"marital status|familial status|immigration status|accent|skin)"
)

CUES: dict[Flag, tuple[_Cue, ...]] = {
    Flag.LITIGATION: (
        _cue(
            r"\b(?:sue|suing|sued|file (?:a )?(?:law)?suit|lawsuit|law suit|class[- ]action|"
            r"small[- ]claims(?: court)?|legal action|legal actions|legal proceedings|"
            r"litigation|litigate|take (?:them|this|it|you|the company|\w+) to court|"
            r"(?:my|an|a|our|with|hire|hired|retain|retained|consult|consulted|contact|"
            r"contacted) (?:own |private |personal )?(?:lawyer|attorney|solicitor|"
            r"legal counsel)s?|legal counsel|legal recourse|legal remedies|seek legal)\b",
            "sue suing suit action claims litig court lawyer attorney solicitor counsel legal",
            customer_act=True,
        ),
    ),
    Flag.REGULATOR: (
        _cue(
            r"\b(?:CFPB|C\.F\.P\.B|Consumer Financial Protection Bureau|FTC|Federal Trade "
            r"Commission|attorneys? general(?:'s)?|AG'?s office|BBB|Better Business Bureau|"
            r"ombudsman|ombudsmen|FCA|Financial Conduct Authority|Trading Standards|"
            r"Information Commissioner|ICO|Ofcom|Ofgem|Ofwat|FDIC|OCC|Comptroller of the "
            r"Currency|Federal Reserve|NCUA|SEC|Securities and Exchange Commission|HUD|"
            r"FINRA|(?:state|department of) (?:banking|financial (?:institutions|services|"
            r"regulation))|banking (?:department|commission|regulators?)|regulators?|"
            r"regulatory (?:agency|agencies|body|authority)|Department of Education|state attorney|"
            r"FBI|Department of (?:the )?Treasury)\b",
            "cfpb c.f.p.b bureau ftc trade general ag's ags bbb business ombuds fca authority "
            "standards commissioner ico ofcom ofgem ofwat fdic occ comptroller reserve ncua sec "
            "hud finra banking financial regulat education state fbi treasury",
        ),
    ),
    Flag.BREACH_OF_CONTRACT: (
        _cue(
            r"\b(?:breach(?:ed|ing)? (?:of )?(?:the |my |our |their |its |this )?"
            r"(?:contract|agreement|terms|promissory note|loan agreement)|"
            r"(?:violat\w+|broke|break|breaking|not honou?r\w*|did not honou?r|"
            r"didn'?t honou?r|refus\w+ to honou?r|failed to honou?r|go(?:ne|ing)? against) "
            r"(?:the |my |our |their |its |this |a )?(?:signed |written |original |loan )?"
            r"(?:contract|agreement|terms(?: and conditions)?|settlement)|"
            r"breach of (?:contract|agreement))\b",
            "contract agreement terms note settlement",
        ),
        _cue(
            r"\b(?:not|n't|never|refus\w+ to|fail\w* to|won'?t) honou?r(?:ed|ing)? (?:the |my |our "
            r"|their |this |that |a |an |its )?(?:\w+ )?(?:agreement|arrangement|contract|terms|"
            r"deal|promise|settlement|payment plan)s?\b",
            "honor honour",
            negatable=False,
        ),
    ),
    Flag.PRODUCT_SAFETY: (
        _cue(
            r"\b(?:injur(?:y|ies|ed|ing)|(?:was|were|got|been|badly|seriously) hurt|"
            r"unsafe|safety (?:hazard|issue|risk|concern|recall|defect)s?|fire hazard|"
            r"caught (?:on )?fire|explod\w+|burn(?:ed|t|s) (?:me|my|him|her|his)|"
            r"electric(?:al)? shock|food poisoning|allergic reaction|choking hazard|"
            r"recall(?:ed)? (?:notice|vehicle|car|part|airbag)|airbag|carbon monoxide|"
            r"dangerous (?:condition|defect|product|vehicle|car))\b",
            "injur hurt unsafe safety hazard fire explod burn shock poison allergic recall "
            "airbag monoxide dangerous",
        ),
    ),
    Flag.DISCRIMINATION: (
        _cue(
            r"\b(?:discriminat\w+|racis[mt]\w*|sexis[mt]\w*|redlin\w+|ageism|ageist)\b",
            "discriminat racis sexis redlin ageis",
        ),
        _cue(
            rf"\b(?:because (?:of )?(?:my|i am|i'm|of being)|based (?:up)?on (?:my)?|due to "
            rf"my) (?:\w+ )?{_PROTECTED}\b",
            "because based due",
        ),
        _cue(
            r"\b(?:Equal Credit Opportunity Act|ECOA|Fair Housing Act|protected class)\b",
            "equal ecoa housing protected",
        ),
    ),
    Flag.HARASSMENT: (
        _cue(
            r"\b(?:har+as+\w*|abusive|intimidat\w+|bull(?:y|ied|ying)|threatening calls?)\b",
            "haras harras abusive intimidat bull threatening",
        ),
        _cue(
            r"\b(?:call(?:s|ed|ing)?|text(?:s|ed|ing)?|contact(?:s|ed|ing)?) "
            r"(?:me |us )?(?:\w+ )?(?:constantly|repeatedly|nonstop|non-stop|incessantly|"
            r"ceaselessly|"
            r"all day long|back to back|from (?:different|several|multiple|many) numbers|"
            r"every day|everyday|daily|multiple times a day|several times a day|"
            r"all hours|at all hours|late at night|at work|at my (?:job|work|workplace))\b",
            "constantly repeatedly nonstop non-stop incessantly ceaselessly all day back numbers "
            "every daily times hours night work job",
        ),
        _cue(
            r"\b(?:contact\w*|call\w*|reach\w* out to|told|harass\w*) my (?:employer|boss|"
            r"family|relatives|friends|neighbou?rs|co-?workers|references|mother|father|"
            r"parents|wife|husband|daughter|son)\b",
            "employer boss family relatives friends neighb worker references mother father "
            "parents wife husband daughter son",
        ),
        _cue(
            r"\b(?:yell\w*|scream\w*|curs(?:ed|ing) at|swore at|rude and|berat\w+)\b",
            "yell scream curs swore rude berat",
        ),
        _cue(
            r"\b(?:call\w*|text\w*|contact\w*|email\w*)\b[^.]{0,60}?\b(?:\d+(?:-\d+)?|several|"
            r"multiple|many|numerous|two|three|four|five|ten) times (?:a|per|each|in a) "
            r"(?:day|week)\b",
            "times",
        ),
        _cue(
            r"\b(?:continu\w+|keep|keeps|kept|still) (?:to )?(?:call|calling|contact\w*|text\w*)"
            r"[^.]{0,80}?(?:cease and desist|asked (?:them )?(?:not to|to stop)|told (?:them )?to "
            r"stop)|(?:asked|told) them (?:not to|to stop) (?:call|contact|text)\w*[^.]{0,30}?"
            r"(?:still|continu\w+|keep)",
            "cease stop not to",
        ),
        _cue(
            r"\b(?:threaten(?:s|ed|ing)? (?:me|us|my)|threat(?:s|ened|ening)? (?:to|of) "
            r"(?:garnish|arrest|jail|prosecut|take (?:me|us))|threatened to)\b",
            "threat",
            company_act=True,
        ),
        _cue(r"\b(?:consider|felt|feel) (?:it |this |that )?(?:as )?a threat\b", "threat"),
    ),
    Flag.DATA_PROTECTION: (
        _cue(
            r"\b(?:privacy|data breach|security breach|breach of (?:my )?(?:data|"
            r"personal|privacy)|data protection|GDPR|HIPAA|Gramm-Leach-Bliley|GLBA|"
            r"(?:leaked|exposed|compromised|hacked)(?: my)? (?:personal |private )?"
            r"(?:data|information|details|account))\b",
            "privacy breach protection gdpr hipaa gramm glba leaked exposed compromised hacked",
        ),
        _cue(
            r"\b(?:shar\w+|disclos\w+|s[eo]ld|gave|giv\w+|releas\w+|access\w*|pull\w*|"
            r"obtain\w*) (?:my )?(?:personal |private |financial |credit )?(?:information|"
            r"data|details|credit report|report|credit|file)s? (?:\w+ ){0,4}?without (?:my )?"
            r"(?:consent|permission|authori[sz]ation|knowledge)\b",
            "without",
        ),
        _cue(
            r"\b(?:impermissible purpose|without (?:a )?permissible purpose|hippa|"
            r"(?:record|records|information|data|details|identity) (?:has|have|had|was|were) "
            r"(?:been )?(?:breached|leaked|exposed|compromised|hacked)|(?:records|information|"
            r"data|details) (?:were|was|had been|have been) (?:sent|given|shared|disclosed|"
            r"released|sold) to (?:a |an )?(?:third|unauthori[sz]ed|other) part\w*)\b",
            "permissible hippa breached leaked exposed compromised hacked third",
        ),
        _cue(
            r"\b(?:did not|didn'?t|never) (?:give|gave|grant\w*) (?:\w+ ){0,3}?(?:permission|"
            r"consent|authori[sz]ation) to (?:share|furnish|disclose|sell|release|use|access|"
            r"pull|obtain)\b",
            "permission consent authoriz authoris",
            negatable=False,
        ),
    ),
    Flag.FRAUD: (
        _cue(
            r"\b(?:identity theft|identity thief|stole my identity|stolen identity|"
            r"(?<!flagged for )(?<!flagged as )fraud\w*|scam\w*|phishing|"
            r"unauthori[sz]ed (?:charges?|transactions?|"
            r"withdrawals?|debits?|payments?|accounts?|loans?|inquir\w+)|"
            r"(?:never|did not|didn'?t) (?:open|opened|authori[sz]e|apply for|applied for) "
            r"(?:this|that|the|these|those|any|an?) (?:account|loan|card|credit)s?)\b",
            "identity fraud scam phishing unauthori never did not didn",
        ),
        _cue(
            r"\b(?:took|taken|take|takes|debit\w*|withdr[ae]w\w*|drafted|charged|deducted)\b"
            r"(?=[^.]{0,60}?(?:(?:from|out of) (?:my|our|the) (?:\w+ ){0,2}?(?:account|card)|"
            r"money|funds))[^.]{0,80}?\bwithout (?:my |our |any )?(?:authori[sz]ation|"
            r"permission|consent)\b",
            "without",
        ),
    ),
    Flag.VULNERABILITY: (
        _cue(
            r"\b(?:cancer|chemo\w*|dialysis|terminal(?:ly)? ill\w*|stroke|heart attack|"
            r"surgery|hospitali[sz]\w+|in the hospital|(?:medical|health) (?:condition|"
            r"issues?|problems?|emergency|bills)|disabled|disabilit(?:y|ies)|illness|"
            r"seriously ill|mental health|(?:mental|emotional) and (?:mental|emotional) health|"
            r"psychiatr\w+|hospital bills?|depression|anxiety|PTSD|dementia|alzheimer'?s|"
            r"pregnan\w+)\b",
            "cancer chemo dialysis terminal stroke heart surgery hospital medical health "
            "disab illness seriously depression anxiety ptsd dementia alzheimer pregnan",
        ),
        _cue(
            r"\b(?:passed away|died|death of|deceased|funeral|bereave\w+|widow\w*|"
            r"my late (?:husband|wife|mother|father|son|daughter))\b",
            "passed died death deceased funeral bereave widow late",
        ),
        _cue(
            r"\b(?:lost (?:my|his|her|our) (?:\w+ )?(?:job|income|home)|laid off|unemploy\w+|"
            r"(?:financial|economic|medical|severe|extreme) hardship|hardship (?:program|plan|"
            r"assistance|request|forbearance|deferment|application)|(?:in|experiencing|facing|"
            r"going through|suffer\w*|fell into|due to|because of) (?:a |some |financial |severe "
            r"|extreme )?hardship|hard times|make ends meet|no longer employed|out of work|"
            r"(?:don'?t|do not) have a job|unable to work|no income|homeless\w*|evict\w+|"
            r"food stamps|SNAP benefits|fixed income|"
            r"paycheck to paycheck|struggling financially|can(?:no|')t afford (?:food|rent|"
            r"groceries|to eat|my rent|medication|medicine)|social security (?:is my only|"
            r"disability)|SSI|SSDI|senior citizen|elderly|domestic (?:violence|abuse)|"
            r"(?:7\d|8\d|9\d) years? old)\b",
            "lost laid unemploy hardship hard times ends employed out of work job unable to work "
            "income homeless evict stamps snap fixed paycheck struggling afford social ssi ssdi "
            "senior elderly domestic year",
        ),
    ),
    Flag.MEDIA: (
        _cue(
            r"\b(?:the media|news media|local news|news (?:station|outlet|channel|"
            r"reporters?)|newspapers?|journalists?|reporters?|go(?:ing)? public|"
            r"publici[sz]e|social media)\b",
            "media news journalist reporter public",
            customer_act=True,
        ),
        _cue(
            r"\b(?:post\w*|shar\w+|expos\w+|review\w*|put) (?:\w+ ){0,5}?(?:on|to) "
            r"(?:facebook|twitter|x\.com|instagram|tiktok|youtube|reddit|yelp|trustpilot|"
            r"google reviews?|linkedin)\b",
            "facebook twitter x.com instagram tiktok youtube reddit yelp trustpilot google "
            "linkedin",
            customer_act=True,
        ),
    ),
}

# ------------------------------------------------------------------ clause and negation
# A clause ends at sentence punctuation, at a conjunction that starts a new thought, or
# at a new subject; negation and subject are looked for only inside the cue's clause.
_BOUNDARY = re.compile(
    r"[.!?;:,()\n\r]|\b(?:but|however|although|though|because|unless|otherwise|if|"
    r"or else|so|and|until|which|who|that)\b",
    re.IGNORECASE,
)
_FIRST_PERSON = re.compile(r"\b(?:i|we|my husband and i|my wife and i)\b", re.IGNORECASE)
_OTHER_SUBJECT = re.compile(
    r"\b(?:they|he|she|the company|the lender|the bank|the collector|the agency|"
    r"collectors?|lenders?|the creditor|creditors?|company|representative|agent|"
    r"servicer|debt collector)\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:not|no|never|nor|nobody|no one|none|nothing|without|cannot|can'?t|don'?t|"
    r"doesn'?t|didn'?t|won'?t|"
    r"wouldn'?t|isn'?t|wasn'?t|aren'?t|haven'?t|hasn'?t|hadn'?t|neither|rather than|"
    r"instead of|no intention of|unable to|refuse to)\b",
    re.IGNORECASE,
)
# Negations that turn into affirmations: "I will not hesitate to sue", "I have no choice
# but to", "I am not afraid to go to the press".
_NOT_A_NEGATION = re.compile(
    r"\b(?:not hesitate|no choice|no other (?:choice|option)|not afraid|not rule out|"
    r"not be (?:afraid|shy)|no alternative|not going to stop)\b",
    re.IGNORECASE,
)
# Objects and passives that make the customer the target, not the actor: "sue me",
# "sued by", "was sued", "a lawsuit against me", "threatened to".
_CUSTOMER_AS_TARGET_AFTER = re.compile(
    r"^\W*(?:me|us|my (?:husband|wife|family)|him|her|them for|by|against (?:me|us))\b",
    re.IGNORECASE,
)
# Words just before a cue that make the company the actor: "I was sued", "the account was
# referred to an attorney".
_COMPANY_ACT_BEFORE = re.compile(
    r"\b(?:(?:was|were|been|being|get|got)|(?:sent|referred|forwarded|turned over|"
    r"transferred|assigned|placed|handed) (?:\w+ ){0,3}?to)\s+(?:an?\s+|their\s+)?$",
    re.IGNORECASE,
)
# The company's words reported by the customer: "I was told I never applied for a loan".
_REPORTED_SPEECH = re.compile(
    r"\b(?:told|said|says|stated|claimed|claims|informed)(?: me| us)?(?: that)? (?:i|we) $",
    re.IGNORECASE,
)
_QUOTES = re.compile(r"\"[^\"]{1,600}\"|\u201c[^\u201d]{1,600}\u201d")
_NEGATION_WINDOW = 60  # characters: about the last six to eight words of the clause


def _clause_before(text: str, start: int) -> str:
    """The part of the cue's clause that comes before it."""
    window_start = max(0, start - 200)
    window = text[window_start:start]
    last = 0
    for boundary in _BOUNDARY.finditer(window):
        last = boundary.end()
    return window[last:]


def _negated(before: str) -> bool:
    if _NOT_A_NEGATION.search(before):
        return False
    # Negation scopes over the words that follow it, up to the next subject: in "this is
    # not resolved I will sue" the negation belongs to "resolved".
    tail = before[-_NEGATION_WINDOW:]
    subjects = list(_FIRST_PERSON.finditer(tail)) + list(_OTHER_SUBJECT.finditer(tail))
    if subjects:
        tail = tail[max(s.start() for s in subjects) :]
    return _NEGATION.search(tail) is not None


def _company_acts(before: str, after: str) -> bool:
    """True when the clause makes the company the actor ("they threatened legal action",
    "the debt was sent to an attorney") or the customer the target ("sue me")."""
    if _CUSTOMER_AS_TARGET_AFTER.search(after[:30]) or _COMPANY_ACT_BEFORE.search(before):
        return True
    last_first = max((m.end() for m in _FIRST_PERSON.finditer(before)), default=-1)
    last_other = max((m.end() for m in _OTHER_SUBJECT.finditer(before)), default=-1)
    return last_other > last_first


def _customer_is_subject(before: str) -> bool:
    """True when the customer is the clause's latest subject ("I threatened to ...")."""
    last_first = max((m.end() for m in _FIRST_PERSON.finditer(before)), default=-1)
    last_other = max((m.end() for m in _OTHER_SUBJECT.finditer(before)), default=-1)
    return last_first > last_other


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """Quoted passages that are not the customer's own words (no first-person "I")."""
    spans = []
    for quote in _QUOTES.finditer(text):
        inner = quote.group()
        if not re.search(r"\bI\b", inner):
            spans.append((quote.start(), quote.end()))
    return spans


def _inside(spans: Sequence[tuple[int, int]], start: int) -> bool:
    return any(lo < start < hi for lo, hi in spans)


def detect_flags(text: str, *, flags: Iterable[Flag] | None = None) -> list[FlagHit]:
    """The legal-risk flags `text` raises, in `Flag` order, each with its evidence."""
    wanted = set(Flag) if flags is None else set(flags)
    lowered = text.lower()
    same_length = len(lowered) == len(text)
    quoted = _quoted_spans(text) if '"' in text or "\u201c" in text else []
    hits: list[FlagHit] = []
    for flag in Flag:
        if flag not in wanted:
            continue
        evidence: list[Evidence] = []
        for cue in CUES[flag]:
            if not cue.candidates(lowered):
                continue
            # Lower-casing keeps offsets for almost every text; when it does not (a few
            # Unicode letters change length), the case-insensitive pattern runs instead.
            matches = cue.lowered.finditer(lowered) if same_length else cue.pattern.finditer(text)
            for match in matches:
                start, end = match.span()
                if _inside(quoted, start):
                    continue
                before = _clause_before(text, start)
                if cue.negatable and _negated(before):
                    continue
                if cue.customer_act and _company_acts(before, text[end : end + 40]):
                    continue
                if cue.company_act and _customer_is_subject(before):
                    continue
                if _REPORTED_SPEECH.search(before[-40:]):
                    continue
                evidence.append(Evidence(start, end, text[start:end]))
        if evidence:
            evidence.sort(key=lambda e: e.start)
            hits.append(FlagHit(flag, tuple(_dedupe(evidence))))
    return hits


def _dedupe(evidence: list[Evidence]) -> list[Evidence]:
    """Drop spans that overlap an earlier one (two cues matching the same words)."""
    kept: list[Evidence] = []
    for item in evidence:
        if kept and item.start < kept[-1].end:
            continue
        kept.append(item)
    return kept


def snippet(text: str, evidence: Evidence, *, width: int = 60) -> str:
    """The evidence with some words either side, for a reader: '... I will [sue] you ...'."""
    lo = max(0, evidence.start - width)
    hi = min(len(text), evidence.end + width)
    before = text[lo : evidence.start]
    after = text[evidence.end : hi]
    if lo > 0:
        before = "…" + before.split(" ", 1)[-1]
    if hi < len(text):
        after = after.rsplit(" ", 1)[0] + "…"
    return " ".join(f"{before}[{evidence.text}]{after}".split())
