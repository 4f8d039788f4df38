"""Set up and unload the integration (kept apart from ``__init__`` so ``.record`` imports without HA)."""

from __future__ import annotations

from pathlib import Path

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType

from .const import DOMAIN, ISSUE_HAEO_NOT_FOUND
from .discovery import discover
from .outbox import Outbox
from .runtime import NemFlexConfigEntry, RuntimeData
from .sampler import Sampler
from .services import async_setup_services

PLATFORMS: list[Platform] = [Platform.SENSOR]
# hassfest wants it next to async_setup; __init__ should re-export it (and async_remove_entry).
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


def outbox_directory(hass: HomeAssistant, entry_id: str) -> Path:
    """Where an entry's outbox lives."""
    return Path(hass.config.path(".storage", DOMAIN, entry_id))


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions (once, not per entry)."""
    async_setup_services(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: NemFlexConfigEntry) -> bool:
    """Open the outbox, start sampling on the clock, add the sensors."""
    outbox = Outbox(outbox_directory(hass, entry.entry_id))
    await hass.async_add_executor_job(outbox.load)
    sampler = Sampler(hass, entry, outbox)
    entry.runtime_data = RuntimeData(outbox, sampler)
    sampler.async_set_issue(ISSUE_HAEO_NOT_FOUND, not discover(hass).found)  # cleared once HAEO appears
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    sampler.async_start()
    entry.async_on_unload(sampler.async_stop)
    return True


async def async_unload_entry(hass: HomeAssistant, entry: NemFlexConfigEntry) -> bool:
    """Unload the sensors; the sampler stops through async_on_unload."""
    return await hass.config_entries.async_unload_platforms(entry, PLATFORMS)


async def async_remove_entry(hass: HomeAssistant, entry: NemFlexConfigEntry) -> None:
    """Delete the outbox of a removed entry (nothing left behind)."""
    directory = outbox_directory(hass, entry.entry_id)
    if directory.exists():
        await hass.async_add_executor_job(Outbox(directory).remove)
