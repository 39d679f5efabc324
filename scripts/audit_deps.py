"""Dependency scanning: every pinned package in requirements.lock against known advisories.

Runs pip-audit (PyPI's advisory data) over the lock file and exits:
  0  audited, no known vulnerability (packages the source had no data for are counted)
  1  at least one known vulnerability (each printed with its advisory and fixed versions)
  3  skipped: the advisory source could not be reached, or answered for no package at all

scripts/test.sh shows exit 3 as a visible "skipped" step, not a failure: an unreachable
advisory service says nothing about the code.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SKIPPED = 3
LOCK = Path(__file__).resolve().parent.parent / "requirements.lock"


def main() -> int:
    pip_audit = Path(sys.executable).with_name("pip-audit")
    command = [
        str(pip_audit),
        "--requirement",
        str(LOCK),
        "--no-deps",
        "--disable-pip",
        "--format",
        "json",
        "--progress-spinner",
        "off",
        "--timeout",
        "20",
    ]
    try:
        run = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)  # noqa: S603 (a fixed command)
    except (OSError, subprocess.TimeoutExpired) as error:
        print(f"dependency scan skipped: pip-audit could not run ({error})")
        return SKIPPED
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        last = (run.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"dependency scan skipped: the advisory source could not be reached ({last[:200]})")
        return SKIPPED
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed release"
            print(
                f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']}"
                f" (fixed in {fixed})"
            )
    if vulnerable:
        return 1
    if not audited:
        print(
            f"dependency scan skipped: the advisory source answered for none of the "
            f"{len(dependencies)} pinned packages (is pypi.org's JSON API reachable?)"
        )
        return SKIPPED
    unknown = len(dependencies) - len(audited)
    print(
        f"dependency scan: {len(audited)} packages audited, no known vulnerability"
        + (f"; {unknown} not known to the advisory source" if unknown else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
