"""Base entity: one device per household, updated when the sampler's status changes."""

from __future__ import annotations

from homeassistant.helpers.device_registry import DeviceEntryType, DeviceInfo
from homeassistant.helpers.entity import Entity

from .const import DOMAIN
from .runtime import NemFlexConfigEntry
from .sampler import Sampler


class NemFlexEntity(Entity):
    """An entity of the household device; pushed, never polled."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, entry: NemFlexConfigEntry) -> None:
        self.sampler: Sampler = entry.runtime_data.sampler
        self._attr_device_info = DeviceInfo(
            identifiers={(DOMAIN, entry.entry_id)},
            name="NEM Flex Telemetry",
            manufacturer="NEM Flex Telemetry",
            entry_type=DeviceEntryType.SERVICE,
        )

    async def async_added_to_hass(self) -> None:
        """Follow the sampler's status (entity-event-setup)."""
        await super().async_added_to_hass()
        self.async_on_remove(self.sampler.async_add_listener(self.async_write_ha_state))
