"""Vectorised record checks on Arrow columns, equivalent to ``record.validate`` for parsed rows.

The reader hands over only rows that pyarrow parsed against ``RAW_SCHEMA`` with every key
present exactly once (unknown keys, wrong JSON types and duplicate keys fail parsing and go
to the exact per-line path), so what is left to check here are values: nulls, ranges,
finiteness, enumerations, patterns, timestamps, array sizes and the cross-field rules.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]  # no stubs for pandas 2.3 in the env
import pyarrow as pa
import pyarrow.compute as pc
from numpy.typing import NDArray

from aggregation import reasons as vocabulary
from custom_components.nem_flex_telemetry import record as rec

Reasons = NDArray[np.object_]


def reason_for_path(path: str) -> str:
    """A quarantine reason from a record error path: ``assets[1].soc_pct`` -> ``invalid assets.soc_pct``.

    Only the vocabulary's reasons come out: a path naming a key the schema does not know (the writer's
    text) becomes ``unknown key``."""
    field = re.sub(r"\[\d+\]", "", path)
    if not field:
        return vocabulary.INVALID_RECORD
    if field == "schema_version":
        return vocabulary.WRONG_VERSION
    reason = f"invalid {field}"
    return reason if reason in vocabulary.FIELD_REASONS else vocabulary.UNKNOWN_KEY


def _np(mask: Any) -> NDArray[np.bool_]:
    flags: NDArray[np.bool_] = np.asarray(pc.fill_null(mask, True).to_numpy(zero_copy_only=False), dtype=bool)
    return flags


def _bad_values(rule: rec.FieldRule, column: Any) -> NDArray[np.bool_]:
    """True where a column's value breaks its rule (null counts as bad unless the rule allows it)."""
    nullable = isinstance(rule, (rec.Number, rec.Timestamp)) and rule.nullable
    match rule:
        case rec.Number(low, high):
            finite = pc.is_finite(column)
            ok = pc.and_(finite, pc.and_(pc.greater_equal(column, low), pc.less_equal(column, high)))
        case rec.Boolean():
            ok = pc.is_valid(column)
        case rec.Constant(value):
            ok = pc.equal(column, value)
        case rec.Choice(values):
            ok = pc.is_in(column, value_set=pa.array(values))
        case rec.Pattern(regex, max_length):
            ok = pc.and_(
                pc.less_equal(pc.utf8_length(column), max_length),
                pc.match_substring_regex(column, f"^(?:{regex.pattern})$"),
            )
        case rec.Timestamp(aligned):
            text = pc.if_else(pc.equal(pc.utf8_length(column), rec.TIMESTAMP_MAX_LENGTH), column, None)
            parsed = pc.strptime(text, format="%Y-%m-%dT%H:%M:%SZ", unit="s", error_is_null=True)
            pattern = f"^(?:{rec.TIMESTAMP_PATTERN.pattern})$"
            ok = pc.and_(pc.is_valid(parsed), pc.match_substring_regex(column, pattern))
            if aligned:
                seconds = np.asarray(pc.fill_null(pc.cast(parsed, pa.int64()), 0).to_numpy(zero_copy_only=False))
                ok = pc.and_(ok, pa.array(seconds % 300 == 0))
        case _:
            raise AssertionError(rule)
    bad = ~np.asarray(pc.fill_null(ok, False).to_numpy(zero_copy_only=False), dtype=bool)
    is_null = np.asarray(pc.is_null(column).to_numpy(zero_copy_only=False), dtype=bool)
    result: NDArray[np.bool_] = (bad & ~is_null) | (is_null & (not nullable))
    return result


