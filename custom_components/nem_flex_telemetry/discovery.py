"""Find HAEO's hubs, elements, outputs and inputs in the registries and propose a mapping.

Entities are matched by what they are (platform ``haeo``; outputs by ``translation_key`` == HAEO's
output name or the ``output_name`` attribute; inputs by HAEO's field name from the ``field_name``
attribute, the translation key or the unique id), never by entity id, so renamed entities, several
hubs and HAEO before its first run (registry entries without states) work. Elements are grouped per
hub (config entry) and subentry, named from the device registry. docs/HAEO.md lists the versions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
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
    MAP_EXPORT_LIMIT,
    MAP_EXPORT_PRICE,
    MAP_GRID_POWER,
    MAP_IMPORT_ENVELOPE_DUAL,
    MAP_IMPORT_LIMIT,
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
    "battery_section_": "battery_section",
    "battery_": "battery",
    "grid_": "grid",
    "solar_": "solar",
    "load_": "load",
    "node_": "node",
    "inverter_": "inverter",
}
NETWORK_STATUS = "network_optimization_status"
# The grid's inputs by role: HAEO's field name per version (v0.4+: by direction, v0.3: by meaning).
# A number is matched by its ``field_name`` attribute, its translation key ``grid_<field>`` or its
# unique id ``{entry}_{subentry}_<field>`` (what is there before HAEO's first run).
GRID_INPUT_FIELDS: dict[str, tuple[str, ...]] = {
    MAP_IMPORT_PRICE: ("price_source_target", "import_price"),
    MAP_EXPORT_PRICE: ("price_target_source", "export_price"),
    MAP_IMPORT_LIMIT: ("max_power_source_target", "import_limit"),
    MAP_EXPORT_LIMIT: ("max_power_target_source", "export_limit"),
}
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
    inputs: dict[str, str] = field(default_factory=dict)  # field name -> entity id
    data: Mapping[str, Any] = field(default_factory=dict)  # the subentry's data (HAEO's element config)
    fixed: bool | None = None  # a load's ``fixed`` attribute (HAEO main): not curtailable

    @property
    def flexibility_known(self) -> bool:
        """HAEO says whether this load may be curtailed (v0.4+); v0.3 loads have no such data."""
        return self.fixed is not None or "curtailment" in self.data

    @property
    def curtailable(self) -> bool:
        """A load HAEO may curtail (a flexible load such as an EV charger), from HAEO's element data."""
        if self.fixed is not None:
            return not self.fixed
        section = self.data.get("curtailment")  # v0.4: {"curtailment": {"type": "constant", "value": true}}
        value = section.get("curtailment") if isinstance(section, Mapping) else section
        if isinstance(value, Mapping):
            value = value.get("value")
        return value is True


@dataclass(slots=True)
class HaeoHub:
    """One HAEO config entry (hub) and its elements."""

    hub_id: str
    title: str = ""
    elements: list[HaeoElement] = field(default_factory=list)
    optimizer_status: str | None = None

    def of_type(self, element_type: str) -> list[HaeoElement]:
        """Elements of one type, in a stable order."""
        return [element for element in self.elements if element.element_type == element_type]

    @property
    def inputs(self) -> dict[str, str]:
        """The first grid's price and limit inputs by mapping key."""
        found: dict[str, str] = {}
        for grid in self.of_type("grid"):
            for role, fields in GRID_INPUT_FIELDS.items():
                entity = next((grid.inputs[name] for name in fields if name in grid.inputs), None)
                if entity is not None:
                    found.setdefault(role, entity)
        return found


@dataclass(slots=True)
class Discovery:
    """Every HAEO hub found, plus candidate entities outside HAEO for the user to map."""

    hubs: list[HaeoHub]
    sweep: dict[str, list[str]]

    @property
    def found(self) -> bool:
        """True when at least one HAEO hub has a grid element."""
        return any(hub.of_type("grid") for hub in self.hubs)

    @property
    def grid_hubs(self) -> list[HaeoHub]:
        """The hubs a household's mapping can come from (those with a grid)."""
        return [hub for hub in self.hubs if hub.of_type("grid")]

    def hub(self, hub_id: str | None = None) -> HaeoHub | None:
        """The chosen hub, else the first with a grid."""
        return next((hub for hub in self.hubs if hub.hub_id == hub_id), None) or next(iter(self.grid_hubs), None)


def _output_name(entry: er.RegistryEntry, attributes: Mapping[str, Any]) -> str | None:
    name = attributes.get("output_name") or entry.translation_key
    return str(name) if name else None


