"""Sensors: that data flows (and why not when it does not), and what the household's energy costs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorEntityDescription, SensorStateClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType
from homeassistant.util import dt as dt_util

from .const import PUBLISHING_ACTIVE, PUBLISHING_NEEDS_ATTENTION, PUBLISHING_PAUSED
from .entity import NemFlexEntity
from .household import PRICE_LEVELS, PRICE_MIN_SAMPLES, PRICE_QUANTILES, PRICE_WINDOW, Latest, Period
from .runtime import NemFlexConfigEntry
from .sampler import Status
from .standing import MEASURES, QUANTILES, WINDOW_DAYS, Measure, Placement, place

PARALLEL_UPDATES = 0


CURRENCY: Final = "AUD"  # the NEM trades in Australian dollars, and so do its retailers
CENTS: Final = 100
PRICE_UNIT: Final = "c/kWh"  # how Australian tariffs are quoted; records keep $/kWh


@dataclass(frozen=True, kw_only=True)
class NemFlexSensorEntityDescription(SensorEntityDescription):
    """A sensor and how its value (and, where it has them, availability, reset and attributes) come from the status."""

    value_fn: Callable[[Status], StateType | datetime]
    available_fn: Callable[[Status], bool] = lambda status: True
    last_reset_fn: Callable[[Status], datetime | None] = lambda status: None
    attributes_fn: Callable[[Status], Mapping[str, Any] | None] = lambda status: None


def _current(status: Status) -> Latest | None:
    """The newest record, when it is for the interval being sampled now (else the 'now' sensors are unavailable)."""
    return None if status.interval is None else status.household.current(status.interval)


def _cents(dollars: float | None) -> float | None:
    return None if dollars is None else round(dollars * CENTS, 2)


def _period_start(status: Status, period: Period) -> datetime | None:
    totals = status.household.totals.get(period)
    return None if totals is None else dt_util.parse_datetime(totals.start)


BASELINE_METHOD_TEXT: Final = {
    "subtraction": "net import without the home batteries' power (SCHEMA.md, naive_baseline_kw)",
    "haeo_counterfactual": "HAEO's own run without flexibility",
}
PERIOD_NAMES: Final[Mapping[Period, str]] = {"hour": "hour", "day": "today", "month": "month"}


def _money_attributes(period: Period, *, saving: bool) -> Callable[[Status], Mapping[str, Any]]:
    def attributes(status: Status) -> Mapping[str, Any]:
        totals = status.household.totals.get(period)
        shown: dict[str, Any] = {"intervals": 0 if totals is None else totals.intervals}
        if saving:
            method = None if status.household.latest is None else status.household.latest.baseline_method
            shown |= {"baseline_method": method, "baseline": BASELINE_METHOD_TEXT.get(method or "")}
        return shown

    return attributes


def _money(key: str, period: Period, field_name: str) -> NemFlexSensorEntityDescription:
    """A money total of one local period: monetary, ``total``, reset at the period's start."""

    def value(status: Status) -> float | None:
        totals = status.household.totals.get(period)
        return None if totals is None else round(getattr(totals, field_name), 4)

    return NemFlexSensorEntityDescription(
        key=key,
        translation_key=key,
        device_class=SensorDeviceClass.MONETARY,
        state_class=SensorStateClass.TOTAL,
        native_unit_of_measurement=CURRENCY,
        suggested_display_precision=2,
        value_fn=value,
        last_reset_fn=lambda status: _period_start(status, period),
        attributes_fn=_money_attributes(period, saving=field_name == "saving_aud"),
    )


def _price_level_attributes(status: Status) -> Mapping[str, Any]:
    thresholds = status.household.price_thresholds()
    low, median, high = (None, None, None) if thresholds is None else thresholds
    return {
        "cheap_at_or_below": _cents(low),
        "median": _cents(median),
        "expensive_at_or_above": _cents(high),
        "unit": PRICE_UNIT,
        "percentiles": [round(share * 100) for share in PRICE_QUANTILES],
        "window_days": PRICE_WINDOW.days,
        "samples": status.household.price_samples(),
        "samples_needed": PRICE_MIN_SAMPLES,
    }


def _price_level(status: Status) -> str | None:
    latest = _current(status)
    return None if latest is None else status.household.price_level(latest.price_buy)


MONEY_SENSORS: tuple[NemFlexSensorEntityDescription, ...] = (
    *(_money(f"import_cost_{name}", period, "import_cost_aud") for period, name in PERIOD_NAMES.items()),
    *(_money(f"export_value_{name}", period, "export_value_aud") for period, name in PERIOD_NAMES.items()),
    _money("net_cost_today", "day", "net_cost_aud"),
    _money("saving_today", "day", "saving_aud"),
    _money("saving_month", "month", "saving_aud"),
    NemFlexSensorEntityDescription(
        key="cost_rate",
        translation_key="cost_rate",
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=f"{CURRENCY}/h",
        suggested_display_precision=2,
        value_fn=lambda status: None if (latest := _current(status)) is None else round(latest.cost_rate_aud_per_h, 4),
        available_fn=lambda status: _current(status) is not None,
    ),
    NemFlexSensorEntityDescription(
        key="price_now",
        translation_key="price_now",
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PRICE_UNIT,
        suggested_display_precision=1,
        value_fn=lambda status: None if (latest := _current(status)) is None else _cents(latest.price_buy),
        available_fn=lambda status: _current(status) is not None,
    ),
    NemFlexSensorEntityDescription(
        key="price_next",
        translation_key="price_next",
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement=PRICE_UNIT,
        suggested_display_precision=1,
        value_fn=lambda status: _cents(status.household.next_price),
        available_fn=lambda status: _current(status) is not None and status.household.next_price is not None,
    ),
    NemFlexSensorEntityDescription(
        key="price_level",
        translation_key="price_level",
        device_class=SensorDeviceClass.ENUM,
        options=list(PRICE_LEVELS),
        value_fn=_price_level,
        available_fn=lambda status: _current(status) is not None,
        attributes_fn=_price_level_attributes,
    ),
)


