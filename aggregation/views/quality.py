"""``quality.json``: records, rejections, duplicates and energy-balance flags per day; reasons."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any, Final

from aggregation.views.common import Inputs, households_in, meta

ID: Final = "quality"
TITLE: Final = "Data quality"


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
        reasons.update(summary.rejected)
        if summary.file_reason:
            reasons[f"file: {summary.file_reason}"] += 1
    for item in inputs.state.rejected_paths:
        reasons[f"path: {item.reason}"] += 1
    return dict(days), reasons


def build(inputs: Inputs) -> dict[str, Any]:
    days, reasons = totals(inputs)
    rows = [{"day": day, **counts} for day, counts in sorted(days.items())]
    reason_rows = [
        {"reason": reason, "count": n} for reason, n in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    ]
    units = {"records": "count", "rejected": "count", "duplicates": "count", "energy_balance_flagged": "count"}
    notes = (
        "Records: lines read from day files. Rejected: lines that failed validation or the cross-file checks "
        "(wrong day, future, before 2025). Duplicates: repeated intervals of one household (one kept). "
        "Energy-balance flagged records are kept. 'file:' and 'path:' reasons count quarantined files and paths."
    )
    head = meta(inputs, ID, TITLE, inputs.days, households_in(inputs, inputs.days), units, notes, [])
    return {"meta": head, "days": rows, "reasons": reason_rows}
