"""Small view files that follow docs/VIEWS.md, made by hand-written rules (no aggregation needed).

They let the dashboard tests know exactly how many marks each chart must draw, and carry the
awkward cases on purpose: a suppressed cell, a negative price and a spike, a thin bin, and a
data string holding HTML that the page must show as text.
"""

from __future__ import annotations

import functools
import json
import math
from pathlib import Path
from typing import Any

REGIONS = ["NEM", "NSW1", "QLD1", "VIC1", "SA1", "TAS1"]
START = "2026-11-15T00:00:00Z"
HOSTILE = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>'
# Dense series length (hours) and the index the fixtures suppress in every series.
HOURS = 48
SUPPRESSED_INDEX = 5
PRICE_BINS = [
    {"label": "< 0", "low": None, "high": 0.0},
    {"label": "0–5 c", "low": 0.0, "high": 0.05},
    {"label": "5–10 c", "low": 0.05, "high": 0.10},
    {"label": "10–30 c", "low": 0.10, "high": 0.30},
    {"label": "30 c–$1", "low": 0.30, "high": 1.0},
    {"label": "$1–5", "low": 1.0, "high": 5.0},
    {"label": "> $5", "low": 5.0, "high": None},
]
DUALS = [
    "shadow_energy_price",
    "shadow_load_forecast_price",
    "shadow_solar_forecast_price",
    "shadow_envelope_import_price",
    "shadow_envelope_export_price",
    "shadow_power_balance_price",
]


def _meta(view: str, title: str, households: int, units: dict[str, str], *, notes: str = "") -> dict[str, Any]:
    return {
        "view": view,
        "title": title,
        "generated_at": "2026-11-22T10:00:00Z",
        "schema_version": "2.0",
        "period": {"start": START, "end": "2026-11-17T00:00:00Z"},
        "households": households,
        "regions": REGIONS,
        "suppression": {
            "rule": "region: >= 5 households, none > 50 % of energy; postcode: 15/15",
            "cells": 1000,
            "suppressed": 12,
            "min_households": 5,
        },
        "units": units,
        "notes": notes or "Synthetic fixture for the dashboard tests.",
    }


def _wave(i: int, scale: float, offset: float = 0.0) -> float:
    return round(offset + scale * (1 + math.sin(i / 24 * 2 * math.pi)), 4)


def _series(length: int, make: Any, *, suppressed: bool = True) -> list[Any]:
    return [None if suppressed and i == SUPPRESSED_INDEX else make(i) for i in range(length)]


def _price(i: int) -> float:
    # A negative midday sell price and one evening spike exercise the symlog price axis.
    if i % 24 == 12:
        return -0.05
    if i == 42:
        return 12.5
    return _wave(i, 0.1, 0.05)


def flex(households: int) -> dict[str, Any]:
    series = {
        region: {
            "start": START,
            "interval": "1h",
            "households": _series(HOURS, lambda _i: households),
            "flex_up_kw": _series(HOURS, lambda i: _wave(i, 40.0, 5)),
            "flex_down_kw": _series(HOURS, lambda i: _wave(i + 6, 30.0, 3)),
            "price_buy": _series(HOURS, _price),
            "price_sell": _series(HOURS, lambda i: round(_price(i) - 0.04, 4)),
            "suppressed": [SUPPRESSED_INDEX],
        }
        for region in REGIONS
    }
    meta = _meta(
        "flex",
        "Cohort flexibility",
        households,
        {"flex_up_kw": "kW", "flex_down_kw": "kW", "price_buy": "$/kWh", "price_sell": "$/kWh"},
        notes=HOSTILE,
    )
    return {"meta": meta, "series": series}


def price_response(households: int) -> dict[str, Any]:
    rows = []
    for region in REGIONS:
        for index in range(len(PRICE_BINS)):
            suppressed = region == "TAS1" and index == 6
            thin = index >= 5
            mean = -0.3 * index + 0.2
            rows.append(
                {
                    "region": region,
                    "bin": index,
                    "mean_delta_kw": None if suppressed else round(mean, 4),
                    "ci_low_kw": None if suppressed else round(mean - 0.2, 4),
                    "ci_high_kw": None if suppressed else round(mean + 0.2, 4),
                    "households": None if suppressed else households,
                    "intervals": None if suppressed else 500 - 60 * index,
                    "days": None if suppressed else 14 - 2 * index,
                    "thin": thin,
                    "suppressed": suppressed,
                }
            )
    meta = _meta("price_response", "Price response", households, {"mean_delta_kw": "kW"})
    return {"meta": meta, "bins": PRICE_BINS, "rows": rows}


