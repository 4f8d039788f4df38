"""validate() accepts published-schema records and rejects malformed ones with a specific reason."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from custom_components.nem_flex_telemetry import record as rec
from tests.record.examples import BATTERY, EV, RECORD, record

ALIGNED = " (:00, :05, ... :55, seconds 00)"


def _messages(value: Any) -> list[str]:
    return [str(error) for error in rec.validate(value)]


def test_a_published_schema_record_validates() -> None:
    assert rec.validate(RECORD) == []


def test_a_record_without_assets_validates() -> None:
    assert rec.validate(record(assets=[])) == []


def test_integers_are_numbers_but_booleans_are_not() -> None:
    assert rec.validate(record(solar_kw=9)) == []
    assert _messages(record(solar_kw=True)) == ["solar_kw: must be a number, not boolean"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"schema_version": "1.1"}, "schema_version: must be '2.0', not '1.1'"),
        ({"region": "WA1"}, "region: 'WA1' is not one of NSW1, QLD1, VIC1, SA1, TAS1"),
        ({"postcode_prefix": "2040"}, "postcode_prefix: is 4 characters long, more than 3"),
        ({"postcode_prefix": "20a"}, "postcode_prefix: '20a' must be exactly 3 digits"),
        ({"postcode_prefix": 204}, "postcode_prefix: must be a string, not number"),
        ({"net_import_kw": "3.2"}, "net_import_kw: must be a number, not string"),
        ({"net_import_kw": None}, "net_import_kw: must not be null"),
        ({"net_import_kw": float("nan")}, "net_import_kw: must be finite, not nan"),
        ({"solar_kw": float("inf")}, "solar_kw: must be finite, not inf"),
        ({"solar_kw": -0.5}, "solar_kw: -0.5 is outside the range 0 to 200"),
        ({"net_import_kw": 250.0}, "net_import_kw: 250.0 is outside the range -200 to 200"),
        ({"price_signal_seen": 25.0}, "price_signal_seen: 25.0 is outside the range -2 to 20"),
        ({"shadow_energy_price": 1e6}, "shadow_energy_price: 1000000.0 is outside the range -1000 to 1000"),
        ({"shadow_energy_price": "0.1"}, "shadow_energy_price: must be a number or null, not string"),
        (
            {"naive_baseline_method": "guess"},
            "naive_baseline_method: 'guess' is not one of subtraction, haeo_counterfactual",
        ),
        (
            {"interval_start_utc": "2026-07-14T00:03:00Z"},
            "interval_start_utc: 2026-07-14T00:03:00Z is not the start of a 5-minute interval" + ALIGNED,
        ),
        (
            {"interval_start_utc": "2026-07-14T00:05:30Z"},
            "interval_start_utc: 2026-07-14T00:05:30Z is not the start of a 5-minute interval" + ALIGNED,
        ),
        (
            {"interval_start_utc": "2026-07-14T10:05:00+10:00"},
            "interval_start_utc: '2026-07-14T10:05:00+10:00' carries an offset; use UTC with a Z suffix",
        ),
        (
            {"interval_start_utc": "2026-02-30T00:05:00Z"},
            "interval_start_utc: '2026-02-30T00:05:00Z' is not a UTC timestamp YYYY-MM-DDTHH:MM:SSZ",
        ),
        (
            {"interval_start_utc": "yesterday"},
            "interval_start_utc: 'yesterday' is not a UTC timestamp YYYY-MM-DDTHH:MM:SSZ",
        ),
        (
            {"interval_start_utc": "2026-07-14T00:05:00Z" + "0" * 100},
            "interval_start_utc: is 120 characters long, more than 20",
        ),
        ({"assets": {}}, "assets: must be an array, not object"),
        ({"assets": ["battery"]}, "assets[0]: must be an object, not string"),
        (
            {"deferrable_loads": [{"kind": "pool_pump"}]},
            "deferrable_loads: must be empty in schema 2.0 (reserved for a later version)",
        ),
        ({"household_name": "Smith"}, "household_name: is not a schema 2.0 field"),
    ],
)
def test_malformed_records_are_rejected_with_a_specific_reason(change: dict[str, Any], expected: str) -> None:
    assert expected in _messages(record(**change))


def test_missing_keys_are_each_named() -> None:
    broken = record()
    del broken["region"], broken["assets"]
    assert _messages(broken) == ["region: is missing", "assets: is missing"]


def test_not_an_object() -> None:
    assert _messages([RECORD]) == ["(record): must be a JSON object, not array"]


@pytest.mark.parametrize(
    ("asset_change", "expected"),
    [
        ({"soc_pct": 101.0}, "assets[0].soc_pct: 101.0 is outside the range 0 to 100"),
        ({"kind": "heat_pump"}, "assets[0].kind: 'heat_pump' is not one of stationary_battery, ev"),
        ({"asset_id": "Home Battery"}, "assets[0].asset_id: 'Home Battery' must be 1-32 characters of a-z, 0-9 and _"),
        ({"asset_id": "x" * 33}, "assets[0].asset_id: is 33 characters long, more than 32"),
        ({"bidirectional_capable": "yes"}, "assets[0].bidirectional_capable: must be true or false, not string"),
        ({"connection_state": "charging"}, "assets[0].connection_state: is only allowed on assets of kind 'ev'"),
        ({"capacity_kwh": None}, "assets[0].capacity_kwh: must not be null"),
    ],
)
def test_malformed_assets_are_rejected_with_their_path(asset_change: dict[str, Any], expected: str) -> None:
    battery = {**BATTERY, **asset_change}
    assert expected in _messages(record(assets=[battery]))


def test_an_ev_needs_its_four_ev_keys() -> None:
    ev = {key: value for key, value in EV.items() if key != "departure_time_utc"}
    assert _messages(record(assets=[ev])) == [
        "assets[0].departure_time_utc: is missing (required for assets of kind 'ev')"
    ]


def test_ev_departure_time_must_be_utc() -> None:
    ev = {**EV, "departure_time_utc": "2026-07-15T07:30:00+10:00"}
    assert _messages(record(assets=[ev])) == [
        "assets[0].departure_time_utc: '2026-07-15T07:30:00+10:00' carries an offset; use UTC with a Z suffix"
    ]


def test_asset_ids_are_unique_and_v2g_needs_a_bidirectional_asset() -> None:
    ev = {**EV, "power_flow_capability": "bidirectional"}
    assert _messages(record(assets=[BATTERY, {**BATTERY}, ev])) == [
        "assets[1].asset_id: 'home_battery' appears twice",
        "assets[2].power_flow_capability: is bidirectional on an asset not bidirectional_capable",
    ]


def test_too_many_assets() -> None:
    many = [{**BATTERY, "asset_id": f"b{i}"} for i in range(17)]
    assert "assets: has 17 entries, more than 16" in _messages(record(assets=many))


def test_hostile_keys_are_reported_shortened() -> None:
    message = _messages(record(**{"<script>" * 20: 1}))[0]
    assert message.startswith("<script><script><script><script><scri...: is not a schema 2.0 field")


def test_canonical_json_orders_keys_rounds_and_is_stable() -> None:
    shuffled = dict(reversed(list(record(net_import_kw=-3.20000049, solar_kw=-0.0).items())))
    shuffled["assets"] = [dict(reversed(list(BATTERY.items())))]
    line = rec.canonical_json(shuffled)
    parsed = json.loads(line)
    assert list(parsed) == list(rec.RECORD_KEYS)
    assert list(parsed["assets"][0]) == list(rec.ASSET_FIELDS)
    assert parsed["net_import_kw"] == -3.2
    assert '"solar_kw":0.0' in line
    assert " " not in line and "\n" not in line
    assert rec.canonical_json(json.loads(line)) == line


def test_canonical_json_refuses_invalid_records() -> None:
    with pytest.raises(rec.RecordInvalidError, match="net_import_kw: must be finite, not nan"):
        rec.canonical_json(record(net_import_kw=float("nan")))


def test_energy_balance_flag() -> None:
    balanced = record(net_import_kw=0.6 + 2.0 + 4.0 - 9.8)
    assert rec.quality_flags(balanced) == []
    assert rec.quality_flags(record(net_import_kw=3.0)) == ["energy_balance"]
    unknown_setpoint = copy.deepcopy(record(net_import_kw=3.0))
    unknown_setpoint["assets"][1]["setpoint_kw"] = None
    assert rec.quality_flags(unknown_setpoint) == []


def test_raw_path_and_household_ids() -> None:
    household = "0f8fad5b-d9cb-469f-a165-70867728950e"
    assert rec.raw_path(household, "2026-07-14T23:55:00Z") == f"{household}/2026/07/14.jsonl"
    assert rec.is_household_id(household)
    assert not rec.is_household_id("../etc")
    assert not rec.is_household_id(household.upper())