def _type_from_key(key: str, prefixes: Mapping[str, str]) -> str | None:
    return next((kind for prefix, kind in prefixes.items() if key.startswith(prefix)), None)


def _element_type(
    entry: er.RegistryEntry, attributes: Mapping[str, Any], subentry: ConfigSubentry | None
) -> str | None:
    if element_type := attributes.get("element_type"):
        return str(element_type)
    if subentry is not None:
        return subentry.subentry_type
    for element_type in ELEMENT_TYPES:  # unique_id = {entry}_{subentry}_{element type}_{output}
        if entry.translation_key and f"_{element_type}_{entry.translation_key}" in entry.unique_id:
            return element_type
    return _type_from_key(entry.translation_key or "", OUTPUT_PREFIXES)


def _field_name(entry: er.RegistryEntry, attributes: Mapping[str, Any], element_type: str) -> str | None:
    """A number's HAEO field name: the attribute, else the translation key without the element type."""
    if name := attributes.get("field_name"):
        return str(name)
    key = entry.translation_key or ""
    if key.startswith(f"{element_type}_"):
        return key[len(element_type) + 1 :]
    known = {name for fields in GRID_INPUT_FIELDS.values() for name in fields}
    return next((name for name in known if entry.unique_id.endswith(f"_{name}")), None)


def _device_facts(devices: dr.DeviceRegistry, entry: er.RegistryEntry) -> tuple[str | None, str | None]:
    """The name the user sees on the entity's device (renamed or HAEO's) and the subentry it is linked to."""
    device = devices.async_get(entry.device_id) if entry.device_id else None
    if device is None:
        return None, None
    return device.name_by_user or device.name, device_subentry(device)


def device_subentry(device: object) -> str | None:
    """The config subentry a device belongs to: ``config_subentry_id`` on newer Home Assistant, else the one
    subentry named in ``config_entries_subentries`` (HA 2026.1 has only that)."""
    found: str | None = getattr(device, "config_subentry_id", None)
    if found is not None:
        return found
    by_entry: dict[str, set[str | None]] = getattr(device, "config_entries_subentries", {})
    named = {sub for subs in by_entry.values() for sub in subs if sub is not None}
    return next(iter(named)) if len(named) == 1 else None


def _subentry(hass: HomeAssistant, entry: er.RegistryEntry, device_subentry: str | None) -> ConfigSubentry | None:
    subentry_id = entry.config_subentry_id or device_subentry
    config_entry = hass.config_entries.async_get_entry(entry.config_entry_id or "")
    if config_entry is None or subentry_id is None:
        return None
    return config_entry.subentries.get(subentry_id)


def _element_name(
    device_name: str | None, subentry: ConfigSubentry | None, attributes: Mapping[str, Any], entity_id: str
) -> str:
    """The element's name: its device's, else HAEO's ``element_name``, the subentry title, the entity id."""
    return str(device_name or attributes.get("element_name") or (subentry.title if subentry else None) or entity_id)


def discover(hass: HomeAssistant) -> Discovery:
    """Read the entity, device and config entry registries (and states) for HAEO hubs and candidate entities."""
    registry = er.async_get(hass)
    devices = dr.async_get(hass)
    hubs: dict[str, HaeoHub] = {}
    elements: dict[tuple[str, str], HaeoElement] = {}
    haeo_ids: set[str] = set()
    for entry in registry.entities.values():
        if entry.platform != HAEO_DOMAIN or entry.config_entry_id is None:
            continue
        haeo_ids.add(entry.entity_id)
        config_entry = hass.config_entries.async_get_entry(entry.config_entry_id)
        hub = hubs.setdefault(
            entry.config_entry_id, HaeoHub(entry.config_entry_id, config_entry.title if config_entry else "")
        )
        state = hass.states.get(entry.entity_id)
        attributes: Mapping[str, Any] = state.attributes if state else {}
        if entry.domain not in ("sensor", "number"):
            continue
        if entry.domain == "sensor" and _output_name(entry, attributes) == NETWORK_STATUS:
            hub.optimizer_status = entry.entity_id
            continue
        device_name, device_subentry = _device_facts(devices, entry)
        subentry = _subentry(hass, entry, device_subentry)
        element_type = _element_type(entry, attributes, subentry)
        if element_type is None or element_type == "network":
            continue
        key = (hub.hub_id, (subentry.subentry_id if subentry else None) or entry.device_id or entry.unique_id)
        element = elements.get(key)
        if element is None:
            name = _element_name(device_name, subentry, attributes, entry.entity_id)
            element = HaeoElement(hub.hub_id, key[1], element_type, name, data=subentry.data if subentry else {})
            elements[key] = element
            hub.elements.append(element)
        if entry.domain == "number":
            if (field_name := _field_name(entry, attributes, element_type)) is not None:
                element.inputs[field_name] = entry.entity_id
            continue
        output = _output_name(entry, attributes)
        if output is None:
            continue
        element.outputs[output] = entry.entity_id
        if "fixed" in attributes:
            element.fixed = bool(attributes["fixed"])
    ordered = sorted(hubs.values(), key=lambda hub: (not hub.of_type("grid"), hub.title, hub.hub_id))
    return Discovery(ordered, _sweep(hass, haeo_ids))


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


