"""Every dashboard view in one place: id, file, title and builder.

The build writes, the tests check and the site's manifest lists exactly these; adding a view
means adding it here, writing its builder and site module, and describing it in docs/VIEWS.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from aggregation.views import (
    assets,
    common,
    curtailment,
    flex,
    ledger,
    price_response,
    quality,
    shadow,
    spread,
    standing,
    status,
)


@dataclass(frozen=True, slots=True)
class View:
    id: str
    title: str
    build: Callable[[common.Inputs], dict[str, Any]]

    @property
    def file(self) -> str:
        return f"{self.id}.json"


REGISTRY: Final = tuple(
    View(module.ID, module.TITLE, module.build)
    for module in (status, flex, price_response, curtailment, ledger, spread, assets, shadow, quality, standing)
)
