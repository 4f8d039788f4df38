"""The schema-2.0 telemetry record: types, validation and canonical JSON.

Pure Python on purpose: the integration and the aggregation (which runs without
Home Assistant, pandas-side) both import this module, and SCHEMA.md is its prose.
The machine-readable twin is ``record.schema.json``; tests keep the two in step.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Final, Literal, NotRequired, TypedDict

SCHEMA_VERSION: Final = "2.0"
SCHEMA_FILE: Final = Path(__file__).with_name("record.schema.json")
INTERVAL: Final = timedelta(minutes=5)
INTERVAL_MINUTES: Final = 5
# How far ahead of the reader's clock a record's interval may start: two intervals of drift
# between a household's clock and the reader's (the sampler, the aggregation). Beyond it the
# household's clock is wrong: Home Assistant raises a repair, the aggregation quarantines.
CLOCK_TOLERANCE: Final = timedelta(minutes=10)

REGIONS: Final = ("NSW1", "QLD1", "VIC1", "SA1", "TAS1")
BASELINE_METHODS: Final = ("subtraction", "haeo_counterfactual")
ASSET_KINDS: Final = ("stationary_battery", "ev")
CONNECTION_STATES: Final = ("unplugged", "plugged_idle", "charging", "discharging", "driving")
# An EV away from its charger draws nothing: its null setpoint counts as 0 in the energy balance.
AWAY_STATES: Final = ("unplugged", "driving")
POWER_FLOW_CAPABILITIES: Final = ("none", "charge_only", "bidirectional")

# Bounds. Prices follow the published schema 2.0; duals are not capped by the
# market so they get a wide band; powers and capacities are bounded to what a
# household connection can physically carry (stricter than the published schema,
# see SCHEMA.md "Stricter rules").
PRICE_RANGE: Final = (-2.0, 20.0)
DUAL_RANGE: Final = (-1000.0, 1000.0)
SIGNED_POWER_RANGE: Final = (-200.0, 200.0)
POWER_RANGE: Final = (0.0, 200.0)
# Declared connection limits: real installations declare more than a connection carries (250 kW seen) to
# mean "no limit", so limits are only bounded loosely; the aggregation reads one above POWER_RANGE as
# "no effective limit" (SCHEMA.md).
LIMIT_RANGE: Final = (0.0, 100_000.0)
CAPACITY_RANGE: Final = (0.0, 500.0)
PERCENT_RANGE: Final = (0.0, 100.0)
MAX_ASSETS: Final = 16
ASSET_ID_PATTERN: Final = re.compile(r"[a-z0-9_]{1,32}")
POSTCODE_PREFIX_PATTERN: Final = re.compile(r"[0-9]{3}")
TIMESTAMP_PATTERN: Final = re.compile(
    r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]Z"
)
TIMESTAMP_MAX_LENGTH: Final = 20
OFFSET_SUFFIX: Final = re.compile(r"T[0-9:.]+[+-][0-9]{2}:?[0-9]{2}$")
DECIMALS: Final = 4
# HAEO computes values such as the state of charge in floating point (a full battery reads
# 100.00000000000003): a value this close outside its range is clamped into it by the
# builder; further out it is an error. Clamped values are in range, so validate() needs none.
RANGE_TOLERANCE: Final = 0.01

# Energy balance: net import = house + deferrable + sum(setpoints) - solar,
# within an absolute allowance plus a share of the gross flows.
BALANCE_TOLERANCE_KW: Final = 0.1
BALANCE_TOLERANCE_SHARE: Final = 0.05

Region = Literal["NSW1", "QLD1", "VIC1", "SA1", "TAS1"]
BaselineMethod = Literal["subtraction", "haeo_counterfactual"]
AssetKind = Literal["stationary_battery", "ev"]
ConnectionState = Literal["unplugged", "plugged_idle", "charging", "discharging", "driving"]
PowerFlowCapability = Literal["none", "charge_only", "bidirectional"]


class Asset(TypedDict):
    """One battery or EV in a record; EV-only keys are present only for EVs."""

    asset_id: str
    kind: AssetKind
    bidirectional_capable: bool
    capacity_kwh: float
    soc_pct: float
    setpoint_kw: float | None
    available_up_kw: float
    available_down_kw: float
    shadow_power_balance_price: float | None
    connection_state: NotRequired[ConnectionState]
    power_flow_capability: NotRequired[PowerFlowCapability]
    departure_target_pct: NotRequired[float | None]
    departure_time_utc: NotRequired[str | None]


class Record(TypedDict):
    """One household's 5-minute interval, schema 2.0."""

    schema_version: str
    interval_start_utc: str
    region: Region
    postcode_prefix: str
    net_import_kw: float
    solar_kw: float
    house_load_kw: float
    deferrable_load_kw: float
    naive_baseline_kw: float
    naive_baseline_method: BaselineMethod
    price_signal_seen: float
    price_export_seen: float
    envelope_import_limit_kw: float
    envelope_export_limit_kw: float
    flex_available_up_kw: float
    flex_available_down_kw: float
    shadow_energy_price: float | None
    shadow_load_forecast_price: float | None
    shadow_solar_forecast_price: float | None
    shadow_envelope_import_price: float | None
    shadow_envelope_export_price: float | None
    assets: list[Asset]
    deferrable_loads: list[Any]


