"""Set up and unload the integration (kept apart from ``__init__`` so ``.record`` imports without HA)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryNotReady
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.storage import Store
from homeassistant.helpers.typing import ConfigType
from homeassistant.util import dt as dt_util

from .cohort import CohortWatcher
from .const import (
    CONF_ASSETS,
    CONF_MAPPING,
    CONF_TOKEN,
    DOMAIN,
    ISSUE_HAEO_NOT_FOUND,
    LOGGER,
    MINOR_VERSION_REGISTRY_IDS,
    SERVICE_WITHDRAW,
)
from .discovery import discover
from .entity_refs import to_registry_ids
from .github_api import Token
from .household import HouseholdLedger
from .outbox import Outbox
from .publisher import Publisher
from .runtime import NemFlexConfigEntry, RuntimeData
from .sampler import Sampler
from .services import async_setup_services
from .transport import entry_github_url, make_client, stored_token

PLATFORMS: list[Platform] = [Platform.SENSOR]
# hassfest wants it next to async_setup; __init__ should re-export it (and async_remove_entry).
CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


LEDGER_STORAGE_VERSION = 1
LEDGER_SAVE_DELAY = 60  # seconds: one write per few samples; HA writes what is pending when it stops


def outbox_directory(hass: HomeAssistant, entry_id: str) -> Path:
    """Where an entry's outbox lives."""
    return Path(hass.config.path(".storage", DOMAIN, entry_id))


def ledger_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Where the household's cost totals and recent prices are kept across restarts."""
    return Store(hass, LEDGER_STORAGE_VERSION, f"{DOMAIN}.{entry_id}.household")


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions (once, not per entry)."""
    async_setup_services(hass)
    return True


async def async_migrate_entry(hass: HomeAssistant, entry: NemFlexConfigEntry) -> bool:
    """1.1 stored mapped entities by entity id; 1.2 by registry id, so a renamed entity keeps sampling."""
    if entry.version > 1:
        return False  # written by a newer release: refuse rather than guess
    if entry.minor_version < MINOR_VERSION_REGISTRY_IDS:
        mapping, assets = to_registry_ids(hass, entry.options.get(CONF_MAPPING, {}), entry.options.get(CONF_ASSETS, []))
        options = {**entry.options, CONF_MAPPING: mapping, CONF_ASSETS: assets}
        hass.config_entries.async_update_entry(entry, options=options, minor_version=MINOR_VERSION_REGISTRY_IDS)
        LOGGER.debug("Mapping stored by entity registry id (config entry 1.2)")
    return True


async def async_setup_entry(hass: HomeAssistant, entry: NemFlexConfigEntry) -> bool:
    """Open the outbox, start sampling on the clock, add the sensors."""
    outbox = Outbox(outbox_directory(hass, entry.entry_id))
    try:
        await hass.async_add_executor_job(outbox.load)
    except OSError as err:  # the folder cannot be read at all: Home Assistant retries the set-up
        raise ConfigEntryNotReady(f"Outbox {outbox.directory} not readable: {err}") from err
    sampler = Sampler(hass, entry, outbox)
    entry.runtime_data = RuntimeData(outbox, sampler)
    await _async_keep_ledger(hass, entry, sampler)
    sampler.async_set_issue(ISSUE_HAEO_NOT_FOUND, not discover(hass).found)  # cleared once HAEO appears
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    sampler.async_start()
    entry.async_on_unload(sampler.async_stop)
    token = stored_token(entry.data)
    if token is not None:
        client = make_client(hass, token, entry_github_url(entry.data), _token_saver(hass, entry))
        publisher = Publisher(hass, entry, outbox, sampler, client)
        entry.runtime_data.publisher = publisher
        publisher.async_start()
        entry.async_on_unload(publisher.async_stop)
        cohort = CohortWatcher(hass, entry, sampler)  # the size matters to households that publish
        entry.runtime_data.cohort = cohort
        cohort.async_start()
        entry.async_on_unload(cohort.async_stop)
    return True


async def _async_keep_ledger(hass: HomeAssistant, entry: NemFlexConfigEntry, sampler: Sampler) -> None:
    """Load the household's totals and save them after each sample (and once more when the entry unloads)."""
    store = ledger_store(hass, entry.entry_id)
    ledger = HouseholdLedger.from_dict(await store.async_load())
    ledger.roll(dt_util.now())  # a day that ended while Home Assistant was stopped starts at 0
    sampler.status.household = ledger
    entry.async_on_unload(sampler.async_add_listener(lambda: store.async_delay_save(ledger.as_dict, LEDGER_SAVE_DELAY)))
    entry.runtime_data.household_store = store


def _token_saver(hass: HomeAssistant, entry: NemFlexConfigEntry) -> Callable[[Token], None]:
    """Keep a refreshed token (the old pair stops working) in the entry."""

    def save(token: Token) -> None:
        hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_TOKEN: token.as_dict()})

    return save


async def async_unload_entry(hass: HomeAssistant, entry: NemFlexConfigEntry) -> bool:
    """Unload the sensors and keep the household's totals; the sampler stops through async_on_unload."""
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    store = entry.runtime_data.household_store
    if unloaded and store is not None:
        await store.async_save(entry.runtime_data.sampler.status.household.as_dict())
    return unloaded


async def async_remove_entry(hass: HomeAssistant, entry: NemFlexConfigEntry) -> None:
    """Delete the outbox of a removed entry (nothing left behind); published records stay until withdrawn."""
    LOGGER.info(
        "NEM Flex Telemetry removed: publishing stopped. Records already published stay in the data repository; "
        "to remove them, run the %s.%s action before removing the integration",
        DOMAIN,
        SERVICE_WITHDRAW,
    )
    directory = outbox_directory(hass, entry.entry_id)
    if directory.exists():
        await hass.async_add_executor_job(Outbox(directory).remove)
    await ledger_store(hass, entry.entry_id).async_remove()
