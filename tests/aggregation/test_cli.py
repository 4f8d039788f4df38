"""``python -m aggregation build`` from the command line: defaults, summary line, empty input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.aggregation.helpers import NOW, day_lines, household_id, write_day

REPO = Path(__file__).resolve().parents[2]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aggregation", *args], cwd=REPO, capture_output=True, text=True, check=False
    )


def test_build_prints_a_one_line_summary_and_no_progress_bar_when_not_a_terminal(tmp_path: Path) -> None:
    day = NOW.replace(day=18)
    for n in range(5):
        write_day(tmp_path / "raw", household_id(n + 1), day, day_lines(day, 24))
    done = _cli(
        "build", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "cohort"), "--views", str(tmp_path / "v")
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    (line,) = done.stdout.splitlines()
    assert "5 files read" in line and "120 records" in line and "5 households" in line and "0 rejected" in line
    assert (tmp_path / "cohort" / "state.json").exists()


def test_an_empty_raw_tree_gives_empty_views_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    done = _cli(
        "build", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "cohort"), "--views", str(tmp_path / "v")
    )
    assert done.returncode == 0, done.stderr
    status = json.loads((tmp_path / "v" / "status.json").read_text())
    assert status["cohort_size"] == 0 and status["last_updated"] is None
    assert json.loads((tmp_path / "v" / "flex.json").read_text())["series"] == {}


def test_help_lists_the_default_folders() -> None:
    done = _cli("build", "--help")
    assert done.returncode == 0
    assert "data/raw" in done.stdout and "data/cohort" in done.stdout and "site/data" in done.stdout
