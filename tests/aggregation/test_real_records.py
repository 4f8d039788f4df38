"""Records shaped like the prior system's real public telemetry (schema 2.0): what the build keeps, drops
and flags, and what the quality reports say about each household."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from aggregation import store
from aggregation.build import build
from custom_components.nem_flex_telemetry import record as rec
from tests.aggregation.helpers import NOW, household_id, make_record, read_json, write_day

DAY = NOW - timedelta(days=2)
DAY_TEXT = DAY.date().isoformat()
INTERVALS = 12
GOOD = [household_id(n) for n in range(1, 7)]
LIMIT_250, DUPLICATED, PLACEHOLDERS, EV_AWAY, FLIPPED, HOUSE_BASELINE, TWO_COPIES = (
    household_id(n) for n in range(40, 47)
)


def _moment(i: int) -> datetime:
    return DAY + timedelta(minutes=5 * i)


def _line(record: dict[str, Any]) -> str:
    return rec.canonical_json(record)


def _placeholder(moment: datetime) -> dict[str, Any]:
    """An all-zero record as the prior system wrote when its inputs were unavailable."""
    zero = dict.fromkeys(("net_import_kw", "solar_kw", "house_load_kw", "deferrable_load_kw", "naive_baseline_kw"), 0.0)
    prices = {"price_signal_seen": 0.0, "price_export_seen": 0.0, "flex_available_up_kw": 0.0}
    record = make_record(moment, **zero, **prices, flex_available_down_kw=0.0)
    record["assets"][0].update(setpoint_kw=0.0, soc_pct=0.0, available_up_kw=0.0, available_down_kw=0.0)
    return record


def _ev(state: str) -> dict[str, Any]:
    """A prior-system EV: setpoint null whenever it is not plugged in."""
    return {
        "asset_id": "ev1",
        "kind": "ev",
        "bidirectional_capable": False,
        "capacity_kwh": 60.0,
        "soc_pct": 40.0,
        "setpoint_kw": None,
        "available_up_kw": 0.0,
        "available_down_kw": 0.0,
        "shadow_power_balance_price": None,
        "connection_state": state,
        "power_flow_capability": "none" if state in ("unplugged", "driving") else "charge_only",
        "departure_target_pct": None,
        "departure_time_utc": None,
    }


def _with_ev(moment: datetime, state: str, **changes: Any) -> dict[str, Any]:
    record = make_record(moment, **changes)
    record["assets"].append(_ev(state))
    return record


def _flipped(moment: datetime) -> dict[str, Any]:
    """A battery charging 1.5 kW whose setpoint is published with the wrong sign (the grid balance shows it)."""
    record = make_record(moment)
    record["assets"][0]["setpoint_kw"] = -1.5
    return record


def _tree(raw: Path) -> None:
    for n, household in enumerate(GOOD):
        write_day(
            raw,
            household,
            DAY,
            [
                _line(make_record(_moment(i), house_load_kw=1.0 + n / 10, net_import_kw=-0.5 + n / 10))
                for i in range(INTERVALS)
            ],
        )
    write_day(
        raw,
        LIMIT_250,
        DAY,
        [_line(make_record(_moment(i), envelope_export_limit_kw=250.0, net_import_kw=-0.5)) for i in range(INTERVALS)],
    )
    # Each interval twice, the placeholder first (as the prior system's retries left them).
    write_day(
        raw,
        DUPLICATED,
        DAY,
        [_line(r) for i in range(INTERVALS) for r in (_placeholder(_moment(i)), make_record(_moment(i)))],
    )
    write_day(
        raw,
        PLACEHOLDERS,
        DAY,
        [_line(_placeholder(_moment(i)) if i % 3 == 0 else make_record(_moment(i))) for i in range(INTERVALS)],
    )
    # EVs with null setpoints, unplugged, driving or plugged in turn; the first three records import 5 kW too many.
    lines = []
    for i in range(INTERVALS):
        state = ("unplugged", "driving", "plugged_idle")[i % 3]
        lines.append(_line(_with_ev(_moment(i), state, net_import_kw=5.0 if i < 3 else -0.5)))
    write_day(raw, EV_AWAY, DAY, lines)
    write_day(raw, FLIPPED, DAY, [_line(_flipped(_moment(i))) for i in range(INTERVALS)])
    # The prior system's "subtraction" meant the house load.
    write_day(
        raw, HOUSE_BASELINE, DAY, [_line(make_record(_moment(i), naive_baseline_kw=1.0)) for i in range(INTERVALS)]
    )
    write_day(
        raw,
        TWO_COPIES,
        DAY,
        [
            _line(make_record(_moment(0), house_load_kw=1.0)),
            _line(make_record(_moment(0), house_load_kw=1.2, net_import_kw=-0.3)),
        ],
    )


def _build(raw: Path, out: Path) -> Path:
    build(raw, out / "cohort", out / "views", now=NOW, generated_at="2026-11-20T00:00:00Z")
    return out


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("real")
    _tree(base / "raw")
    return _build(base / "raw", base)


def _quality(out: Path, household: str) -> dict[str, Any]:
    quality: dict[str, Any] = read_json(out / "cohort" / "quarantine.json")["households"][household]["quality"]
    return quality


def _records(out: Path, household: str) -> Any:
    frame = store.read_records(out / "cohort", DAY_TEXT)
    return frame[frame["household"] == household].reset_index(drop=True)


def test_a_limit_above_the_connection_is_kept_as_no_effective_limit(built: Path) -> None:
    assert rec.validate(make_record(DAY, envelope_export_limit_kw=250.0)) == []
    assert rec.validate(make_record(DAY, envelope_export_limit_kw=200_000.0)) != []
    quality = _quality(built, LIMIT_250)
    assert (quality["accepted"], quality["limit_above_connection"]) == (INTERVALS, INTERVALS)
    rows = _records(built, LIMIT_250)
    assert rows["envelope_export_limit_kw"].isna().all()  # no effective limit: never "at the cap"
    assert (rows["envelope_import_limit_kw"] == 14.0).all()


def test_a_placeholder_first_copy_gives_way_to_the_real_one(built: Path) -> None:
    quality = _quality(built, DUPLICATED)
    assert (quality["accepted"], quality["placeholders"], quality["duplicates"]) == (INTERVALS, INTERVALS, 0)
    rows = _records(built, DUPLICATED)
    assert len(rows) == INTERVALS and (rows["house_load_kw"] == 1.0).all()


def test_placeholders_are_quarantined_as_placeholders(built: Path) -> None:
    report = read_json(built / "cohort" / "quarantine.json")
    assert report["households"][PLACEHOLDERS]["rejected"] == {"placeholder record": INTERVALS // 3}
    assert _quality(built, PLACEHOLDERS)["accepted"] == INTERVALS - INTERVALS // 3
    assert (_records(built, PLACEHOLDERS)["house_load_kw"] > 0).all()


def test_null_setpoints_of_away_evs_count_as_zero_in_the_balance(built: Path) -> None:
    # Records 0 and 1 (unplugged, driving) import 5 kW that nothing explains; 2 is plugged with an unknown setpoint.
    rows = _records(built, EV_AWAY)
    assert rows["energy_balance_flag"].tolist() == [True, True] + [False] * (INTERVALS - 2)
    assert _quality(built, EV_AWAY)["flag_rate"] == round(2 / INTERVALS, 4)
    # The reference implementation agrees, record by record.
    assert [rec.quality_flags(_with_ev(DAY, state, net_import_kw=5.0)) for state in ("unplugged", "driving")] == [
        ["energy_balance"]
    ] * 2
    assert rec.quality_flags(_with_ev(DAY, "plugged_idle", net_import_kw=5.0)) == []


def test_a_battery_that_balances_only_with_its_sign_flipped_is_named(built: Path) -> None:
    quality = _quality(built, FLIPPED)
    assert quality["energy_balance_flagged"] == quality["battery_sign_flipped"] == INTERVALS
    assert quality["flag_rate"] == 1.0
    assert GOOD[0] not in read_json(built / "cohort" / "quarantine.json")["households"]  # nothing to report


def test_a_house_load_baseline_is_detected_and_left_out_of_savings(built: Path, tmp_path: Path) -> None:
    quality = _quality(built, HOUSE_BASELINE)
    assert (quality["accepted"], quality["baseline_is_house_load"]) == (INTERVALS, INTERVALS)
    assert _records(built, HOUSE_BASELINE)["naive_baseline_kw"].isna().all()
    assert _records(built, GOOD[0])["naive_baseline_kw"].notna().all()
    # The cohort's savings are what they are without that household.
    for household in {*GOOD, LIMIT_250, DUPLICATED, PLACEHOLDERS, EV_AWAY, FLIPPED, TWO_COPIES}:
        source = built / "raw" / rec.raw_path(household, rec.format_utc(DAY))
        write_day(tmp_path / "raw", household, DAY, source.read_bytes())
    alone = _build(tmp_path / "raw", tmp_path)
    hourly = [store.read_cells(out / "cohort", DAY_TEXT, "1h") for out in (built, alone)]
    nem = [cells[cells["region"] == "NEM"]["saving_aud"].sum() for cells in hourly]
    assert nem[0] == pytest.approx(nem[1])


def test_of_two_valid_copies_the_last_is_kept_and_named(built: Path) -> None:
    rows = _records(built, TWO_COPIES)
    assert rows["house_load_kw"].tolist() == [1.2]
    entry = read_json(built / "cohort" / "quarantine.json")["households"][TWO_COPIES]
    assert (entry["duplicates"], entry["duplicates_dropped"]) == (1, [rec.format_utc(_moment(0))])


def test_an_appended_copy_replaces_the_cached_one_as_a_full_build_would(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    first = [_line(make_record(_moment(i))) for i in range(3)]
    write_day(raw, TWO_COPIES, DAY, first)
    _build(raw, tmp_path / "incremental")
    write_day(raw, TWO_COPIES, DAY, [*first, _line(make_record(_moment(1), house_load_kw=1.2, net_import_kw=-0.3))])
    incremental = _build(raw, tmp_path / "incremental")
    full = _build(raw, tmp_path / "full")
    assert _records(incremental, TWO_COPIES)["house_load_kw"].tolist() == [1.0, 1.2, 1.0]
    reports = [read_json(out / "cohort" / "quarantine.json")["households"][TWO_COPIES] for out in (incremental, full)]
    assert reports[0] == reports[1]
    assert reports[0]["duplicates_dropped"] == [rec.format_utc(_moment(1))]


def test_the_quality_view_summarises_each_household_without_its_id(built: Path) -> None:
    text = (built / "views" / "quality.json").read_text()
    rows = read_json(built / "views" / "quality.json")["households"]
    assert len(rows) == len(GOOD) + 7
    assert rows[0]["flag_rate"] == 1.0 and rows[0]["battery_sign_flipped"] == INTERVALS
    assert sum(row["placeholders"] for row in rows) == INTERVALS + INTERVALS // 3
    assert not any(household in text for household in (*GOOD, LIMIT_250, FLIPPED))
