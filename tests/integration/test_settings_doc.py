"""Every setting is documented, and bad values say what is wrong."""

from pathlib import Path

import pytest

from plaint.config.appsettings import AppSettings, SettingsError

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_environment_variable_is_documented() -> None:
    text = DOC.read_text()
    for name in AppSettings.variables():
        assert f"`{name}`" in text, f"{name} is not in docs/configuration.md"


def test_defaults(tmp_path) -> None:
    app = AppSettings.from_env({"PLAINT_DATA_DIR": str(tmp_path)})
    assert app.database_url == f"sqlite:///{tmp_path / 'plaint.sqlite3'}"
    assert app.debug is False and app.evidence_max_bytes == 20 * 1024 * 1024


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PLAINT_DEBUG": "maybe"}, "PLAINT_DEBUG must be true or false"),
        ({"PLAINT_EVIDENCE_MAX_BYTES": "10MB"}, "must be a whole number"),
        ({"PLAINT_EVIDENCE_MAX_BYTES": "-1"}, "must not be negative"),
    ],
)
def test_bad_values(env, message) -> None:
    with pytest.raises(SettingsError, match=message):
        AppSettings.from_env(env)


def test_https_makes_cookies_secure_and_turns_on_hsts(tmp_path) -> None:
    import os
    import subprocess
    import sys

    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "plaint.config.settings"}
    env["PLAINT_DATA_DIR"] = str(tmp_path)

    def read(https: str) -> str:
        env["PLAINT_HTTPS"] = https
        run = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True)
        assert run.returncode == 0, run.stderr.decode()
        return run.stdout.decode().strip()

    assert read("true") == "True True True 31536000"
    assert read("false") == "False False False 0"


def test_pooled_database_turns_off_server_side_cursors_and_persistent_connections() -> None:
    from plaint.config.settings import _database

    url = "postgres://u:p@127.0.0.1:6432/plaint"
    pooled = _database(url, pooled=True)
    assert pooled["DISABLE_SERVER_SIDE_CURSORS"] is True and pooled["CONN_MAX_AGE"] == 0
    direct = _database(url)
    assert not direct.get("DISABLE_SERVER_SIDE_CURSORS") and direct["CONN_MAX_AGE"] == 60


def test_pooled_flag_is_read_and_checked() -> None:
    assert AppSettings.from_env({"PLAINT_DATABASE_POOLED": "true"}).database_pooled is True
    assert AppSettings.from_env({}).database_pooled is False
    with pytest.raises(SettingsError, match="PLAINT_DATABASE_POOLED must be true or false"):
        AppSettings.from_env({"PLAINT_DATABASE_POOLED": "yes please"})
