"""Every form field has a label and a data_description; every error and issue is translated."""

from __future__ import annotations

import json
import re
from pathlib import Path

from custom_components.nem_flex_telemetry import config_flow
from custom_components.nem_flex_telemetry.const import (
    ISSUE_CLOCK_AHEAD,
    ISSUE_DISK_FULL,
    ISSUE_ENTITY_GONE,
    ISSUE_HAEO_FAILING,
    ISSUE_HAEO_NOT_FOUND,
    ISSUE_NO_PUSH_ACCESS,
    ISSUE_OUTBOX_UNREADABLE,
    ISSUE_PUBLISH_FAILED,
    ISSUE_UNTRUSTED_DAY_FILE,
)

PACKAGE = Path(config_flow.__file__).parent
STRINGS = json.loads((PACKAGE / "strings.json").read_text(encoding="utf-8"))


def test_english_translation_is_strings_json() -> None:
    assert json.loads((PACKAGE / "translations" / "en.json").read_text(encoding="utf-8")) == STRINGS


def test_every_field_is_labelled_and_described() -> None:
    for section in ("config", "options"):
        for step_id, step in STRINGS[section]["step"].items():
            if "menu_options" in step:
                continue
            assert set(step.get("data", {})) == set(step.get("data_description", {})), (section, step_id)
    assert set(STRINGS["config"]["step"]["mapping"]["data"]) == set(config_flow.MAPPING_FIELDS)
    assert set(STRINGS["config"]["step"]["asset"]["data"]) == set(config_flow.ASSET_FORM_FIELDS)
    assert STRINGS["options"]["step"]["asset"] == STRINGS["config"]["step"]["asset"]


def test_every_error_is_translated() -> None:
    source = (PACKAGE / "config_flow.py").read_text(encoding="utf-8")
    used = set(re.findall(r'= "([a-z_]+)"\n', source)) - {"agree"}
    errors = {e for e in used if e.endswith(("_prefix", "_repository", "_branch", "_required", "_id", "_failed"))}
    errors |= {"required"}
    assert errors <= set(STRINGS["config"]["error"])
    assert STRINGS["config"]["error"] == STRINGS["options"]["error"]
    issues = {ISSUE_HAEO_NOT_FOUND, ISSUE_ENTITY_GONE, ISSUE_HAEO_FAILING, ISSUE_NO_PUSH_ACCESS}
    issues |= {ISSUE_DISK_FULL, ISSUE_CLOCK_AHEAD, ISSUE_OUTBOX_UNREADABLE}
    assert issues | {ISSUE_UNTRUSTED_DAY_FILE, ISSUE_PUBLISH_FAILED} == set(STRINGS["issues"])


def test_every_action_and_exception_is_translated() -> None:
    services = (PACKAGE / "services.yaml").read_text(encoding="utf-8")
    assert set(re.findall(r"^([a-z_]+):$", services, re.MULTILINE)) == set(STRINGS["services"])
    sources = (PACKAGE / "services.py").read_text(encoding="utf-8")
    assert set(re.findall(r'translation_key="([a-z_]+)"', sources)) <= set(STRINGS["exceptions"])
