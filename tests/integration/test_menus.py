"""The desk's filter menus: distinct values read by a loose index scan, per organisation."""

from __future__ import annotations

import pytest

from plaint.cases.selectors import case_categories, case_menu_values, case_products, case_regimes
from tests.conftest import open_case

pytestmark = pytest.mark.django_db


def test_menus_list_each_value_once_sorted_without_blanks(org, other_org, agent, outsider):
    for product, category in [("Water", "billing"), ("Energy", ""), ("Water", "meters"),
                              ("", "billing"), ("Broadband", "meters")]:  # fmt: skip
        open_case(org, agent, product=product, category=category)
    open_case(other_org, outsider, product="Zeppelins", category="airships", regime="")
    assert case_products(organisation=org) == ["Broadband", "Energy", "Water"]
    assert case_categories(organisation=org) == ["billing", "meters"]
    assert case_regimes(organisation=org) == ["UK-FCA-DISP"]
    assert case_products(organisation=other_org) == ["Zeppelins"]
    assert case_regimes(organisation=other_org) == []


def test_only_menu_columns_can_be_asked_for(org) -> None:
    with pytest.raises(ValueError, match="description"):
        case_menu_values(organisation=org, column="description")
