from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from tests.consumer.journeys import DAY_ONE


@pytest.fixture(autouse=True)
def _local_workspace(settings):  # type: ignore[no-untyped-def]
    settings.CONSUMER_LOCAL = True


@pytest.fixture
def clock() -> Iterator[time_machine.Coordinates]:
    """The clock pinned to the first journey's first day; `clock.move_to(...)` moves it."""
    with time_machine.travel(DAY_ONE, tick=False) as traveller:
        yield traveller
