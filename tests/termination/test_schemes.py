"""The notice letter names the ombudsman or ADR scheme the record supports, and only that:
the product, the organisation's country and the regimes of the cases behind it must all
point to one scheme; otherwise the letter tells the customer to ask the business."""

from __future__ import annotations

import pytest

from plaint.accounts.models import Organisation, User
from plaint.cases.ledger import Actor
from plaint.cases.models import Case
from plaint.domain.termination import ProductKind
from plaint.domain.termination.schemes import ASK_US, Scheme, complaint_scheme
from plaint.letters.selectors import case_letter
from plaint.terminations import services
from tests.conftest import NOW, open_case
from tests.termination.conftest import check, propose


def _scheme(
    product: ProductKind, regimes: list[str], country: str = "GB", rules: bool = False
) -> Scheme | None:
    return complaint_scheme(
        product=product, jurisdiction=country, case_regimes=regimes, notice_rules_apply=rules
    )


def test_each_supported_scheme_is_named_from_the_referral_rules() -> None:
    fos = _scheme(ProductKind.PAYMENT_FRAMEWORK, ["UK-FCA-PSD"], rules=True)
    assert fos is not None and fos.body == "Financial Ombudsman Service"
    assert "financial-ombudsman.org.uk" in fos.sentence
    energy = _scheme(ProductKind.ENERGY, ["UK-OFGEM"])
    assert energy is not None and energy.body == "Energy Ombudsman"
    assert "energyombudsman.org" in energy.sentence
    assert _scheme(ProductKind.ENERGY, [""]) == energy  # the product alone is enough in GB
    telecoms = _scheme(ProductKind.OTHER, ["UK-OFCOM"])
    assert telecoms is not None and "Ofcom-approved" in telecoms.sentence
    assert "ask us which one" in telecoms.sentence  # Plaint does not know which scheme


@pytest.mark.parametrize(
    ("product", "regimes", "country", "rules"),
    [
        (ProductKind.OTHER, [""], "GB", False),  # nothing in the record names a scheme
        (ProductKind.CREDIT_ACCOUNT, ["US-CFPB"], "US", True),  # the CFPB is no ombudsman
        (ProductKind.OTHER, ["EU-ADR"], "DE", False),  # the ADR entity is not recorded
        (ProductKind.ENERGY, ["UK-FCA-DISP"], "GB", False),  # the record contradicts itself
        (ProductKind.ENERGY, ["UK-OFGEM", "UK-OFCOM"], "GB", False),
        (ProductKind.ENERGY, ["UK-OFGEM", "US-FCRA"], "GB", False),  # a regime it cannot map
        (ProductKind.ENERGY, [""], "US", False),  # the Energy Ombudsman is for GB
    ],
)
def test_no_scheme_is_named_the_record_does_not_support(
    product: ProductKind, regimes: list[str], country: str, rules: bool
) -> None:
    assert _scheme(product, regimes, country, rules) is None


def _notice(case: Case, agent: User, boss: User, product: str) -> str:
    t = check(propose(case, agent, product=product), agent)
    t = services.termination_decide(
        termination=t, approve=True, reasons="Staff safety.", actor=Actor.staff(boss), now=NOW
    )
    t = services.termination_notice_issue(
        termination=t,
        letter_case=case,
        alternatives_offered=["Another supplier"],
        reasons_stated="On 20 and 27 February you threatened our staff.",
        money_and_data="We will refund any credit on the account.",
        actor=Actor.staff(agent),
        now=NOW,
    )
    text = case_letter(case=case, seq=t.letter_seq or 0).payload.fields["letter.how_to_respond"]
    assert isinstance(text, str)
    return text


def _case(org: Organisation, agent: User, regime: str) -> Case:
    return open_case(
        org, agent, regime=regime, amount_in_dispute=None, currency="",
        description="The customer threatened our staff on the phone.",
    )  # fmt: skip


def test_an_energy_notice_names_the_energy_ombudsman(
    org: Organisation, agent: User, boss: User
) -> None:
    text = _notice(_case(org, agent, "UK-OFGEM"), agent, boss, "energy")
    assert "Energy Ombudsman" in text and "energyombudsman.org" in text
    assert "Financial Ombudsman" not in text


def test_a_notice_without_a_supported_scheme_says_to_ask_us(
    org: Organisation, agent: User, boss: User
) -> None:
    text = _notice(_case(org, agent, ""), agent, boss, "other")
    assert text.endswith(ASK_US)
    assert "Ombudsman" not in text and "ADR" not in text


def test_a_contradicting_record_names_no_scheme(org: Organisation, agent: User, boss: User) -> None:
    text = _notice(_case(org, agent, "UK-FCA-DISP"), agent, boss, "energy")
    assert text.endswith(ASK_US)
    assert "Ombudsman" not in text
