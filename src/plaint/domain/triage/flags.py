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
from functools import cache
from typing import Any


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
    cue: int = 0  # which of the flag's cues matched (its index in CUES[flag])
    confidence: float = 0.0  # that cue's measured precision, see CUE_CONFIDENCE


@dataclass(frozen=True, slots=True)
class FlagHit:
    flag: Flag
    evidence: tuple[Evidence, ...]

    @property
    def label(self) -> str:
        return FLAG_LABELS[self.flag]

    @property
    def confidence(self) -> float:
        """How likely the flag is right: 1 - the product of (1 - precision) over the
        distinct cues that raised it (two independent cues agreeing count for more)."""
        by_cue = {e.cue: e.confidence for e in self.evidence}
        miss = 1.0
        for precision in by_cue.values():
            miss *= 1.0 - precision
        return round(min(0.99, 1.0 - miss), 2)


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
    statute: bool = False  # does not count inside a statute's wording ("it is unlawful to ...")

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
    statute: bool = False,
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
        statute=statute,
    )


# ----------------------------------------------------------------------------- the cues
# Written against the flag definitions in docs/triage.md. Word boundaries everywhere:
# "court" must not match "courteous", "sue" must not match "issue" or "pursue".

_PROTECTED = (
    r"(?:race|racial|ethnicity|ethnic|colou?r|national origin|nationality|religion|"
    r"religious|sex|gender|sexual orientation|age|disabilit(?:y|ies)|pregnan\w+|"
    r"marital status|familial status|immigration status|accent|skin)"
)

_LAWYER = (
    r"(?:lawyer|attorney|solicitor|legal counsel|law firm|legal aid|legal team|"
    r"legal representation|legal help|legal advice)s?"
)
_AGENCY = (
    r"(?:IRS|Internal Revenue Service|Social Security (?:Office|Administration)|SSA|FBI|"
    r"Department of (?:Education|Justice|Labor|Financial Protection|Consumer Affairs|Insurance)|"
    r"Secretary of State|state (?:government|regulators?|authorities|agency)|the state|"
    r"(?:federal|state|government) agenc(?:y|ies)|(?:local |the |swiss |relevant )?authorities|"
    r"consumer protection (?:agency|agencies|division|bureau|office))"
)
_ACCOUNT_THING = (
    r"(?:loans?|accounts?|lines? of credit|credit cards?|cards?|charges?|transactions?|"
    r"withdrawals?|debits?|deductions?|payments?|changes?|lien|lease|contract|refinanc\w*)"
)
_WITHOUT_LEAVE = (
    r"without (?:my |his |her |our |any |their )?(?:(?:express|written|prior|signed|oral|verbal) "
    r"(?:or |and |/ ?)?)*"
    r"(?:knowledge|consent|permission|authori[sz]ation|approval)"
)
_RELATIVE = (
    r"(?:employer|boss|supervisor|family|relatives|friends|neighbou?rs|co-?workers|references|"
    r"mother|mom|father|dad|parents|wife|husband|daughter|son|sister|brother|in-?laws?|"
    r"work|job|workplace|office|place of (?:business|work|employment))"
)

