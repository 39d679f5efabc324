"""Issue 19: paraphrased legal risks are flagged (with a confidence), a legal reviewer's
"not a risk" is kept as a labelled example, and a complaint in a language triage does not
read goes to human triage with "language not supported" shown."""

from __future__ import annotations

import pytest
from django.test import Client

from plaint.accounts.models import Organisation, User
from plaint.accounts.roles import Role
from plaint.accounts.services import staff_create
from plaint.cases.bulk import LedgerBatch
from plaint.cases.ledger import Actor, ledger_verify
from plaint.cases.models import CaseEvent
from plaint.domain.triage.flags import Flag, detect_flags
from plaint.domain.triage.language import detect_language
from plaint.triage import selectors, services
from plaint.triage.bulk import triage_batch
from plaint.triage.models import FlagVerdict, TriageRecord
from tests.conftest import NOW, open_case

GERMAN = (
    "Sehr geehrte Damen und Herren, ich habe die Rechnung zweimal bezahlt und bitte um "
    "eine Erstattung. Ich werde einen Anwalt einschalten, wenn das nicht bis Freitag "
    "erledigt ist. Mit freundlichen Grüßen"
)
DANISH = (
    "Jeg har betalt to gange for mit medlemskab, og jeg har ikke fået pengene tilbage. "
    "Det er ikke i orden, og jeg vil have en forklaring."
)
ENGLISH = "I was charged twice for my order and I would like a refund of the second payment."


