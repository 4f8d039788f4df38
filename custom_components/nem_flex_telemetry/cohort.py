"""How many households publish: ``cohort_size`` from the published ``status.json``, every few hours.

Only informative, so a failure is logged and the last known size stays: the feed becoming unreachable
and coming back are logged once each (info); a malformed answer is a warning the first time, then debug.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import TYPE_CHECKING

import aiohttp
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_track_time_interval

from .availability import Reachability
from .const import COHORT_REFRESH, CONF_STATUS_URL, DEFAULT_STATUS_URL, LOGGER
from .sampler import Sampler

if TYPE_CHECKING:
    from .runtime import NemFlexConfigEntry

TIMEOUT = aiohttp.ClientTimeout(total=30)


class CohortWatcher:
    """Refreshes the sampler's ``cohort_size`` from status.json."""

    def __init__(self, hass: HomeAssistant, entry: NemFlexConfigEntry, sampler: Sampler) -> None:
        self.hass = hass
        self.entry = entry
        self.sampler = sampler
        self.reachability = Reachability("The cohort feed")
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
                text = await response.text()
        except (aiohttp.ClientError, TimeoutError, UnicodeDecodeError) as err:
            self.reachability.lost(f"{self.url}: {type(err).__name__}")
            return
        self.reachability.back()
        try:
            size = json.loads(text)["cohort_size"]
            if not isinstance(size, int) or isinstance(size, bool):
                raise TypeError("cohort_size is not a whole number")
        except (ValueError, KeyError, TypeError) as err:
            log = LOGGER.debug if self._warned else LOGGER.warning
            log("Cohort size not updated from %s: %s", self.url, type(err).__name__)
            self._warned = True
            return
        self.sampler.status.cohort_size = size
        self.sampler.async_notify()