def _unless(suppressed: bool, value: float | int) -> float | int | None:
    return None if suppressed else value


def curtailment(households: int) -> dict[str, Any]:
    cells = []
    for region in REGIONS:
        for hour in range(24):
            suppressed = region == "SA1" and hour == 3
            value = functools.partial(_unless, suppressed)
            sun = max(0.0, math.sin((hour - 6) / 12 * math.pi))
            cells.append(
                {
                    "region": region,
                    "hour_aest": hour,
                    "households": value(households),
                    "intervals": value(households * 12),
                    "export_at_cap_share": value(round(0.6 * sun, 4)),
                    "export_binding_share": value(round(0.4 * sun, 4)),
                    "export_dual_mean": value(round(-0.02 * sun, 4)),
                    "export_kwh": value(round(20 * sun, 4)),
                    "import_at_cap_share": value(round(0.05 * (1 - sun), 4)),
                    "import_binding_share": value(round(0.02 * (1 - sun), 4)),
                    "import_dual_mean": value(0.01),
                    "suppressed": suppressed,
                }
            )
    meta = _meta("curtailment", "Export curtailment and envelope binding", households, {"export_kwh": "kWh"})
    return {"meta": meta, "cells": cells}


def ledger(households: int) -> dict[str, Any]:
    series = {}
    for region in REGIONS:
        saving = _series(HOURS, lambda i: round(0.5 + 0.3 * math.sin(i / 5), 4))
        total, cumulative = 0.0, []
        for value in saving:
            total += value or 0.0
            cumulative.append(None if value is None else round(total, 4))
        series[region] = {
            "start": START,
            "interval": "1h",
            "households": _series(HOURS, lambda _i: households),
            "cost_actual_aud": _series(HOURS, lambda i: _wave(i, 2.0)),
            "cost_baseline_aud": _series(HOURS, lambda i: _wave(i, 2.0, 0.5)),
            "saving_aud": saving,
            "cumulative_saving_aud": cumulative,
            "suppressed": [SUPPRESSED_INDEX],
        }
    meta = _meta("ledger", "Counterfactual ledger", households, {"saving_aud": "AUD"}, notes="Baseline: subtraction.")
    return {"meta": meta, "series": series}


def spread(households: int) -> dict[str, Any]:
    by_hour = []
    for region in REGIONS:
        for hour in range(24):
            suppressed = region == "VIC1" and hour == 0
            buy, sell = _price(hour), round(_price(hour) - 0.04, 4)
            by_hour.append(
                {
                    "region": region,
                    "hour_aest": hour,
                    "price_buy": None if suppressed else buy,
                    "price_sell": None if suppressed else sell,
                    "spread": None if suppressed else round(buy - sell, 4),
                    "negative_sell_share": None if suppressed else (1.0 if sell < 0 else 0.0),
                    "suppressed": suppressed,
                }
            )
    series = {
        region: {
            "start": START,
            "interval": "1h",
            "price_buy": _series(HOURS, _price),
            "price_sell": _series(HOURS, lambda i: round(_price(i) - 0.04, 4)),
            "suppressed": [SUPPRESSED_INDEX],
        }
        for region in REGIONS
    }
    daily = {
        region: {
            "start": START,
            "interval": "1d",
            "household_intervals": [288, 288],
            "negative_sell_share": [0.02, 0.03],
            "suppressed": [],
        }
        for region in REGIONS
    }
    meta = _meta("spread", "Buy/sell spread", households, {"price_buy": "$/kWh"})
    return {"meta": meta, "by_hour": by_hour, "series": series, "daily": daily}


def assets(households: int) -> dict[str, Any]:
    series = {
        kind: {
            "start": START,
            "interval": "1h",
            "assets": _series(HOURS, lambda _i: households),
            "stored_kwh": _series(HOURS, lambda i: _wave(i, 100.0, 50)),
            "setpoint_kw": _series(HOURS, lambda i: round(10 * math.sin(i / 4), 4)),
            "suppressed": [SUPPRESSED_INDEX],
        }
        for kind in ("stationary_battery", "ev")
    }
    ev_states = []
    for hour in range(24):
        suppressed = hour == 2
        shares = [0.3, 0.3, 0.2, 0.1, 0.1]
        row: dict[str, Any] = dict(
            zip(["unplugged", "plugged_idle", "charging", "discharging", "driving"], shares, strict=True)
        )
        if suppressed:
            row = dict.fromkeys(row)
        ev_states.append({"hour_aest": hour, **row, "evs": None if suppressed else 20, "suppressed": suppressed})
    meta = _meta("assets", "Assets and V2G", households, {"stored_kwh": "kWh", "setpoint_kw": "kW"})
    return {
        "meta": meta,
        "series": series,
        "ev_states": ev_states,
        "bidirectional": {"evs": 20, "bidirectional_capable_share": 0.25, "discharging_share": 0.1},
    }


