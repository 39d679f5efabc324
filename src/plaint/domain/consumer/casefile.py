"""The YAML case file written back out: the inverse of `letters.casefile.casefile_parse`,
so a case made in the workspace can be used with `plaint letter new` and read back in."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import yaml

from plaint.domain.letters.casefile import SECTIONS

HEADER = (
    "# A Plaint case file (the workspace's export). `plaint letter new KIND --case case.yaml`\n"
    "# writes a letter from it; `plaint consumer` imports it. Dates are YYYY-MM-DD,\n"
    "# contact times YYYY-MM-DD HH:MM in the case's time zone.\n"
)


def casefile_dump(
    *,
    values: Mapping[str, Any],
    contacts: Sequence[Mapping[str, Any]],
    evidence: Sequence[Mapping[str, Any]],
    jurisdiction: str,
    time_zone: str,
    letter_date: date | None = None,
) -> str:
    data: dict[str, Any] = {}
    if letter_date is not None:
        data["letter_date"] = letter_date.isoformat()
    data["jurisdiction"] = jurisdiction
    data["time_zone"] = time_zone
    for section in SECTIONS:
        block = {
            key.split(".", 1)[1]: value
            for key, value in sorted(values.items())
            if key.startswith(section + ".") and value not in (None, "", [])
        }
        if block:
            data[section] = block
    if contacts:
        data["contacts"] = [
            {k: v for k, v in item.items() if v not in (None, "")} for item in contacts
        ]
    if evidence:
        data["evidence"] = [dict(item) for item in evidence]
    return HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)
