"""Sensors showing that data flows, and why not when it does not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import SensorDeviceClass, SensorEntity, SensorEntityDescription, SensorStateClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.typing import StateType

from .const import PUBLISHING_ACTIVE, PUBLISHING_NEEDS_ATTENTION, PUBLISHING_PAUSED
from .entity import NemFlexEntity
from .runtime import NemFlexConfigEntry
from .sampler import Status

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class NemFlexSensorEntityDescription(SensorEntityDescription):
    """A sensor and how its value comes from the status."""

    value_fn: Callable[[Status], StateType | datetime]


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


async def async_setup_entry(
    hass: HomeAssistant, entry: NemFlexConfigEntry, async_add_entities: AddConfigEntryEntitiesCallback
) -> None:
    """Add the household's sensors."""
    async_add_entities(NemFlexSensor(entry, description) for description in SENSORS)


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
