"""HAEO hubs of any shape, built from the per-element layouts of the HAEO fixtures (haeo_fixtures/).

``add_hub(hass, [("grid", "Grid"), ("battery", "Garage Battery")])`` registers a hub whose elements are
laid out exactly as in the fixture of a HAEO version (v0.4.1 by default, v0.3.3 with ``legacy=True``):
its subentries, devices, unique ids, translation keys, units, disabled advanced outputs. An element
takes the layout of the fixture element with the same title, else of the first one of its type, so
"EV Charger" is HAEO's curtailable load. ``publish`` writes the given states the way HAEO does.
Keys are (element title, output name) for outputs and (element title, field name) for inputs;
``import_price`` / ``export_price`` name the grid's price numbers whatever the version calls them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from homeassistant.config_entries import ConfigSubentryDataWithId
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util
from homeassistant.util import slugify
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.nem_flex_telemetry.const import MAP_EXPORT_PRICE, MAP_IMPORT_PRICE
from custom_components.nem_flex_telemetry.discovery import GRID_INPUT_FIELDS

from .haeo_fixtures import element_key, load

LAYOUT_SCENARIO = "household"
NETWORK_TITLE = "Optimizer"  # the network element's device name (its subentry is titled "System")
ALIASES = {MAP_IMPORT_PRICE: GRID_INPUT_FIELDS[MAP_IMPORT_PRICE], MAP_EXPORT_PRICE: GRID_INPUT_FIELDS[MAP_EXPORT_PRICE]}


@dataclass
class Hub:
    """One HAEO hub in a test: its config entry and entity ids by (element title, output/field name)."""

    entry: MockConfigEntry
    version: str
    entities: dict[tuple[str, str], str] = field(default_factory=dict)
    elements: dict[str, str] = field(default_factory=dict)  # title -> element type
    templates: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # key -> fixture state

    def key(self, title: str, name: str) -> tuple[str, str]:
        """The key for ``name``, resolving the price aliases to this version's field names."""
        if (title, name) in self.entities:
            return title, name
        for field_name in ALIASES.get(name, ()):
            if (title, field_name) in self.entities:
                return title, field_name
        raise KeyError((title, name))

    def id(self, title: str, name: str) -> str:
        return self.entities[self.key(title, name)]


def _layouts(version: str) -> dict[str, Any]:
    """The fixture's hub whose elements serve as layouts, with its elements by title."""
    [spec] = load(version)["scenarios"][LAYOUT_SCENARIO]["hubs"]
    return spec


