"""Read replicas with a real streaming replica (a hot standby made with `pg_basebackup -R`
from the test server, started and stopped here; tests/scaleout/replica.py).

A write on the primary reaches the standby; the desk's queue, read through the router,
comes from the standby (with replay paused, a case filed meanwhile is not on it); a member
of staff's own write pins their reads to the primary for PLAINT_READ_PIN_SECONDS, so they
see it at once; services and reads inside a transaction always use the primary.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection, connections, router, transaction
from django.db.utils import load_backend
from django.test import Client
from django.test.utils import CaptureQueriesContext

from plaint.accounts.models import Organisation, User
from plaint.cases.models import Case
from plaint.config.replicas import PIN_COOKIE, REPLICA, replica_alias, stale_ok
from plaint.reports.selectors import report_build, report_filters_parse
from tests.conftest import NOW, open_case
from tests.scaleout.replica import BinariesMissing, ReplicaUnavailable, StreamingReplica

pytestmark = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="read replicas are PostgreSQL standbys: this is a SQLite run",
)
PIN_SECONDS = 30


@pytest.fixture(scope="module")
def standby(django_db_setup: None, django_db_blocker) -> Iterator[StreamingReplica]:  # type: ignore[no-untyped-def]
    with django_db_blocker.unblock():
        db = connection.settings_dict
        replica = StreamingReplica(
            host=db["HOST"] or "127.0.0.1", port=int(db["PORT"] or 5432), database=db["NAME"]
        )
    try:
        replica.start()
    except BinariesMissing as missing:
        replica.stop()
        pytest.skip(f"no streaming replica: {missing}")
    except ReplicaUnavailable as unavailable:
        replica.stop()
        if os.environ.get("CI") == "true":  # the binaries are there: this must not skip
            pytest.fail(f"no streaming replica on CI: {unavailable}")
        pytest.skip(f"no streaming replica: {unavailable}")
    except BaseException:
        replica.stop()
        raise
    try:
        yield replica
    finally:
        replica.stop()


@pytest.fixture
def replica(
    standby: StreamingReplica, transactional_db: None, monkeypatch: pytest.MonkeyPatch
) -> Iterator[StreamingReplica]:
    """The standby as the `replica` database of this process, as DATABASE_REPLICA_URL
    makes it, with PLAINT_READ_PIN_SECONDS = 30."""
    config = {**connections.settings["default"], "HOST": "127.0.0.1", "PORT": str(standby.port)}
    # A new DATABASES for the code under test; the connection itself is made by hand, not
    # through `connections.settings`: the test case pytest-django runs allows only
    # `default`, and would flush every database it knows at the end (a standby is
    # read-only). A connection it does not know of is one it leaves alone.
    monkeypatch.setattr(settings, "DATABASES", {**settings.DATABASES, REPLICA: config})
    connections[REPLICA] = load_backend(config["ENGINE"]).DatabaseWrapper(config, REPLICA)
    monkeypatch.setattr(settings, "PLAINT_READ_PIN_SECONDS", PIN_SECONDS)
    try:
        yield standby
    finally:
        standby.sql("SELECT pg_wal_replay_resume()")
        connections[REPLICA].close()
        del connections[REPLICA]


def _on_standby(replica: StreamingReplica, case: Case) -> None:
    replica.wait_for(f"SELECT count(*) FROM cases_case WHERE id = {int(case.pk)}", "1")


def _pause(replica: StreamingReplica) -> None:
    replica.sql("SELECT pg_wal_replay_pause()")
    replica.wait_for("SELECT pg_get_wal_replay_pause_state()", "paused")


def test_a_write_on_the_primary_reaches_the_standby(
    replica: StreamingReplica, org: Organisation, agent: User
) -> None:
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery(), inet_server_port()")
        assert cursor.fetchone() == (True, replica.port)  # a standby, not the primary
    case = open_case(org, agent)
    _on_standby(replica, case)
    assert Case.objects.using(REPLICA).get(pk=case.pk).reference == case.reference


def test_the_queue_reads_the_standby_and_a_users_own_write_the_primary(
    replica: StreamingReplica, org: Organisation, agent: User
) -> None:
    seen = open_case(org, agent)
    _on_standby(replica, seen)
    _pause(replica)  # from now on the standby is behind the primary
    late = open_case(org, agent, received_at=NOW - timedelta(hours=1))
    desk = Client()
    desk.force_login(agent)

    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        page = desk.get("/").content.decode()
    assert seen.reference in page and late.reference not in page  # the standby's view
    assert any('"cases_case"' in q["sql"] for q in on_replica.captured_queries)

    # The agent acknowledges the case they can see: their own write, on the primary.
    response = desk.post(
        f"/cases/{seen.reference}/actions/transition/", {"to": "acknowledged", "reason": "ok"}
    )
    assert response.status_code == 302
    pin = response.cookies[PIN_COOKIE]
    assert pin["max-age"] == PIN_SECONDS and pin["httponly"]
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        page = desk.get("/").content.decode()
    assert on_replica.captured_queries == []  # pinned: every read on the primary
    row = next(row for row in page.split("<tr") if seen.reference in row)
    assert "Acknowledged" in row  # their write, though the standby has not replayed it
    assert late.reference in page
    assert Case.objects.using(REPLICA).get(pk=seen.pk).status == "received"

    # Once the pin has expired (the cookie gone), the queue reads the standby again.
    desk.cookies.pop(PIN_COOKIE)
    assert late.reference not in desk.get("/").content.decode()
    replica.sql("SELECT pg_wal_replay_resume()")
    _on_standby(replica, late)
    assert late.reference in desk.get("/").content.decode()


def test_services_transactions_and_reports_choose_their_database(
    replica: StreamingReplica, org: Organisation, agent: User
) -> None:
    assert replica_alias() == REPLICA
    with transaction.atomic():  # a service's transaction reads its own writes
        assert replica_alias() == "default"
        with stale_ok() as alias:
            assert alias == "default"
    case = open_case(org, agent)
    _on_standby(replica, case)
    _pause(replica)
    open_case(org, agent, received_at=NOW - timedelta(hours=2))
    filters = report_filters_parse(organisation=org, query={}, today=NOW.date())
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        report = report_build(organisation=org, filters=filters, now=NOW)
    assert on_replica.captured_queries  # the report's figures came from the standby
    assert report.total == 1  # the second case is not on the standby yet
    # A case read from the standby is written back to the primary.
    stale = Case.objects.using(REPLICA).get(pk=case.pk)
    assert router.db_for_write(Case, instance=stale) == "default"
