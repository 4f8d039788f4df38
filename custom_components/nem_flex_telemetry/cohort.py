"""The cohort feed, hourly: ``cohort_size`` and the region standing from the published ``standing.json``.

Only informative, so a failure is logged and the last known size stays: the feed becoming unreachable
and coming back are logged once each (info); a malformed answer is a warning the first time, then debug.
"""

from __future__ import annotations

import json
from datetime import datetime
from http import HTTPStatus
from typing import TYPE_CHECKING

import aiohttp
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_track_time_interval

from .availability import Reachability
from .const import COHORT_REFRESH, CONF_REGION, CONF_STATUS_URL, DEFAULT_STATUS_URL, LOGGER
from .sampler import Sampler
from .standing import region_standing

if TYPE_CHECKING:
    from .runtime import NemFlexConfigEntry

TIMEOUT = aiohttp.ClientTimeout(total=30)


class CohortWatcher:
    """Refreshes the sampler's ``cohort_size`` and the household's region standing from the cohort feed.

    One conditional request an hour: an unchanged feed is answered 304 and nothing is read again.
    """

    def __init__(self, hass: HomeAssistant, entry: NemFlexConfigEntry, sampler: Sampler) -> None:
        self.hass = hass
        self.entry = entry
        self.sampler = sampler
        self.reachability = Reachability("The cohort feed")
        self._warned = False
        self._etag: str | None = None
        self._unsub: CALLBACK_TYPE | None = None

    @property
    def url(self) -> str:
        return str(self.entry.options.get(CONF_STATUS_URL) or DEFAULT_STATUS_URL)

    @callback
    def async_start(self) -> None:
        """Refresh every hour (not at start-up: nothing waits for it)."""
        self._unsub = async_track_time_interval(self.hass, self._async_tick, COHORT_REFRESH)

    @callback
    def async_stop(self) -> None:
        if self._unsub is not None:
            self._unsub()
            self._unsub = None

    async def _async_tick(self, now: datetime) -> None:
        await self.async_refresh()

    async def async_refresh(self) -> None:
        """Fetch the feed (conditionally); keep the last figures when that fails."""
        headers = {"If-None-Match": self._etag} if self._etag else {}
        try:
            async with async_get_clientsession(self.hass).get(self.url, timeout=TIMEOUT, headers=headers) as response:
                if response.status == HTTPStatus.NOT_MODIFIED:
                    self.reachability.back()
                    return
                response.raise_for_status()
                text = await response.text()
                etag = response.headers.get("ETag")
        except (aiohttp.ClientError, TimeoutError, UnicodeDecodeError) as err:
            self.reachability.lost(f"{self.url}: {type(err).__name__}")
            return
        self.reachability.back()
        try:
            feed = json.loads(text)
            size = feed["cohort_size"]
            if not isinstance(size, int) or isinstance(size, bool):
                raise TypeError("cohort_size is not a whole number")
        except (ValueError, KeyError, TypeError) as err:
            log = LOGGER.debug if self._warned else LOGGER.warning
            log("Cohort size not updated from %s: %s", self.url, type(err).__name__)
            self._warned = True
            return
        self._etag = etag
        self.sampler.status.cohort_size = size
        # None where the region is suppressed or the feed has no standing (an older status.json).
        self.sampler.status.standing = region_standing(feed, str(self.entry.data[CONF_REGION]))
        self.sampler.async_notify()
