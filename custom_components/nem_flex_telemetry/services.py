"""Actions: ``preview_record`` (the record that would be published now), ``publish_now`` and ``withdraw``."""

from __future__ import annotations

import json

from homeassistant.components import persistent_notification
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, ServiceCall, ServiceResponse, SupportsResponse, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .const import (
    CONF_PAUSED,
    DOMAIN,
    LOGGER,
    SERVICE_PREVIEW,
    SERVICE_PUBLISH_NOW,
    SERVICE_WITHDRAW,
    WITHDRAW_CONFIRMATION,
)
from .data_repo import settings_url
from .github_api import GitHubError
from .publisher import Publisher
from .runtime import NemFlexConfigEntry
from .sampler import identity_of, preview
from .validation import vol

ATTR_CONFIG_ENTRY_ID = "config_entry_id"
ATTR_CONFIRM = "confirm"
PREVIEW_SCHEMA = vol.Schema({vol.Optional(ATTR_CONFIG_ENTRY_ID): str})
WITHDRAW_SCHEMA = vol.Schema({vol.Optional(ATTR_CONFIG_ENTRY_ID): str, vol.Required(ATTR_CONFIRM): str})


def _loaded_entry(call: ServiceCall) -> NemFlexConfigEntry:
    entries: list[NemFlexConfigEntry] = call.hass.config_entries.async_loaded_entries(DOMAIN)
    wanted = call.data.get(ATTR_CONFIG_ENTRY_ID)
    for entry in entries:
        if (wanted is None or entry.entry_id == wanted) and entry.state is ConfigEntryState.LOADED:
            return entry
    raise ServiceValidationError(translation_domain=DOMAIN, translation_key="entry_not_loaded")


def _publisher(entry: NemFlexConfigEntry) -> Publisher:
    publisher = entry.runtime_data.publisher
    if publisher is None:
        raise ServiceValidationError(translation_domain=DOMAIN, translation_key="not_signed_in")
    return publisher


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


async def _async_publish_now(call: ServiceCall) -> ServiceResponse:
    publisher = _publisher(_loaded_entry(call))
    added = await publisher.async_flush()
    if publisher.last_error is not None:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="publish_failed",
            translation_placeholders={"reason": publisher.last_error},
        )
    return {"records_added": added, "pending": publisher.outbox.pending_count()}


async def _async_withdraw(call: ServiceCall) -> ServiceResponse:
    if call.data[ATTR_CONFIRM] != WITHDRAW_CONFIRMATION:
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="withdraw_not_confirmed",
            translation_placeholders={"confirmation": WITHDRAW_CONFIRMATION},
        )
    entry = _loaded_entry(call)
    publisher = _publisher(entry)
    # Pause first: nothing is sampled or published again until the household unpauses in the options.
    entry.runtime_data.sampler.status.paused = True
    call.hass.config_entries.async_update_entry(entry, options={**entry.options, CONF_PAUSED: True})
    entry.runtime_data.sampler.async_notify()
    try:
        result = await publisher.async_withdraw()
    except GitHubError as err:
        LOGGER.warning("Withdrawing failed: %s", err)
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key="withdraw_failed",
            translation_placeholders={"reason": type(err).__name__},
        ) from err
    delete_url = settings_url(publisher.web_url, publisher.repository)
    persistent_notification.async_create(
        call.hass,
        f"The household has left the cohort and its data is gone from the head of {publisher.repository}. "
        f"Its history still holds the data until you delete the repository: open [its settings]({delete_url}) "
        'and choose "Delete this repository".',
        title="NEM Flex Telemetry: withdrawn",
        notification_id=f"{DOMAIN}_withdrawn",
    )
    return {"commit": result.commit_sha, "files_removed": len(result.files), "delete_repository_url": delete_url}


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (from async_setup)."""
    hass.services.async_register(
        DOMAIN, SERVICE_PREVIEW, _async_preview, schema=PREVIEW_SCHEMA, supports_response=SupportsResponse.ONLY
    )
    hass.services.async_register(
        DOMAIN,
        SERVICE_PUBLISH_NOW,
        _async_publish_now,
        schema=PREVIEW_SCHEMA,
        supports_response=SupportsResponse.OPTIONAL,
    )
    hass.services.async_register(
        DOMAIN, SERVICE_WITHDRAW, _async_withdraw, schema=WITHDRAW_SCHEMA, supports_response=SupportsResponse.OPTIONAL
    )
