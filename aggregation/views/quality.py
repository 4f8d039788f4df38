"""``quality.json``: records, rejections, duplicates and energy-balance flags per day; reasons; and each
household's data-quality summary (the real-record findings, ``reasons.FLAGS``), without its id: views never
carry household ids (the quarantine report, which describes the public raw files, has the same rows by id)."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Final

from aggregation import quarantine, sybil
from aggregation import reasons as vocabulary
from aggregation.views.common import Inputs, households_in, meta
from aggregation.views.ranges import Range

ID: Final = "quality"
TITLE: Final = "Data quality"
RANGES: Final[tuple[str, ...]] = ()  # no period choice
DEFAULT_RANGE: Final = None


def file_day(rel: str) -> str:
    return rel.split("/", 1)[1][:10].replace("/", "-")


def totals(inputs: Inputs) -> tuple[dict[str, dict[str, int]], Counter[str]]:
    """Per-day counts and reason counts over every file in the build state (no household ids)."""
    days: dict[str, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(("records", "rejected", "duplicates", "energy_balance_flagged"), 0)
    )
    reasons: Counter[str] = Counter()
    for rel, entry in inputs.state.files.items():
        summary = entry.summary
        day = days[file_day(rel)]
        day["records"] += summary.records
        day["rejected"] += sum(summary.rejected.values())
        day["duplicates"] += summary.duplicates
        day["energy_balance_flagged"] += summary.flagged
        reasons.update({vocabulary.known(reason): n for reason, n in summary.rejected.items()})
        if summary.file_reason:
            reasons[f"file: {vocabulary.known(summary.file_reason)}"] += 1
    for item in inputs.state.rejected_paths:
        reasons[f"path: {vocabulary.known(item.reason)}"] += 1
    return dict(days), reasons


def build(inputs: Inputs, period: Range | None) -> dict[str, Any]:
    del period  # every day of the build state
    days, reasons = totals(inputs)
    rows = [{"day": day, **counts} for day, counts in sorted(days.items())]
    reason_rows = [
        {"reason": reason, "count": n} for reason, n in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    ]
    units = {"records": "count", "rejected": "count", "duplicates": "count", "energy_balance_flagged": "count"}
    units["flag_rate"] = "share of accepted records"
    notes = (
        "Records: lines read from day files. Rejected: lines that failed validation or the cross-file checks "
        "(wrong day, future, before 2025, placeholder). Duplicates: repeated intervals of one household (the "
        "last valid copy kept). Energy-balance flagged records are kept. 'file:' and 'path:' reasons count "
        "quarantined files and paths. Households: one row per household (no id, by flag rate): placeholders "
        "(all-zero records, rejected), battery_sign_flipped (records that balance only with the battery "
        "setpoint's sign flipped), limit_above_connection (a limit above 200 kW, read as no effective limit) "
        "and baseline_is_house_load (a subtraction baseline equal to the house load: the prior system's "
        "meaning, left out of savings). Copies: households whose series are near-identical to an earlier "
        f"household's ({sybil.describe()}) are left out of every cell and count until a maintainer clears them; "
        "left_out and cleared count households, days_with_copies the days with a near-identical group."
    )
    head = meta(inputs, ID, TITLE, inputs.days, households_in(inputs, inputs.days), units, notes, [])
    summaries = quarantine.household_quality(inputs.state)
    households = sorted(
        (row for household, row in summaries.items() if household not in inputs.state.left_out),
        key=lambda row: (-(row["flag_rate"] or 0.0), -row["records"]),
    )
    state = inputs.state
    copies = {
        "left_out": len(state.left_out),
        "cleared": len(state.cleared),
        "days_with_copies": sum(1 for groups in state.copies.values() if groups),
    }
    return {"meta": head, "days": rows, "reasons": reason_rows, "households": households, "copies": copies}
