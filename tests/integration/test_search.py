"""Full-text search behind `case_list(filters=CaseFilters(q=...))`: the same answers from
SQLite's FTS5 and PostgreSQL's text search (this file runs on both)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection

from plaint.accounts.models import Organisation, User
from plaint.cases import services
from plaint.cases.importing import cfpb_import_text
from plaint.cases.ledger import Actor
from plaint.cases.models import Case, CaseEvent, SearchEntry
from plaint.cases.search import search_rebuild, search_terms
from plaint.cases.selectors import CaseFilters, case_list
from tests.conftest import NOW, open_case

pytestmark = pytest.mark.django_db


def found(org: Organisation, q: str) -> set[str]:
    return set(
        case_list(organisation=org, filters=CaseFilters(q=q)).values_list("reference", flat=True)
    )


@pytest.fixture
def cases(org: Organisation, agent: User) -> dict[str, Case]:
    return {
        "refund": open_case(
            org,
            agent,
            description="The engineer never came and I was refunded nothing.",
            desired_resolution="Compensation for the wasted day off work.",
        ),
        "meter": open_case(
            org,
            agent,
            description="My smart meter reads zero since the upgrade.",
            desired_resolution="",
            order_number="ORD-77-ALPHA",
            account_number="",
        ),
        "crédit": open_case(
            org,
            agent,
            description="Le crédit promis n'est jamais arrivé.",
            desired_resolution="",
            customer=services.CustomerDetails(name="Zoë Marchetti"),
        ),
    }


def test_words_are_stemmed_and_all_must_match(org, cases) -> None:
    refund, meter = cases["refund"].reference, cases["meter"].reference
    assert found(org, "refunds") == {refund}  # stemmed: refunds ~ refunded
    assert found(org, "engineer refund") == {refund}
    assert found(org, "engineer meter") == set()  # every word must match
    assert found(org, "SMART Meter") == {meter}
    assert found(org, "compensation") == {refund}  # the resolution wanted is indexed too


def test_last_word_is_a_prefix(org, cases) -> None:
    assert found(org, "upgr") == {cases["meter"].reference}
    assert found(org, "upgr smart") == set()  # only the last word is a prefix


def test_names_identifiers_and_accents(org, cases) -> None:
    assert found(org, "marchetti") == {cases["crédit"].reference}
    assert found(org, "zoe") == {cases["crédit"].reference}  # accents folded
    assert found(org, "ord-77-alpha") == {cases["meter"].reference}
    assert found(org, cases["refund"].reference.lower()) == {cases["refund"].reference}


def test_identifiers_ending_in_digits(org, agent) -> None:
    """PostgreSQL's parser reads "INV-42" as the word "inv" and the signed number "-42";
    typing the identifier (or its start) finds it on both engines."""
    case = open_case(org, agent, description="Billed twice on invoice INV-4217 in May.")
    for q in ("INV-4217", "inv-42", "invoice INV-4", "4217"):
        assert found(org, q) == {case.reference}, q
    assert found(org, "INV-5555") == set()


def test_notes_and_contact_summaries_are_found_once_written(org, agent, cases) -> None:
    case = cases["meter"]
    assert found(org, "ombudsman") == set()
    services.case_note_add(
        case=case, text="Customer mentioned the ombudsman.", actor=Actor.staff(agent), now=NOW
    )
    services.case_contact_log(
        case=case,
        contact_at=NOW - timedelta(hours=1),
        channel="phone",
        direction="inbound",
        summary="Promised a technician visit on Friday.",
        actor=Actor.staff(agent),
        now=NOW,
    )
    assert found(org, "ombudsman") == {case.reference}
    assert found(org, "technician") == {case.reference}


def test_a_refused_note_indexes_nothing(org, agent, cases) -> None:
    before = SearchEntry.objects.count()
    with pytest.raises(services.FieldErrors):
        services.case_note_add(case=cases["meter"], text="   ", actor=Actor.staff(agent), now=NOW)
    assert SearchEntry.objects.count() == before


def test_other_organisations_text_is_never_found(org, other_org, outsider, cases) -> None:
    theirs = open_case(other_org, outsider, description="The engineer never came.")
    assert theirs.reference not in found(org, "engineer")
    assert found(other_org, "engineer") == {theirs.reference}


@pytest.mark.parametrize(
    "hostile",
    [
        '"',
        "*",
        "engineer OR meter",
        "NEAR(engineer meter)",
        "-engineer",
        "engineer AND NOT meter",
        "body:engineer",
        "'; DROP TABLE cases_case; --",
        "engineer & meter | !x",
        "(",
        "^engineer",
        "a" * 5000,
    ],
)
def test_query_syntax_is_never_interpreted(org, cases, hostile) -> None:
    """Operators, quotes and column filters of either engine are plain words here: no
    error, and no match beyond what the words themselves find."""
    result = found(org, hostile)
    words = search_terms(hostile)
    if not words:
        assert result == set()
    assert Case.objects.count() == 3 and result <= {c.reference for c in cases.values()}
    if hostile == "engineer OR meter":
        assert result == set()  # OR is a word here, not an operator


def test_terms_are_letters_and_digits() -> None:
    assert search_terms("Refund! £84.20 — ORD-77") == ["refund", "84", "20", "ord", "77"]
    assert search_terms("***") == []
    assert len(search_terms(" ".join(["w"] * 100))) == 16


def test_imported_cases_are_searchable(org) -> None:
    header = (
        "Date received,Product,Sub-product,Issue,Sub-issue,Consumer complaint narrative,"
        "Company public response,Company,State,ZIP code,Tags,Consumer consent provided?,"
        "Submitted via,Date sent to company,Company response to consumer,Timely response?,"
        "Consumer disputed?,Complaint ID\n"
    )
    row = (
        "2026-01-05,Mortgage,,Trouble during payment process,,The servicer lost my "
        "escrow paperwork twice.,,Bank,CA,90210,,Consent provided,Web,2026-01-05,"
        "Closed with explanation,Yes,N/A,9001\n"
    )
    cfpb_import_text(organisation=org, text=header + row, now=NOW)
    (case,) = Case.objects.filter(external_id="9001")
    assert found(org, "escrow paperwork") == {case.reference}
    assert found(org, "mortgage") == {case.reference}


def test_rebuild_recreates_the_same_index(org, agent, cases) -> None:
    services.case_note_add(
        case=cases["refund"], text="Escalated to billing.", actor=Actor.staff(agent), now=NOW
    )
    before = sorted(SearchEntry.objects.values_list("case_id", "source", "body"))
    SearchEntry.objects.all().delete()
    assert found(org, "billing") == set()
    assert search_rebuild(organisation=org) == len(before)
    assert sorted(SearchEntry.objects.values_list("case_id", "source", "body")) == before
    assert found(org, "billing") == {cases["refund"].reference}
    assert CaseEvent.objects.filter(kind="note_added").count() == 1


def test_the_database_index_is_used(org, cases) -> None:
    """The search is answered by the engine's full-text index, not a scan of the text."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(
                "EXPLAIN SELECT case_id FROM cases_searchentry WHERE to_tsvector("
                "'plaint_english'::regconfig, body) @@ to_tsquery('plaint_english', 'meter')"
            )
            plan = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute("RESET enable_seqscan")
            assert "cases_searchentry_body_fts" in plan
        else:
            cursor.execute(
                "SELECT count(*) FROM cases_searchentry_fts WHERE cases_searchentry_fts "
                "MATCH 'meter'"
            )
            assert cursor.fetchone()[0] == 1


def test_search_command_finds_and_rebuilds(org, cases) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("search", "smart meter", org="acme", stdout=out)
    assert cases["meter"].reference in out.getvalue()
    assert cases["refund"].reference not in out.getvalue()
    out = StringIO()
    call_command("search", rebuild=True, stdout=out)
    assert out.getvalue().startswith(f"{SearchEntry.objects.count()} search entries")
    with pytest.raises(CommandError, match="--org"):
        call_command("search", "meter")
