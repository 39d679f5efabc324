"""The `plaint` command: Django's management commands under Plaint's settings.

`plaint verify`, `plaint import cfpb FILE --org SLUG`, `plaint demo`, `plaint runserver`,
`plaint migrate`... are all management commands. `plaint --help` lists Plaint's own
commands first, each with what it does, then the few of Django's that running Plaint
needs; Django's developer and maintenance commands (some of which delete data, such as
`flush`) are listed apart, only by `plaint help --all`. `plaint help COMMAND` and
`plaint COMMAND --help` explain one command and its arguments.
"""

from __future__ import annotations

import os
import sys

#: Django's commands that running a Plaint installation needs, with what they are for.
RUNNING = {
    "runserver": "Serve the desk and the portal (development server).",
    "migrate": "Create or update the database tables (run after every upgrade).",
    "showmigrations": "List the database migrations and which have been applied.",
    "check": "Check the installation's settings for problems.",
    "collectstatic": "Copy the static files (CSS, scripts) to where a web server serves them.",
    "changepassword": "Change a user's password.",
    "clearsessions": "Delete expired sign-in sessions.",
    "shell": "A Python shell with Plaint loaded (for operators).",
    "dbshell": "The database's own command-line client.",
}


def _summary(help_text: str) -> str:
    """The first sentence of a command's help, on one line."""
    text = " ".join(help_text.split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


def help_text(*, everything: bool = False) -> str:
    """What `plaint --help` prints."""
    from django.core.management import get_commands, load_command_class

    commands = get_commands()
    own = sorted(name for name, app in commands.items() if app.startswith("plaint"))
    rest = sorted(name for name in commands if name not in own and name not in RUNNING)
    width = max(len(name) for name in [*own, *RUNNING, *(rest if everything else [])]) + 2

    def line(name: str, description: str) -> str:
        return f"  {name:<{width}}{description}"

    out = [
        "Usage: plaint COMMAND [options]",
        "",
        "Plaint's commands:",
        *(line(name, _summary(load_command_class(commands[name], name).help)) for name in own),
        "",
        "Running the installation (Django's commands):",
        *(line(name, RUNNING[name]) for name in sorted(RUNNING) if name in commands),
        "",
    ]
    if everything:
        out += [
            "Django's developer and maintenance commands, not for day-to-day use (some, "
            "such as flush, delete data):",
            *(line(name, f"(django: {commands[name]})") for name in rest),
            "",
        ]
    else:
        out += [
            "Django's developer and maintenance commands (some delete data) are not listed:",
            "`plaint help --all` lists them.",
            "",
        ]
    out.append("`plaint help COMMAND` or `plaint COMMAND --help` explains a command's arguments.")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plaint.config.settings")
    args = sys.argv[1:] if argv is None else argv
    if args in ([], ["help"], ["--help"], ["-h"], ["help", "--all"]):
        import django

        django.setup()
        sys.stdout.write(help_text(everything=args == ["help", "--all"]) + "\n")
        return
    from django.core.management import execute_from_command_line

    execute_from_command_line(["plaint", *args])


if __name__ == "__main__":
    main()