@dataclass(frozen=True, slots=True)
class Number:
    """A numeric field: inclusive range and whether null is allowed."""

    low: float
    high: float
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class Choice:
    """A string field limited to an enumeration."""

    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Pattern:
    """A string field that must match a regular expression in full."""

    regex: re.Pattern[str]
    max_length: int
    description: str


@dataclass(frozen=True, slots=True)
class Timestamp:
    """An ISO 8601 UTC timestamp ``YYYY-MM-DDTHH:MM:SSZ``."""

    aligned: bool
    nullable: bool = False


@dataclass(frozen=True, slots=True)
class Boolean:
    """A JSON boolean."""


@dataclass(frozen=True, slots=True)
class Constant:
    """A string that must equal one value."""

    value: str


FieldRule = Number | Choice | Pattern | Timestamp | Boolean | Constant

# Key order here is the canonical key order of serialised records.
RECORD_FIELDS: Final[dict[str, FieldRule]] = {
    "schema_version": Constant(SCHEMA_VERSION),
    "interval_start_utc": Timestamp(aligned=True),
    "region": Choice(REGIONS),
    "postcode_prefix": Pattern(POSTCODE_PREFIX_PATTERN, 3, "exactly 3 digits"),
    "net_import_kw": Number(*SIGNED_POWER_RANGE),
    "solar_kw": Number(*POWER_RANGE),
    "house_load_kw": Number(*POWER_RANGE),
    "deferrable_load_kw": Number(*POWER_RANGE),
    "naive_baseline_kw": Number(*SIGNED_POWER_RANGE),
    "naive_baseline_method": Choice(BASELINE_METHODS),
    "price_signal_seen": Number(*PRICE_RANGE),
    "price_export_seen": Number(*PRICE_RANGE),
    "envelope_import_limit_kw": Number(*LIMIT_RANGE),
    "envelope_export_limit_kw": Number(*LIMIT_RANGE),
    "flex_available_up_kw": Number(*POWER_RANGE),
    "flex_available_down_kw": Number(*POWER_RANGE),
    "shadow_energy_price": Number(*DUAL_RANGE, nullable=True),
    "shadow_load_forecast_price": Number(*DUAL_RANGE, nullable=True),
    "shadow_solar_forecast_price": Number(*DUAL_RANGE, nullable=True),
    "shadow_envelope_import_price": Number(*DUAL_RANGE, nullable=True),
    "shadow_envelope_export_price": Number(*DUAL_RANGE, nullable=True),
}
ARRAY_FIELDS: Final = ("assets", "deferrable_loads")
RECORD_KEYS: Final = (*RECORD_FIELDS, *ARRAY_FIELDS)

ASSET_FIELDS: Final[dict[str, FieldRule]] = {
    "asset_id": Pattern(ASSET_ID_PATTERN, 32, "1-32 characters of a-z, 0-9 and _"),
    "kind": Choice(ASSET_KINDS),
    "bidirectional_capable": Boolean(),
    "capacity_kwh": Number(*CAPACITY_RANGE),
    "soc_pct": Number(*PERCENT_RANGE),
    "setpoint_kw": Number(*SIGNED_POWER_RANGE, nullable=True),
    "available_up_kw": Number(*POWER_RANGE),
    "available_down_kw": Number(*POWER_RANGE),
    "shadow_power_balance_price": Number(*DUAL_RANGE, nullable=True),
}
EV_FIELDS: Final[dict[str, FieldRule]] = {
    "connection_state": Choice(CONNECTION_STATES),
    "power_flow_capability": Choice(POWER_FLOW_CAPABILITIES),
    "departure_target_pct": Number(*PERCENT_RANGE, nullable=True),
    "departure_time_utc": Timestamp(aligned=False, nullable=True),
}
DUAL_FIELDS: Final = tuple(name for name in RECORD_FIELDS if name.startswith("shadow_"))
ASSET_DUAL_FIELD: Final = "shadow_power_balance_price"

