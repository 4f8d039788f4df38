"""Find HAEO's outputs in the entity registry and propose a mapping.

Entities are matched by what they are (platform ``haeo``, ``translation_key`` ==
HAEO's output name, or the ``output_name`` / ``field_type`` / older ``output_type``
state attributes), never by entity id, so renamed entities and several hubs work.
Outputs are grouped per HAEO hub (config entry) and per element (subentry/device).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .const import (
    ASSET_BIDIRECTIONAL,
    ASSET_DUAL,
    ASSET_ID,
    ASSET_KIND,
    ASSET_NAME,
    ASSET_POWER,
    ASSET_POWER_SIGN,
    ASSET_SOC,
    HAEO_DOMAIN,
    KIND_BATTERY,
    KIND_EV,
    MAP_ENERGY_DUAL,
    MAP_EXPORT_ENVELOPE_DUAL,
    MAP_EXPORT_PRICE,
    MAP_GRID_POWER,
    MAP_IMPORT_ENVELOPE_DUAL,
    MAP_IMPORT_PRICE,
    MAP_LOAD_FORECAST_DUAL,
    MAP_LOAD_POWERS,
    MAP_OPTIMIZER_STATUS,
    MAP_SOLAR_FORECAST_DUAL,
    MAP_SOLAR_POWERS,
    SIGN_CHARGE_POSITIVE,
    SIGN_DISCHARGE_POSITIVE,
)

ELEMENT_TYPES = ("battery_section", "battery", "grid", "solar", "load", "inverter", "node", "connection", "policy")
# Output name -> element type, for registry entries without a state (disabled, or HAEO not yet run).
OUTPUT_PREFIXES = {
    "battery_": "battery",
    "grid_": "grid",
    "solar_": "solar",
    "load_": "load",
    "node_": "node",
    "inverter_": "inverter",
}
NETWORK_STATUS = "network_optimization_status"
_SWEEP_PATTERNS = {
    "price": re.compile(r"(price|tariff|feed_in)", re.IGNORECASE),
    "limit": re.compile(r"(limit|envelope|max_import|max_export)", re.IGNORECASE),
    "plug": re.compile(r"(plug|connected|charging)", re.IGNORECASE),
    "soc": re.compile(r"(state_of_charge|_soc|battery_level)", re.IGNORECASE),
}


@dataclass(slots=True)
class HaeoElement:
    """One HAEO element (a config subentry with its own device)."""

    hub_id: str
    key: str
    element_type: str
    name: str
    outputs: dict[str, str] = field(default_factory=dict)  # output name -> entity id


@dataclass(slots=True)
class HaeoHub:
    """One HAEO config entry (hub) and its elements."""

    hub_id: str
    elements: list[HaeoElement] = field(default_factory=list)
    inputs: dict[str, str] = field(default_factory=dict)  # "import_price"/"export_price" -> entity id
    optimizer_status: str | None = None

    def of_type(self, element_type: str) -> list[HaeoElement]:
        """Elements of one type, in a stable order."""
        return [element for element in self.elements if element.element_type == element_type]


@dataclass(slots=True)
class Discovery:
    """Every HAEO hub found, plus candidate entities outside HAEO for the user to map."""

    hubs: list[HaeoHub]
    sweep: dict[str, list[str]]

    @property
    def found(self) -> bool:
        """True when at least one HAEO hub has a grid element."""
        return any(hub.of_type("grid") for hub in self.hubs)


def _output_name(entry: er.RegistryEntry, attributes: dict[str, Any]) -> str | None:
    name = attributes.get("output_name") or entry.translation_key
    return str(name) if name else None


def _element_type(entry: er.RegistryEntry, attributes: dict[str, Any], output: str) -> str | None:
    if element_type := attributes.get("element_type"):
        return str(element_type)
    for element_type in ELEMENT_TYPES:  # unique_id = {entry}_{subentry}_{element type}_{output}
        if f"_{element_type}_{output}" in entry.unique_id:
            return element_type
    return next((kind for prefix, kind in OUTPUT_PREFIXES.items() if output.startswith(prefix)), None)


def _element_key(entry: er.RegistryEntry) -> str:
    return entry.config_subentry_id or entry.device_id or entry.unique_id


def discover(hass: HomeAssistant) -> Discovery:
    """Read the entity registry (and current states) for HAEO hubs and candidate entities."""
    registry = er.async_get(hass)
    hubs: dict[str, HaeoHub] = {}
    elements: dict[tuple[str, str], HaeoElement] = {}
    haeo_ids: set[str] = set()
    for entry in registry.entities.values():
        if entry.platform != HAEO_DOMAIN or entry.config_entry_id is None:
            continue
        haeo_ids.add(entry.entity_id)
        hub = hubs.setdefault(entry.config_entry_id, HaeoHub(entry.config_entry_id))
        state = hass.states.get(entry.entity_id)
        attributes = dict(state.attributes) if state else {}
        if entry.domain == "number":
            _add_input(hub, entry)
            continue
        if entry.domain != "sensor":
            continue
        output = _output_name(entry, attributes)
        if output is None:
            continue
        if output == NETWORK_STATUS:
            hub.optimizer_status = entry.entity_id
            continue
        element_type = _element_type(entry, attributes, output)
        if element_type is None:
            continue
        key = (hub.hub_id, _element_key(entry))
        element = elements.get(key)
        if element is None:
            name = str(attributes.get("element_name") or entry.original_name or entry.entity_id)
            element = elements[key] = HaeoElement(hub.hub_id, key[1], element_type, name)
            hub.elements.append(element)
        element.outputs[output] = entry.entity_id
    ordered = sorted(hubs.values(), key=lambda hub: (not hub.of_type("grid"), hub.hub_id))
    return Discovery(ordered, _sweep(hass, haeo_ids))


def _add_input(hub: HaeoHub, entry: er.RegistryEntry) -> None:
    text = f"{entry.translation_key or ''} {entry.unique_id}"
    for kind in ("import_price", "export_price"):
        if text.strip().endswith(kind) or (entry.translation_key or "").endswith(kind):
            hub.inputs.setdefault(kind, entry.entity_id)


def _sweep(hass: HomeAssistant, exclude: set[str]) -> dict[str, list[str]]:
    """Candidate entities outside HAEO: prices, envelope limits, EV plug/charging sensors, SOC sensors."""
    found: dict[str, list[str]] = {kind: [] for kind in _SWEEP_PATTERNS}
    for state in hass.states.async_all(("sensor", "number", "binary_sensor", "input_number")):
        if state.entity_id in exclude:
            continue
        for kind, pattern in _SWEEP_PATTERNS.items():
            is_binary = state.domain == "binary_sensor"
            if (kind == "plug") != is_binary:
                continue
            if pattern.search(state.entity_id):
                found[kind].append(state.entity_id)
    return {kind: sorted(ids) for kind, ids in found.items()}


def slug(text: str) -> str:
    """An asset id from an element name: a-z, 0-9 and _, at most 32 characters."""
    cleaned = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return (cleaned or "asset")[:32]


def _first(elements: list[HaeoElement], output: str) -> str | None:
    return next((element.outputs[output] for element in elements if output in element.outputs), None)


def default_mapping(discovery: Discovery) -> dict[str, Any]:
    """A mapping from the first hub with a grid; the user confirms or edits it."""
    if not discovery.hubs:
        return {}
    hub = discovery.hubs[0]
    loads = hub.of_type("load")
    house = [load for load in loads if "house" in load.name.lower()] or loads
    nodes = hub.of_type("node")
    switchboard = [node for node in nodes if node.name.lower() == "switchboard"] or nodes
    mapping: dict[str, Any] = {
        MAP_GRID_POWER: _first(hub.of_type("grid"), "grid_power_active"),
        MAP_SOLAR_POWERS: [e.outputs["solar_power"] for e in hub.of_type("solar") if "solar_power" in e.outputs],
        MAP_LOAD_POWERS: [e.outputs["load_power"] for e in loads if "load_power" in e.outputs],
        MAP_IMPORT_PRICE: hub.inputs.get("import_price"),
        MAP_EXPORT_PRICE: hub.inputs.get("export_price"),
        MAP_ENERGY_DUAL: _first(switchboard, "node_power_balance"),
        MAP_LOAD_FORECAST_DUAL: _first(house, "load_forecast_limit_price"),
        MAP_SOLAR_FORECAST_DUAL: _first(hub.of_type("solar"), "solar_forecast_limit"),
        MAP_IMPORT_ENVELOPE_DUAL: _first(hub.of_type("grid"), "grid_power_max_import_price"),
        MAP_EXPORT_ENVELOPE_DUAL: _first(hub.of_type("grid"), "grid_power_max_export_price"),
        MAP_OPTIMIZER_STATUS: hub.optimizer_status,
    }
    return {key: value for key, value in mapping.items() if value not in (None, [])}


def asset_candidates(discovery: Discovery) -> list[dict[str, Any]]:
    """Assets proposed from HAEO batteries (stationary) and loads (possible EV chargers), all hubs."""
    candidates: list[dict[str, Any]] = []
    for hub in discovery.hubs:
        for battery in hub.of_type("battery"):
            candidate = {
                ASSET_ID: slug(battery.name),
                ASSET_NAME: battery.name,
                ASSET_KIND: KIND_BATTERY,
                ASSET_BIDIRECTIONAL: True,
                ASSET_POWER: battery.outputs.get("battery_power_active"),
                ASSET_POWER_SIGN: SIGN_DISCHARGE_POSITIVE,
                ASSET_SOC: battery.outputs.get("battery_state_of_charge"),
                ASSET_DUAL: battery.outputs.get("battery_power_balance"),
            }
            if "ev" in battery.name.lower().split() or "car" in battery.name.lower():
                candidate[ASSET_KIND] = KIND_EV
            candidates.append(candidate)
        for load in hub.of_type("load"):
            if "house" in load.name.lower():
                continue  # the inflexible house load is never an asset
            candidates.append(
                {
                    ASSET_ID: slug(load.name),
                    ASSET_NAME: load.name,
                    ASSET_KIND: KIND_EV,
                    ASSET_BIDIRECTIONAL: False,
                    ASSET_POWER: load.outputs.get("load_power"),
                    ASSET_POWER_SIGN: SIGN_CHARGE_POSITIVE,
                    ASSET_DUAL: load.outputs.get("load_forecast_limit_price"),
                }
            )
    return [{key: value for key, value in c.items() if value is not None} for c in candidates]


def without_ev_loads(mapping: dict[str, Any], assets: list[dict[str, Any]]) -> dict[str, Any]:
    """The mapping with load powers that belong to EV assets removed (house load excludes EVs)."""
    ev_powers = {asset.get(ASSET_POWER) for asset in assets if asset.get(ASSET_KIND) == KIND_EV}
    loads = [entity for entity in mapping.get(MAP_LOAD_POWERS, []) if entity not in ev_powers]
    return {**mapping, MAP_LOAD_POWERS: loads}
