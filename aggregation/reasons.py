"""The fixed vocabulary of quarantine reasons and quality flags, and the bounded tally that reports them.

Every reason the build writes (in ``state.json``, ``quarantine.json`` and ``quality.json``) is one
of the strings below, never text taken from the input (an unknown key's name, a path): so the
reports' size depends on the number of households and files, not on what a file holds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from custom_components.nem_flex_telemetry import record as rec

# At most this many examples (paths, interval starts) per reason and household in any report.
MAX_EXAMPLES: Final = 5
# An example path longer than this is cut (paths outside the layout are chosen by whoever wrote them).
MAX_EXAMPLE_CHARS: Final = 120

WRONG_VERSION: Final = "wrong schema_version"
UNKNOWN_KEY: Final = "unknown key"
INVALID_RECORD: Final = "invalid record"
PLACEHOLDER: Final = "placeholder record"
FIELD_REASONS: Final = tuple(
    f"invalid {name}"
    for name in (
        *rec.RECORD_KEYS,
        *(f"assets.{key}" for key in (*rec.ASSET_FIELDS, *rec.EV_FIELDS)),
    )
    if name != "schema_version"
)
LINE_REASONS: Final = (
    "line too long",
    "nesting too deep",
    "invalid utf-8",
    "invalid json",
    "duplicate key",
    WRONG_VERSION,
    UNKNOWN_KEY,
    INVALID_RECORD,
    *FIELD_REASONS,
    "day differs from file name",
    "future timestamp",
    "before 2025-01-01",
    PLACEHOLDER,
)
# Whole files quarantined: "too large" unread (over read.MAX_FILE_BYTES), "too many lines" unparsed (over
# read.MAX_LINES); "read failed" when reading or
# parsing raised (a parser's RecursionError, a MemoryError of one file...); "check failed" when the
# cross-file checks raised on the file's rows.
FILE_REASONS: Final = ("unreadable", "empty file", "too large", "too many lines", "read failed", "check failed")
PATH_REASONS: Final = ("symlink", "outside layout", "bad household id")
# Quality flags: the record is kept, the count is published.
SIGN_FLIPPED: Final = "balances only with the battery sign flipped"
NO_EFFECTIVE_LIMIT: Final = "limit above connection size"
BASELINE_IS_HOUSE_LOAD: Final = "baseline is house load"
FLAGS: Final = (SIGN_FLIPPED, NO_EFFECTIVE_LIMIT, BASELINE_IS_HOUSE_LOAD)
OTHER: Final = "other"  # a reason not in the vocabulary (from an older state file): counted, never echoed

_KNOWN: Final = frozenset((*LINE_REASONS, *FILE_REASONS, *PATH_REASONS, *FLAGS))


def known(reason: str) -> str:
    """The reason itself if it belongs to the vocabulary, else ``OTHER``."""
    return reason if reason in _KNOWN else OTHER


def example_text(text: str) -> str:
    """A path as an example: undecodable bytes (kept by ``os`` as lone surrogates) written as ``\\xNN``,
    cut to ``MAX_EXAMPLE_CHARS``."""
    clean = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return clean if len(clean) <= MAX_EXAMPLE_CHARS else clean[: MAX_EXAMPLE_CHARS - 3] + "..."


def first_examples(values: Iterable[str]) -> list[str]:
    """The ``MAX_EXAMPLES`` smallest distinct values: the same whichever order they arrived in."""
    return sorted(set(values))[:MAX_EXAMPLES]


@dataclass(slots=True)
class Tally:
    """Counts per reason and at most ``MAX_EXAMPLES`` examples per reason."""

    counts: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def add(self, reason: str, count: int = 1, examples: Iterable[str] = ()) -> None:
        reason = known(reason)
        self.counts[reason] += count
        merged = [*self.examples.get(reason, []), *(example_text(item) for item in examples)]
        if merged:
            self.examples[reason] = first_examples(merged)

    def to_json(self) -> list[dict[str, object]]:
        rows: list[dict[str, object]] = []
        for reason, count in sorted(self.counts.items()):
            row: dict[str, object] = {"reason": reason, "count": count}
            if reason in self.examples:
                row["examples"] = self.examples[reason]
            rows.append(row)
        return rows
