"""The `plaint` command: Django's management commands under Plaint's settings.

`plaint verify`, `plaint import cfpb FILE --org SLUG`, `plaint demo`, `plaint runserver`,
`plaint migrate`... are all management commands; `plaint --help` lists them.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "plaint.config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["plaint", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    main()
