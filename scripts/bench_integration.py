"""Benchmark: build, validate and persist one record for a household with 2 assets.

Not a test. Runs Home Assistant's core (no frontend) in-process:
    scripts/run python scripts/bench_integration.py [samples]
Prints the median time per sample, split into the event-loop part (reading states,
derivations, validation, canonical JSON) and the executor part (append + fsync).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from homeassistant.core import HomeAssistant

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from anywhere without installing

from custom_components.nem_flex_telemetry.builder import EvMemory, Identity, build_record
from custom_components.nem_flex_telemetry.outbox import Outbox
from custom_components.nem_flex_telemetry.record import canonical_json, interval_start

OUTPUT = {"source_role": "output", "unit_of_measurement": "kW"}
STATES = {
    "sensor.grid_active_power": "5.5",
    "sensor.solar_power": "3.0",
    "sensor.house_load_power": "2.5",
    "sensor.battery_active_power": "-2.0",
    "sensor.battery_state_of_charge": "56",
    "sensor.battery_power_balance_shadow_price": "-0.058",
    "sensor.ev_charger_power": "4.0",
    "sensor.ev_charger_forecast_limit_shadow_price": "0.06",
    "sensor.switchboard_power_balance_shadow_price": "0.06",
    "sensor.ev_battery_level": "40",
}
MAPPING = {
    "grid_power": "sensor.grid_active_power",
    "solar_powers": ["sensor.solar_power"],
    "load_powers": ["sensor.house_load_power"],
    "import_price": "number.grid_import_price",
    "export_price": "number.grid_export_price",
    "import_limit_kw": 15.0,
    "export_limit_kw": 5.0,
    "energy_dual": "sensor.switchboard_power_balance_shadow_price",
}
ASSETS = [
    {
        "asset_id": "battery",
        "kind": "stationary_battery",
        "capacity_kwh": 13.5,
        "bidirectional": True,
        "max_charge_kw": 5.0,
        "max_discharge_kw": 5.0,
        "power_entity": "sensor.battery_active_power",
        "power_sign": "discharge_positive",
        "soc_entity": "sensor.battery_state_of_charge",
        "dual_entity": "sensor.battery_power_balance_shadow_price",
    },
    {
        "asset_id": "ev1",
        "kind": "ev",
        "capacity_kwh": 60.0,
        "bidirectional": False,
        "max_charge_kw": 7.0,
        "power_entity": "sensor.ev_charger_power",
        "power_sign": "charge_positive",
        "soc_entity": "sensor.ev_battery_level",
        "dual_entity": "sensor.ev_charger_forecast_limit_shadow_price",
    },
]


async def main(samples: int) -> None:
    with tempfile.TemporaryDirectory() as config_dir:
        hass = HomeAssistant(config_dir)
        for entity_id, value in STATES.items():
            hass.states.async_set(entity_id, value, OUTPUT)
        hass.states.async_set("number.grid_import_price", "0.30", {"unit_of_measurement": "$/kWh"})
        hass.states.async_set("number.grid_export_price", "0.05", {"unit_of_measurement": "$/kWh"})
        outbox = Outbox(Path(config_dir) / "outbox")
        outbox.load()
        memory = EvMemory()
        identity = Identity("QLD1", "410")
        start = interval_start(datetime.now(UTC)) - timedelta(minutes=5 * samples)
        loop_times, total_times = [], []
        for index in range(samples):
            interval = start + timedelta(minutes=5 * index)
            begin = time.perf_counter()
            record = build_record(hass, identity, MAPPING, ASSETS, interval, memory)
            line = canonical_json(record)
            loop_done = time.perf_counter()
            await hass.async_add_executor_job(outbox.append, record["interval_start_utc"], line)
            end = time.perf_counter()
            loop_times.append(loop_done - begin)
            total_times.append(end - begin)
        await hass.async_stop(force=True)
    loop_ms = statistics.median(loop_times) * 1000
    total_ms = statistics.median(total_times) * 1000
    print(f"samples: {samples}, record size: {len(line)} bytes")
    print(
        f"median per sample: {total_ms:.3f} ms (event loop {loop_ms:.3f} ms = {loop_ms / total_ms:.0%};"
        f" executor append+fsync {total_ms - loop_ms:.3f} ms)"
    )


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500))
