"""The household's own figures without Home Assistant: the shared formulas, the ledger, the standing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pandas as pd
import pytest

from aggregation import cohort, simulate
from custom_components.nem_flex_telemetry import money, standing
from custom_components.nem_flex_telemetry.household import HouseholdLedger
from custom_components.nem_flex_telemetry.record import canonical_json

SYDNEY = ZoneInfo("Australia/Sydney")  # daylight saving in November: UTC+11


@pytest.fixture(scope="module")
def records() -> list[dict[str, object]]:
    """Two simulated days of one household, as canonical lines read back (what both sides see)."""
    _house, generated = simulate.simulate_household(3, 2, datetime(2026, 11, 20, tzinfo=UTC), 2)
    return [json.loads(canonical_json(record)) for record in generated]


def test_record_and_column_formulas_agree_with_the_aggregation(records: list[dict[str, object]]) -> None:
    frame = pd.DataFrame(records)
    frame["interval_start"] = pd.to_datetime(frame["interval_start_utc"], utc=True)
    derived = cohort.derive(frame.copy())
    per_record = [
        money.interval_cost_aud(r["net_import_kw"], r["price_signal_seen"], r["price_export_seen"]) for r in records
    ]
    assert derived["cost_actual_aud"].tolist() == pytest.approx(per_record, abs=1e-12)
    savings = [
        money.saving_aud(r["net_import_kw"], r["naive_baseline_kw"], r["price_signal_seen"], r["price_export_seen"])
        for r in records
    ]
    assert derived["saving_aud"].tolist() == pytest.approx(savings, abs=1e-12)
    exporting = [r for r in records if float(r["net_import_kw"]) < 0]  # type: ignore[arg-type]
    assert exporting, "the simulated days export at midday"
    first = exporting[0]
    value = money.export_value_aud(first["net_import_kw"], first["price_export_seen"])
    assert value == pytest.approx(-first["net_import_kw"] * first["price_export_seen"] * 5 / 60)
    assert money.import_cost_aud(first["net_import_kw"], first["price_signal_seen"]) == 0


def test_ledger_days_follow_the_households_clock_and_count_each_interval_once(
    records: list[dict[str, object]],
) -> None:
    ledger = HouseholdLedger()
    for record in records:
        assert ledger.add(record, SYDNEY)
    assert not ledger.add(records[-1], SYDNEY)  # the same interval again adds nothing
    # 22 Nov 00:00 in Sydney is 21 Nov 13:00 UTC: "today" holds the records from then on.
    local_midnight = datetime(2026, 11, 21, 13, tzinfo=UTC)
    today = [r for r in records if datetime.fromisoformat(str(r["interval_start_utc"])) >= local_midnight]
    expected = sum(
        money.interval_cost_aud(r["net_import_kw"], r["price_signal_seen"], r["price_export_seen"]) for r in today
    )
    assert ledger.totals["day"].intervals == len(today) == 11 * 12
    assert ledger.totals["day"].net_cost_aud == pytest.approx(expected)
    assert ledger.totals["day"].start == "2026-11-22T00:00:00+11:00"
    assert ledger.totals["month"].intervals == len(records)
    ledger.roll(datetime(2026, 12, 1, 0, 1, tzinfo=SYDNEY))
    assert (ledger.totals["day"].intervals, ledger.totals["month"].intervals) == (0, 0)
    assert ledger.totals["month"].start == "2026-12-01T00:00:00+11:00"


def test_ledger_survives_storage_and_rejects_a_broken_store(records: list[dict[str, object]]) -> None:
    ledger = HouseholdLedger()
    for record in records[:100]:
        ledger.add(record, SYDNEY)
    stored = json.loads(json.dumps(ledger.as_dict()))
    again = HouseholdLedger.from_dict(stored)
    assert again.as_dict() == ledger.as_dict()
    assert not again.add(records[99], SYDNEY)  # what was counted before the restart is not counted twice
    for broken in ({"totals": "x"}, {"totals": {}, "prices": {"d": ["a"]}, "seen": []}, {"latest": 3}):
        assert HouseholdLedger.from_dict(broken).as_dict() == HouseholdLedger().as_dict()


def test_own_measures_and_placement_among_published_quantiles(records: list[dict[str, object]]) -> None:
    ledger = HouseholdLedger()
    for record in records:
        ledger.add(record, SYDNEY)
    own = ledger.own_measures()
    flex = [float(r["flex_available_up_kw"]) for r in records]  # type: ignore[arg-type]
    assert own["flex_up_kw"] == pytest.approx(sum(flex) / len(flex))
    assert own["export_binding_share"] is not None and 0 <= own["export_binding_share"] <= 100
    assert len(ledger.days) == 3  # two UTC days span three Sydney days
    points = [1.0, 2.0, 3.0, 4.0, 5.0]
    assert standing.place(3.0, points) == standing.Placement(50.0, None)
    assert standing.place(3.5, points) == standing.Placement(62.5, None)
    assert standing.place(0.5, points) == standing.Placement(10.0, "below")
    assert standing.place(9.0, points) == standing.Placement(90.0, "above")
    assert standing.place(1.0, [None, 1, 2, 3, 4]) is None  # a suppressed quantile places nothing


def test_region_standing_reads_only_a_well_formed_published_region() -> None:
    good = {"households": 12, **{measure.key: [0.1, 0.2, 0.3, 0.4, 0.5] for measure in standing.MEASURES}}
    feed = {"period": "2026-11-01/2026-11-28", "regions": {"QLD1": good, "VIC1": None}}
    found = standing.region_standing(feed, "QLD1")
    assert found is not None and found.households == 12 and found.period == "2026-11-01/2026-11-28"
    assert standing.region_standing(feed, "VIC1") is None  # suppressed
    assert standing.region_standing(feed, "SA1") is None  # absent
    for broken in (
        {"regions": {"QLD1": {**good, "flex_up_kw": [1, 2]}}},
        {"regions": {"QLD1": {**good, "households": True}}},
        {"regions": {"QLD1": {**good, "saving_aud_per_day": ["1", 2, 3, 4, 5]}}},
        {"regions": []},
        [],
    ):
        assert standing.region_standing(broken, "QLD1") is None
