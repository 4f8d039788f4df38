"""Install a HAEO fixture (derived from HAEO's own repository, see derive.py) into a real Home Assistant.

``install(hass, "v0.4.1", "household")`` adds each hub as a config entry with its subentries, one
device per element (linked to its subentry, named as HAEO's device translation names it), the
entity registry entries exactly as HAEO creates them (no config subentry on the entities,
advanced outputs disabled) and, unless ``ran=False`` (before HAEO's first run), the states
with their forecasts moved to start at ``now``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from homeassistant.config_entries import ConfigSubentryDataWithId
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import MockConfigEntry

FIXTURES = Path(__file__).parent


def fixture_path(version: str) -> Path:
    """Where a HAEO version's fixture lives (``v0.4.1`` -> ``v0_4_1.json``)."""
    return FIXTURES / f"{version.replace('.', '_')}.json"


@cache
def _load(version: str) -> str:
    return fixture_path(version).read_text(encoding="utf-8")


def load(version: str) -> dict[str, Any]:
    """A fresh copy of one version's fixture."""
    fixture: dict[str, Any] = json.loads(_load(version))
    return fixture


@dataclass
class InstalledHub:
    """One installed HAEO hub: its entry and its entities by (element title, output or field name)."""

    entry: MockConfigEntry
    spec: dict[str, Any]
    entity_ids: dict[tuple[str, str], str] = field(default_factory=dict)
    registry_ids: dict[tuple[str, str], str] = field(default_factory=dict)
    states: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)  # element title -> element type

    def id(self, title: str, key: str) -> str:
        """The entity id HA gave the entity (``_2`` suffixes included)."""
        return self.entity_ids[(title, key)]


@dataclass
class Installed:
    """A scenario installed into HA."""

    version: str
    hubs: list[InstalledHub]

    @property
    def hub(self) -> InstalledHub:
        """The first hub (most scenarios have one)."""
        return self.hubs[0]


def install(
    hass: HomeAssistant, version: str, scenario: str, *, ran: bool = True, now: datetime | None = None
) -> Installed:
    """Register every hub of a scenario; write its states unless HAEO has not run yet."""
    spec = load(version)["scenarios"][scenario]
    installed = Installed(version, [])
    entities = er.async_get(hass)
    devices = dr.async_get(hass)
    for hub_spec in spec["hubs"]:
        subentries = [ConfigSubentryDataWithId(**subentry) for subentry in hub_spec["subentries"]]
        entry = MockConfigEntry(
            domain="haeo",
            entry_id=hub_spec["entry_id"],
            title=hub_spec["title"],
            unique_id=hub_spec["unique_id"],
            data=hub_spec["data"],
            subentries_data=subentries,
        )
        entry.add_to_hass(hass)
        hub = InstalledHub(entry, hub_spec)
        hub.titles = {s["title"]: s["subentry_type"] for s in hub_spec["subentries"]}
        device_ids: dict[str, str] = {}
        titles_by_device: dict[str, str] = {}
        titles_by_subentry = {s["subentry_id"]: s["title"] for s in hub_spec["subentries"]}
        for device in hub_spec["devices"]:
            created = devices.async_get_or_create(
                config_entry_id=entry.entry_id,
                config_subentry_id=device["subentry_id"],
                identifiers={("haeo", device["identifier"])},
                # The name HAEO's device translation gives ("{name}" = the subentry title, "Optimizer"):
                # HA resolves translation_key with the integration's translations, which tests lack.
                name=device["name"],
            )
            device_ids[device["identifier"]] = created.id
            titles_by_device[device["identifier"]] = titles_by_subentry[device["subentry_id"]]
        for entity in hub_spec["entities"]:
            registry_entry = entities.async_get_or_create(
                entity["domain"],
                "haeo",
                entity["unique_id"],
                config_entry=entry,
                device_id=device_ids.get(entity["device"] or ""),
                translation_key=entity["translation_key"],
                original_name=entity["original_name"],
                has_entity_name=entity["has_entity_name"],
                unit_of_measurement=entity["unit_of_measurement"],
                suggested_object_id=entity["suggested_object_id"],
                disabled_by=er.RegistryEntryDisabler.INTEGRATION if entity["disabled_by_default"] else None,
            )
            key = element_key(entity, titles_by_device)
            hub.entity_ids[key] = registry_entry.entity_id
            hub.registry_ids[key] = registry_entry.id
            if entity["state"] is not None:
                hub.states[key] = entity["state"]
        installed.hubs.append(hub)
    if ran:
        publish(hass, installed, now=now)
    return installed


def element_key(entity: dict[str, Any], titles_by_device: dict[str, str]) -> tuple[str, str]:
    """(element title, name): the output name for outputs, the field name for inputs, else the entity's role."""
    title = titles_by_device.get(entity["device"] or "", "System")
    attributes = (entity["state"] or {}).get("attributes", {})
    if entity["domain"] == "sensor" and entity["translation_key"] != "horizon":
        return title, entity["translation_key"]
    if "field_name" in attributes:
        return title, attributes["field_name"]
    return title, entity["translation_key"]


def _shift_time(text: str, delta: timedelta) -> str:
    parsed = dt_util.parse_datetime(text)
    return text if parsed is None else (parsed + delta).isoformat()


def _first_time(hub: InstalledHub) -> datetime | None:
    for state in hub.states.values():
        for point in state["attributes"].get("forecast") or []:
            return dt_util.parse_datetime(point["time"])
    return None


def publish(
    hass: HomeAssistant,
    installed: Installed,
    values: dict[tuple[str, str], str] | None = None,
    *,
    hub_index: int | None = None,
    now: datetime | None = None,
) -> None:
    """Write states as HAEO does after a run: forecasts start at ``now``; ``values`` override states."""
    moment = (now or dt_util.utcnow()).replace(second=0, microsecond=0)
    for index, hub in enumerate(installed.hubs):
        if hub_index is not None and index != hub_index:
            continue
        first = _first_time(hub)
        delta = moment - first if first is not None else timedelta(0)
        for key, spec in hub.states.items():
            attributes = json.loads(json.dumps(spec["attributes"]))
            for point in attributes.get("forecast") or []:
                point["time"] = _shift_time(point["time"], delta)
            if "last_run" in attributes:
                attributes["last_run"] = _shift_time(attributes["last_run"], delta)
            state = spec["state"]
            if key[1] == "horizon":
                state = _shift_time(state, delta)
            if values and key in values:
                state = values[key]
                for point in attributes.get("forecast") or []:
                    if "value" in point:
                        point["value"] = float(state)
                    break
            hass.states.async_set(hub.entity_ids[key], state, attributes)
