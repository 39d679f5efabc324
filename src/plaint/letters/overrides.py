"""Where an organisation keeps its own letter templates."""

from __future__ import annotations

from pathlib import Path

from plaint.config import appsettings


def templates_dir() -> Path | None:
    """The organisation's override folder (PLAINT_LETTER_TEMPLATES_DIR), if set."""
    folder = appsettings.APP.letter_templates_dir
    return Path(folder).resolve() if folder else None
