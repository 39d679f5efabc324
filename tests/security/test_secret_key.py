"""The secret key kept in the data folder when PLAINT_SECRET_KEY is not set.

Several processes started at once on a fresh data folder (gunicorn's workers, the worker
and a `plaint` command) must all end up with the same, non-empty key: the first writer
wins and every process reads the winner's key back.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from plaint.config.secret_key import SecretKeyError, secret_key_kept

# Each child imports what the settings module needs first (the slow part), then blocks
# on a pipe the test closes, so the settings modules of all eight run at the same moment.
_CHILD = textwrap.dedent(
    """
    import os, sys
    import secrets, dj_database_url, django.conf  # noqa: F401  (the slow imports)
    import plaint.config.appsettings  # noqa: F401
    os.read(int(sys.argv[1]), 1)  # returns when the test closes the pipe's other end
    from django.conf import settings
    print(repr(settings.SECRET_KEY))
    """
)


def _start_at_once(data_dir: Path, count: int) -> list[str]:
    env = {k: v for k, v in os.environ.items() if k != "PLAINT_SECRET_KEY"}
    env.update(
        PLAINT_DATA_DIR=str(data_dir),
        DATABASE_URL=f"sqlite:///{data_dir / 'db.sqlite3'}",
        DJANGO_SETTINGS_MODULE="plaint.config.settings",
    )
    gate, go = os.pipe()
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(gate)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            pass_fds=(gate,),
        )
        for _ in range(count)
    ]
    os.close(gate)
    time.sleep(2)  # let every child reach the gate
    os.close(go)
    keys = []
    for child in children:
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        keys.append(out.strip())
    return keys


@pytest.mark.parametrize("trial", range(10))
def test_eight_processes_started_at_once_share_one_key(tmp_path: Path, trial: int) -> None:
    data_dir = tmp_path / "data"
    keys = _start_at_once(data_dir, 8)
    assert len(set(keys)) == 1, keys
    (key,) = set(keys)
    assert len(ast.literal_eval(key)) >= 50  # the repr of a non-empty key
    assert (data_dir / "secret_key").read_text() == ast.literal_eval(key)
    assert (data_dir / "secret_key").stat().st_mode & 0o777 == 0o600
    assert [p.name for p in data_dir.iterdir() if p.name.startswith(".secret_key")] == []


def test_a_kept_key_is_read_back_unchanged(tmp_path: Path) -> None:
    first = secret_key_kept(tmp_path / "data")
    assert secret_key_kept(tmp_path / "data") == first


def test_an_empty_key_file_is_refused_with_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("  \n")
    with pytest.raises(SecretKeyError, match=r"secret_key is empty.*delete it"):
        secret_key_kept(tmp_path)