class _Marks:
    """The first reason per row, kept as small integer codes (0 = none yet): cheaper than comparing strings."""

    def __init__(self, rows: int) -> None:
        self.codes = np.zeros(rows, dtype=np.int16)
        self.names: list[str | None] = [None]

    def _code(self, reason: str) -> int:
        if reason not in self.names:
            self.names.append(reason)
        return self.names.index(reason)

    def mark(self, bad: NDArray[np.bool_], reason: str) -> None:
        self.codes[bad & (self.codes == 0)] = self._code(reason)

    def reasons(self) -> Reasons:
        names: Reasons = np.array(self.names, dtype=object)
        result: Reasons = names[self.codes]
        return result


def table_reasons(table: pa.Table) -> Reasons:
    """Per row: None when the record is valid, else the first reason it is not."""
    n = table.num_rows
    reasons = _Marks(n)
    for name, rule in rec.RECORD_FIELDS.items():
        reasons.mark(_bad_values(rule, table.column(name).combine_chunks()), reason_for_path(name))
    assets = table.column("assets").combine_chunks()
    reasons.mark(_np(pc.is_null(assets)), "invalid assets")
    lengths = np.asarray(pc.fill_null(pc.list_value_length(assets), 0).to_numpy(zero_copy_only=False))
    reasons.mark(lengths > rec.MAX_ASSETS, "invalid assets")
    # Chunk by chunk: combining a list<null> column that pyarrow's JSON reader inferred (every item null)
    # fails inside pyarrow ("array slice would exceed array length").
    loads = table.column("deferrable_loads")
    reasons.mark(_np(pc.is_null(loads)), "invalid deferrable_loads")
    load_lengths = np.asarray(pc.fill_null(pc.list_value_length(loads), 0).to_numpy(zero_copy_only=False))
    reasons.mark(load_lengths > 0, "invalid deferrable_loads")
    if len(assets.flatten()):
        _check_assets(assets, reasons)
    return reasons.reasons()


def _check_assets(assets: pa.ListArray, reasons: _Marks) -> None:
    items = assets.flatten()
    parents = np.asarray(pc.list_parent_indices(assets).to_numpy(zero_copy_only=False))
    asset_reasons = _Marks(len(items))
    asset_reasons.mark(_np(pc.is_null(items)), "invalid assets")
    for name, rule in rec.ASSET_FIELDS.items():
        asset_reasons.mark(_bad_values(rule, items.field(name)), f"invalid assets.{name}")
    is_ev = np.asarray(pc.fill_null(pc.equal(items.field("kind"), "ev"), False).to_numpy(zero_copy_only=False))
    for name, rule in rec.EV_FIELDS.items():
        column = items.field(name)
        present = ~np.asarray(pc.is_null(column).to_numpy(zero_copy_only=False), dtype=bool)
        asset_reasons.mark(is_ev & _bad_values(rule, column), f"invalid assets.{name}")
        asset_reasons.mark(~is_ev & present, f"invalid assets.{name}")
    # Cross-field rules: unique asset ids within a record; bidirectional flow needs a capable asset.
    ids = pd.DataFrame({"parent": parents, "asset_id": items.field("asset_id").to_numpy(zero_copy_only=False)})
    asset_reasons.mark(ids.duplicated().to_numpy(), "invalid assets.asset_id")
    flow = np.asarray(items.field("power_flow_capability").to_numpy(zero_copy_only=False), dtype=object)
    capable = np.asarray(
        pc.fill_null(items.field("bidirectional_capable"), True).to_numpy(zero_copy_only=False), dtype=bool
    )
    asset_reasons.mark(is_ev & (flow == "bidirectional") & ~capable, "invalid assets.power_flow_capability")
    bad = asset_reasons.codes != 0
    if not bad.any():
        return
    # First asset reason of each record, in asset order, like the per-record validator.
    first = pd.Series(asset_reasons.codes[bad]).groupby(parents[bad]).first()
    rows, codes = first.index.to_numpy(), first.to_numpy()
    for code in np.unique(codes).tolist():
        name = asset_reasons.names[code]
        assert name is not None
        flagged = np.zeros(len(reasons.codes), dtype=bool)
        flagged[rows[codes == code]] = True
        reasons.mark(flagged, name)
