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
