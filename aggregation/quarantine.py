"""The quarantine report: what was rejected or dropped, per household and reason (machine-readable).

Bounded whatever the input: reasons come from the fixed vocabulary (``aggregation.reasons``) and are
counted; each reason lists at most ``reasons.MAX_EXAMPLES`` examples per household (day files, or the
intervals whose duplicate copies were dropped), and paths outside the layout at most that many per
reason (cut to ``reasons.MAX_EXAMPLE_CHARS``). Its size therefore grows with the households that have
findings and the vocabulary, never with a file's content or the number of junk paths.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aggregation import jsonfile
from aggregation.reasons import MAX_EXAMPLE_CHARS, MAX_EXAMPLES, Tally, first_examples, known
from aggregation.state import State


@dataclass(slots=True)
class _Household:
    lines: Tally = field(default_factory=Tally)  # rejected lines: count, and day files as examples
    files: Tally = field(default_factory=Tally)  # quarantined whole files
    flags: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    dropped: list[str] = field(default_factory=list)


def report(state: State) -> dict[str, Any]:
    households: dict[str, _Household] = defaultdict(_Household)
    totals: Counter[str] = Counter()
    for rel, entry in sorted(state.files.items()):
        summary = entry.summary
        if not (summary.rejected or summary.duplicates or summary.file_reason or summary.flags):
            continue
        household = households[rel.split("/", 1)[0]]
        for reason, count in summary.rejected.items():
            household.lines.add(reason, count, [rel])
            totals[known(reason)] += count
        household.duplicates += summary.duplicates
        household.dropped = first_examples([*household.dropped, *summary.dropped])
        household.flags.update({known(name): n for name, n in summary.flags.items()})
        if summary.file_reason:
            household.files.add(summary.file_reason, 1, [rel])
            totals[f"file: {known(summary.file_reason)}"] += 1
    paths = Tally()
    for item in state.rejected_paths:
        paths.add(item.reason, examples=[item.rel])
        totals[f"path: {known(item.reason)}"] += 1
    return {
        "limits": {"max_examples": MAX_EXAMPLES, "max_example_chars": MAX_EXAMPLE_CHARS},
        "totals": dict(sorted(totals.items())),
        "households": {
            name: {
                "rejected": dict(sorted(value.lines.counts.items())),
                "rejected_examples": value.lines.to_json(),
                "duplicates": value.duplicates,
                "duplicates_dropped": value.dropped,
                "flags": dict(sorted(value.flags.items())),
                "files": value.files.to_json(),
            }
            for name, value in sorted(households.items())
        },
        "paths": paths.to_json(),
    }


def write(path: Path, state: State) -> None:
    jsonfile.write(path, report(state), indent=1)
