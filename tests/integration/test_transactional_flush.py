"""Tests that commit for real (live server, worker threads) end with Django's flush; the
ledger must still be append-only for everything else."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from plaint.cases.models import Case, CaseEvent
from tests.conftest import open_case


@pytest.mark.django_db(transaction=True)
def test_a_committing_test_can_write_the_ledger(org, agent) -> None:
    open_case(org, agent)
    assert CaseEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_next_one_starts_empty_and_the_triggers_are_back(org, agent) -> None:
    assert Case.objects.count() == CaseEvent.objects.count() == 0
    open_case(org, agent)
    with (
        pytest.raises((IntegrityError, DatabaseError), match="append-only"),
        transaction.atomic(),
        connection.cursor() as cur,
    ):
        cur.execute("DELETE FROM cases_caseevent")
    assert CaseEvent.objects.count() == 1