def _template(spec: dict[str, Any], element_type: str, title: str) -> dict[str, Any]:
    subentries = spec["subentries"]
    subentry = next((s for s in subentries if s["title"] == title and s["subentry_type"] == element_type), None)
    subentry = subentry or next(s for s in subentries if s["subentry_type"] == element_type)
    device = next(d for d in spec["devices"] if d["subentry_id"] == subentry["subentry_id"])
    entities = [e for e in spec["entities"] if e["device"] == device["identifier"]]
    if element_type == "network":
        entities += [e for e in spec["entities"] if e["device"] is None]
    return {"subentry": subentry, "device": device, "entities": entities}


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
    version = "v0.3.3" if legacy else "v0.4.1"
    spec = _layouts(version)
    wanted = [*elements, *([("network", NETWORK_TITLE)] if with_status else [])]
    entry = MockConfigEntry(domain="haeo", title="Home", data={"integration_type": "hub", "name": "Home"})
    templates = []
    subentries = []
    for index, (element_type, title) in enumerate(wanted):
        template = _template(spec, element_type, title)
        subentry_id = f"{entry.entry_id[:20]}S{index:02d}{element_type[:3].upper()}"
        data = copy.deepcopy(template["subentry"]["data"]) | {"name": title}
        subentry_title = template["subentry"]["title"] if element_type == "network" else title
        subentries.append(
            ConfigSubentryDataWithId(
                subentry_id=subentry_id, subentry_type=element_type, title=subentry_title, unique_id=None, data=data
            )
        )
        templates.append((element_type, title, subentry_id, template))
    entry = MockConfigEntry(
        domain="haeo", entry_id=entry.entry_id, title=entry.title, data=entry.data, subentries_data=subentries
    )
    entry.add_to_hass(hass)
    hub = Hub(entry, version)
    entities = er.async_get(hass)
    devices = dr.async_get(hass)
    template_entry = spec["entry_id"]
    for element_type, title, subentry_id, template in templates:
        hub.elements[title] = element_type
        old_subentry = template["subentry"]["subentry_id"]
        device_name = template["device"]["identifier"].rsplit(f"{old_subentry}_", 1)[1]
        device = devices.async_get_or_create(
            config_entry_id=entry.entry_id,
            config_subentry_id=subentry_id,
            identifiers={("haeo", f"{entry.entry_id}_{subentry_id}_{device_name}")},
            name=NETWORK_TITLE if element_type == "network" else title,
        )
        template_titles = {template["device"]["identifier"]: template["subentry"]["title"]}
        old_prefix = slugify(NETWORK_TITLE if element_type == "network" else template["subentry"]["title"])
        new_prefix = slugify(NETWORK_TITLE if element_type == "network" else title)
        for spec_entity in template["entities"]:
            key = (title, element_key(spec_entity, template_titles)[1])
            unique_id = (
                spec_entity["unique_id"].replace(old_subentry, subentry_id).replace(template_entry, entry.entry_id)
            )
            object_id = new_prefix + spec_entity["suggested_object_id"][len(old_prefix) :]
            registry_entry = entities.async_get_or_create(
                spec_entity["domain"],
                "haeo",
                unique_id,
                config_entry=entry,
                device_id=device.id if spec_entity["device"] else None,
                translation_key=spec_entity["translation_key"],
                original_name=spec_entity["original_name"],
                has_entity_name=True,
                unit_of_measurement=spec_entity["unit_of_measurement"],
                suggested_object_id=object_id,
                disabled_by=er.RegistryEntryDisabler.INTEGRATION
                if spec_entity["disabled_by_default"] or key in (disabled or set())
                else None,
            )
            entity_id = registry_entry.entity_id
            if rename and key in rename:
                entity_id = rename[key]
                entities.async_update_entity(registry_entry.entity_id, new_entity_id=entity_id)
            hub.entities[key] = entity_id
            if spec_entity["state"] is not None:
                hub.templates[key] = _retitled(spec_entity["state"], title, element_type)
    if rename:  # a renamed key is still found under its alias
        for key, entity_id in rename.items():
            hub.entities[hub.key(*key)] = entity_id
    # HAEO writes its input numbers when it sets up (prices again at each run): the fixture's values.
    inputs = {
        key: template["state"] for key, template in hub.templates.items() if hub.entities[key].startswith("number.")
    }
    publish(hass, hub, inputs)
    return hub


def _retitled(state: dict[str, Any], title: str, element_type: str) -> dict[str, Any]:
    attributes = copy.deepcopy(state["attributes"])
    if "element_name" in attributes and element_type != "network":
        old = attributes["element_name"]
        attributes["element_name"] = title
        if "friendly_name" in attributes:
            attributes["friendly_name"] = title + attributes["friendly_name"][len(old) :]
    return {"state": state["state"], "attributes": attributes}


def publish(hass: HomeAssistant, hub: Hub, values: dict[tuple[str, str], Any], now: datetime | None = None) -> None:
    """Set states as HAEO writes them after a run (same values again still update last_reported)."""
    start = (now or dt_util.utcnow()).replace(second=0, microsecond=0)
    for (title, name), value in values.items():
        key = hub.key(title, name)
        template = hub.templates[key]
        attributes = copy.deepcopy(template["attributes"])
        forecast = attributes.get("forecast") or []
        if forecast:
            first = dt_util.parse_datetime(forecast[0]["time"])
            assert first is not None
            for point in forecast:
                moment = dt_util.parse_datetime(point["time"])
                assert moment is not None
                point["time"] = (start + (moment - first)).isoformat()
                if "value" in point:
                    point["value"] = value if isinstance(value, float) else None
        if "last_run" in attributes:
            attributes["last_run"] = (start - timedelta(seconds=10)).isoformat()
        hass.states.async_set(hub.entities[key], value if isinstance(value, str) else str(value), attributes)
