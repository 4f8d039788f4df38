"""The quarantine report: rejected lines and files per household and reason (machine-readable)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from aggregation.state import State


def report(state: State) -> dict[str, Any]:
    households: dict[str, dict[str, Any]] = defaultdict(lambda: {"rejected": Counter(), "duplicates": 0, "files": []})
    totals: Counter[str] = Counter()
    for rel, entry in sorted(state.files.items()):
        summary = entry.summary
        if not (summary.rejected or summary.duplicates or summary.file_reason):
            continue
        household = households[rel.split("/", 1)[0]]
        household["rejected"].update(summary.rejected)
        household["duplicates"] += summary.duplicates
        totals.update(summary.rejected)
        if summary.file_reason:
            household["files"].append({"path": rel, "reason": summary.file_reason})
            totals[f"file: {summary.file_reason}"] += 1
    for item in state.rejected_paths:
        totals[f"path: {item.reason}"] += 1
    return {
        "totals": dict(sorted(totals.items())),
        "households": {
            name: {
                "rejected": dict(sorted(value["rejected"].items())),
                "duplicates": value["duplicates"],
                "files": value["files"],
            }
            for name, value in sorted(households.items())
        },
        "paths": [{"path": item.rel, "reason": item.reason} for item in state.rejected_paths],
    }


def write(path: Path, state: State) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report(state), indent=1, sort_keys=False) + "\n", encoding="utf-8")
