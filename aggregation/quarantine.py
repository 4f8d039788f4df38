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
from typing import Any, Final

from aggregation import jsonfile, sybil
from aggregation import reasons as vocabulary
from aggregation.reasons import MAX_EXAMPLE_CHARS, MAX_EXAMPLES, Tally, first_examples, known
from aggregation.state import State


@dataclass(slots=True)
class _Household:
    lines: Tally = field(default_factory=Tally)  # rejected lines: count, and day files as examples
    files: Tally = field(default_factory=Tally)  # quarantined whole files
    flags: Counter[str] = field(default_factory=Counter)
    duplicates: int = 0
    dropped: list[str] = field(default_factory=list)


# Per household, the counts of the real-record findings (reasons.FLAGS) by column name.
FLAG_COLUMNS: Final = {
    vocabulary.SIGN_FLIPPED: "battery_sign_flipped",
    vocabulary.NO_EFFECTIVE_LIMIT: "limit_above_connection",
    vocabulary.BASELINE_IS_HOUSE_LOAD: "baseline_is_house_load",
}
QUALITY_COLUMNS: Final = (
    "records",
    "accepted",
    "duplicates",
    "energy_balance_flagged",
    "placeholders",
    "quarantined_files",
    *FLAG_COLUMNS.values(),
)


def household_quality(state: State) -> dict[str, dict[str, Any]]:
    """Each household's data-quality summary over its files in the state: ``QUALITY_COLUMNS`` and
    ``flag_rate``, the share of its accepted records flagged for energy balance (None without any)."""
    rows: dict[str, Counter[str]] = defaultdict(Counter)
    for rel, entry in state.files.items():
        summary = entry.summary
        row = rows[rel.split("/", 1)[0]]
        row["records"] += summary.records
        row["accepted"] += summary.records - sum(summary.rejected.values()) - summary.duplicates
        row["duplicates"] += summary.duplicates
        row["energy_balance_flagged"] += summary.flagged
        row["placeholders"] += summary.rejected.get(vocabulary.PLACEHOLDER, 0)
        row["quarantined_files"] += 1 if summary.file_reason else 0
        for flag, name in FLAG_COLUMNS.items():
            row[name] += summary.flags.get(flag, 0)
    result: dict[str, dict[str, Any]] = {}
    for household, counts in sorted(rows.items()):
        accepted = counts["accepted"]
        rate = round(counts["energy_balance_flagged"] / accepted, 4) if accepted > 0 else None
        result[household] = {**{name: counts[name] for name in QUALITY_COLUMNS}, "flag_rate": rate}
    return result


def report(state: State) -> dict[str, Any]:
    households: dict[str, _Household] = defaultdict(_Household)
    totals: Counter[str] = Counter()
    for rel, entry in sorted(state.files.items()):
        summary = entry.summary
        if not (summary.rejected or summary.duplicates or summary.file_reason or summary.flags or summary.flagged):
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
    quality = household_quality(state)
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
                "quality": quality[name],
            }
            for name, value in sorted(households.items())
        },
        "paths": paths.to_json(),
        "copies": copies(state),
    }


def copies(state: State) -> dict[str, Any]:
    """The copy screening by household id: who is left out as near-identical to whom and on which days (at
    most ``MAX_EXAMPLES`` listed), and who a maintainer cleared (``aggregation.sybil``)."""
    days: dict[str, list[str]] = defaultdict(list)
    for day, groups in sorted(state.copies.items()):
        for group in groups:
            for household in group:
                days[household].append(day)

    def listing(households: dict[str, str]) -> dict[str, Any]:
        return {
            household: {"like": like, "days": len(days[household]), "day_examples": days[household][:MAX_EXAMPLES]}
            for household, like in sorted(households.items())
        }

    return {"measure": sybil.describe(), "left_out": listing(state.left_out), "cleared": listing(state.cleared)}


def write(path: Path, state: State) -> None:
    jsonfile.write(path, report(state), indent=1)