def shadow(households: int) -> dict[str, Any]:
    cells = []
    for dual in DUALS:
        for region in REGIONS:
            for hour in range(24):
                suppressed = region == "QLD1" and hour == 4
                base = 0.1 * math.sin(hour / 24 * 2 * math.pi)
                quantiles = {
                    name: None if suppressed else round(base + delta, 4)
                    for name, delta in [("p10", -0.2), ("p25", -0.1), ("p50", 0.0), ("p75", 0.1), ("p90", 0.2)]
                }
                cells.append(
                    {
                        "dual": dual,
                        "region": region,
                        "hour_aest": hour,
                        "count": None if suppressed else 120,
                        "mean": None if suppressed else round(base, 4),
                        **quantiles,
                        "binding_share": None if suppressed else round(abs(base), 4),
                        "suppressed": suppressed,
                    }
                )
    meta = _meta("shadow", "Shadow prices", households, {"mean": "$/kWh"})
    return {"meta": meta, "duals": DUALS, "cells": cells}


def quality(households: int) -> dict[str, Any]:
    meta = _meta("quality", "Data quality", households, {"records": "count"})
    return {
        "meta": meta,
        "days": [{"day": "2026-11-15", "records": 17280, "rejected": 3, "duplicates": 1, "energy_balance_flagged": 0}],
        "reasons": [{"reason": "interval not on a 5-minute boundary", "count": 3}],
    }


def status(households: int, *, demo: bool) -> dict[str, Any]:
    meta = _meta("status", "Status", households, {"total_savings_aud": "AUD"})
    return {
        "meta": meta,
        "last_updated": "2026-11-16T23:55:00Z",
        "cohort_size": households,
        "households_total": households + 2,
        "records": 34560,
        "regions": {
            "NSW1": 20,
            "QLD1": 15,
            "VIC1": 15,
            "SA1": None,
            "TAS1": None,
        },  # hidden together, as the build hides them
        "total_savings_aud": 1234.5,
        "quality": {
            "files": 120,
            "records": 34560,
            "rejected": 3,
            "duplicates": 1,
            "quarantined_files": 0,
            "energy_balance_flagged": 0,
        },
        "demo": demo,
    }


VIEW_FILES = ["flex", "price_response", "curtailment", "ledger", "spread", "assets", "shadow", "quality"]


def all_views(households: int = 60, *, demo: bool = False) -> dict[str, dict[str, Any]]:
    makers = {
        "flex": flex,
        "price_response": price_response,
        "curtailment": curtailment,
        "ledger": ledger,
        "spread": spread,
        "assets": assets,
        "shadow": shadow,
        "quality": quality,
    }
    views = {name: make(households) for name, make in makers.items()}
    views["status"] = status(households, demo=demo)
    return views


def write_views(folder: Path, households: int = 60, *, demo: bool = False) -> Path:
    return write(folder, all_views(households, demo=demo))


TABLES = ["rows", "cells", "by_hour", "ev_states"]
SERIES_KEYS = ["series", "daily"]
SERIES_SKIP = {"start", "interval", "suppressed"}


def young_cohort(views: dict[str, dict[str, Any]], households: int = 2) -> dict[str, dict[str, Any]]:
    """The same views as a cohort too young to publish: every cell suppressed, numbers null."""
    for body in views.values():
        body["meta"]["households"] = households
        for key in TABLES:
            for row in body.get(key, []):
                for field in row:
                    if field not in {"region", "hour_aest", "bin", "dual", "thin", "suppressed"}:
                        row[field] = None
                row["suppressed"] = True
        for block in [block for key in SERIES_KEYS for block in body.get(key, {}).values()]:
            length = max(len(v) for k, v in block.items() if k not in SERIES_SKIP)
            for field in block:
                if field not in SERIES_SKIP:
                    block[field] = [None] * length
            block["suppressed"] = list(range(length))
    return views


def write(folder: Path, views: dict[str, dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in views.items():
        (folder / f"{name}.json").write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return folder
