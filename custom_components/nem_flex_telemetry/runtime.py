"""What a loaded entry carries at run time (``entry.runtime_data``)."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.config_entries import ConfigEntry

from .cohort import CohortWatcher
from .outbox import Outbox
from .publisher import Publisher
from .sampler import Sampler


@dataclass(slots=True)
class RuntimeData:
    """The outbox, the sampler (status, listeners, issues) and the publisher (None until signed in to GitHub)."""

    outbox: Outbox
    sampler: Sampler
    publisher: Publisher | None = None
    cohort: CohortWatcher | None = None


type NemFlexConfigEntry = ConfigEntry[RuntimeData]
