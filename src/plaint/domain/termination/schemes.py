"""Which ombudsman or ADR scheme a termination notice may name, from what the record says
(the product, the organisation's country, the regimes of the cases behind it) and the
referral rules kept as data (`plaint.domain.disputes.referrals`, each with its sources).

A notice names a scheme only when every fact the record holds points to the same one;
otherwise it tells the customer to ask the business how to take the complaint further.

Supported (legal_rules.md, last read 2026-12-01):
- Financial Ombudsman Service: FCA DISP and payment-services complaints (§5, DISP 2.8.1R
  ✅) and the notice for a UK payment framework contract (§11, SI 2025/688 🟡).
- Energy Ombudsman: GB energy complaints (§8, SI 2008/1898 ✅; the regulation number of the
  signposting duty ⚠️ not confirmed).
- The provider's Ofcom-approved ADR scheme: membership is mandatory (§8, GC C4.3 ✅), but
  Plaint does not know which of the two schemes a provider belongs to, so the notice says
  so and asks the customer to ask.
Not named: the CFPB (a regulator's complaint service, not an ombudsman or ADR scheme) and an
EU trader's national ADR entity (Plaint does not hold which one)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from plaint.domain.disputes.referrals import referral_rule
from plaint.domain.termination.notice import ProductKind


@dataclass(frozen=True)
class Scheme:
    """A scheme a notice may name: the referral rules' regime, its body and web address,
    and the sentence the notice letter uses."""

    regime: str
    body: str
    where: str
    sentence: str


FOS = "UK-FCA-DISP"
ENERGY = "UK-OFGEM"
TELECOMS = "UK-OFCOM"

#: Case regimes and the scheme (by its referral-rule regime) they point to.
_REGIME_SCHEME = {
    "UK-FCA-DISP": FOS,
    "UK-FCA-PSD": FOS,
    "UK-OFGEM": ENERGY,
    "UK-OFCOM": TELECOMS,
}

ASK_US = " If you are not happy with our answer, ask us how you can take your complaint further."


def _sentence(regime: str) -> str:
    rule = referral_rule(regime)
    site = rule.where.removeprefix("https://").removesuffix("/")
    if regime == TELECOMS:
        return (
            " If you are not happy with our answer, you can take your complaint to the "
            "Ofcom-approved alternative dispute resolution scheme we belong to (the "
            "Communications Ombudsman or CISAS); ask us which one and how to contact it."
        )
    return (
        f" If you are not happy with our answer, you can ask the {rule.body} to look at "
        f"your complaint. You can find out more about the {rule.body}, and how to refer a "
        f"complaint, at {site}."
    )


def complaint_scheme(
    *,
    product: ProductKind,
    jurisdiction: str,
    case_regimes: Iterable[str],
    notice_rules_apply: bool,
) -> Scheme | None:
    """The one scheme the record supports, or None (the notice then says to ask us).

    `notice_rules_apply`: a statutory notice rule covers this termination (for a GB
    payment framework contract, the PSRs, whose 2026 version requires the Financial
    Ombudsman Service to be named)."""
    pointed: set[str] = set()
    if jurisdiction == "GB" and product is ProductKind.PAYMENT_FRAMEWORK and notice_rules_apply:
        pointed.add(FOS)
    if jurisdiction == "GB" and product is ProductKind.ENERGY:
        pointed.add(ENERGY)
    unknown = False
    for regime in case_regimes:
        if regime in _REGIME_SCHEME:
            pointed.add(_REGIME_SCHEME[regime])
        elif regime and regime != "HOUSE":
            unknown = True  # a regime whose scheme Plaint does not hold: do not guess
    if len(pointed) != 1 or unknown:
        return None
    regime = next(iter(pointed))
    rule = referral_rule(regime)
    return Scheme(regime=regime, body=rule.body, where=rule.where, sentence=_sentence(regime))
