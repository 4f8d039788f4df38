"""The synthetic cohort: raw layout, valid and canonical lines, same seed same bytes, physics."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from aggregation import simulate
from custom_components.nem_flex_telemetry import record as rec

REPO = Path(__file__).resolve().parents[2]


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aggregation", "simulate", *args], cwd=REPO, capture_output=True, text=True, check=False
    )


def _files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*.jsonl"))}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    """50 households over 2 days, written by the real command; records by household."""
    out = tmp_path_factory.mktemp("cohort")
    result = _run_cli("--households", "50", "--days", "2", "--seed", "1", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "wrote 28,800 records for 50 households x 2 days" in result.stdout
    assert "million records/minute" in result.stdout
    by_household: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for name, content in _files(out).items():
        household, year, month, day_file = name.split("/")
        assert rec.is_household_id(household)
        lines = content.decode("ascii").split("\n")
        assert lines[-1] == "", "files end with a newline"
        records = [json.loads(line) for line in lines[:-1]]
        stamps = [r["interval_start_utc"] for r in records]
        assert stamps == sorted(set(stamps)), "sorted, one record per interval"
        assert {s[:10] for s in stamps} == {f"{year}-{month}-{day_file[:2]}"}, "a UTC day per file"
        for line, record in zip(lines, records, strict=False):
            assert rec.validate(record) == [], (name, rec.validate(record))
            assert rec.canonical_json(record) == line, "lines are canonical"
        by_household[household].extend(records)
    (tmp_path_factory.getbasetemp() / "cohort_path.txt").write_text(str(out))
    return dict(by_household)


def test_the_cohort_has_every_household_and_interval(cohort: dict[str, list[dict[str, Any]]]) -> None:
    assert len(cohort) == 50
    assert {len(records) for records in cohort.values()} == {576}


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    first = Path((tmp_path_factory.getbasetemp() / "cohort_path.txt").read_text())
    again = tmp_path / "again"
    assert _run_cli("--households", "50", "--days", "2", "--seed", "1", "--out", str(again)).returncode == 0
    assert _files(again) == _files(first)
    other = tmp_path / "other"
    assert _run_cli("--households", "50", "--days", "2", "--seed", "2", "--out", str(other)).returncode == 0
    assert set(_files(other)).isdisjoint(_files(first)), "another seed draws other household ids"


def test_regions_and_real_postcode_prefixes(cohort: dict[str, list[dict[str, Any]]]) -> None:
    regions = defaultdict(set)
    for household, records in cohort.items():
        regions[records[0]["region"]].add(household)
        known = {prefix for prefix, _ in simulate.POSTCODES[records[0]["region"]]}
        assert {r["postcode_prefix"] for r in records} <= known
    assert set(regions) == set(rec.REGIONS)


def test_energy_balances_and_envelopes_hold(cohort: dict[str, list[dict[str, Any]]]) -> None:
    for records in cohort.values():
        for r in records:
            assert abs(rec.balance_residual_kw(r) or 0.0) < 0.002
            assert r["net_import_kw"] <= r["envelope_import_limit_kw"] + 1e-3
            assert -r["net_import_kw"] <= r["envelope_export_limit_kw"] + 1e-3
            for asset in r["assets"]:
                if asset["kind"] == "stationary_battery":
                    assert 9.9 <= asset["soc_pct"] <= 98.1


def test_envelope_duals_are_nonzero_exactly_when_the_envelope_binds(cohort: dict[str, list[dict[str, Any]]]) -> None:
    binding = {"import": 0, "export": 0}
    for records in cohort.values():
        for r in records:
            at_export_cap = abs(-r["net_import_kw"] - r["envelope_export_limit_kw"]) < 1e-3
            at_import_cap = abs(r["net_import_kw"] - r["envelope_import_limit_kw"]) < 1e-3
            if r["shadow_envelope_export_price"]:
                assert at_export_cap
                assert r["shadow_envelope_export_price"] < 0  # SCHEMA.md: a binding limit's dual is <= 0
                binding["export"] += 1
            if r["shadow_envelope_import_price"]:
                assert at_import_cap
                assert r["shadow_envelope_import_price"] < 0
                binding["import"] += 1
            for asset in r["assets"]:  # asset duals in the Switchboard's sign
                assert asset["shadow_power_balance_price"] in (None, r["shadow_energy_price"])
            if r["solar_kw"] == 0:
                assert r["shadow_solar_forecast_price"] == 0
    assert binding["export"] > 50, "midday export envelopes bind in a 50-household cohort"
    assert binding["import"] > 5, "evening import envelopes bind too"


def test_ev_states_make_sense(cohort: dict[str, list[dict[str, Any]]]) -> None:
    trips = 0
    for records in cohort.values():
        evs = [next((a for a in r["assets"] if a["kind"] == "ev"), None) for r in records]
        if evs[0] is None:
            continue
        states = [ev["connection_state"] for ev in evs if ev]
        for previous, current in itertools.pairwise(evs):
            assert previous and current
            if current["connection_state"] == "driving":
                assert current["setpoint_kw"] == 0 and current["power_flow_capability"] == "none"
            if previous["connection_state"] == "driving":
                assert current["soc_pct"] <= previous["soc_pct"], "SOC (at each interval start) never rises on a drive"
            if current["connection_state"] == "discharging":
                assert current["bidirectional_capable"] and current["setpoint_kw"] < 0
            if current["connection_state"] == "charging":
                assert current["setpoint_kw"] > 0
            if previous["connection_state"] == "driving" and current["connection_state"] != "driving":
                trips += 1
        assert states[-1] != "driving" or "driving" not in states[:100], "every EV comes home"
    assert trips > 10


def test_region_prices_have_evening_peaks_negative_middays_and_rare_spikes() -> None:
    start = datetime(2026, 11, 2, tzinfo=UTC)
    steps = 30 * simulate.STEPS_PER_DAY
    hours = simulate._aest_hours(start, steps)
    buy, sell = simulate.region_prices(1, "SA1", start, steps)
    midday = (hours >= 11) & (hours < 14)
    evening = (hours >= 17) & (hours < 20)
    assert np.median(buy[evening]) > 2 * np.median(buy[midday])
    assert (sell[midday] < 0).mean() > 0.3
    assert 0 < (buy > 1.0).mean() < 0.01
    assert buy.min() >= rec.PRICE_RANGE[0] and buy.max() <= rec.PRICE_RANGE[1]


def test_bad_arguments_get_a_clear_error(tmp_path: Path) -> None:
    result = _run_cli("--households", "0", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "--households and --days must be at least 1" in result.stderr
    assert not list(tmp_path.iterdir())
