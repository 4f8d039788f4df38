"""Actions: ``nem_flex_telemetry.preview_record`` returns the record that would be published now."""

from __future__ import annotations

import json

import probatio as vol
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.exceptions import ServiceValidationError

from .const import DOMAIN, SERVICE_PREVIEW
from .runtime import NemFlexConfigEntry
from .sampler import identity_of, preview

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
PREVIEW_SCHEMA = vol.Schema({vol.Optional(ATTR_CONFIG_ENTRY_ID): str})


def _loaded_entry(call: ServiceCall) -> NemFlexConfigEntry:
    entries: list[NemFlexConfigEntry] = call.hass.config_entries.async_loaded_entries(DOMAIN)
    wanted = call.data.get(ATTR_CONFIG_ENTRY_ID)
    for entry in entries:
        if (wanted is None or entry.entry_id == wanted) and entry.state is ConfigEntryState.LOADED:
            return entry
    raise ServiceValidationError(translation_domain=DOMAIN, translation_key="entry_not_loaded")


async def _async_preview(call: ServiceCall) -> ServiceResponse:
    entry = _loaded_entry(call)
    sampler = entry.runtime_data.sampler
    line, reason = preview(call.hass, identity_of(entry), sampler.mapping, sampler.assets)
    if line is None:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="preview_failed",
            translation_placeholders={"reason": str(reason)},
        )
    return {"record": json.loads(line), "canonical_json": line}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (from async_setup)."""
    hass.services.async_register(
        DOMAIN, SERVICE_PREVIEW, _async_preview, schema=PREVIEW_SCHEMA, supports_response=SupportsResponse.ONLY
    )
