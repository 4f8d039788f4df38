"""quality_scale.yaml names every rule of Home Assistant's quality scale once, each with an honest state."""

from __future__ import annotations

from pathlib import Path

from homeassistant.util.yaml import load_yaml_dict

from custom_components.nem_flex_telemetry import config_flow

QUALITY_SCALE = Path(config_flow.__file__).parent / "quality_scale.yaml"

# The rules of HA core's script/hassfest/quality_scale.py (ALL_RULES), tier by tier.
RULES = {
    "bronze": (
        "action-setup appropriate-polling brands common-modules config-flow config-flow-test-coverage "
        "dependency-transparency docs-actions docs-conditions docs-high-level-description "
        "docs-installation-instructions docs-removal-instructions docs-triggers entity-event-setup "
        "entity-unique-id has-entity-name runtime-data test-before-configure test-before-setup unique-config-entry"
    ),
    "silver": (
        "action-exceptions config-entry-unloading docs-configuration-parameters docs-installation-parameters "
        "entity-unavailable integration-owner log-when-unavailable parallel-updates reauthentication-flow "
        "test-coverage"
    ),
    "gold": (
        "devices diagnostics discovery discovery-update-info docs-data-update docs-examples docs-known-limitations "
        "docs-supported-devices docs-supported-functions docs-troubleshooting docs-use-cases dynamic-devices "
        "entity-category entity-device-class entity-disabled-by-default entity-translations "
        "exception-translations icon-translations reconfiguration-flow repair-issues stale-devices"
    ),
    "platinum": "async-dependency inject-websession strict-typing",
}
ALL_RULES = [rule for tier in RULES.values() for rule in tier.split()]
STATES = {"done", "todo", "exempt"}


def test_every_rule_is_listed_once() -> None:
    assert len(ALL_RULES) == len(set(ALL_RULES)) == 54
    assert sorted(load_yaml_dict(str(QUALITY_SCALE))["rules"]) == sorted(ALL_RULES)


def test_every_state_is_known_and_every_exemption_or_gap_says_why() -> None:
    for rule, value in load_yaml_dict(str(QUALITY_SCALE))["rules"].items():
        status = value if isinstance(value, str) else value["status"]
        assert status in STATES, rule
        if status != "done":  # hassfest wants a comment on exemptions; a todo says what is missing
            assert isinstance(value, dict) and value.get("comment"), rule
