"""What a loaded entry carries at run time (``entry.runtime_data``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.helpers.storage import Store

from .cohort import CohortWatcher
from .outbox import Outbox
from .publisher import Publisher
from .sampler import Sampler


@dataclass(slots=True)
class RuntimeData:
    """The outbox, the sampler (status, listeners, issues), the publisher (None until signed in to GitHub),
    and the store of the household's cost totals."""

    outbox: Outbox
    sampler: Sampler
    publisher: Publisher | None = None
    cohort: CohortWatcher | None = None
    household_store: Store[dict[str, Any]] | None = None


type NemFlexConfigEntry = ConfigEntry[RuntimeData]
