"""The build state: which raw files were processed (size, mtime, content hash) and what they held,
the declared schema of every cached table under ``<cohort>/_state/``, and the state's fingerprint.

Kept as sorted, indented JSON so that two builds of the same input write the same bytes
and a diff of the state shows what a run changed. The fingerprint (``python -m aggregation
fingerprint``) is a hash of the declared schemas, the suppression rules and the source of the
modules that write the cached tables: a state with another fingerprint is not reused (the build
starts over), and a cached table whose columns differ from its declaration is not read (its day
is rebuilt from raw), so cached numbers from other code are never mixed into a build.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import pyarrow.parquet as pq

from aggregation import cohort, jsonfile, store, suppress
from aggregation.clean import FileSummary
from aggregation.layout import RawFile, Rejected
from aggregation.read import MAX_FILE_BYTES, content_digest
from aggregation.reasons import Tally, known

HELP = "print the build state's fingerprint (for the workflow's cache key)"
DEFAULT_COHORT: Final = Path("data/cohort")
STATE_FILE: Final = "state.json"  # in the cohort folder, unless the build is told otherwise
TIME: Final = "timestamp[ms, tz=UTC]"


def _columns(text: str, kind: str) -> tuple[tuple[str, str], ...]:
    return tuple((name, kind) for name in text.split())


def _cell_schema(columns: tuple[str, ...], keys: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    counts = {"intervals", "intervals_expected", "energy_balance_flagged"}
    values = tuple((name, "int64" if name in counts else "double") for name in columns)
    return (
        ("start", TIME),
        *((key, "string") for key in keys),
        ("households", "int64"),
        *values,
        ("suppressed", "bool"),
    )


_DUALS: Final = tuple(
    (f"{dual}_{part}", "double" if part == "sum" else "int64")
    for dual in (
        "shadow_energy_price",
        "shadow_load_forecast_price",
        "shadow_solar_forecast_price",
        "shadow_envelope_import_price",
        "shadow_envelope_export_price",
        "shadow_power_balance_price",
    )
    for part in ("n", "sum", "binding")
)
# Every cached table and its columns (name, Arrow type), as the writers in day.py, cohort.py and partials.py
# produce them; tests/aggregation/test_build_state.py checks a fresh build against this.
SCHEMAS: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    "records": (
        ("household", "string"),
        ("interval_start", TIME),
        *_columns("region postcode_prefix", "string"),
        *_columns("net_import_kw solar_kw house_load_kw deferrable_load_kw naive_baseline_kw", "double"),
        ("naive_baseline_method", "string"),
        *_columns(
            "price_signal_seen price_export_seen envelope_import_limit_kw envelope_export_limit_kw "
            "flex_available_up_kw flex_available_down_kw shadow_energy_price shadow_load_forecast_price "
            "shadow_solar_forecast_price shadow_envelope_import_price shadow_envelope_export_price",
            "double",
        ),
        ("battery_count", "int16"),
        *_columns("battery_capacity_kwh battery_stored_kwh battery_setpoint_kw", "double"),
        ("ev_count", "int16"),
        *_columns("ev_capacity_kwh ev_stored_kwh ev_setpoint_kw", "double"),
        *_columns(
            "ev_unplugged ev_plugged_idle ev_charging ev_discharging ev_driving ev_bidirectional_capable", "int16"
        ),
        ("asset_dual_mean", "double"),
        ("energy_balance_flag", "bool"),
    ),
    **{f"cells/{name}": _cell_schema(cohort.VALUE_COLUMNS, ("region",)) for name in cohort.RESOLUTIONS},
    "cells/1d_postcode": _cell_schema(cohort.POSTCODE_COLUMNS, ("region", "postcode_prefix")),
    "partials/hours": (
        *_columns("region", "string"),
        ("hour_aest", "int64"),
        ("household", "string"),
        ("intervals", "int64"),
        ("gross_kw", "double"),
        *(
            column
            for side in ("export", "import")
            for column in ((f"{side}_at_cap", "int64"), (f"{side}_binding", "int64"), (f"{side}_dual_sum", "double"))
        ),
        *_columns("export_kwh price_buy_sum price_sell_sum", "double"),
        ("negative_sell", "int64"),
        *_DUALS,
        *_columns("ev_weight ev_unplugged ev_plugged_idle ev_charging ev_discharging ev_driving", "int64"),
    ),
    "partials/price": (
        *_columns("household region", "string"),
        ("hour_aest", "int64"),
        ("weekend", "bool"),
        ("day_aest", "string"),
        *_columns("bin intervals", "int64"),
        ("net_sum", "double"),
    ),
    "partials/shadow_hist": (
        *_columns("dual region", "string"),
        ("hour_aest", "int64"),
        ("bin", "int32"),
        ("count", "int64"),
        ("value_sum", "double"),
    ),
    "partials/asset_hours": (
        ("start", TIME),
        ("kind", "string"),
        *_columns("households assets", "int64"),
        *_columns("stored_kwh setpoint_kw", "double"),
        ("suppressed", "bool"),
    ),
    "partials/households": (
        *_columns("household region", "string"),
        *_columns("ev_max capable_max ev_discharging ev_intervals", "int64"),
        ("last_interval", TIME),
    ),
    "partials/standing": (
        *_columns("household region day_aest", "string"),
        ("intervals", "int64"),
        *_columns("flex_up_kw_sum saving_aud", "double"),
        ("export_binding", "int64"),
    ),
    "partials/methods": (("method", "string"),),
}
# The modules whose code decides what the cached tables hold.
WRITERS: Final = (
    "aggregation.checks",
    "aggregation.clean",
    "aggregation.cohort",
    "aggregation.day",
    "aggregation.layout",
    "aggregation.partials",
    "aggregation.read",
    "aggregation.state",
    "aggregation.store",
    "aggregation.suppress",
    "aggregation.sybil",
    "custom_components.nem_flex_telemetry.money",
    "custom_components.nem_flex_telemetry.record",
    "custom_components.nem_flex_telemetry.standing",
)


def fingerprint() -> str:
    """Hash of the declared schemas, the rules and the writers' source: what a reusable state must share."""
    digest = hashlib.sha256()
    digest.update(json.dumps(SCHEMAS, sort_keys=True).encode())
    digest.update(repr((suppress.REGION_RULE, suppress.POSTCODE_RULE)).encode())
    for name in WRITERS:
        spec = importlib.util.find_spec(name)
        if spec is None or spec.origin is None:
            raise RuntimeError(f"module {name} not found")
        digest.update(name.encode() + b"\0" + Path(spec.origin).read_bytes())
    return digest.hexdigest()[:16]


