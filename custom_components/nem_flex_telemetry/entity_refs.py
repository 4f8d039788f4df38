"""Mapped entities are stored by entity registry id, so renaming an entity id does not break sampling.

The forms show and take entity ids; what is stored is the registry entry's id (a UUID) for every
entity that has one, else the entity id (an entity without a registry entry, e.g. one EMHASS
posts over the REST API). Sampling resolves the stored references to the current entity ids.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er

from .const import ASSET_ENTITY_KEYS, MAP_ENTITY_KEYS, MAP_LIST_KEYS


def _convert(
    mapping: Mapping[str, Any], assets: Sequence[Mapping[str, Any]], convert: Callable[[str], str]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The mapping and assets with every entity reference passed through ``convert``."""
    converted = dict(mapping)
    for key in MAP_ENTITY_KEYS:
        if isinstance(mapping.get(key), str) and mapping[key]:
            converted[key] = convert(mapping[key])
    for key in MAP_LIST_KEYS:
        if key in mapping:
            converted[key] = [convert(ref) for ref in mapping[key]]
    converted_assets = [
        {
            key: convert(value) if key in ASSET_ENTITY_KEYS and isinstance(value, str) else value
            for key, value in a.items()
        }
        for a in assets
    ]
    return converted, converted_assets


def to_registry_ids(
    hass: HomeAssistant, mapping: Mapping[str, Any], assets: Sequence[Mapping[str, Any]] = ()
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What is stored: registry ids where the entity has a registry entry."""
    registry = er.async_get(hass)

    def stored(entity_id: str) -> str:
        entry = registry.async_get(entity_id)
        return entry.id if entry is not None else entity_id

    return _convert(mapping, assets, stored)


def resolve_entity_id(hass: HomeAssistant, ref: str) -> str:
    """The current entity id of a stored reference (a registry id, or an entity id kept as it is).

    A registry id whose entry was removed stays as it is: it names no state, so it reads as missing.
    """
    return er.async_resolve_entity_id(er.async_get(hass), ref) or ref


def to_entity_ids(
    hass: HomeAssistant, mapping: Mapping[str, Any], assets: Sequence[Mapping[str, Any]] = ()
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The stored mapping and assets with current entity ids (for sampling and the forms)."""
    return _convert(mapping, assets, lambda ref: resolve_entity_id(hass, ref))