def flags_of(text: str) -> set[Flag]:
    return {hit.flag for hit in detect_flags(text)}


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Next step is to pursue litigation if this is not fixed.", Flag.LITIGATION),
        ("I will be following up with a lawyer about this.", Flag.LITIGATION),
        ("Failure to do so will result in a civil lawsuit.", Flag.LITIGATION),
        ("I will take this to a further federal level.", Flag.LITIGATION),
        ("I have written to my congressman about the fees.", Flag.REGULATOR),
        ("I reported the scam to the FBI on their website.", Flag.REGULATOR),
        ("This is contrary to what the loan agreement says.", Flag.BREACH_OF_CONTRACT),
        ("They refuse to honor what was told to me over the phone.", Flag.BREACH_OF_CONTRACT),
        ("I lost my job and can barely make ends meet.", Flag.VULNERABILITY),
        ("We are on a fixed income and my wife is disabled.", Flag.VULNERABILITY),
        ("They call me 5 times a day at my place of business.", Flag.HARASSMENT),
        ("There are unauthorized hard inquiries on my report.", Flag.DATA_PROTECTION),
        ("They keep debiting my account after I revoked the ACH authorization.", Flag.FRAUD),
        ("The loan was opened in my name by someone else.", Flag.FRAUD),
        # round 4 (dev): the issue's own examples and what the dev rows missed
        ("I will be taking this further.", Flag.LITIGATION),
        ("My solicitor will be in touch.", Flag.LITIGATION),
        ("I have contacted my MP about this.", Flag.REGULATOR),
        ("You broke our agreement.", Flag.BREACH_OF_CONTRACT),
        ("I did get a local lawyer involved and he got it reduced.", Flag.LITIGATION),
        ("After the payment arrangement they dont honor it.", Flag.BREACH_OF_CONTRACT),
        ("They aren't even honoring their terms for the advance.", Flag.BREACH_OF_CONTRACT),
        ("I started receiving bills with charges greater than agreed.", Flag.BREACH_OF_CONTRACT),
        ("I cancelled within 7 days, which was in their policy.", Flag.BREACH_OF_CONTRACT),
        ("They have been calling me non stop for 6 months.", Flag.HARASSMENT),
        ("There are credit card charges that i didnt make.", Flag.FRAUD),
        ("Why was I charged when I have an email confirming I cancelled?", Flag.FRAUD),
        ("The dealer forwarded my info to XXXX XXXX.", Flag.DATA_PROTECTION),
        # round 5 (dev) and the paraphrases the issue lists
        ("See you in court.", Flag.LITIGATION),
        ("I now have an attorney working with me in this matter.", Flag.LITIGATION),
        ("I will have attorney reach out to this company.", Flag.LITIGATION),
        ("Failure to honor that will result in legal liabilities for the bank.", Flag.LITIGATION),
        ("I have spoken to a lawyer about this.", Flag.LITIGATION),
        ("I will pursue this legally.", Flag.LITIGATION),
        ("I will be filing in small claims court.", Flag.LITIGATION),
        ("I will report you to the ICO.", Flag.REGULATOR),
        ("My personal information was shared with a debt collector.", Flag.DATA_PROTECTION),
        ("They sent my data to a marketing company.", Flag.DATA_PROTECTION),
        ("This is a breach of GDPR.", Flag.DATA_PROTECTION),
        ("I am a victim of identity theft after your data breach.", Flag.DATA_PROTECTION),
        ("They disclosed my creditworthiness to third-party non-affiliates.", Flag.DATA_PROTECTION),
        ("They allowed unauthorized access to my accounts.", Flag.DATA_PROTECTION),
        ("My checking account keeps getting hacked.", Flag.DATA_PROTECTION),
        ("Card details stored on their website, which I can not remove.", Flag.DATA_PROTECTION),
        (
            "I did not authorize my information to be transferred to a third-party company.",
            Flag.DATA_PROTECTION,
        ),
        (
            "They obtained my consumer report without my written or oral permission.",
            Flag.DATA_PROTECTION,
        ),
        # rounds 7 and 8 (dev)
        ("I am in the process of filing a civil lawsuit for damages.", Flag.LITIGATION),
        ("I will be forced to file a class-action lawsuit against them.", Flag.LITIGATION),
        ("I am a member of the class action and did not opt out.", Flag.LITIGATION),
        ("I exercised my right to initiate arbitration proceedings.", Flag.LITIGATION),
        ("My legal advisor and I called them.", Flag.LITIGATION),
        (
            "I will go to the CFPB, the State Attorney General, and potentially legal action.",
            Flag.LITIGATION,
        ),
        (
            "If they still debit my account I am going to take them to federal court.",
            Flag.LITIGATION,
        ),
        ("I have sought legal representation to pursue action.", Flag.LITIGATION),
        (
            "I was unable to find their agent in order to file a claim in small claims court.",
            Flag.LITIGATION,
        ),
        ("They will not remove the inquiry or my information.", Flag.DATA_PROTECTION),
        ("It's the fact that you have access to my information.", Flag.DATA_PROTECTION),
        ("They obtained my information fraudulently.", Flag.DATA_PROTECTION),
        ("They are reporting fraudulent accounts and inquiries.", Flag.DATA_PROTECTION),
        ("They have revealed my personal information to my friends.", Flag.DATA_PROTECTION),
        ("She was telling that third party that I was being sued.", Flag.DATA_PROTECTION),
        ("Not only are they violating my right to privacy, they report it.", Flag.DATA_PROTECTION),
    ],
)
def test_paraphrases_raise_the_flag(text: str, flag: Flag) -> None:
    assert flag in flags_of(text)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        (
            "The Act says it is unlawful for any creditor to discriminate against any applicant.",
            Flag.DISCRIMINATION,
        ),
        ("I have seen in the media that the bank was fined.", Flag.MEDIA),
        ("They sent the account to their fraud department for review.", Flag.FRAUD),
        ("There is a federal lawsuit against the installer, not against me.", Flag.LITIGATION),
        ("The Department of Education was paid the balance in full.", Flag.REGULATOR),
        ("I do not want to get a lawyer involved.", Flag.LITIGATION),
        ("Please remove the derogatory remarks from my report.", Flag.HARASSMENT),
        ("Their actions have caused financial strain.", Flag.VULNERABILITY),
        ("I gave my info to XXXX when I applied.", Flag.DATA_PROTECTION),
        ("I retained bankruptcy legal counsel.", Flag.LITIGATION),
        ("I will not see you in court over this.", Flag.LITIGATION),
        ("They threatened that they have a lawyer working on my file.", Flag.LITIGATION),
        ("My information was sent to the credit bureaus.", Flag.DATA_PROTECTION),
        ("My information was not shared with anyone.", Flag.DATA_PROTECTION),
        ("I sent my information to the company with my application.", Flag.DATA_PROTECTION),
        ("We were bidded into this contract under false pretenses.", Flag.DATA_PROTECTION),
        ("She told me that I was going to be sued.", Flag.LITIGATION),
        ("I reported them to my attorney generals office.", Flag.LITIGATION),
        ("The owner gave a fraudulent signature when I inquired.", Flag.DATA_PROTECTION),
        ("I exercise my right to privacy under the Act.", Flag.DATA_PROTECTION),
        ("They got consumers to obtain a loan under false pretenses.", Flag.DATA_PROTECTION),
    ],
)
def test_what_the_rules_do_not_count(text: str, flag: Flag) -> None:
    assert flag not in flags_of(text)


def test_a_flag_carries_a_confidence_that_grows_with_independent_cues() -> None:
    one = next(h for h in detect_flags("I will take legal action.") if h.flag is Flag.LITIGATION)
    two = next(
        h
        for h in detect_flags("I will take legal action. My lawyer says litigation may follow.")
        if h.flag is Flag.LITIGATION
    )
    assert 0 < one.confidence < two.confidence < 1
    assert all(0 < e.confidence < 1 for e in two.evidence)


