"""Derive the HAEO fixtures from a local clone of hass-energy/haeo (a development tool; tests never run it).

    python tests/ha/haeo_fixtures/derive.py /path/to/haeo.git

For every version in ``VERSIONS`` it reads, with ``git show <ref>:<path>``, HAEO's scenario 1
(``tests/scenarios/scenario1/config.json`` and ``outputs.json``: the states HAEO's own test run
wrote) and its English translations, and writes ``<version>.json`` next to this file: the hub's
config entry and subentries, one device per element, the entity registry entries HAEO creates
(unique ids, translation keys, original names, disabled advanced outputs) and the states.
The rules that turn a state into a registry entry are HAEO's, read from its source at each ref
(``entities/haeo_sensor.py``, ``entities/haeo_number.py``, ``entities/device.py``, ``sensor.py``):

- sensor unique id ``{entry}_{subentry}_{device name}_{output name}``, translation key = output name;
- number/switch unique id ``{entry}_{subentry}_{field name}``, translation key ``{element type}_{field name}``;
- device identifier ``("haeo", "{entry}_{subentry}_{device name}")``, device name = element type
  (``network`` for the Optimizer), name from the ``device`` translation (``{name}`` = subentry title);
- advanced outputs are disabled by default, so a real installation has no state for them;
- entities have no config subentry; their devices are linked to one.

Scenarios besides HAEO's own (``scenario1``) reuse the same per-element layouts under other titles
("EV Charger" as a curtailable load, "Car" as a battery, a battery section, a second hub).
Forecasts are cut to their first ``FORECAST_POINTS`` points and the topology attribute is left out.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

VERSIONS = {"v0.3.3": "v0.3.3", "v0.4.1": "v0.4.1", "main": "HEAD"}
# v0.4.1's scenario snapshots predate its switch to energy-native duals (its code writes $/kWh, its
# outputs.json still says $/kW): those duals are taken from the next ref's snapshot of the same scenario.
STALE_DUALS_FROM = {"v0.4.1": "HEAD"}
FORECAST_POINTS = 6
HERE = Path(__file__).parent
NETWORK = "network"
DROPPED_ATTRIBUTES = ("topology",)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def show(repo: str, ref: str, path: str) -> Any:
    return json.loads(
        subprocess.run(["git", "-C", repo, "show", f"{ref}:{path}"], check=True, capture_output=True).stdout
    )


def element_layouts(outputs: dict[str, Any], names: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Per element title of scenario 1: its type and entities (suffix, registry facts, state)."""
    elements: dict[str, dict[str, Any]] = {}
    for entity_id, state in outputs.items():
        domain, object_id = entity_id.split(".", 1)
        attributes = {k: v for k, v in state["attributes"].items() if k not in DROPPED_ATTRIBUTES}
        if "forecast" in attributes:
            attributes["forecast"] = attributes["forecast"][:FORECAST_POINTS]
        title = attributes.get("element_name", "System")
        element_type = attributes.get("element_type", NETWORK)
        prefix = "optimizer_" if element_type == NETWORK else f"{slug(title)}_"
        assert object_id.startswith(prefix), entity_id
        suffix = object_id[len(prefix) :]
        if domain == "sensor" and "output_name" in attributes:
            key, translation_key, kind = attributes["output_name"], attributes["output_name"], "output"
        elif "field_name" in attributes:
            key, translation_key, kind = attributes["field_name"], f"{element_type}_{attributes['field_name']}", "input"
        elif object_id == "optimizer_forecast_horizon":
            key, translation_key, kind = "horizon", "horizon", "hub"
        else:
            key, translation_key, kind = "auto_optimize", "network_auto_optimize", "hub"
        original_name = names.get(domain, {}).get(translation_key, {}).get("name")
        element = elements.setdefault(title, {"element_type": element_type, "entities": []})
        element["entities"].append(
            {
                "domain": domain,
                "kind": kind,
                "key": key,
                "suffix": suffix,
                "translation_key": translation_key,
                "original_name": original_name,
                "unit_of_measurement": attributes.get("unit_of_measurement"),
                "disabled_by_default": bool(attributes.get("advanced")),
                "state": state["state"],
                "attributes": attributes,
            }
        )
    return elements