# Which constraint each dual belongs to (SCHEMA.md "Shadow prices" states the same, a test
# compares them). An inequality's dual is non-zero only when the constraint binds; an
# equality (a balance, a fixed load) always holds, so its dual is a price, never "binding".
EQUALITY: Final = "equality"
INEQUALITY: Final = "inequality"
DUAL_CONSTRAINTS: Final[dict[str, str]] = {
    "shadow_energy_price": EQUALITY,  # Switchboard power balance
    "shadow_load_forecast_price": EQUALITY,  # house load == its forecast (HAEO's default, not curtailable)
    "shadow_solar_forecast_price": INEQUALITY,  # solar <= its forecast
    "shadow_envelope_import_price": INEQUALITY,  # import <= the import limit
    "shadow_envelope_export_price": INEQUALITY,  # export <= the export limit
    ASSET_DUAL_FIELD: EQUALITY,  # the asset's power balance (normalised, see SCHEMA.md)
}
BINDING_DUALS: Final = tuple(name for name, kind in DUAL_CONSTRAINTS.items() if kind == INEQUALITY)


_MISSING: Final = object()


@dataclass(frozen=True, slots=True)
class RecordError:
    """One reason a record is invalid: where (``assets[1].soc_pct``) and why."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path or '(record)'}: {self.message}"


class RecordInvalidError(ValueError):
    """Raised by :func:`canonical_json` for a record that does not validate."""

    def __init__(self, errors: list[RecordError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(error) for error in errors))


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def parse_utc(text: str) -> datetime | None:
    """Parse ``YYYY-MM-DDTHH:MM:SSZ``; None when it is not a real UTC instant."""
    if len(text) != TIMESTAMP_MAX_LENGTH or not TIMESTAMP_PATTERN.fullmatch(text):
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None


def clamp_to_range(value: float, low: float, high: float) -> float | None:
    """``value`` within ``RANGE_TOLERANCE`` of [low, high] clamped into it; None when further out."""
    if low - RANGE_TOLERANCE <= value <= high + RANGE_TOLERANCE:
        return min(max(value, low), high)
    return None


def format_utc(moment: datetime) -> str:
    """Format an aware datetime as the record's UTC timestamp string."""
    if moment.tzinfo is None:
        raise ValueError("timestamp must be timezone-aware")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def interval_start(moment: datetime) -> datetime:
    """Start of the 5-minute interval (aligned to the UTC clock) holding ``moment``."""
    utc = moment.astimezone(UTC)
    return utc.replace(minute=utc.minute - utc.minute % INTERVAL_MINUTES, second=0, microsecond=0)


def _check_timestamp(rule: Timestamp, value: str, path: str) -> list[RecordError]:
    if len(value) <= 32 and OFFSET_SUFFIX.search(value):
        return [RecordError(path, f"{_describe(value)} carries an offset; use UTC with a Z suffix")]
    if len(value) > TIMESTAMP_MAX_LENGTH:
        return [RecordError(path, f"is {len(value)} characters long, more than {TIMESTAMP_MAX_LENGTH}")]
    moment = parse_utc(value)
    if moment is None:
        return [RecordError(path, f"{_describe(value)} is not a UTC timestamp YYYY-MM-DDTHH:MM:SSZ")]
    if rule.aligned and (moment.minute % INTERVAL_MINUTES or moment.second):
        return [RecordError(path, f"{value} is not the start of a 5-minute interval (:00, :05, ... :55, seconds 00)")]
    return []


