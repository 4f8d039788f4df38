"""The aggregation runs in a GitHub Action where Home Assistant is not installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PROBE = """
import sys
sys.modules["homeassistant"] = None  # any import of Home Assistant now fails
import aggregation.cli, aggregation.simulate
from custom_components.nem_flex_telemetry import record
loaded = sorted(name for name, module in sys.modules.items() if name.startswith("homeassistant") and module)
assert not loaded, loaded
assert record.validate({}) != []
print("ok")
"""


def test_aggregation_and_record_module_import_without_home_assistant() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
