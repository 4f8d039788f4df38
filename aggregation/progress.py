"""A one-line progress bar on stderr, drawn only when stderr is a terminal (build and ingest)."""

from __future__ import annotations

import sys


class Progress:
    def __init__(self, total: int, unit: str = "files") -> None:
        self.total = max(total, 1)
        self.done = 0
        self.unit = unit
        self.enabled = sys.stderr.isatty()

    def advance(self, step: int) -> None:
        self.done += step
        if self.enabled:
            filled = int(30 * self.done / self.total)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.done}/{self.total} {self.unit}")
            sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
