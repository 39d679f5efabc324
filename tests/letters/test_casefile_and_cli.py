"""The consumer's side: a YAML case file and `plaint letter ...`, with no database (these
tests do not ask for the `db` fixture, so pytest-django would refuse any query)."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from plaint.domain.letters import CATALOGUE, MissingFields, letter_make
from plaint.domain.letters.casefile import CaseFileError, casefile_parse
from tests.letters.records import tool

EXAMPLES = Path(__file__).parents[2] / "examples"


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("letter", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_examples_render_the_letters_they_list(path: Path) -> None:
    text = path.read_text()
    listed = re.search(r"^# Letters: ([a-z0-9, -]+)\.$", text, re.MULTILINE)
    assert listed, f"{path.name} names the letters it is for in a '# Letters: ...' line"
    kinds = [k.strip() for k in listed.group(1).split(",")]
    assert set(kinds) <= set(CATALOGUE)
    case_file = casefile_parse(text, path.name)
    for kind in kinds:
        letter = letter_make(case_file.request(kind, today=case_file.letter_date, formats=("md",)))  # type: ignore[arg-type]
        assert letter.outputs["md"], kind


def test_malformed_yaml_names_the_line() -> None:
    with pytest.raises(CaseFileError, match=r"bad.yaml is not valid YAML at line \d+, column \d+"):
        casefile_parse("customer:\n  name: Dana\n  address: [unclosed\n", "bad.yaml")


def test_unknown_sections_and_fields_are_named() -> None:
    with pytest.raises(CaseFileError) as caught:
        casefile_parse("custmer:\n  name: x\ncase:\n  colour: red\ncontacts: nope\n")
    message = caught.value.message
    assert "unknown section(s) custmer" in message
    assert "`case:` has no field `colour`" in message
    assert "`contacts:` must be a list" in message


def test_cli_list_and_fields() -> None:
    out, _ = run("list")
    for kind in CATALOGUE:
        assert kind in out
    out, _ = run("fields", "escalation")
    assert "customer.phone" in out and "Customer's phone number, with area code" in out
    assert "contacts:" in out
    out, _ = run("fields", "final-response")
    assert "DISP 1 Annex 3R" in out and "🟡" in out and "last verified 2026-12-01" in out
    with pytest.raises(CommandError, match="Unknown letter kind 'nope'"):
        run("fields", "nope")


def test_cli_new_writes_a_pdf_without_a_database(tmp_path: Path) -> None:
    target = tmp_path / "letter.pdf"
    _, err = run(
        "new", "escalation", "--case", str(EXAMPLES / "dana-billing-us.yaml"),
        "--format", "pdf", "-o", str(target), "--page-size", "Letter",
    )  # fmt: skip
    assert target.read_bytes().startswith(b"%PDF-")
    assert "Urgent: escalation required for order #12345" in err
    assert "date reply_by: 2026-03-09" in err
    text = subprocess.run(
        [tool("pdftotext"), str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "T-88412" in text and "Morgan Reyes" in text


def test_cli_new_markdown_to_stdout_and_missing_fields(tmp_path: Path) -> None:
    out, _ = run("new", "complaint", "--case", str(EXAMPLES / "dana-billing-us.yaml"))
    assert out.startswith("Dana Whitfield") and "**Subject: Complaint about" in out
    thin = tmp_path / "thin.yaml"
    thin.write_text("customer:\n  name: Dana\n")
    target = tmp_path / "nothing.md"
    with pytest.raises(CommandError) as caught:
        run("new", "escalation", "--case", str(thin), "-o", str(target))
    message = str(caught.value)
    assert "Customer's postal address [customer.address]" in message
    assert "`customer:` → `address:`" in message
    assert not target.exists()  # nothing written
    with pytest.raises(CommandError, match="binary file"):
        run("new", "complaint", "--case", str(thin), "--format", "pdf")


def test_cli_check_good_and_bad(tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    run("new", "escalation", "--case", str(EXAMPLES / "dana-billing-us.yaml"), "-o", str(good))
    out, _ = run("check", str(good), "--kind", "escalation")
    assert "nothing missing" in out
    bad = tmp_path / "bad.txt"
    bad.write_text("Subject: My phone\n\nDear team,\nIt broke. Please fix it.\nDana\n")
    out = io.StringIO()
    with pytest.raises(CommandError, match="item\\(s\\) missing"):
        call_command("letter", "check", str(bad), "--kind", "escalation", stdout=out)
    text = out.getvalue()
    assert "no order number in the subject line" in text
    assert "the subject line does not signal urgency" in text
    assert "no summary of previous contacts" in text


def test_missing_fields_error_lists_where_to_supply() -> None:
    case_file = casefile_parse("customer:\n  name: Dana\n")
    with pytest.raises(MissingFields) as caught:
        letter_make(case_file.request("cease-and-desist", today=None, formats=("md",)))  # type: ignore[arg-type]
    keys = [m.field.key for m in caught.value.missing]
    assert keys == [
        "customer.address",
        "business.name",
        "letter.issue_type",
        "letter.conduct",
        "letter.agency",
    ]
