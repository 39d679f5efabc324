from django.core.management import call_command

from plaint.cases.ledger import ledger_verify
from plaint.cases.models import Case


def test_demo_loads_once_with_a_spread_of_statuses(db, capsys, settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo")
    out = capsys.readouterr().out
    assert "365 imported" in out and "plaint-demo" in out
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {
        "received",
        "acknowledged",
        "investigating",
        "resolution_proposed",
        "closed",
    } <= statuses
    assert ledger_verify().ok
    call_command("demo")
    assert "already loaded" in capsys.readouterr().out
    assert Case.objects.count() == 365
