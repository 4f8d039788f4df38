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
    assert "work/raw" in done.stdout and "data/cohort" in done.stdout and "site/data" in done.stdout


def _five_households(raw: Path, days: int = 2) -> None:
    for offset in range(days):
        day = NOW.replace(day=17 + offset)
        for n in range(5):
            write_day(raw, household_id(n + 1), day, day_lines(day, 24))


def test_build_json_reports_what_it_did(tmp_path: Path) -> None:
    _five_households(tmp_path / "raw")
    done = _cli(
        "build", "--raw", str(tmp_path / "raw"), "--out", str(tmp_path / "c"), "--views", str(tmp_path / "v"), "--json"
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert (summary["files"], summary["records"], summary["households"], summary["rejected"]) == (10, 240, 5, 0)
    assert summary["days"] == 2 and summary["bytes"] == sum(
        p.stat().st_size for p in (tmp_path / "raw").rglob("*.jsonl")
    )


def test_build_draws_a_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    import os
    import pty

    _five_households(tmp_path / "raw")
    leader, follower = pty.openpty()
    command = [sys.executable, "-m", "aggregation", "build", "--raw", str(tmp_path / "raw")]
    command += ["--out", str(tmp_path / "c"), "--views", str(tmp_path / "v")]
    done = subprocess.run(command, cwd=REPO, stdout=subprocess.PIPE, stderr=follower, text=True, check=False)
    os.close(follower)
    drawn = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:
            break
        if not chunk:
            break
        drawn += chunk
    os.close(leader)
    assert done.returncode == 0
    assert b"10/10 files" in drawn and b"[##############################]" in drawn


def test_bench_prints_every_figure_and_the_targets(tmp_path: Path) -> None:
    done = _cli(
        "bench", "--households", "6", "--days", "2", "--naive-households", "2", "--naive-days", "1",
        "--workdir", str(tmp_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for label in ("full rebuild", "incremental (one new hour)", "naive (pandas + jsonschema)"):
        (line,) = [line for line in out.splitlines() if line.startswith(label)]
        assert "records/s" in line
    assert "per-record speed-up of the full rebuild over the naive way" in out
    assert "targets: full rebuild >= 100 MB/s:" in out and "peak memory < 2 GB:" in out
    assert "(6 files changed" in out  # the held-back hour arrives in each household's last day file
