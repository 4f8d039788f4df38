"""How many households publish: ``cohort_size`` from the published ``status.json``, every few hours.

Only informative, so a failure is logged (a warning the first time, then debug) and the
last known size stays.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import aiohttp
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_track_time_interval

from .const import COHORT_REFRESH, CONF_STATUS_URL, DEFAULT_STATUS_URL, LOGGER
from .sampler import Sampler

TIMEOUT = aiohttp.ClientTimeout(total=30)


class CohortWatcher:
    """Refreshes the sampler's ``cohort_size`` from status.json."""

    def __init__(self, hass: HomeAssistant, entry: ConfigEntry[Any], sampler: Sampler) -> None:
        self.hass = hass
        self.entry = entry
        self.sampler = sampler
        self._warned = False
        self._unsub: CALLBACK_TYPE | None = None

    @property
    def url(self) -> str:
        return str(self.entry.options.get(CONF_STATUS_URL) or DEFAULT_STATUS_URL)

    @callback
    def async_start(self) -> None:
        """Refresh every few hours (not at start-up: nothing waits for it)."""
        self._unsub = async_track_time_interval(self.hass, self._async_tick, COHORT_REFRESH)

    @callback
    def async_stop(self) -> None:
        if self._unsub is not None:
            self._unsub()
            self._unsub = None

    async def _async_tick(self, now: datetime) -> None:
        await self.async_refresh()

    async def async_refresh(self) -> None:
        """Fetch status.json; keep the last size when that fails."""
        try:
            async with async_get_clientsession(self.hass).get(self.url, timeout=TIMEOUT) as response:
                response.raise_for_status()
                status = await response.json(content_type=None)
            size = status["cohort_size"]
            if not isinstance(size, int) or isinstance(size, bool):
                raise TypeError("cohort_size is not a whole number")
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyError, TypeError) as err:
            log = LOGGER.debug if self._warned else LOGGER.warning
            log("Cohort size not updated from %s: %s", self.url, type(err).__name__)
            self._warned = True
            return
        self.sampler.status.cohort_size = size
        self.sampler.async_notify()
