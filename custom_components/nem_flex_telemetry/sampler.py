"""The clock-aligned sampler: one record per UTC 5-minute boundary, kept in the outbox.

At :00, :05, ... :55 UTC (second 0) it builds the record for the interval that starts at
that boundary, validates it, and appends it to the outbox before anything else happens.
Skipped and invalid intervals are counted with their reason; sources going unusable and
coming back are logged once each.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_track_utc_time_change
from homeassistant.util import dt as dt_util

from .builder import EvMemory, Identity, SkipInterval, build_record
from .const import (
    ASSET_ENTITY_KEYS,
    CONF_ASSETS,
    CONF_MAPPING,
    CONF_PAUSED,
    CONF_POSTCODE_PREFIX,
    CONF_REGION,
    DOMAIN,
    HAEO_FAILING_AFTER,
    ISSUE_CLOCK_AHEAD,
    ISSUE_DISK_FULL,
    ISSUE_ENTITY_GONE,
    ISSUE_HAEO_FAILING,
    ISSUE_HAEO_NOT_FOUND,
    ISSUE_OUTBOX_UNREADABLE,
    LOGGER,
    MAP_ENTITY_KEYS,
    MAP_IMPORT_PRICE,
    MAP_LIST_KEYS,
    MAP_OPTIMIZER_STATUS,
    PUBLISHING_ACTIVE,
    PUBLISHING_NEEDS_ATTENTION,
    PUBLISHING_PAUSED,
)
from .discovery import discover
from .entity_refs import to_entity_ids
from .household import HouseholdLedger, forecast_at
from .outbox import BAD_FILE, DuplicateIntervalError, Outbox, is_disk_full
from .record import CLOCK_TOLERANCE, INTERVAL, RecordInvalidError, canonical_json, format_utc, interval_start
from .standing import RegionStanding
from .units import UnitError, to_per_kwh

if TYPE_CHECKING:
    from .runtime import NemFlexConfigEntry  # runtime imports this module

BOUNDARY_SLACK = timedelta(seconds=30)


@dataclass(slots=True)
class Status:
    """What the sensors show. Upload fields stay None until the transport fills them."""

    last_sample: datetime | None = None
    day: date | None = None
    sampled_today: int = 0
    skipped_today: int = 0
    last_skip_reason: str | None = None
    invalid_total: int = 0
    outbox_pending: int = 0
    outbox_dropped: int = 0
    last_upload: datetime | None = None
    last_upload_status: str | None = None
    records_published: int = 0
    cohort_size: int | None = None
    upload_needs_attention: bool = False
    paused: bool = False
    issues: set[str] = field(default_factory=set)
    interval: datetime | None = None  # the interval of the newest sampling attempt
    household: HouseholdLedger = field(default_factory=HouseholdLedger)
    standing: RegionStanding | None = None  # the region's published quantiles, from the cohort feed

    @property
    def publishing_state(self) -> str:
        """active / paused / needs_attention."""
        if self.paused:
            return PUBLISHING_PAUSED
        if self.issues or self.upload_needs_attention:
            return PUBLISHING_NEEDS_ATTENTION
        return PUBLISHING_ACTIVE


def identity_of(entry: NemFlexConfigEntry) -> Identity:
    """The household identity stored in an entry."""
    return Identity(entry.data[CONF_REGION], entry.data[CONF_POSTCODE_PREFIX])


def mapped_entities(mapping: Mapping[str, Any], assets: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every entity id the mapping and the assets refer to."""
    found = [mapping[key] for key in MAP_ENTITY_KEYS if mapping.get(key)]
    for key in MAP_LIST_KEYS:
        found.extend(mapping.get(key, []))
    for asset in assets:
        found.extend(asset[key] for key in ASSET_ENTITY_KEYS if asset.get(key))
    return found


def preview(
    hass: HomeAssistant, identity: Identity, mapping: Mapping[str, Any], assets: Sequence[Mapping[str, Any]]
) -> tuple[str | None, str | None]:
    """The canonical JSON line that would be published now, or the reason there is none."""
    now = dt_util.utcnow()
    try:
        record = build_record(hass, identity, mapping, assets, interval_start(now), EvMemory(), now)
        return canonical_json(record), None
    except SkipInterval as skip:
        return None, skip.reason
    except RecordInvalidError as err:
        return None, str(err)