@pytest.mark.parametrize(
    ("text", "code", "supported"),
    [
        (ENGLISH, "en", True),
        (GERMAN, "de", False),
        (DANISH, "da", False),
        ("Le colis n'est pas arrivé et je voudrais un remboursement de la commande.", "fr", False),
        ("ok", "", True),  # too short to tell: read as English
        ("<script>alert(1)</script>\x00 \u202e{{ 7*7 }}", "", True),
        # too few function words for the old word-count detector (read as English then)
        ("Technisches Anliegen\nFehler beim Absturz beheben", "de", False),
        ("Gode redskaber\nGodt sted med gode redskaber.", "da", False),
        ("Kommer kun i centret for spinning. Helt klart go-to centret for mig :)", "da", False),
        # shouting is English too; links, handles and numbers carry no language
        ("I HAVE SUBMITTED A POLICE REPORT AND THEY REFUSED TO DELETE THE INQUIRIES.", "en", True),
        ("@AmazonHelp https://t.co/9eUtPo7MRN 0062395415777", "", True),
    ],
)
def test_language_detection(text: str, code: str, supported: bool) -> None:
    language = detect_language(text)
    assert (language.code, language.supported) == (code, supported)


def test_an_unsupported_language_goes_to_human_triage(org: Organisation, agent: User) -> None:
    case = open_case(org, agent, description=GERMAN)
    record = services.triage_run(case=case, now=NOW)
    assert record.language == "de" and not record.language_supported
    assert record.status == TriageRecord.Status.NEEDS_HUMAN
    assert record in selectors.needs_triage_queue(organisation=org)
    english = services.triage_run(case=open_case(org, agent, description=ENGLISH), now=NOW)
    assert english.language == "en" and english.language_supported


def test_the_bulk_path_routes_the_language_the_same_way(org: Organisation, agent: User) -> None:
    cases = [open_case(org, agent, description=text) for text in (GERMAN, ENGLISH)]
    for case in cases:
        case.refresh_from_db()
    ledger = LedgerBatch(cases, now=NOW)
    german, english = triage_batch(
        organisation=org, cases=cases, ledger=ledger, now=NOW, next_deadlines={}
    )
    ledger.write()
    assert (german.language, german.status) == ("de", TriageRecord.Status.NEEDS_HUMAN)
    assert english.language == "en"


def test_the_desk_shows_language_not_supported(org: Organisation, agent: User) -> None:
    case = open_case(org, agent, description=DANISH)
    services.triage_run(case=case, now=NOW)
    client = Client()
    client.force_login(agent)
    page = client.get(f"/cases/{case.reference}/").content.decode()
    assert "Language not supported" in page and "Danish" in page


@pytest.mark.parametrize(
    ("code", "name"),
    [("de", "German"), ("ka", "Georgian"), ("und", "a language other than English")],
)
def test_the_language_is_named(org: Organisation, agent: User, code: str, name: str) -> None:
    record = services.triage_run(case=open_case(org, agent, description=GERMAN), now=NOW)
    record.language = code  # a name from the short table, Django's table, or "not English"
    assert record.language_name.startswith(name)


def test_not_a_risk_is_kept_as_a_labelled_example(org: Organisation, agent: User) -> None:
    reviewer = staff_create(
        organisation=org, username="rae", password="pw-rae-12345", roles=[Role.LEGAL_REVIEWER]
    )
    text = "Write to jo@example.com. I will sue you and report you to the CFPB."
    case = open_case(org, agent, description=text)
    record = services.triage_run(case=case, now=NOW)
    assert {f["flag"] for f in record.flags} >= {"litigation", "regulator"}
    assert all(0 < f["confidence"] < 1 for f in record.flags)
    services.triage_legal_clear(
        case=case, note="Angry, no claim.", actor=Actor.staff(reviewer), now=NOW
    )
    verdicts = FlagVerdict.objects.filter(case=case)
    assert sorted(v.flag for v in verdicts) == ["litigation", "regulator"]
    assert not any(v.risk for v in verdicts) and {v.decided_by for v in verdicts} == {reviewer}
    examples = selectors.flag_examples(organisation=org)
    assert {(e.flag, e.risk) for e in examples} == {("litigation", False), ("regulator", False)}
    assert all("jo@example.com" not in e.text for e in examples)  # masked, as for training
    assert not ledger_verify(organisation=org).broken
    assert CaseEvent.objects.filter(case=case, kind="legal_review_cleared").count() == 1
