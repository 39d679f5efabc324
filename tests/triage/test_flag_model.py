"""`evaluate` measures a trained classifier per flag beside the rules (dev-trained,
test-scored), and says which flags have too few dev positives to train."""

from __future__ import annotations

import csv
from pathlib import Path

from plaint.domain.triage.flags import Flag
from plaint.triage.evaluation import flag_model_lines

SUE = "I will sue you in small claims court over the fees on my loan account."
PLAIN = "The payment was posted late and the statement shows the wrong balance."


def _write(path: Path) -> None:
    fields = ["complaint_id", "part", "round", "selection", "flags", "why", "narrative"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        for i in range(24):
            part = "dev" if i < 16 else "test"
            positive = i % 2 == 0
            writer.writerow(
                {
                    "complaint_id": str(i),
                    "part": part,
                    "round": "1",
                    "selection": "random",
                    "flags": "litigation" if positive else "",
                    "why": "",
                    "narrative": (SUE if positive else PLAIN) + f" Case {i}.",
                }
            )


def test_flag_model_lines_score_each_flag_on_test(tmp_path: Path) -> None:
    path = tmp_path / "flags.csv"
    _write(path)
    lines = flag_model_lines(path)
    assert lines[0].startswith("  [test, n=8] a classifier per flag trained on the 16 dev rows")
    litigation = next(line for line in lines if line.strip().startswith("litigation:"))
    # model, rules, rules or model: all find the 4 test threats here
    assert litigation.strip() == "litigation: 1.000 / 1.000; 1.000 / 1.000; 1.000 / 1.000"
    assert "media: 0 dev positives, too few to train" in "\n".join(lines)
    assert len(lines) == 1 + len(Flag)


def test_flag_model_lines_without_a_test_part(tmp_path: Path) -> None:
    path = tmp_path / "flags.csv"
    _write(path)
    text = path.read_text(encoding="utf-8").replace(",test,", ",dev,")
    path.write_text(text, encoding="utf-8")
    assert flag_model_lines(path) == []
