"""`plaint --help`: Plaint's own commands first, each with a line saying what it does;
Django's commands a user must not run are not in the list; every argument is explained."""

from __future__ import annotations

import argparse

import pytest
from django.core.management import get_commands, load_command_class

from plaint import cli

PLAINT_COMMANDS = sorted(name for name, app in get_commands().items() if app.startswith("plaint"))
DANGEROUS = ("flush", "startproject", "startapp", "sqlflush", "squashmigrations", "testserver")


def _help(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    try:
        cli.main(list(argv))
    except SystemExit as exit_:
        assert exit_.code in (0, None)
    return capsys.readouterr().out


@pytest.mark.parametrize("argv", [(), ("--help",), ("-h",), ("help",)])
def test_plaint_commands_come_first_each_with_a_line(capsys, argv) -> None:
    out = _help(capsys, *argv)
    lines = out.splitlines()
    assert {"import", "demo", "verify", "tick", "triage", "organisation", "staff"} <= set(
        PLAINT_COMMANDS
    )
    listed = {line.split()[0]: line for line in lines if line.startswith("  ") and line.split()}
    for name in PLAINT_COMMANDS:
        assert name in listed, f"{name} is not listed"
        description = listed[name][len(name) + 2 :].strip()
        assert len(description) > 10, f"{name} has no description"
        assert len(listed[name]) <= 100, f"{name}'s description is not one short line"
    first_plaint = min(lines.index(listed[name]) for name in PLAINT_COMMANDS)
    last_plaint = max(lines.index(listed[name]) for name in PLAINT_COMMANDS)
    assert lines.index(listed["runserver"]) > last_plaint  # Django's come after Plaint's
    assert lines.index(listed["migrate"]) > last_plaint
    assert "Plaint" in "\n".join(lines[:first_plaint])
    for name in DANGEROUS:
        assert name not in listed, f"{name} should not be offered"
    assert "plaint help --all" in out


def test_help_all_groups_the_maintenance_commands_apart(capsys) -> None:
    out = _help(capsys, "help", "--all")
    lines = out.splitlines()
    heading = next(i for i, line in enumerate(lines) if "not for day-to-day use" in line)
    names = {line.split()[0] for line in lines[heading:] if line.startswith("  ") and line.split()}
    assert set(DANGEROUS) <= names


def test_help_of_one_command_still_works(capsys) -> None:
    out = _help(capsys, "help", "import")
    assert "usage: plaint import" in out and "--org" in out


def _actions(parser: argparse.ArgumentParser, path: str):  # type: ignore[no-untyped-def]
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        if isinstance(action, argparse._SubParsersAction):
            helped = {a.dest for a in action._choices_actions if a.help}
            for name, sub in action.choices.items():
                yield f"{path} {name}", name, name in helped
                yield from _actions(sub, f"{path} {name}")
            continue
        yield path, "/".join(action.option_strings) or action.dest, bool(action.help)


@pytest.mark.parametrize("name", PLAINT_COMMANDS)
def test_every_argument_of_every_plaint_command_is_explained(name) -> None:
    command = load_command_class(get_commands()[name], name)
    assert command.help and command.help.strip()
    parser = command.create_parser("plaint", name)
    missing = [f"{path}: {arg}" for path, arg, helped in _actions(parser, name) if not helped]
    assert not missing, f"arguments without help: {missing}"