CUES: dict[Flag, tuple[_Cue, ...]] = {
    Flag.LITIGATION: (
        # the customer's own act: suing, filing, hiring or consulting a lawyer
        _cue(
            r"\b(?:sue|suing|(?<!be )sued|(?:file[sd]?|filing) (?:a |my |the )?(?:civil |federa"
            r"l |formal |"
            r"class[- ]action )?(?:law)?suit|"
            r"file[sd]? (?:a )?(?:claim|case|complaint) (?:in|with the) (?:small claims )?court|"
            r"small[- ]claims(?: court)?|take (?:them|this|it|you|the company|\w+) to (?:federa"
            r"l |civil |"
            r"state |district |small claims )?court|"
            r"(?:take|taking|took|pursue|pursuing|seek|seeking|initiate|initiating|start|starting|"
            r"bring|bringing|consider|considering|explore|exploring|proceed with|proceeding with|"
            r"follow through with|move forward with) (?:\w+ ){0,2}?(?:legal action|legal actions|"
            r"legal proceedings|litigation|(?:a |the )?(?:class action )?(?:law ?suit|suit)|"
            r"(?:a |the )?class action|legal recourse|legal remedies|legal options|legal route|"
            r"legal steps|legal measures)|"
            r"(?:hire|hired|hiring|retain|retained|consult|consulted|consulting|contact|contacted|"
            r"get|got|getting|speak to|spoke to|spoke with|speaking with|speaking to|talk to|"
            r"spoken to|spoken with|talked to|talking to|following up with|follow up with|reach"
            r"ed out to|reach out to|"
            r"seek|seeking|involve|involving|call|called) (?:with )?(?:a |an |my |our )?"
            r"(?:own |private |personal |consumer |consumer rights )?" + _LAWYER + r"|"
            r"(?:my|our) (?:own |private |personal )?(?:lawyer|attorney|solicitor|legal counsel|"
            r"legal team)s?|(?<!bankruptcy )(?<!bankrupcy )legal counsel|legal recourse|seek le"
            r"gal|legal intervention|"
            r"(?:get|got|getting|have|had) (?:a |an |my |our )?(?:\w+ )?"
            r"(?:lawyer|attorney|solicitor)s? involved|"
            r"reached out to (?:to )?(?:a |an )?(?:lawyer|attorney|solicitor)|"
            r"(?:for|with|using|have|hired|got|sought|seeking|seek|retained|obtained) legal rep"
            r"resentation|"
            r"(?:join|joining|be part of|become (?:a )?part of|become apart of|be included in) "
            r"(?:\w+ ){0,2}?(?:class action|lawsuit))\b(?! generals?\b)",
            "sue suing suit claims court action proceedings litigation lawyer attorney solicitor "
            "counsel firm aid team legal recourse",
            customer_act=True,
        ),
        # threats and escalation: "or legal action will follow", "litigation may follow",
        # "next step is to pursue litigation", "take this to a further federal level"
        _cue(
            r"\b(?:(?:legal action|litigation|a (?:civil |federal )?(?:law)?suit|court action)s? "
            r"(?:will|may|might|shall|could|would) (?:\w+ ){0,2}?(?:follow|be (?:taken|filed|pursue"
            r"d|"
            r"necessary|initiated|brought)|result|ensue|commence)|result in (?:a |an )?(?:civil |"
            r"federal )?(?:lawsuit|law suit|legal action|litigation|suit)|(?:notice of )?(?:pending"
            r"|"
            r"impending|intended|intent to file) (?:litigation|lawsuit|legal action)|"
            r"(?:or|otherwise) (?:get|getting|be|being) sued|(?:or|otherwise) (?:face )?(?:legal ac"
            r"tion|"
            r"litigation|a lawsuit|court)|(?:next|last|only) (?:step|option|recourse|resort)s? "
            r"(?:is|will be|would be|are) (?:to )?(?:\w+ ){0,2}?(?:legal|lawyer|attorney|court|"
            r"litigation|lawsuit|sue)\w*|without (?:further )?legal (?:hassle|action)|"
            r"(?:take|taking) (?:this|it|the matter|this matter) (?:further|to (?:a |the )?(?:furth"
            r"er |"
            r"higher |next )?(?:federal )?(?:level|court))|judicial notice|plaintiff|"
            r"(?:prove|show) (?:it |this )?(?:to|before) a judge|in a courthouse|"
            r"(?:seek|seeking|claim|claiming|entitled to|sue for) (?:\w+ ){0,2}?(?:punitive|"
            r"statutory) damages)\b",
            "legal litigation suit court sued pending impending intended step option recourse "
            "resort further judicial plaintiff judge courthouse damages",
            negatable=False,
        ),
        # round 5 (dev): a lawyer already at work, court named without "sue", legal
        # consequences announced ("I now have an attorney working with me in this matter",
        # "I will have attorney reach out", "see you in court", "will result in legal
        # liabilities")
        _cue(
            r"\b(?:see (?:you|them) in court|(?:through|in) the courts|(?:have|has|had|will have|"
            r"getting|got) (?:a |an |my |our )?(?:own )?(?:lawyer|attorney|solicitor)s? "
            r"(?:now )?(?:working|representing|handling|looking|review\w*|reach\w* out|contact\w*|"
            r"call\w*|writ\w*|send\w*|draft\w*|deal\w*|on (?:this|it|the case|my case))|"
            r"pursu\w+ (?:this|it|the matter|this matter|them|you) legally|legally pursu\w+|"
            r"(?:will|would|may|could|shall) result in (?:\w+ ){0,2}?legal (?:liabilit\w+|"
            r"consequences|ramifications|proceedings|repercussions)|(?:prepared|ready|willing|"
            r"intend|intending|plan|planning|going) to (?:go to court|take (?:legal|court) action)|"
            r"(?:member|part|apart) of (?:the |a |this )?class[- ]action|(?:initiat\w+|fil\w+|s"
            r"tart\w*|"
            r"demand\w*|notice (?:of|for)) (?:\w+ ){0,2}?arbitration|(?:my|our) (?:legal (?:adv"
            r"isor|"
            r"adviser|representatives?)|paralegal)|(?:and|or) (?:potentially|possibly|even|maybe|"
            r"perhaps|eventually|ultimately) (?:take |pursue |seek )?(?:legal action|litigation|"
            r"a lawsuit|court)|(?:(?:was|am|are|were) )?(?:going|gon+a|want(?:ed)? to|plan\w* to|"
            r"intend\w* to|decided to) "
            r"(?:to )?(?:sue|suit) (?:them|you|him|her|the company|it)\b)\b",
            "court courts lawyer attorney solicitor legal class arbitration paralegal litigation "
            "lawsuit sue suit",
            customer_act=True,
        ),
    ),
    Flag.REGULATOR: (
        _cue(
            r"\b(?:CFPB(?:'?s)?|C\.F\.P\.B|F\.T\.C|Consumer Financial (?:Protection )?Bureau|Bureau"
            r" of Consumer Protecti"
            r"on|"
            r"FTC|Federal Trade Comm?is+ion|attorneys? generals?(?:'s|'s)?|AG'?s office|BBB|"
            r"Better Business Bureau|ombudsman|ombudsmen|FCA|Financial Conduct Authority|"
            r"Trading Standards|Information Commissioner|ICO|Ofcom|Ofgem|Ofwat|FDIC|OCC|"
            r"Comptroller of (?:the )?Currency|Federal Reserve|NCUA|SEC|Securities and Exchange "
            r"Commission|HUD|FINRA|(?:state|department of) (?:banking|financial (?:institutions|"
            r"services|regulation))|banking (?:department|commission|regulators?)|regulators?|"
            r"regulatory (?:agency|agencies|body|authority)|state attorney|"
            r"(?:my|the|our|local|state) (?:congressman|congresswoman|congressperson|senator|"
            r"state representative|assemblyman|assemblywoman|legislator|MP|member of parliament)|"
            r"contacted my MP|Department of (?:the )?Treasury)\b",
            "cfpb c.f.p.b f.t.c bureau ftc trade general ag's ags bbb business ombuds fca "
            "authority "
            "standards commissioner ico ofcom ofgem ofwat fdic occ comptroller reserve ncua sec "
            "hud finra banking financial regulat state congress senator representative assembly "
            "legislator mp parliament treasury",
        ),
        # agencies that are often only a party (a payee, a lender): they count when the
        # customer reports or complains to them
        _cue(
            r"\b(?:report\w*|complain\w*|complaint|complaints|contact\w*|notif\w+|inform\w*|"
            r"forward\w*|submit\w*|escalat\w*|filed|file|filing|writ\w+|wrote|reach\w* out|"
            r"go(?:ing)? to|went to|call\w*) (?:\w+ ){0,5}?(?:to|with|the|at) (?:the )?"
            + _AGENCY
            + r"\b",
            "irs internal social ssa fbi department secretary state federal government "
            "authorities consumer",
        ),
    ),
    Flag.BREACH_OF_CONTRACT: (
        _cue(
            r"\b(?:breach(?:ed|ing)? (?:of )?(?:the |my |our |their |its |this |a |prior )?(?:\w+ )"
            r"?"
            r"(?:contract|agreement|terms|promissory note|loan agreement)|"
            r"(?:violat\w+|broke|break|breaking|go(?:ne|ing)? against|went against|contrary to|"
            r"in violation of|not in (?:accordance|line) with|inconsistent with) (?:what )?"
            r"(?:the |my |our |their |its |this |a |his |her )?(?:own )?(?:signed |written |origina"
            r"l |"
            r"loan |credit |card |account |cardholder |previous |prior |personal )?(?:\w+ )?"
            r"(?:contract|agreement|terms(?: and conditions)?|settlement|policy|policies|"
            r"promissory note)|breach of (?:contract|agreement))\b",
            "contract agreement terms note settlement polic",
        ),
        _cue(
            r"\b(?:not|\w+n'?t|never|refus\w+ to|fail\w* to|will not|to)(?: even| ever| been| be)? "
            r"honou?r(?:ed|ing)? (?:(?:it|them|that|this)\b|"
            r"(?:the |my |our |their |this |that |a |an |its |his |her |what )?(?:\w+ ){0,3}?"
            r"(?:agreement|arrangement|contract|terms|deal|promise|settlement|payment plan|"
            r"polic(?:y|ies)|offer|commitment|word|booking|reservation|revocation|"
            r"(?:they|he|she|was|i was) (?:said|agreed|promised|told))s?\b)",
            "honor honour",
            negatable=False,
        ),
        _cue(
            r"\b(?:(?:did not|didn'?t|never|fail\w* to|refus\w+ to|not) (?:keep|kept|stick to|uphol"
            r"d|"
            r"upholding|abide by|live up to|follow through on|fulfil+|meet|bother\w* to keep) "
            r"(?:\w+ ){0,2}?(?:their|its|the|our|his|her|my) (?:part|end|word|promise|agreement|"
            r"obligations?|commitment|side|bargain)|without upholding (?:\w+ ){0,2}?part|"
            r"reneg(?:ed|ing|es)?\b|went back on|going back on|back(?:ed)? out of (?:the|our) "
            r"(?:deal|agreement)|(?:changed|altered|modified|changing|switched) (?:\w+ ){0,4}?"
            r"(?:terms|the agreement|the contract|the rate|the apr)|after (?:i|we) signed "
            r"(?:\w+ ){0,4}?(?:switch|chang|rais|increas)\w*|never a condition in|"
            r"(?:is|was|were|are) not supposed to (?:pay|charge|start|take|debit|report|fund|"
            r"release|withdraw)|(?:agreement|contract|loan document|terms|policy) (?:clearly )?"
            r"(?:states|says|said|stated|specifies|promised))\b",
            "keep kept stick uphold abide live follow fulfil meet upholding reneg back chang "
            "alter modif switch signed condition supposed states says said stated specifies "
            "promised",
        ),
        _cue(
            r"\b(?:(?:more|higher|greater|larger) than (?:what )?"
            r"(?:was |we |i |they |had |had been )?(?:originally |initially |first |previously )?"
            r"(?:agreed|promised|quoted|contracted)|"
            r"(?:she|he|they|the (?:rep\w*|agent|manager|company|lender|bank|loan officer)) "
            r"(?:had )?(?:promised|assured|guaranteed) (?:me|us)|(?:was|were) (?:told|quoted|"
            r"promised|assured) (?:that )?(?:my|the|our) (?:interest )?(?:rate|apr|payments?|price|"
            r"fees?) (?:would|will) (?:be|drop|go down|decrease|lower)|within (?:the |a |their )?"
            r"(?:\w+ ){0,3}?(?:days?|period|window|timeframe)[^.]{0,40}?(?:their|its|the) (?:own )?"
            r"(?:policy|policies|terms)|(?:was|is) in (?:their|its) (?:own )?polic(?:y|ies))\b",
            "agreed promised quoted contracted assured guaranteed told policy policies terms",
        ),
    ),
    Flag.PRODUCT_SAFETY: (
        _cue(
            r"\b(?<!insult to )(?:injur(?:y|ies|ed|ing)(?! in (?:a|an|the) )(?! on the job)|(?:was|"
            r"were|got|been|b"
            r"adly|seriously) hurt|"
            r"unsafe|safety (?:hazard|issue|risk|concern|recall|defect)s?|fire hazard|"
            r"caught (?:on )?fire|explod\w+|burn(?:ed|t|s) (?:me|my|him|her|his)|"
            r"electric(?:al)? shock|electrocut\w+|food poisoning|allergic reaction|choking hazard|"
            r"recall(?:ed)? (?:notice|vehicle|car|part|airbag)|airbags? (?:deploy\w*|went off)|"
            r"carbon monoxide|bed ?bugs|dangerous (?:condition|defect|product|vehicle|car)|"
            r"(?:caused|causing) (?:me |us )?(?:an? )?(?:accident|crash|fire|injur\w*)|"
            r"made (?:me|us|my \w+) (?:sick|ill)|(?:brakes?|steering) (?:fail\w*|"
            r"went out|gave out))\b",
            "injur hurt unsafe safety hazard fire explod burn shock electrocut poison allergic "
            "recall airbag monoxide bug dangerous caus sick ill brake steering",
        ),
        _cue(
            r"\b(?:which|that|this|it) (?:is|was) (?:very |extremely |so )?(?:dangerous|unsafe|"
            r"hazardous)\b",
            "dangerous unsafe hazardous",
            negatable=False,
        ),
    ),
    Flag.DISCRIMINATION: (
        _cue(
            r"\b(?:discriminat\w+|racis[mt]\w*|sexis[mt]\w*|redlin\w+|ageism|ageist|misogyn\w+|"
            r"xenophob\w+|homophob\w+|transphob\w+|(?:racial|racially) profil\w+|"
            r"(?:allege|alleging|suspect) bias|insulting (?:indians|women|blacks|"
            r"immigrants|muslims|jews|asians|hispanics|latinos)|civil rights|"
            r"(?:reasonabl[ey]|failed to) accommodat\w+)\b",
            "discriminat racis sexis redlin ageis misogyn xenophob homophob transphob profil "
            "bias insulting civil accommodat",
            statute=True,
        ),
        _cue(
            rf"\b(?:because (?:of )?(?:my|i am|i'm|of being|we are|we're)|based (?:up)?on (?:my)?|"
            rf"due to my) (?:\w+ ){{0,2}}?{_PROTECTED}\b",
            "because based due",
        ),
    ),
    Flag.HARASSMENT: (
        _cue(
            r"\b(?:har+as+\w*|abusive|intimidat\w+|bull(?:y|ied|ying|ies|ing)|threatening calls?|"
            r"aggressive (?:behaviou?r|tactics|calls?|collection\w*|manner)|"
            r"derogatory (?:comments?|remarks?)(?!(?: and \w+)? (?:to be |be |are |were |from |on |"
            r"reported))|talk(?:ed|ing|s)? down to|condescen\w+|"
            r"belittl\w+|demean\w+|humiliat\w+|insult(?:ed|ing|s)? (?:me|us)|"
            r"treated (?:me |us )?like (?:a |an )?(?:degenerate|criminal|dirt|trash|liar))\b",
            "haras harras abusive intimidat bull threatening aggressive derogatory down condescen "
            "belittl demean humiliat insult treated",
        ),
        _cue(
            r"\b(?:call(?:s|ed|ing)?|text(?:s|ed|ing)?|contact(?:s|ed|ing)?) "
            r"(?:me |us )?(?:\w+ ){0,3}?(?:constantly|repeatedly|nonstop|non-stop|incessantly|"
            r"ceaselessly|excessively|non stop|"
            r"all day long|back to back|from (?:different|several|multiple|many|other|\d+) "
            r"(?:\w+ )?numbers|every day|everyday|daily|multiple times a day|several times a day|"
            r"all hours|at all hours|late at night|at work|at my (?:job|work|workplace|place of "
            r"(?:business|work|employment)))\b",
            "constantly repeatedly nonstop non-stop incessantly ceaselessly excessively all day "
            "back numbers every daily times hours night work job place",
        ),
        _cue(
            r"\b(?<!despite )(?<!my )(?<!after )(?:(?:excessive(?:ly)?|constant|numerous|repeated|r"
            r"elentless|nonstop|non-stop|"
            r"incessant) (?:\w+ )?(?:phone )?(?:calls|calling|contacts?|texts|messages)|"
            r"(?:\d+|two|three|four|five|six|ten) (?:to \d+ |to (?:five|ten) )?(?:phone )?calls "
            r"(?:a|per|each|in a) day|vicious collection\w*)\b",
            "excessive constant numerous repeated relentless nonstop non-stop incessant calls "
            "vicious",
        ),
        _cue(
            r"\b(?:contact\w*|call\w*|reach\w* out to|told|harass\w*|spoke (?:with|to)|"
            r"speak\w* (?:with|to)|talk\w* to|visit\w*|email\w*|text\w*|message\w*) (?:to )?my "
            + _RELATIVE
            + r"\b",
            "employer boss supervisor family relatives friends neighb worker references mother "
            "mom father dad parents wife husband daughter son sister brother law work job office "
            "place",
        ),
        _cue(
            r"\b(?:yell\w*|scream\w*|curs(?:ed|ing) at|swore at|rude and|berat\w+|"
            r"(?:very )?rude (?:voicemails?|messages|texts|calls))\b",
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
            r"stop|stop)|(?:asked|told) them (?:not to|to stop) (?:call|contact|text)\w*[^.]{0,30}?"
            r"(?:still|continu\w+|keep)|(?:despite|after) (?:my |i )?(?:\w+ ){0,3}?(?:cease|"
            r"asking them to stop|asked them to stop|demand for them to cease)",
            "cease stop not to",
        ),
        _cue(
            r"\b(?:threaten(?:s|ed|ing)? (?:me|us|my)(?! with report)(?! to report)|"
            r"threat(?:s|en|ens|ened|ening)? (?:to|of|with) (?:\w+ )?(?:garnish|arrest|jail|prosecu"
            r"t|"
            r"take (?:me|us)|sue|court|legal action|repossess|repo|come to|find (?:me|us)|"
            r"a felony|felony|criminal)|threatened to)\b",
            "threat",
            company_act=True,
        ),
        _cue(r"\b(?:consider|felt|feel) (?:it |this |that )?(?:as )?a threat\b", "threat"),
    ),
    Flag.DATA_PROTECTION: (
        _cue(
            r"\b(?:(?:violat\w*|invad\w*|invasion of|breach\w*|disregard\w*|infring\w*) (?:\w+ "
            r"){0,4}?"
            r"privacy|privacy (?:was |has been |had been |is being )?(?:breached|violated|invaded|"
            r"compromised)|(?<!exercise my )right to privacy|data breach\w*|security breach|bre"
            r"ach of (?:my )?(?:data|"
            r"personal|privacy)|data protection|GDPR|HIPAA|Gramm-Leach-Bliley|GLBA|dark web|"
            r"(?:leaked|exposed|compromised|hacked)(?: my)? (?:personal |private )?"
            r"(?:data|information|details|account|info)|data (?:hack|leak)|email hack|"
            r"(?<!proof of my )(?<!proof of )permissible purposes?|(?:(?:obtain\w*|pull\w*|acce"
            r"ss\w*|"
            r"request\w*) (?:my |the |his |her |a )?(?:credit|report|information|info|data|cons"
            r"umer "
            r"report)|inquir\w*|credit report|consumer report)[^.]{0,40}?false pretenses)\b",
            "privacy breach protection gdpr hipaa gramm glba dark leaked exposed compromised "
            "hacked hack leak permissible pretenses",
        ),
        _cue(
            r"\b(?:shar\w+|disclos\w+|s[eo]ld|gave|giv\w+|releas\w+|access\w*|pull\w*|distribut\w+|"
            r"communicat\w+|furnish\w*|report\w*|obtain\w*|run|ran|use[sd]?) (?:\w+ ){0,3}?"
            r"(?:personal |private |financial |credit |banking |non-?public |consumer )?"
            r"(?:information|data|details|credit report|report|credit|file|info)s? "
            r"(?:\w+ ){0,6}?" + _WITHOUT_LEAVE + r"\b",
            "without",
        ),
        _cue(
            r"\b(?:impermissible purpose|hippa|"
            r"(?:record|records|information|info|data|details|identity|accounts?|email|phone) "
            r"(?:has|have|had|was|were|got|keeps getting|kept getting|getting|gets|being|to get"
            r"|get|"
            r"to be) (?:been )?"
            r"(?:breach\w*|leaked|exposed|compromised|"
            r"hacked)|(?:records|information|data|details) (?:were|was|had been|have been) "
            r"(?:sent|given|shared|disclosed|released|sold) to (?:a |an )?(?:third|unauthori[sz]ed|"
            r"other) part\w*|(?:shar\w+|disclos\w+|distribut\w+|s[eo]ld|communicat\w+) (?:\w+ ){0,4"
            r"}?"
            r"(?:information|data|details|info|listings) (?:\w+ ){0,4}?(?:to|with) (?:\w+ ){0,3}?"
            r"(?:third[- ]part\w+|other (?:loan )?compan\w+|non-?affiliated|unverified))\b",
            "permissible hippa breach leaked exposed compromised hacked third other affiliated "
            "unverified",
        ),
        _cue(
            r"\b(?:(?:did not|didn'?t|never|no) (?:give|gave|grant\w*|provide\w*)? ?(?:\w+ ){0,3}?"
            r"(?:permission|consent|authori[sz]ation) to (?:share|furnish|disclose|sell|release|use"
            r"|"
            r"access|pull|obtain|report|run|view|discuss)|unauthori[sz]ed (?:hard |credit )?"
            r"(?:inquir\w+|pulls?|credit (?:checks?|pulls?))|inquir\w+\b[^.]{0,80}?\b(?:(?:are|"
            r"is|were|was) "
            r"(?:\w+,? ){0,3}?(?:unauthori[sz]ed|fraudulent)|"
            + _WITHOUT_LEAVE
            + r"|(?:i|we) (?:did not|didn'?t|never|do not) (?:authori[sz]e|recall authori[sz]ing|"
            r"appl\w+|fill\w*|took out|take out|open\w*|request\w*|initiat\w*|ma[dk]e))|(?:told"
            r"|telling|discuss\w*) (?:\w+ ){0,3}?(?:my )?(?:personal|"
            r"financial|private) (?:business|information|matters|affairs)|(?:(?:refus\w+|unable|"
            r"not possible|declin\w+) to|won'?t|will not|can ?not) (?:delete|remove|erase|unlink|"
            r"destroy) (?:the \w+ (?:or|and) )?(?:my )?(?:\w+ )?(?:account|information|data|det"
            r"ails|"
            r"info|card)|fraudulent (?:\w+ ){0,3}?inquir(?:y|ies|es)\b|"
            r"(?:information|data|details|info|account)(?: \w+){0,3} (?:to be |was |were |being )?"
            r"(?:transferred|shared|sold|sent|given|released|disclosed) to (?:a |an )?third[- ]"
            r"part\w*"
            r"|(?:'?delete account'? button|"
            r"perpetual access|track\w* (?:customer |my )?(?:emails?|location)|tracker on my))\b",
            "permission consent authoriz authoris inquir pull business information matters info "
            "data details account third "
            "affairs delete remove erase unlink button perpetual track",
            negatable=False,
        ),
        _cue(
            r"\b(?:forward\w*|transferr\w*|gave|giv(?:en|ing)|releas\w+|s[eo]ld|shar\w+|disclos"
            r"\w+|reveal\w*|"
            r"pass\w*|sen[dt]\w*|sell\w*|furnish\w*) (?:on )?(?:my|our) (?:personal |private |"
            r"financial |banking |bank account |credit |contact )?(?:information|data|details|info|"
            r"records|creditworthiness|credit history|credit file|social security number|ssn|"
            r"phone number|address) (?:on )?(?:to|with) (?:xxxx|another|other|a third|third|"
            r"an? outside|non-?affiliate\w*|my " + _RELATIVE + r"|(?:a |an |the |some )?(?:\w+ )?"
            r"(?:compan(?:y|ies)|agenc(?:y|ies)|"
            r"third[- ]part\w+|marketers?|marketing|advertis\w+|vendors?|partners?|affiliates?))|"
            r"\b(?:tell\w*|told|inform\w*|discuss\w*|disclos\w+) (?:\w+ ){0,3}?(?:a |the |my |o"
            r"ur )?"
            r"(?:third[- ]part(?:y|ies)|" + _RELATIVE + r"s?) (?:that|about|of) (?:i|we|my|our|the "
            r"debt|the account|the loan)\b|\b(?:tell\w*|told) (?:\w+ ){0,3}?(?:our|my) (?:infor"
            r"mation|"
            r"info|details|business)\b",
            "forward transferr gave giv releas sold seld shar disclos pass sen sell furnish tell "
            "told reveal inform discuss",
            company_act=True,
        ),
        # round 5 (dev): the data named as what was shared, reached or kept ("my personal
        # information was shared with", "allowed unauthorized access to my accounts",
        # "hacked my network", "stored on their website, which I can not remove")
        _cue(
            r"\b(?:(?:my|our) (?:personal |private |financial |banking |bank account |credit |"
            r"contact )?(?:information|data|details|info|records|creditworthiness|"
            r"social security number|ssn|phone number) (?:has |had |have )?(?:was |were |been |"
            r"being |got )+(?:shared|sold|given|released|disclosed|sent|passed on|leaked|"
            r"handed over|forwarded|transferred|accessed|viewed) (?:to|with|by)\b"
            r"(?! (?:the |all )?(?:three |3 )?(?:credit )?(?:bureaus?|reporting))|"
            r"disclos\w+ (?:my |our )?creditworthiness|unauthori[sz]ed access (?:to|of|into|on) |"
            r"hack(?:ed|ing) (?:into )?(?:my|our) (?:\w+ ){0,3}?(?:network|phone|email|e-mail|c"
            r"omputer|"
            r"system|wifi|accounts?)\b|(?:information|data|details|info) [^.]{0,60}?(?:which|"
            r"that) (?:i|we) (?:can ?not|can'?t|am unable to|are unable to|could not|couldn'?t) "
            r"(?:remove|delete|erase)|(?:you|they) (?:still )?(?:have|had|has) access to (?:all"
            r" )?my "
            r"(?:personal |private |financial )?(?:information|data|details|info)|(?:obtain\w*|got|"
            r"acquir\w*) (?:all )?my (?:\w+ ){0,3}?(?:information|info|data|details) (?:\w+ )?"
            r"(?:fraudulently|illegally|unlawfully|improperly))",
            "shared sold given released disclosed sent passed leaked handed forwarded transferred "
            "accessed viewed creditworthiness unauthorized unauthorised hack remove delete erase "
            "access fraudulently illegally unlawfully improperly",
        ),
    ),
    Flag.FRAUD: (
        _cue(
            r"\b(?:identity theft|id theft|identity thief|stole my identity|stolen identity|"
            r"identity (?:was |has been |had been )?(?:stolen|compromised)|"
            r"(?<!flagged for )(?<!flagged as )(?<!due to )fraud(?! department)(?! dept)"
            r"(?! alert)(?! team)(?! specialist)(?! unit)(?! protection)\w*|scam\w*|phishing|"
            r"con man|con artist|criminal enterprise|forg(?:ed|ery|eries)(?! ahead)|"
            r"(?:fake|false|fraudulent) (?:names?|identit(?:y|ies))|(?:is|was|are) (?:theft|stealin"
            r"g|robbery)|"
            r"falsif\w+ (?:\w+ ){0,2}?(?:records?|documents?|documentation|signatures?|statements?)"
            r"|"
            r"counterfeit|falsified (?:documents?|documentation|signatures?|records?)|"
            r"(?:fake|forged|false) signatures?|signature (?:was |is |were )?(?:super ?imposed|forg"
            r"ed|"
            r"copied)|copy and paste of my signature|"
            r"unauthori[sz]ed (?:charges?|transactions?|withdrawals?|debits?|deductions?|payments?|"
            r"accounts?|loans?|use)|"
            r"(?:steal\w*|stole|stolen|theft of) (?:\w+ ){0,2}?(?:my |our )?(?:money|funds|payments"
            r"?|"
            r"information|info))\b",
            "identity id theft fraud scam phishing con criminal forg counterfeit falsif fake false "
            "stealing robbery "
            "false signature copy unauthori steal stole stolen",
        ),
        _cue(
            r"\b(?:(?:did not|didn'?t|never|have not|haven'?t|had not|do not|"
            r"don'?t) (?:make|made|authori[sz]e|authori[sz]ed|apply for|applied for|apply|applied|"
            r"sign up for|signed up for|sign|signed|open|opened|take out|took out|borrow|borrowed|"
            r"request|requested|agree to|agreed to|have|had) (?:for )?(?:any |such |this |that |a |"
            r"an "
            r"|the |these |those )?(?:\w+ ){0,2}?(?:transactions?|loans?|accounts?|cards?|charges?|"
            r"credit|debts?|lien|anything|documents?|application)|"
            r"(?:opened|applied for|taken out|took out|obtained|secured) (?:\w+ ){0,5}?in (?:my|his"
            r"|"
            r"her|our) names?|someone (?:else )?(?:used|using|opened|applied|took|has used) "
            r"(?:\w+ ){0,2}?(?:my|our) (?:identity|information|info|name|social|card|account|ss)|"
            r"(?:these|those|the|this|two) (?:\w+ )?(?:deductions|debits|transactions|charges|"
            r"withdrawals|payments) (?:were|was) (?:not |un)authori[sz]ed|"
            r"(?:charges?|transactions?|purchases?|withdrawals?|debits?) (?:that |which )?(?:i|we) "
            r"(?:did not|didn'?t|never|"
            r"do not|don'?t) (?:make|made|authori[sz]e|authori[sz]ed|recogni[sz]e|do))\b",
            "did didn never have haven had do don opened applied taken took obtained secured "
            "someone authoriz authoris",
            negatable=False,
        ),
        _cue(
            r"\b(?:took|taken|take|takes|debit\w*|withdr[ae]w\w*|drafted|charged|deducted|drain\w*)"
            r"\b"
            r"(?=[^.]{0,60}?(?:(?:from|out of) (?:my|our|the) (?:\w+ ){0,2}?(?:account|card)|"
            r"money|funds))[^.]{0,80}?\b" + _WITHOUT_LEAVE + r"\b",
            "without",
        ),
        _cue(
            r"\b" + _ACCOUNT_THING + r" (?:\w+ ){0,6}?" + _WITHOUT_LEAVE + r"\b",
            "without",
        ),
        _cue(
            r"\b(?:(?:after|despite) (?:i |we )?(?:\w+ ){0,3}?revok\w+|revoked (?:my |the )?"
            r"(?:ach|authori[sz]ation)\w*)[^.]{0,120}?(?:continu\w+|still|again|processed|took|"
            r"debit\w*|withdr\w+)\b|\b(?:continu\w+|keeps?|kept|still) (?:to )?(?:debit|withdr|draf"
            r"t|"
            r"tak|charg)\w*[^.]{0,80}?(?:after|despite) (?:i |we )?(?:\w+ ){0,3}?revok\w+|"
            r"\b(?:after|despite|since) (?:i |we )?(?:had |have )?(?:\w+ ){0,2}?cancel+(?:ed|ing)\b"
            r"[^.]{0,100}?"
            r"\b(?:charg|bill|debit|withdr)\w*|\b(?:charg|bill|debit|withdr)\w*[^.]{0,60}?"
            r"\b(?:after|despite|even though|when) (?:i |we )?(?:had |have )?(?:\w+ ){0,4}?"
            r"cancel+(?:ed|ing)\b|\bcancel+ed (?:\w+ ){0,4}?(?:and|but) (?:\w+ ){0,3}?"
            r"(?:continu\w+|still) (?:\w+ ){0,2}?(?:charg|bill|debit|withdr|see|seeing)\w*",
            "revok cancel",
        ),
    ),
    Flag.VULNERABILITY: (
        _cue(
            r"\b(?:cancer|chemo\w*|dialysis|terminal(?:ly)? ill\w*|stroke|heart attack|"
            r"surgery|surgeries|hospitali[sz]\w+|in the hospital|landed me in the hospital|"
            r"(?:medical|health) (?:condition|issues?|problems?|emergency|bills)|disabled|"
            r"disabilit(?:y|ies)|(?:my|his|her|an?|serious|terminal|chronic|mental) illness|"
            r"seriously ill|mental health|(?:mental|emotional) and (?:mental|emotional) health|"
            r"psychiatr\w+|hospital bills?|depression|depressed|(?:my|severe|diagnosed with|"
            r"suffer\w* (?:from|with)|have) anxiety|PTSD|dementia|alzheimer'?s|"
            r"pregnan\w+|diagnosed with|(?:was|been|got|am|is|were) (?:badly |seriously )?"
            r"(?:injured|hurt)|hurt on the job|injured in|my injury|injuries|under (?:anesthesia|"
            r"anaesthesia|sedation)|sedated|americans? with disabilit\w+|\bADA\b|dying)\b",
            "cancer chemo dialysis terminal stroke heart surgery surgeries hospital medical health "
            "disab illness seriously psychiatr depress anxiety ptsd dementia alzheimer pregnan "
            "diagnosed "
            "injur hurt anesthesia anaesthesia sedat ada dying",
        ),
        _cue(
            r"\b(?:passed away|died|death of|deaths|deceased|funeral|bereave\w+|widow\w*|"
            r"my late (?:husband|wife|mother|father|son|daughter))\b",
            "passed died death deceased funeral bereave widow late",
        ),
        _cue(
            r"\b(?:lost (?:my|his|her|our) (?:\w+ )?(?:job|jobs|income|home|employment)|laid off|"
            r"unemploy\w+|furlough\w*|job loss|loss of (?:income|employment|work|my job|work)|"
            r"lose work|let go from (?:our|my|his|her) jobs?|"
            r"(?<!caused )(?<!causing )(?<!cause )(?:financial|economic|medical|severe|extreme|"
            r"great|serious|undue|personal) "
            r"(?:hardships?|strain|difficult(?:y|ies)|situation|problems)|hardships?(?! on my credi"
            r"t)|"
            r"dirt poor|every penny (?:i|we) had|"
            r"hard times|hard time|make ends meet|no longer employed|out of work|not worked|"
            r"(?:have not|haven'?t) worked|(?:don'?t|do not) have a job|unable to work|can'?t work|"
            r"no income|limited (?:income|funds)|low income|fixed income|only income|sole (?:source"
            r" "
            r"of )?income|one income|solo income|partial salary|homeless\w*|evict\w+|motel|"
            r"food stamps|SNAP benefits|paycheck to paycheck|struggl\w* (?:financially|with "
            r"(?:money|bills|finances|debt)|to (?:survive|get by|make ends meet|pay (?:the |my |our"
            r" )?"
            r"(?:bills|rent)))|struggle (?:as it is|financially|day to day)|overwhelmed with "
            r"(?:finances|bills|debt)|need (?:that|the|this) money to survive|"
            r"can(?:no|')t afford (?:food|rent|groceries|to eat|my rent|medication|medicine)|"
            r"afford food|social security (?:is my only|disability|income|benefits|check|xxxx)|"
            r"on social security|retired|pension|SSI|SSDI|on disability|senior citizen|elderly|"
            r"domestic (?:violence|abuse|situation)|crime victim|flee\w*|single (?:parent|mother|"
            r"mom|father)|no child support|bankrupt\w*|chapter (?:7|13|seven|thirteen)|"
            r"(?:7\d|8\d|9\d) years? old|taking care of my|care of my (?:dying|sick|elderly))\b",
            "lost laid unemploy furlough job loss lose let hardship strain difficult situation "
            "poor "
            "penny "
            "problems hard ends employed out of work worked job unable can income funds salary "
            "homeless evict motel stamps snap paycheck struggl overwhelmed survive afford social "
            "retired pension ssi ssdi disability senior elderly domestic victim flee single "
            "child bankrupt chapter year care",
        ),
    ),
    Flag.MEDIA: (
        _cue(
            r"\b(?:(?<!in )the media|(?<!in )news media|local news|news (?:station|outlet|channel|"
            r"reporters?)s?|newspapers?|journalists?|reporters?|go(?:ing)? public|"
            r"publici[sz]e|social media|public forum|warn(?:ing)? (?:other|others|people|everyone|"
            r"the public|consumers|future))\b",
            "media news journalist reporter public warn",
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

# How often each cue was right where it fired: (right + 1) / (fired + 2) on the `dev`
# rows of flagset/legal_flags.csv (measured 2026-12-03 on 410 rows, after the rules were tuned on
# those rows, so somewhat optimistic; `plaint triage evaluate` prints how the confidence
# holds up on the held-out `test` rows). One number per cue, in CUES order.
CUE_CONFIDENCE: dict[Flag, tuple[float, ...]] = {
    Flag.LITIGATION: (0.84, 0.86, 0.90),
    Flag.REGULATOR: (0.98, 0.83),
    Flag.BREACH_OF_CONTRACT: (0.67, 0.86, 0.67, 0.50),
    Flag.PRODUCT_SAFETY: (0.60, 0.67),
    Flag.DISCRIMINATION: (0.88, 0.50),
    Flag.HARASSMENT: (0.93, 0.88, 0.78, 0.71, 0.78, 0.86, 0.83, 0.78, 0.67),
    Flag.DATA_PROTECTION: (0.90, 0.83, 0.91, 0.90, 0.89, 0.86),
    Flag.FRAUD: (0.96, 0.83, 0.75, 0.64, 0.67),
    Flag.VULNERABILITY: (0.83, 0.40, 0.81),
    Flag.MEDIA: (0.75, 0.67),
}
if {f: len(c) for f, c in CUE_CONFIDENCE.items()} != {f: len(c) for f, c in CUES.items()}:
    raise ValueError("CUE_CONFIDENCE needs one number per cue")

# ------------------------------------------------------------------ clause and negation
# A clause ends at sentence punctuation, at a conjunction that starts a new thought, or
# at a new subject; negation and subject are looked for only inside the cue's clause.
_BOUNDARY = re.compile(
    r"[.!?;:,()\n\r]|\b(?:but|however|although|though|because|unless|otherwise|if|"
    r"or else|so|and|until|which|who|that|in order to)\b",
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
    r"not be (?:afraid|shy)|no alternative|not going to stop|not only)\b",
    re.IGNORECASE,
)
# Objects and passives that make the customer the target, not the actor: "sue me",
# "sued by", "was sued", "a lawsuit against me", "threatened to".
_CUSTOMER_AS_TARGET_AFTER = re.compile(
    r"^\W*(?:me|us|my (?:husband|wife|family|person)|him|her|them for|by|against (?:me|us))\b",
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
# A statute's own words quoted by the customer: "it is unlawful for any creditor to
# discriminate", "the Act prohibits lenders from discriminating".
_STATUTE_FRAME = re.compile(
    r"\b(?:unlawful|illegal|prohibits?|prohibited|prohibiting|forbids?|forbidden|shall not|"
    r"may not|not permitted)\b[^.]{0,60}$",
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


# ------------------------------------------------------------------------ the prefilter
# Python's `re` tries every cue at every word of the text, which made the flags the
# slowest part of triage. RE2 (google-re2) matches a whole set of patterns in one linear
# pass with a lazily built DFA, but has no look-arounds, so each flag gets an RE2 set of
# *looser* versions of its cues: look-arounds dropped and every bounded repeat `{m,n}`
# made `*`. Each loose pattern matches wherever its cue does (and a little more), so the
# set only says which cues cannot match; the cues that can are run with `re` as before,
# and the result is the same as running them all (tests/triage/test_flags.py checks it).
# RE2's `\b` and `\w` are ASCII-only, so the set is used for ASCII text only.


def loosened(pattern: str) -> str:
    """`pattern` (Python syntax) as an RE2 pattern that matches wherever it does."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        elif char == "[":
            j = i + 1
            if pattern[j : j + 1] == "^":
                j += 1
            if pattern[j : j + 1] == "]":
                j += 1
            while pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            out.append(pattern[i : j + 1])
            i = j + 1
        elif pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
            i = _group_end(pattern, i)
        elif char == "{" and (repeat := _REPEAT.match(pattern, i)):
            out.append("*")
            i = repeat.end()
        else:
            out.append(char)
            i += 1
    # Python's \s also matches \v and \x1c-\x1f, RE2's does not
    return "".join(out).replace("\\s", "[\\t\\n\\v\\f\\r \\x1c-\\x1f]")


_REPEAT = re.compile(r"\{\d+(?:,\d*)?\}")


def _group_end(pattern: str, start: int) -> int:
    """The index just after the group opened at `start`."""
    depth = 0
    i = start
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            i += 1
            while pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError(f"unbalanced group at {start} in {pattern!r}")


@dataclass(frozen=True, slots=True)
class _Prefilter:
    """One flag's RE2 set: which of its cues can match a (lower-cased, ASCII) text."""

    matcher: Any  # re2.Set, or None when no cue could be loosened
    members: tuple[int, ...]  # cue index of each pattern in the set
    always: frozenset[int]  # cues RE2 cannot compile: always run

    def may_match(self, lowered: str) -> frozenset[int] | set[int]:
        found = self.matcher.Match(lowered) if self.matcher is not None else None
        if not found:
            return self.always
        return {self.members[i] for i in found} | self.always


@cache
def _prefilters() -> dict[Flag, _Prefilter]:
    import re2  # type: ignore[import-untyped]

    built: dict[Flag, _Prefilter] = {}
    for flag, cues in CUES.items():
        matcher = re2.Set.SearchSet(re2.Options())
        members: list[int] = []
        always: set[int] = set()
        for index, cue in enumerate(cues):
            try:
                matcher.Add(loosened(cue.lowered.pattern))
            except re2.error:
                always.add(index)
            else:
                members.append(index)
        if members:
            matcher.Compile()
        built[flag] = _Prefilter(matcher if members else None, tuple(members), frozenset(always))
    return built


def detect_flags(
    text: str, *, flags: Iterable[Flag] | None = None, prefilter: bool = True
) -> list[FlagHit]:
    """The legal-risk flags `text` raises, in `Flag` order, each with its evidence.
    `prefilter=False` runs every cue without the RE2 prefilter: the same result, slower
    (for checking the prefilter)."""
    wanted = set(Flag) if flags is None else set(flags)
    lowered = text.lower()
    same_length = len(lowered) == len(text)
    # ASCII text (almost every complaint) is first run through each flag's RE2 set, which
    # says in one linear pass which of the flag's cues can match at all; only those run.
    sets = _prefilters() if prefilter and text.isascii() else None
    quoted = _quoted_spans(text) if '"' in text or "\u201c" in text else []
    hits: list[FlagHit] = []
    for flag in Flag:
        if flag not in wanted:
            continue
        if sets is not None:
            may_match = sets[flag].may_match(lowered)
            if not may_match:
                continue
        evidence: list[Evidence] = []
        for index, cue in enumerate(CUES[flag]):
            if sets is not None:
                if index not in may_match:
                    continue
            elif not cue.candidates(lowered):
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
                if cue.statute and _STATUTE_FRAME.search(text[max(0, start - 80) : start]):
                    continue
                evidence.append(
                    Evidence(start, end, text[start:end], index, CUE_CONFIDENCE[flag][index])
                )
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
