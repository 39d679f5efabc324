"""No selector, view or service ever crosses the organisation boundary."""

from __future__ import annotations

import pytest

from plaint.cases import selectors
from plaint.cases.selectors import CaseFilters, CaseNotFound
from tests.conftest import open_case


@pytest.fixture
def two_orgs(org, other_org, agent, outsider):
    ours = open_case(org, agent, description="Our customer: billed twice", order_number="SAME-1")
    theirs = open_case(
        other_org, outsider, description="Their customer: billed twice", order_number="SAME-1"
    )
    return ours, theirs


def test_case_list_only_shows_own_cases(two_orgs, org, other_org) -> None:
    ours, theirs = two_orgs
    assert list(selectors.case_list(organisation=org)) == [ours]
    assert list(selectors.case_list(organisation=other_org)) == [theirs]
    for q in ("billed twice", "SAME-1", theirs.reference, "Dana"):
        assert theirs not in selectors.case_list(organisation=org, filters=CaseFilters(q=q))


def test_case_get_does_not_find_another_organisations_case(two_orgs, org, other_org) -> None:
    ours, theirs = two_orgs
    assert selectors.case_get(organisation=org, reference=ours.reference) == ours
    # Both organisations have a case numbered 000001 of 2026, with different prefixes; a
    # reference of one organisation is simply unknown to the other.
    with pytest.raises(CaseNotFound):
        selectors.case_get(organisation=org, reference=theirs.reference)


def test_counts_products_and_related_rows_are_scoped(two_orgs, org) -> None:
    ours, _theirs = two_orgs
    assert selectors.case_status_counts(organisation=org) == {"received": 1}
    assert selectors.case_products(organisation=org) == ["Energy supply"]
    assert [t.event.case_id for t in selectors.case_timeline(case=ours)] == [ours.pk]


def test_filters(org, agent) -> None:
    a = open_case(org, agent, product="Broadband", priority="high")
    b = open_case(org, agent, product="Energy supply")
    assert list(
        selectors.case_list(organisation=org, filters=CaseFilters(product="Broadband"))
    ) == [a]
    assert list(selectors.case_list(organisation=org, filters=CaseFilters(priority="high"))) == [a]
    assert set(selectors.case_list(organisation=org, filters=CaseFilters(unassigned=True))) == {
        a,
        b,
    }
    assert list(selectors.case_list(organisation=org, filters=CaseFilters(q=b.reference))) == [b]