def table_path(cohort_dir: Path, day: str, table: str) -> Path:
    if table == "records":
        return store.records_path(cohort_dir, day)
    folder, name = table.split("/")
    if folder == "cells":
        return store.cells_path(cohort_dir, day, name)
    return store.partials_dir(cohort_dir, day) / f"{name}.parquet"


def matches(path: Path, table: str) -> bool:
    """Whether a cached table has exactly its declared columns and types (read from its footer only)."""
    try:
        schema = pq.read_schema(path)
    except OSError, ValueError:
        return False
    return tuple((field.name, str(field.type)) for field in schema) == SCHEMAS[table]


def mismatched_days(cohort_dir: Path, days: list[str]) -> set[str]:
    """Days with a cached table that does not match its declaration (a missing one is not a mismatch:
    old days keep only their cells, and a day without records is re-read anyway)."""
    return {
        day
        for day in days
        for table in SCHEMAS
        if (path := table_path(cohort_dir, day, table)).exists() and not matches(path, table)
    }


def content_hash(path: Path) -> str:
    """Content hash of a file's bytes: decides whether a file whose mtime moved (a fresh checkout) changed."""
    return content_digest(path.read_bytes())


@dataclass(slots=True)
class FileEntry:
    size: int
    mtime_ns: int
    hash: str
    summary: FileSummary


@dataclass(slots=True)
class State:
    files: dict[str, FileEntry] = field(default_factory=dict)
    rejected_paths: list[Rejected] = field(default_factory=list)
    days: list[str] = field(default_factory=list)  # UTC days with cell caches
    # Copy screening (aggregation.sybil): each day's near-identical groups, and the households the cached
    # cells and partials were built without (each with the earlier household it copies) or cleared.
    copies: dict[str, list[list[str]]] = field(default_factory=dict)
    left_out: dict[str, str] = field(default_factory=dict)
    cleared: dict[str, str] = field(default_factory=dict)

    def household_days(self) -> dict[str, set[str]]:
        """Per UTC day, the households with at least one accepted record there (from the files' counts)."""
        by_day: dict[str, set[str]] = {}
        for rel, entry in self.files.items():
            summary = entry.summary
            if summary.records - sum(summary.rejected.values()) - summary.duplicates > 0:
                household, rest = rel.split("/", 1)
                by_day.setdefault(rest[:10].replace("/", "-"), set()).add(household)
        return by_day

    def to_json(self) -> str:
        return jsonfile.dumps(self.to_data(), indent=1, sort_keys=True).decode("utf-8")

    def to_data(self) -> dict[str, Any]:
        """The state as written: per file counts under the fixed reason vocabulary, and the paths outside
        the layout as counts with a few examples (every run scans them again), so its size follows the
        number of day files, whatever they or the junk around them hold."""
        files = {
            rel: {
                "size": entry.size,
                "mtime_ns": entry.mtime_ns,
                "hash": entry.hash,
                "records": entry.summary.records,
                "rejected": dict(sorted(entry.summary.rejected.items())),
                "duplicates": entry.summary.duplicates,
                "flagged": entry.summary.flagged,
                "file_reason": entry.summary.file_reason,
                "flags": dict(sorted(entry.summary.flags.items())),
                "dropped": entry.summary.dropped,
            }
            for rel, entry in sorted(self.files.items())
        }
        paths = Tally()
        for item in self.rejected_paths:
            paths.add(item.reason, examples=[item.rel])
        return {
            "fingerprint": fingerprint(),
            "files": files,
            "rejected_paths": paths.to_json(),
            "days": sorted(self.days),
            "copies": dict(sorted(self.copies.items())),
            "left_out": dict(sorted(self.left_out.items())),
            "cleared": dict(sorted(self.cleared.items())),
        }