def house_loads(hub: HaeoHub) -> list[HaeoElement]:
    """HAEO loads it may not curtail (the household's own consumption), by HAEO's element data."""
    return [load for load in hub.of_type("load") if not load.curtailable]


def default_mapping(discovery: Discovery, hub_id: str | None = None) -> dict[str, Any]:
    """A mapping from the chosen hub (default: the first with a grid); the user confirms or edits it."""
    hub = discovery.hub(hub_id)
    if hub is None:
        return {}
    loads = house_loads(hub)
    nodes = hub.of_type("node")
    switchboard = [node for node in nodes if node.name.lower() == "switchboard"] or nodes
    mapping: dict[str, Any] = {
        MAP_GRID_POWER: _first(hub.of_type("grid"), "grid_power_active"),
        MAP_SOLAR_POWERS: [e.outputs["solar_power"] for e in hub.of_type("solar") if "solar_power" in e.outputs],
        MAP_LOAD_POWERS: [e.outputs["load_power"] for e in loads if "load_power" in e.outputs],
        **hub.inputs,
        MAP_ENERGY_DUAL: _first(switchboard, "node_power_balance"),
        MAP_LOAD_FORECAST_DUAL: _first(loads, "load_forecast_limit_price"),
        MAP_SOLAR_FORECAST_DUAL: _first(hub.of_type("solar"), "solar_forecast_limit"),
        MAP_IMPORT_ENVELOPE_DUAL: _first(hub.of_type("grid"), "grid_power_max_import_price"),
        MAP_EXPORT_ENVELOPE_DUAL: _first(hub.of_type("grid"), "grid_power_max_export_price"),
        MAP_OPTIMIZER_STATUS: hub.optimizer_status,
    }
    return {key: value for key, value in mapping.items() if value not in (None, [])}


def _storage_candidate(element: HaeoElement, prefix: str) -> dict[str, Any]:
    """A battery or battery section (HAEO names a section's outputs ``battery_section_*``)."""
    candidate = {
        ASSET_ID: slug(element.name),
        ASSET_NAME: element.name,
        ASSET_KIND: KIND_BATTERY,
        ASSET_BIDIRECTIONAL: True,
        ASSET_POWER: element.outputs.get(f"{prefix}_power_active"),
        ASSET_POWER_SIGN: SIGN_DISCHARGE_POSITIVE,
        ASSET_SOC: element.outputs.get(f"{prefix}_state_of_charge"),
        ASSET_DUAL: element.outputs.get(f"{prefix}_power_balance"),
    }
    if "ev" in element.name.lower().split() or "car" in element.name.lower():
        candidate[ASSET_KIND] = KIND_EV
    return candidate


def asset_candidates(discovery: Discovery, hub_id: str | None = None) -> list[dict[str, Any]]:
    """Assets proposed from HAEO batteries and battery sections (stationary) and loads (possible EV chargers).

    Batteries come from every hub (a second hub may run a garage battery); loads from the chosen one,
    curtailable loads first; a load HAEO says is fixed is the house's. HAEO v0.3 has no curtailment to
    tell an EV charger from the house, so there every load is offered (not included unless chosen).
    """
    candidates: list[dict[str, Any]] = []
    for hub in discovery.hubs:
        for element_type in ("battery", "battery_section"):
            candidates.extend(_storage_candidate(element, element_type) for element in hub.of_type(element_type))
    chosen = discovery.hub(hub_id)
    loads = chosen.of_type("load") if chosen else []
    for load in sorted(loads, key=lambda load: not load.curtailable):
        if load.flexibility_known and not load.curtailable:
            continue
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