def instantiate(
    layout: dict[str, Any], title: str, entry_id: str, subentry_id: str, values: dict[str, str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Device and entities of one element titled ``title`` (states overridden by ``values`` per key)."""
    element_type = layout["element_type"]
    device_name = element_type
    device = {
        "subentry_id": subentry_id,
        "identifier": f"{entry_id}_{subentry_id}_{device_name}",
        "translation_key": device_name,
        "name": "Optimizer" if element_type == NETWORK else title,
    }
    entities = []
    for template in layout["entities"]:
        entity = copy.deepcopy(template)
        attributes = entity["attributes"]
        if "element_name" in attributes:
            attributes["element_name"] = title
        friendly_prefix = "Optimizer" if element_type == NETWORK else title
        if entity["original_name"]:  # has_entity_name: device name + entity name
            attributes["friendly_name"] = f"{friendly_prefix} {entity['original_name']}"
        if entity["kind"] == "output":
            unique_id = f"{entry_id}_{subentry_id}_{device_name}_{entity['key']}"
        elif entity["kind"] == "input":
            unique_id = f"{entry_id}_{subentry_id}_{entity['key']}"
        else:
            unique_id = f"{entry_id}_{entity['key']}"
        if entity["key"] in values:
            entity["state"] = values[entity["key"]]
            for point in attributes.get("forecast", [])[:1]:
                if "value" in point:
                    point["value"] = float(values[entity["key"]])
        entities.append(
            {
                "domain": entity["domain"],
                "unique_id": unique_id,
                "suggested_object_id": f"{slug(friendly_prefix)}_{entity['suffix']}",
                "translation_key": entity["translation_key"],
                "original_name": entity["original_name"],
                "has_entity_name": True,
                "device": device["identifier"] if entity["kind"] != "hub" else None,
                "disabled_by_default": entity["disabled_by_default"],
                "unit_of_measurement": entity["unit_of_measurement"],
                "state": None
                if entity["disabled_by_default"]
                else {"state": entity["state"], "attributes": attributes},
            }
        )
    return device, entities


def section_layout(battery: dict[str, Any], sensor_names: dict[str, Any]) -> dict[str, Any]:
    """A battery section: the battery's outputs HAEO also names ``battery_section_*`` (no state of charge)."""
    entities = []
    for template in battery["entities"]:
        if template["kind"] != "output":
            continue
        key = template["key"].replace("battery_", "battery_section_", 1)
        if key not in sensor_names:
            continue
        entity = copy.deepcopy(template)
        entity["key"] = entity["translation_key"] = entity["attributes"]["output_name"] = key
        entity["attributes"]["element_type"] = "battery_section"
        entity["attributes"].pop("priority", None)
        entities.append(entity)
    return {"element_type": "battery_section", "entities": entities}


def load_layout(load: dict[str, Any], *, curtailable: bool) -> dict[str, Any]:
    layout = copy.deepcopy(load)
    for entity in layout["entities"]:
        if "fixed" in entity["attributes"]:
            entity["attributes"]["fixed"] = not curtailable
    return layout


def hub(
    entry_id: str,
    title: str,
    elements: list[tuple[str, str, dict[str, Any], dict[str, str]]],
    version: str,
    participants: dict[str, Any],
) -> dict[str, Any]:
    subentries, devices, entities = [], [], []
    for index, (title_, element_type, layout, values) in enumerate(elements):
        subentry_id = f"{entry_id[:20]}S{index:02d}{slug(element_type)[:3]}".upper()
        data = copy.deepcopy(participants.get(title_) or {"name": title_, "element_type": element_type})
        data["name"] = title_
        if element_type != NETWORK and "element_type" not in data:
            data["element_type"] = element_type
        subentries.append(
            {
                "subentry_id": subentry_id,
                "subentry_type": element_type,
                "title": title_,
                "unique_id": None,
                "data": data,
            }
        )
        device, element_entities = instantiate(layout, title_, entry_id, subentry_id, values)
        devices.append(device)
        entities.extend(element_entities)
    return {
        "entry_id": entry_id,
        "title": title,
        "unique_id": f"haeo_hub_{slug(title)}",
        "data": {"integration_type": "hub", "name": title},
        "subentries": subentries,
        "devices": devices,
        "entities": entities,
    }


def derive(repo: str, version: str, ref: str) -> dict[str, Any]:
    commit = subprocess.run(
        ["git", "-C", repo, "rev-parse", f"{ref}^{{commit}}"], check=True, capture_output=True, text=True
    ).stdout.strip()
    config = show(repo, ref, "tests/scenarios/scenario1/config.json")
    outputs = show(repo, ref, "tests/scenarios/scenario1/outputs.json")
    corrected = []
    if version in STALE_DUALS_FROM:
        newer = show(repo, STALE_DUALS_FROM[version], "tests/scenarios/scenario1/outputs.json")
        for entity_id, state in outputs.items():
            if state["attributes"].get("unit_of_measurement") == "$/kW":
                attributes = state["attributes"] | {
                    key: newer[entity_id]["attributes"][key] for key in ("unit_of_measurement", "forecast")
                }
                outputs[entity_id] = state | {"state": newer[entity_id]["state"], "attributes": attributes}
                corrected.append(entity_id)
    names = show(repo, ref, "custom_components/haeo/translations/en.json")["entity"]
    layouts = element_layouts(outputs, names)
    participants = config["participants"]
    participants["System"] = {"name": "System", "element_type": NETWORK}
    own = [(title, layout["element_type"], layout, {}) for title, layout in layouts.items()]
    load = layouts["Constant Load"]
    battery = layouts["Battery"]
    curtailable = "curtailment" in participants["Constant Load"]  # v0.4: loads have a curtailment section
    ev_load_data = copy.deepcopy(participants["Constant Load"])
    if curtailable:
        ev_load_data["curtailment"] = {"curtailment": {"type": "constant", "value": True}}
    ev_participants = participants | {
        "EV Charger": ev_load_data,
        "Car": copy.deepcopy(participants["Battery"]),
        "Battery Module": {"element_type": "battery_section"},
    }
    household = [
        *own,
        ("EV Charger", "load", load_layout(load, curtailable=curtailable), {"load_power": "7.0"}),
        ("Car", "battery", battery, {"battery_power_active": "-7.0", "battery_state_of_charge": "40.0"}),
        (
            "Battery Module",
            "battery_section",
            section_layout(battery, names["sensor"]),
            {"battery_section_power_active": "-1.5"},
        ),
    ]
    flat = [
        ("System", NETWORK, layouts["System"], {}),
        ("Flat Switchboard", "node", layouts["Switchboard"], {}),
        ("Flat Grid", "grid", layouts["Grid"], {"grid_power_active": "0.4"}),
        ("Flat Load", "load", load, {"load_power": "0.4"}),
    ]
    return {
        "haeo_version": version,
        "derived_from": {
            "repository": "https://github.com/hass-energy/haeo",
            "ref": ref if ref != "HEAD" else "main",
            "commit": commit,
            "files": [
                "tests/scenarios/scenario1/config.json",
                "tests/scenarios/scenario1/outputs.json",
                "custom_components/haeo/translations/en.json",
            ],
            "forecast_points_kept": FORECAST_POINTS,
            "attributes_left_out": list(DROPPED_ATTRIBUTES),
            "duals_taken_from_main_snapshot": corrected,
        },
        "scenarios": {
            "scenario1": {
                "description": "HAEO's own scenario 1: grid, solar behind an inverter, battery, 'Constant Load'",
                "hubs": [hub("01JHAEOHOME000000000000000", "Home", own, version, participants)],
            },
            "household": {
                "description": "Scenario 1, EVs as a load ('EV Charger') and a battery ('Car'), a battery section",
                "hubs": [hub("01JHAEOHOUSE00000000000000", "Home", household, version, ev_participants)],
            },
            "two_hubs": {
                "description": "Scenario 1 as 'Home' and a second hub 'Granny Flat' (colliding entity ids get _2)",
                "hubs": [
                    hub("01JHAEOHOME000000000000000", "Home", own, version, participants),
                    hub("01JHAEOFLAT000000000000000", "Granny Flat", flat, version, {}),
                ],
            },
        },
    }


def main() -> None:
    repo = sys.argv[1]
    for version, ref in VERSIONS.items():
        fixture = derive(repo, version, ref)
        path = HERE / f"{version.replace('.', '_')}.json"
        path.write_text(json.dumps(fixture, indent=1, sort_keys=False) + "\n", encoding="utf-8")
        print(path, sum(len(h["entities"]) for s in fixture["scenarios"].values() for h in s["hubs"]))


if __name__ == "__main__":
    main()
