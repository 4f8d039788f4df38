"""The aggregation imports and builds where Home Assistant cannot be imported (as in the GitHub Action)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_build_runs_with_home_assistant_blocked(tmp_path: Path) -> None:
    script = textwrap.dedent(
        f"""
        import sys
        sys.modules["homeassistant"] = None  # any import of it now raises ImportError
        from datetime import datetime, UTC
        from pathlib import Path
        from aggregation.build import build
        from aggregation import bench, simulate
        from tests.aggregation.helpers import NOW, day_lines, household_id, write_day
        raw = Path({str(tmp_path)!r}) / "raw"
        for n in range(6):
            write_day(raw, household_id(n + 1), NOW.replace(day=18), day_lines(NOW.replace(day=18), 12))
        result = build(raw, raw.parent / "cohort", raw.parent / "views", now=NOW)
        assert result.records == 72, result
        assert not [name for name in sys.modules if name.startswith("homeassistant.")]
        print("ok")
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith("ok")