def _saved(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError, ValueError:
        return None


def current(path: Path) -> bool:
    """Whether the saved state (if any) was written by code with this fingerprint."""
    data = _saved(path)
    return data is None or (isinstance(data, dict) and data.get("fingerprint") == fingerprint())


def load(path: Path) -> State:
    """The saved state, or an empty one when there is none or it has another fingerprint."""
    data = _saved(path)
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint():
        return State()
    state = State(
        days=list(data.get("days", [])),
        copies={day: [list(group) for group in groups] for day, groups in data.get("copies", {}).items()},
        left_out=dict(data.get("left_out", {})),
        cleared=dict(data.get("cleared", {})),
    )
    for rel, item in data.get("files", {}).items():
        summary = FileSummary(
            records=item["records"],
            rejected=Counter(item["rejected"]),
            duplicates=item["duplicates"],
            flagged=item["flagged"],
            file_reason=item["file_reason"] and known(item["file_reason"]),
            flags=Counter({known(name): n for name, n in item.get("flags", {}).items()}),
            dropped=list(item.get("dropped", [])),
        )
        summary.rejected = Counter({known(name): n for name, n in summary.rejected.items()})
        state.files[rel] = FileEntry(item["size"], item["mtime_ns"], item["hash"], summary)
    # Paths outside the layout are not loaded: every run scans them again.
    return state


def day_of(rel: str) -> str:
    """The UTC day (YYYY-MM-DD) of a raw file ``<household>/YYYY/MM/DD.jsonl``."""
    return rel.split("/", 1)[1][:10].replace("/", "-")


@dataclass(frozen=True, slots=True)
class Holdings:
    """What a saved state lets the ingest leave out of the raw tree (``python -m aggregation ingest``)."""

    files: dict[str, str]  # raw file -> content hash the state holds it with (this fingerprint only)
    records_days: frozenset[str]  # days whose household intervals are cached: rebuilt from changed files alone


def holdings(cohort_dir: Path, state_path: Path | None = None) -> Holdings:
    """The raw files the build has taken in and will not read again while their content stays the same,
    except on days without cached intervals (a change there re-reads every file of the day). Empty when
    there is no state or it was written by other code (the build then starts over and reads everything)."""
    data = _saved(state_path or cohort_dir / STATE_FILE)
    if not isinstance(data, dict) or data.get("fingerprint") != fingerprint():
        return Holdings({}, frozenset())
    files = {rel: str(item.get("hash") or "") for rel, item in data.get("files", {}).items()}
    days = frozenset(day for day in data.get("days", []) if store.records_path(cohort_dir, day).is_file())
    return Holdings({rel: digest for rel, digest in files.items() if digest}, days)


def held_path(raw: Path) -> Path:
    """Where the ingest lists the raw files it left out because the state holds them: ``<raw>.held.json``."""
    return raw.with_name(raw.name + ".held.json")


def held_files(state: State, raw: Path) -> set[str]:
    """Raw files absent from ``raw`` that the ingest left out and the state holds with the same content:
    unchanged, not vanished."""
    listed = _saved(held_path(raw))
    entries = listed.get("files") if isinstance(listed, dict) else None
    if not isinstance(entries, dict):
        return set()
    return {
        rel
        for rel, digest in entries.items()
        if (entry := state.files.get(rel)) is not None
        and entry.hash
        and entry.hash == digest
        and not (raw / rel).exists()
    }


def changed_files(
    state: State, root: Path, files: list[RawFile], held: set[str] | None = None
) -> tuple[list[RawFile], dict[str, str], set[str]]:
    """Files to (re)process, their content hashes, and the days whose files changed or vanished
    (a ``held`` file, left out of the raw tree by the ingest, has not vanished)."""
    changed: list[RawFile] = []
    hashes: dict[str, str] = {}
    days: set[str] = set()
    for file in files:
        known = state.files.get(file.rel)
        if known is None:  # new: hashed later from the bytes the build reads anyway
            changed.append(file)
            days.add(file.day)
            continue
        if known.size == file.size and known.mtime_ns == file.mtime_ns:
            continue
        if known.size != file.size:  # changed for sure: hashed later from the bytes the build reads anyway
            changed.append(file)
            days.add(file.day)
            continue
        try:
            digest = content_hash(root / file.rel) if file.size <= MAX_FILE_BYTES else ""
        except OSError:
            digest = ""  # unreadable: read_files quarantines it
        if known.size == file.size and known.hash == digest:
            known.mtime_ns = file.mtime_ns  # same bytes, new mtime (e.g. a fresh checkout)
            continue
        changed.append(file)
        hashes[file.rel] = digest
        days.add(file.day)
    present = {file.rel for file in files} | (held or set())
    for rel in state.files:
        if rel not in present:
            days.add(day_of(rel))
    return changed, hashes, days


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def run(args: argparse.Namespace) -> int:
    del args
    sys.stdout.write(fingerprint() + "\n")
    return 0
