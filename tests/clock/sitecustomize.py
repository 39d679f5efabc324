"""Moves this Python process's clock when PLAINT_TEST_CLOCK names an instant.

Only tests/test_fixed_days.py uses it: it puts this folder on PYTHONPATH, so Python imports
this module at start-up in the pytest it runs *and* in every Python process that pytest
starts (`plaint worker`, `plaint migrate`...), and all of them see the same moved clock.
The clock then runs on from that instant (time-machine's `tick=True`); monotonic clocks,
and so timeouts and sleeps, are left alone.
"""

from __future__ import annotations

import os

_instant = os.environ.get("PLAINT_TEST_CLOCK")
if _instant:
    from datetime import datetime

    import time_machine

    _moved = datetime.fromisoformat(_instant)
    if _moved.tzinfo is None:
        raise SystemExit(f"PLAINT_TEST_CLOCK={_instant!r} has no UTC offset.")
    time_machine.travel(_moved, tick=True).start()