def _check_value(rule: FieldRule, value: object, path: str) -> list[RecordError]:
    nullable = isinstance(rule, (Number, Timestamp)) and rule.nullable
    if value is None:
        return [] if nullable else [RecordError(path, "must not be null")]
    match rule:
        case Number(low, high):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                kind = "a number or null" if nullable else "a number"
                return [RecordError(path, f"must be {kind}, not {_type_name(value)}")]
            if isinstance(value, float) and not math.isfinite(value):
                return [RecordError(path, f"must be finite, not {value}")]
            if not low <= value <= high:
                return [RecordError(path, f"{value} is outside the range {low:g} to {high:g}")]
            return []
        case Boolean():
            if not isinstance(value, bool):
                return [RecordError(path, f"must be true or false, not {_type_name(value)}")]
            return []
    if not isinstance(value, str):
        return [RecordError(path, f"must be a string, not {_type_name(value)}")]
    match rule:
        case Constant(expected):
            if value != expected:
                return [RecordError(path, f"must be {expected!r}, not {_describe(value)}")]
        case Choice(values):
            if value not in values:
                return [RecordError(path, f"{_describe(value)} is not one of {', '.join(values)}")]
        case Pattern(regex, max_length, description):
            if len(value) > max_length:
                return [RecordError(path, f"is {len(value)} characters long, more than {max_length}")]
            if not regex.fullmatch(value):
                return [RecordError(path, f"{_describe(value)} must be {description}")]
        case Timestamp():
            return _check_timestamp(rule, value, path)
    return []


def _check_object(
    value: Mapping[str, object], fields: Mapping[str, FieldRule], path: str, optional: Iterable[str] = ()
) -> list[RecordError]:
    errors: list[RecordError] = []
    allowed = set(fields) | set(optional)
    for key in value:
        if key not in allowed:
            errors.append(RecordError(f"{path}{_key_path(key)}", "is not a schema 2.0 field"))
    for key, rule in fields.items():
        if key not in value:
            errors.append(RecordError(f"{path}{key}", "is missing"))
        else:
            errors.extend(_check_value(rule, value[key], f"{path}{key}"))
    return errors


def _key_path(key: object) -> str:
    text = str(key)
    return text if len(text) <= 40 else text[:37] + "..."


def _check_asset(asset: object, path: str) -> list[RecordError]:
    if not isinstance(asset, Mapping):
        return [RecordError(path, f"must be an object, not {_type_name(asset)}")]
    prefix = f"{path}."
    errors = _check_object(asset, ASSET_FIELDS, prefix, optional=EV_FIELDS)
    kind = asset.get("kind")
    for key, rule in EV_FIELDS.items():
        if key in asset:
            errors.extend(_check_value(rule, asset[key], f"{prefix}{key}"))
            if kind != "ev":
                errors.append(RecordError(f"{prefix}{key}", "is only allowed on assets of kind 'ev'"))
        elif kind == "ev":
            errors.append(RecordError(f"{prefix}{key}", "is missing (required for assets of kind 'ev')"))
    return errors


def schema_errors(record: object) -> list[RecordError]:
    """Errors that the JSON Schema (``record.schema.json``) also reports."""
    if not isinstance(record, Mapping):
        return [RecordError("", f"must be a JSON object, not {_type_name(record)}")]
    errors = _check_object(record, RECORD_FIELDS, "", optional=ARRAY_FIELDS)
    assets = record.get("assets", _MISSING)
    if assets is _MISSING:
        errors.append(RecordError("assets", "is missing"))
    elif not isinstance(assets, list):
        errors.append(RecordError("assets", f"must be an array, not {_type_name(assets)}"))
    else:
        if len(assets) > MAX_ASSETS:
            errors.append(RecordError("assets", f"has {len(assets)} entries, more than {MAX_ASSETS}"))
        for index, asset in enumerate(assets[:MAX_ASSETS]):
            errors.extend(_check_asset(asset, f"assets[{index}]"))
    loads = record.get("deferrable_loads", _MISSING)
    if loads is _MISSING:
        errors.append(RecordError("deferrable_loads", "is missing"))
    elif not isinstance(loads, list):
        errors.append(RecordError("deferrable_loads", f"must be an array, not {_type_name(loads)}"))
    elif loads:
        errors.append(RecordError("deferrable_loads", "must be empty in schema 2.0 (reserved for a later version)"))
    return errors


