"""Hypothesis strategies: valid schema-2.0 records, and mutations that may break them."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st

from custom_components.nem_flex_telemetry import record as rec

EPOCH = datetime(2025, 1, 1, tzinfo=UTC)


def _number(low: float, high: float) -> st.SearchStrategy[float]:
    return st.floats(min_value=low, max_value=high, allow_nan=False, allow_infinity=False)


def _field_value(rule: rec.FieldRule) -> st.SearchStrategy[Any]:
    match rule:
        case rec.Number(low, high, nullable):
            numbers = _number(low, high) | st.integers(int(low), int(high))
            return st.none() | numbers if nullable else numbers
        case rec.Choice(values):
            return st.sampled_from(values)
        case rec.Constant(value):
            return st.just(value)
        case rec.Boolean():
            return st.booleans()
        case rec.Pattern():
            return st.from_regex(rule.regex, fullmatch=True).filter(lambda text: text.isascii())
        case rec.Timestamp(aligned, nullable):
            step = 300 if aligned else 1
            stamps = st.integers(0, 10 * 365 * 86400 // step).map(
                lambda n: rec.format_utc(EPOCH + timedelta(seconds=n * step))
            )
            return st.none() | stamps if nullable else stamps
    raise AssertionError(rule)


@st.composite
def assets(draw: st.DrawFn, index: int) -> dict[str, Any]:
    kind = draw(st.sampled_from(rec.ASSET_KINDS))
    fields = dict(rec.ASSET_FIELDS)
    if kind == "ev":
        fields |= rec.EV_FIELDS
    asset = {name: draw(_field_value(rule)) for name, rule in fields.items()}
    asset["kind"] = kind
    asset["asset_id"] = f"{'ev' if kind == 'ev' else 'battery'}{index}"
    if kind == "ev" and asset["power_flow_capability"] == "bidirectional":
        asset["bidirectional_capable"] = True
    return asset


@st.composite
def valid_records(draw: st.DrawFn) -> dict[str, Any]:
    record = {name: draw(_field_value(rule)) for name, rule in rec.RECORD_FIELDS.items()}
    count = draw(st.integers(0, 3))
    record["assets"] = [draw(assets(i)) for i in range(count)]
    record["deferrable_loads"] = []
    return record


JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
)
TIMESTAMP_LIKE = st.one_of(
    st.datetimes(timezones=st.just(UTC)).map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ")),
    st.datetimes().map(lambda moment: moment.isoformat()),
    st.datetimes(timezones=st.just(UTC)).map(lambda moment: moment.isoformat()),
    st.from_regex(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z\Z"),
)


def _bad_value(rule: rec.FieldRule) -> st.SearchStrategy[Any]:
    match rule:
        case rec.Number(low, high, _):
            return (
                JSON_VALUES | st.floats(max_value=low, exclude_max=True) | st.floats(min_value=high, exclude_min=True)
            )
        case rec.Timestamp():
            return JSON_VALUES | TIMESTAMP_LIKE
        case rec.Pattern():
            return JSON_VALUES | st.text(alphabet="0123456789abz_-A ", max_size=40)
    return JSON_VALUES


@st.composite
def mutated_records(draw: st.DrawFn) -> dict[str, Any]:
    """A valid record with one to three random changes; it may or may not stay valid."""
    record = copy.deepcopy(draw(valid_records()))
    for _ in range(draw(st.integers(1, 3))):
        target: dict[str, Any] = record
        rules: dict[str, rec.FieldRule] = dict(rec.RECORD_FIELDS)
        assets_list = record.get("assets")
        if isinstance(assets_list, list) and assets_list and draw(st.booleans()):
            target = draw(st.sampled_from(assets_list))
            if not isinstance(target, dict):
                continue
            rules = dict(rec.ASSET_FIELDS) | dict(rec.EV_FIELDS)
        action = draw(st.sampled_from(["delete", "extra", "replace", "arrays", "ev_keys"]))
        if action == "delete" and target:
            target.pop(draw(st.sampled_from(sorted(target))), None)
        elif action == "extra":
            target[draw(st.text(min_size=1, max_size=12))] = draw(JSON_SCALARS)
        elif action == "replace":
            name = draw(st.sampled_from(sorted(rules)))
            target[name] = draw(_bad_value(rules[name]) | _field_value(rules[name]))
        elif action == "arrays":
            key = draw(st.sampled_from(["assets", "deferrable_loads"]))
            record[key] = draw(JSON_VALUES | st.lists(JSON_VALUES, max_size=2) | st.just([{}] * 17))
        elif action == "ev_keys" and target is not record:
            target["kind"] = "stationary_battery" if target.get("kind") == "ev" else "ev"
    return record
