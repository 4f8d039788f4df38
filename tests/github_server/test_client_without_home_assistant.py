"""The GitHub client is plain aiohttp: importable where Home Assistant is not installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import sys
sys.modules["homeassistant"] = None  # any import of Home Assistant now fails
from custom_components.nem_flex_telemetry import github_api, github_auth, publish_plan
loaded = sorted(name for name, module in sys.modules.items() if name.startswith("homeassistant") and module)
assert not loaded, loaded
print(github_api.OAUTH_SCOPE)
"""


def test_github_modules_import_without_home_assistant() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "public_repo"