class Sampler:
    """Samples on the clock, persists into the outbox, keeps Status and repair issues current."""

    def __init__(self, hass: HomeAssistant, entry: NemFlexConfigEntry, outbox: Outbox) -> None:
        self.hass = hass
        self.entry = entry
        self.outbox = outbox
        self.status = Status(paused=bool(entry.options.get(CONF_PAUSED)))
        self.memory = EvMemory()
        self._listeners: list[Callable[[], None]] = []
        self._unsub: CALLBACK_TYPE | None = None
        self._logged_reasons: set[str] = set()
        self._unavailable_logged = False
        self._outbox_error: str | None = None
        self._haeo_failing_since: datetime | None = None
        self._lock = asyncio.Lock()

    def _in_use(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The stored mapping and assets, their registry ids resolved to the current entity ids."""
        return to_entity_ids(
            self.hass, self.entry.options.get(CONF_MAPPING, {}), self.entry.options.get(CONF_ASSETS, [])
        )

    @property
    def mapping(self) -> Mapping[str, Any]:
        """The entity mapping in use (current entity ids)."""
        return self._in_use()[0]

    @property
    def assets(self) -> Sequence[Mapping[str, Any]]:
        """The assets in use (current entity ids)."""
        return self._in_use()[1]

    @callback
    def async_start(self) -> None:
        """Sample at every UTC 5-minute boundary from now on."""
        self._refresh_outbox_status()
        if self.outbox.bad_found:  # shown until the next start; the count stays in the diagnostics
            self._issue(ISSUE_OUTBOX_UNREADABLE, True, {"count": str(self.outbox.bad_found), "file": BAD_FILE})
        self._check_clock(dt_util.utcnow())
        self._unsub = async_track_utc_time_change(self.hass, self._async_tick, minute=range(0, 60, 5), second=0)

    @callback
    def async_stop(self) -> None:
        """Stop sampling (unload)."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None

    @callback
    def async_add_listener(self, listener: Callable[[], None]) -> CALLBACK_TYPE:
        """Call ``listener`` whenever Status changes; returns the remover."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    @callback
    def async_notify(self) -> None:
        """Tell the entities that Status changed (the transport calls this too)."""
        for listener in list(self._listeners):
            listener()

    @callback
    def async_set_upload_result(self, when: datetime | None, status: str, *, needs_attention: bool) -> None:
        """For the transport: record the outcome of an upload attempt (``when``: the last successful one)."""
        self.status.last_upload = when
        self.status.last_upload_status = status
        self.status.upload_needs_attention = needs_attention
        self._refresh_outbox_status()
        self.async_notify()

    def _refresh_outbox_status(self) -> None:
        self.status.outbox_pending = self.outbox.pending_count()
        self.status.outbox_dropped = self.outbox.dropped

    async def _async_tick(self, now: datetime) -> None:
        await self.async_sample(now)

    async def async_sample(self, now: datetime) -> bool:
        """Sample the interval starting at the boundary ``now`` falls in; True when a record was kept."""
        if self.status.paused:  # paused: nothing is sampled, so nothing is published later either
            return False
        # A timer that fires a hair before the boundary still belongs to it.
        interval = interval_start(now + BOUNDARY_SLACK)
        today = interval.date()
        if self.status.day != today:
            self.status.day, self.status.sampled_today, self.status.skipped_today = today, 0, 0
        self.status.interval = interval
        self.status.household.roll(dt_util.as_local(interval))
        self._check_sources(now)
        async with self._lock:  # one sample at a time, so records reach the outbox in order
            kept = await self._async_keep(interval, now)
        self._refresh_outbox_status()
        self.async_notify()
        return kept

    async def _async_keep(self, interval: datetime, now: datetime) -> bool:
        try:
            record = build_record(
                self.hass, identity_of(self.entry), self.mapping, self.assets, interval, self.memory, now
            )
            line = canonical_json(record)
        except SkipInterval as skip:
            self._skip(skip.reason, invalid=False)
            return False
        except RecordInvalidError as err:
            self._skip(f"invalid record: {err}", invalid=True)
            return False
        published = json.loads(line)  # the canonical values, as the aggregation will read them
        try:
            await self.hass.async_add_executor_job(self.outbox.append, published["interval_start_utc"], line, now)
        except DuplicateIntervalError as err:
            self._skip(f"duplicate interval: {err}", invalid=False)
            return False
        except OSError as err:  # nothing was kept; the next boundary tries again by itself
            self._outbox_failed(err)
            return False
        finally:
            self._check_clock(now)
        self._outbox_written()
        self.status.household.add(published, dt_util.get_default_time_zone())
        self.status.household.next_price = self._next_price(interval + INTERVAL)
        if self._unavailable_logged:
            LOGGER.info("HAEO inputs are usable again; sampling resumed")
            self._unavailable_logged = False
        self.status.last_sample = interval
        self.status.sampled_today += 1
        return True

    def _next_price(self, moment: datetime) -> float | None:
        """The buy price ($/kWh) the mapped price input forecasts for ``moment``, if it carries a forecast."""
        state = self.hass.states.get(self.mapping.get(MAP_IMPORT_PRICE) or "")
        value = None if state is None else forecast_at(state.attributes.get("forecast"), moment)
        if value is None or state is None:
            return None
        try:
            return to_per_kwh(value, state.attributes.get("unit_of_measurement"))
        except UnitError:
            return None

    def _skip(self, reason: str, *, invalid: bool) -> None:
        self.status.skipped_today += 1
        self.status.last_skip_reason = reason
        if invalid:
            self.status.invalid_total += 1
            if reason not in self._logged_reasons:  # once per distinct reason
                self._logged_reasons.add(reason)
                LOGGER.error("Record not kept: %s", reason)
        elif not self._unavailable_logged:
            self._unavailable_logged = True
            LOGGER.warning("Interval skipped, and others until inputs return: %s", reason)

    def _outbox_failed(self, err: OSError) -> None:
        self._issue(ISSUE_DISK_FULL, is_disk_full(err), {"folder": str(self.outbox.directory), "error": str(err)})
        reason = f"outbox not writable: {err.strerror or err}"
        self.status.skipped_today += 1
        self.status.last_skip_reason = reason
        if self._outbox_error != reason:  # once per distinct failure, until a write works again
            self._outbox_error = reason
            LOGGER.error("Interval not kept, the outbox could not be written: %s", err)

    def _outbox_written(self) -> None:
        self._issue(ISSUE_DISK_FULL, False)
        if self._outbox_error is not None:
            LOGGER.info("The outbox is writable again; sampling resumed")
            self._outbox_error = None

    # Repairs ------------------------------------------------------------------
    def _check_clock(self, now: datetime) -> None:
        """A repair while the outbox holds a record stamped further ahead of ``now`` than allowed."""
        latest = self.outbox.latest
        ahead = Outbox.clock_was_ahead(latest, now)
        if ahead and ISSUE_CLOCK_AHEAD not in self.status.issues:
            LOGGER.warning("Records stamped up to %s are ahead of this system's clock (%s)", latest, format_utc(now))
        placeholders = {
            "latest": str(latest),
            "now": format_utc(now),
            "tolerance": str(int(CLOCK_TOLERANCE.total_seconds() // 60)),
        }
        self._issue(ISSUE_CLOCK_AHEAD, ahead, placeholders)

    def _check_sources(self, now: datetime) -> None:
        if ISSUE_HAEO_NOT_FOUND in self.status.issues:  # re-read the registry only while HAEO is missing
            self._issue(ISSUE_HAEO_NOT_FOUND, not discover(self.hass).found)
        self._check_gone()
        self._check_haeo_failing(now)

    def _issue(self, issue_id: str, active: bool, placeholders: dict[str, str] | None = None) -> None:
        full_id = f"{issue_id}_{self.entry.entry_id}"
        if active:
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                full_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=issue_id,
                translation_placeholders=placeholders,
            )
            self.status.issues.add(issue_id)
        elif issue_id in self.status.issues:
            ir.async_delete_issue(self.hass, DOMAIN, full_id)
            self.status.issues.discard(issue_id)

    @callback
    def async_set_issue(self, issue_id: str, active: bool, placeholders: dict[str, str] | None = None) -> None:
        """Raise or clear one of this entry's repair issues."""
        self._issue(issue_id, active, placeholders)

    def _check_gone(self) -> None:
        registry = er.async_get(self.hass)
        gone = [
            entity_id
            for entity_id in mapped_entities(self.mapping, self.assets)
            if self.hass.states.get(entity_id) is None and registry.async_get(entity_id) is None
        ]
        self._issue(ISSUE_ENTITY_GONE, bool(gone), {"entities": ", ".join(gone)})

    def _check_haeo_failing(self, now: datetime) -> None:
        status_entity = self.mapping.get(MAP_OPTIMIZER_STATUS)
        if not status_entity:
            return
        state = self.hass.states.get(status_entity)
        failing = state is None or state.state in ("failed", STATE_UNAVAILABLE, STATE_UNKNOWN)
        if not failing:
            self._haeo_failing_since = None
        elif self._haeo_failing_since is None:
            self._haeo_failing_since = now
        long_failing = self._haeo_failing_since is not None and now - self._haeo_failing_since >= HAEO_FAILING_AFTER
        self._issue(ISSUE_HAEO_FAILING, long_failing, {"entity": status_entity})
