"""Every dashboard view in one place: id, file, title, builder and the periods it offers.

The build writes, the tests check and ``views.json`` (``catalogue``) lists exactly these; adding a view
means adding it here, writing its builder and site module, and describing it in docs/VIEWS.md.
A view with ranges is written once per range (``ranges.RANGES``): its default range under
``<id>.json``, the others under ``<id>-<range>.json``.
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
from aggregation.views.ranges import BY_ID, Range


@dataclass(frozen=True, slots=True)
class View:
    id: str
    title: str
    build: Callable[[common.Inputs, Range | None], dict[str, Any]]
    ranges: tuple[str, ...]  # range ids offered; () for a view without a period choice
    default_range: str | None

    @property
    def file(self) -> str:
        """The default file (the default range's, or the only one)."""
        return f"{self.id}.json"

    def files(self) -> dict[str | None, str]:
        """Range id (None for a view without ranges) -> file name."""
        if not self.ranges:
            return {None: self.file}
        return {rid: self.file if rid == self.default_range else f"{self.id}-{rid}.json" for rid in self.ranges}

    def outputs(self) -> list[tuple[str, Range | None]]:
        """(file name, range) for every file the view is written as."""
        return [(name, None if rid is None else BY_ID[rid]) for rid, name in self.files().items()]


def _view(module: Any) -> View:
    ranges: tuple[str, ...] = getattr(module, "RANGES", ())
    default: str | None = getattr(module, "DEFAULT_RANGE", None)
    if (default is None) != (not ranges) or (default is not None and default not in ranges):
        raise ValueError(f"{module.ID}: default range {default!r} is not one of its ranges {ranges}")
    return View(module.ID, module.TITLE, module.build, ranges, default)


REGISTRY: Final = tuple(
    _view(module)
    for module in (status, flex, price_response, curtailment, ledger, spread, assets, shadow, quality, standing)
)