SENSORS: tuple[NemFlexSensorEntityDescription, ...] = (
    NemFlexSensorEntityDescription(
        key="publishing_state",
        translation_key="publishing_state",
        device_class=SensorDeviceClass.ENUM,
        options=[PUBLISHING_ACTIVE, PUBLISHING_PAUSED, PUBLISHING_NEEDS_ATTENTION],
        value_fn=lambda status: status.publishing_state,
    ),
    NemFlexSensorEntityDescription(
        key="last_sample",
        translation_key="last_sample",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda status: status.last_sample,
    ),
    NemFlexSensorEntityDescription(
        key="outbox_size",
        translation_key="outbox_size",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda status: status.outbox_pending,
    ),
    NemFlexSensorEntityDescription(
        key="outbox_dropped",
        translation_key="outbox_dropped",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda status: status.outbox_dropped,
    ),
    NemFlexSensorEntityDescription(
        key="sampled_today",
        translation_key="sampled_today",
        state_class=SensorStateClass.TOTAL,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda status: status.sampled_today,
    ),
    NemFlexSensorEntityDescription(
        key="skipped_today",
        translation_key="skipped_today",
        state_class=SensorStateClass.TOTAL,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda status: status.skipped_today,
    ),
    NemFlexSensorEntityDescription(
        key="last_skip_reason",
        translation_key="last_skip_reason",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda status: None if status.last_skip_reason is None else status.last_skip_reason[:255],
    ),
    NemFlexSensorEntityDescription(
        key="last_upload",
        translation_key="last_upload",
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=lambda status: status.last_upload,
    ),
    NemFlexSensorEntityDescription(
        key="records_published",
        translation_key="records_published",
        state_class=SensorStateClass.TOTAL_INCREASING,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda status: status.records_published,
    ),
    NemFlexSensorEntityDescription(
        key="cohort_size",
        translation_key="cohort_size",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda status: status.cohort_size,
    ),
    NemFlexSensorEntityDescription(
        key="last_upload_status",
        translation_key="last_upload_status",
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=lambda status: status.last_upload_status,
    ),
)


def _placement(status: Status, measure: Measure) -> tuple[float | None, Placement | None]:
    """This household's value of ``measure`` and where it falls among its region's published quantiles."""
    own = status.household.own_measures()[measure.key]
    standing = status.standing
    if own is None or standing is None:
        return own, None
    return own, place(own, standing.quantiles[measure.key])


def _standing_attributes(measure: Measure) -> Callable[[Status], Mapping[str, Any]]:
    def attributes(status: Status) -> Mapping[str, Any]:
        own, placement = _placement(status, measure)
        standing = status.standing
        points = None if standing is None else standing.quantiles[measure.key]
        return {
            "measure": measure.title,
            "own_value": None if own is None else round(own, 4),
            "unit": measure.unit,
            "region": None if standing is None else standing.region,
            "region_households": None if standing is None else standing.households,
            "region_median": None if points is None else points[QUANTILES.index(0.5)],
            "region_quantiles": None
            if points is None
            else dict(zip((f"p{round(q * 100)}" for q in QUANTILES), points, strict=True)),
            "region_period": None if standing is None else standing.period,
            "beyond_published_quantiles": None if placement is None else placement.beyond,
            "own_window_days": WINDOW_DAYS,
        }

    return attributes


def _standing(measure: Measure) -> NemFlexSensorEntityDescription:
    """This household's percentile in its region for one measure; unavailable where the region is suppressed."""
    return NemFlexSensorEntityDescription(
        key=f"standing_{measure.key}",
        translation_key=f"standing_{measure.key}",
        state_class=SensorStateClass.MEASUREMENT,
        native_unit_of_measurement="%",
        suggested_display_precision=0,
        value_fn=lambda status: (
            None if (found := _placement(status, measure)[1]) is None else round(found.percentile, 1)
        ),
        available_fn=lambda status: _placement(status, measure)[1] is not None,
        attributes_fn=_standing_attributes(measure),
    )


STANDING_SENSORS: tuple[NemFlexSensorEntityDescription, ...] = tuple(_standing(measure) for measure in MEASURES)


async def async_setup_entry(
    hass: HomeAssistant, entry: NemFlexConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the household's sensors."""
    async_add_entities(
        NemFlexSensor(entry, description) for description in (*SENSORS, *MONEY_SENSORS, *STANDING_SENSORS)
    )


class NemFlexSensor(NemFlexEntity, SensorEntity):
    """One status sensor, described by a NemFlexSensorEntityDescription."""

    entity_description: NemFlexSensorEntityDescription

    def __init__(self, entry: NemFlexConfigEntry, description: NemFlexSensorEntityDescription) -> None:
        super().__init__(entry)
        self.entity_description = description
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"

    @property
    def native_value(self) -> StateType | datetime:
        """The value from the sampler's status."""
        return self.entity_description.value_fn(self.sampler.status)

    @property
    def available(self) -> bool:
        """'Now' sensors are unavailable (not zero) while the current interval could not be sampled."""
        return self.entity_description.available_fn(self.sampler.status)

    @property
    def last_reset(self) -> datetime | None:
        """The local start of the hour, day or month a money total counts from."""
        return self.entity_description.last_reset_fn(self.sampler.status)

    @property
    def extra_state_attributes(self) -> Mapping[str, Any] | None:
        return self.entity_description.attributes_fn(self.sampler.status)