def cross_field_errors(record: Mapping[str, Any]) -> list[RecordError]:
    """Rules between fields that JSON Schema cannot express (only on schema-valid records)."""
    errors: list[RecordError] = []
    seen: set[str] = set()
    for index, asset in enumerate(record["assets"]):
        if asset["asset_id"] in seen:
            errors.append(RecordError(f"assets[{index}].asset_id", f"{asset['asset_id']!r} appears twice"))
        seen.add(asset["asset_id"])
        if (
            asset["kind"] == "ev"
            and asset["power_flow_capability"] == "bidirectional"
            and not asset["bidirectional_capable"]
        ):
            errors.append(
                RecordError(
                    f"assets[{index}].power_flow_capability", "is bidirectional on an asset not bidirectional_capable"
                )
            )
    return errors


def validate(record: object) -> list[RecordError]:
    """Every reason ``record`` is not a valid schema-2.0 record; empty when valid."""
    errors = schema_errors(record)
    if errors or not isinstance(record, Mapping):
        return errors
    return cross_field_errors(record)


def _balance_setpoint(asset: Mapping[str, Any]) -> float | None:
    if asset["setpoint_kw"] is None and asset.get("connection_state") in AWAY_STATES:
        return 0.0
    setpoint: float | None = asset["setpoint_kw"]
    return setpoint


def balance_residual_kw(record: Mapping[str, Any]) -> float | None:
    """net import - (house + deferrable + sum of setpoints - solar); None if a setpoint is unknown (a null
    setpoint of an EV that is away counts as 0)."""
    known = [_balance_setpoint(asset) for asset in record["assets"]]
    setpoints = [setpoint for setpoint in known if setpoint is not None]
    if len(setpoints) < len(known):
        return None
    expected = record["house_load_kw"] + record["deferrable_load_kw"] + sum(setpoints) - record["solar_kw"]
    return float(record["net_import_kw"] - expected)


def balance_tolerance_kw(record: Mapping[str, Any]) -> float:
    """Allowed |residual| for the energy-balance check (see SCHEMA.md)."""
    gross = (
        record["house_load_kw"]
        + record["deferrable_load_kw"]
        + record["solar_kw"]
        + sum(abs(asset["setpoint_kw"] or 0.0) for asset in record["assets"])
    )
    return BALANCE_TOLERANCE_KW + BALANCE_TOLERANCE_SHARE * float(gross)


def quality_flags(record: Mapping[str, Any]) -> list[str]:
    """Soft checks on a valid record: published as flags, never a reason to drop it."""
    residual = balance_residual_kw(record)
    if residual is not None and abs(residual) > balance_tolerance_kw(record):
        return ["energy_balance"]
    return []


def _rounded(value: object) -> object:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        number = round(float(value), DECIMALS)
        return 0.0 if number == 0 else number  # no "-0.0"
    return value


def _ordered(value: Mapping[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    return {key: _rounded(value[key]) for key in keys if key in value}


_ASSET_KEYS: Final = (*ASSET_FIELDS, *EV_FIELDS)


def canonical_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record with canonical key order and floats rounded to 4 decimals."""
    ordered = _ordered(record, RECORD_FIELDS)
    ordered["assets"] = [_ordered(asset, _ASSET_KEYS) for asset in record["assets"]]
    ordered["deferrable_loads"] = []
    return ordered


def canonical_json(record: Mapping[str, Any]) -> str:
    """One JSONL line (without newline): validated, canonical order, rounded, no NaN.

    Raises RecordInvalidError when the record (after rounding) is not valid.
    """
    canonical = canonical_record(record)
    errors = validate(canonical)
    if errors:
        raise RecordInvalidError(errors)
    return json.dumps(canonical, separators=(",", ":"), allow_nan=False, ensure_ascii=True)


def day_path(interval_start_utc: str) -> str:
    """``YYYY/MM/DD.jsonl``: the day file holding a record, below a household's folder or ``raw/``."""
    day = interval_start_utc[:10]
    return f"{day[:4]}/{day[5:7]}/{day[8:10]}.jsonl"


def raw_path(household_id: str, interval_start_utc: str) -> str:
    """Path of the day file holding a record in the cohort's raw tree (one folder per household)."""
    return f"{household_id}/{day_path(interval_start_utc)}"


HOUSEHOLD_ID_PATTERN: Final = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")


def is_household_id(text: str) -> bool:
    """True for a lowercase random (version 4) UUID, the only household id form."""
    return bool(HOUSEHOLD_ID_PATTERN.fullmatch(text))
