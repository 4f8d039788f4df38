"""Reproduce HAEO's entity registry entries and states (see /work/shared/reference/haeo.md).

Outputs: platform ``haeo``, ``translation_key`` == output name, unique_id
``{entry_id}_{subentry_id}_{element type}_{output name}``, one device per element,
entity_id ``sensor.<element slug>_<English name slug>``, attributes element_name,
element_type, output_name, field_type (``output_type`` before v0.4), source_role
"output", advanced, forecast [{time, value}], unit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from homeassistant.util import slugify
from pytest_homeassistant_custom_component.common import MockConfigEntry

# output name -> (English name suffix, unit, field type)
OUTPUTS: dict[str, tuple[str, str, str]] = {
    "battery_power_active": ("active_power", "kW", "power"),
    "battery_state_of_charge": ("state_of_charge", "%", "state_of_charge"),
    "battery_power_balance": ("power_balance_shadow_price", "$/kWh", "shadow_price"),
    "grid_power_active": ("active_power", "kW", "power"),
    "grid_power_import": ("import_power", "kW", "power"),
    "grid_power_max_import_price": ("max_import_power_shadow_price", "$/kWh", "shadow_price"),
    "grid_power_max_export_price": ("max_export_power_shadow_price", "$/kWh", "shadow_price"),
    "solar_power": ("power", "kW", "power"),
    "solar_forecast_limit": ("forecast_limit_shadow_price", "$/kWh", "shadow_price"),
    "load_power": ("power", "kW", "power"),
    "load_forecast_limit_price": ("forecast_limit_shadow_price", "$/kWh", "shadow_price"),
    "node_power_balance": ("power_balance_shadow_price", "$/kWh", "shadow_price"),
}
# Duals HAEO < 0.4.0 labelled $/kW per period.
LEGACY_PER_KW = {
    "node_power_balance",
    "grid_power_max_import_price",
    "grid_power_max_export_price",
    "solar_forecast_limit",
    "load_forecast_limit_price",
}
ELEMENT_OUTPUTS = {
    "grid": ["grid_power_active", "grid_power_import", "grid_power_max_import_price", "grid_power_max_export_price"],
    "solar": ["solar_power", "solar_forecast_limit"],
    "battery": ["battery_power_active", "battery_state_of_charge", "battery_power_balance"],
    "load": ["load_power", "load_forecast_limit_price"],
    "node": ["node_power_balance"],
}
PERIOD = timedelta(minutes=5)


@dataclass
class Hub:
    """One HAEO hub in a test: its config entry and entity ids by (element title, output name)."""

    entry: MockConfigEntry
    legacy: bool
    entities: dict[tuple[str, str], str] = field(default_factory=dict)
    elements: dict[str, str] = field(default_factory=dict)  # title -> element type

    def id(self, title: str, output: str) -> str:
        return self.entities[(title, output)]


def add_hub(
    hass: HomeAssistant,
    elements: list[tuple[str, str]],
    *,
    legacy: bool = False,
    rename: dict[tuple[str, str], str] | None = None,
    disabled: set[tuple[str, str]] | None = None,
    with_status: bool = True,
) -> Hub:
    """Register a HAEO hub with (element type, title) elements, as HAEO would."""
    entry = MockConfigEntry(domain="haeo", title="HAEO")
    entry.add_to_hass(hass)
    hub = Hub(entry, legacy)
    entities = er.async_get(hass)
    devices = dr.async_get(hass)
    for index, (element_type, title) in enumerate(elements):
        subentry_id = f"sub{index:02d}{entry.entry_id[:6]}"
        device = devices.async_get_or_create(
            config_entry_id=entry.entry_id, identifiers={("haeo", f"{entry.entry_id}_{subentry_id}")}, name=title
        )
        hub.elements[title] = element_type
        for output in ELEMENT_OUTPUTS[element_type]:
            suffix = OUTPUTS[output][0]
            registry_entry = entities.async_get_or_create(
                "sensor",
                "haeo",
                f"{entry.entry_id}_{subentry_id}_{element_type}_{output}",
                config_entry=entry,
                device_id=device.id,
                translation_key=output,
                has_entity_name=True,
                suggested_object_id=f"{slugify(title)}_{suffix}",
                disabled_by=er.RegistryEntryDisabler.INTEGRATION if (title, output) in (disabled or set()) else None,
            )
            entity_id = registry_entry.entity_id
            if rename and (title, output) in rename:
                entity_id = rename[(title, output)]
                entities.async_update_entity(registry_entry.entity_id, new_entity_id=entity_id)
            hub.entities[(title, output)] = entity_id
        if element_type == "grid":
            for kind in ("import_price", "export_price"):
                registry_entry = entities.async_get_or_create(
                    "number",
                    "haeo",
                    f"{entry.entry_id}_{subentry_id}_grid_{kind}",
                    config_entry=entry,
                    device_id=device.id,
                    translation_key=kind,
                    suggested_object_id=f"{slugify(title)}_{kind}",
                )
                hub.entities[(title, kind)] = registry_entry.entity_id
    if with_status:
        registry_entry = entities.async_get_or_create(
            "sensor",
            "haeo",
            f"{entry.entry_id}_network_network_optimization_status",
            config_entry=entry,
            translation_key="network_optimization_status",
            suggested_object_id="optimizer_status",
        )
        hub.entities[("Optimizer", "network_optimization_status")] = registry_entry.entity_id
    return hub


def publish(hass: HomeAssistant, hub: Hub, values: dict[tuple[str, str], Any], now: datetime | None = None) -> None:
    """Set states as HAEO writes them after a run (same values again still update last_reported)."""
    start = now or dt_util.utcnow()
    for key, value in values.items():
        title, output = key
        entity_id = hub.entities[key]
        if output == "network_optimization_status":
            hass.states.async_set(entity_id, value, {"last_run": start.isoformat()})
            continue
        if output in ("import_price", "export_price"):
            hass.states.async_set(
                entity_id,
                value,
                {"unit_of_measurement": "$/kWh", "source_role": "limit", "element_type": "grid", "element_name": title},
            )
            continue
        _suffix, unit, field_type = OUTPUTS[output]
        if hub.legacy and output in LEGACY_PER_KW:
            unit = "$/kW"
        attributes: dict[str, Any] = {
            "element_name": title,
            "element_type": hub.elements[title],
            "output_name": output,
            "source_role": "output",
            "advanced": False,
            "unit_of_measurement": unit,
            "forecast": [
                {"time": (start + PERIOD * i).isoformat(), "value": value if isinstance(value, float) else None}
                for i in range(3)
            ],
        }
        attributes["output_type" if hub.legacy else "field_type"] = field_type
        hass.states.async_set(entity_id, value if isinstance(value, str) else str(value), attributes)
