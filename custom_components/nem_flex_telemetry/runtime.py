"""What a loaded entry carries at run time (``entry.runtime_data``)."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .outbox import Outbox
from .sampler import Sampler


@dataclass(slots=True)
class RuntimeData:
    """The outbox (for the transport) and the sampler (status, listeners, issues)."""

    outbox: Outbox
    sampler: Sampler


type NemFlexConfigEntry = ConfigEntry[RuntimeData]
