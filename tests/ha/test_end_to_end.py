"""End to end: ten households' Home Assistants -> their own GitHub repositories -> the aggregation -> the dashboard.

Ten generated households (aggregation.simulate) in three regions, each in its own real Home Assistant
with a HAEO hub carrying the generator's values and its own GitHub account, join through the real
config flow and device flow against one local GitHub backed by bare git repositories (each creates its
data repository and opens a join request on the project repository), then sample every 5 minutes and
publish hourly for a whole UTC day. Each household's repository is then cloned with git and laid out
as the raw tree the build reads (what the cohort's ingest does), aggregated the way the GitHub Action
does it (``python -m aggregation build``), the dashboard is built with those views, and its overview is
read in headless Chromium.

Expected figures come from the raw lines in git, computed with plain Python (``e2e_oracle``), never from
the aggregation's code. QLD1 has five households and can be published; NSW1 (three) and VIC1 (two) are
too small: they are always suppressed, and together they are large enough that QLD1 need not be
suppressed to protect them, so some region cells pass and some fail.
"""

from __future__ import annotations

import asyncio
import json
import math
import subprocess
import sys
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.nem_flex_telemetry.const import DOMAIN
from custom_components.nem_flex_telemetry.data_repo import DEFAULT_NAME, RAW_FOLDER
from custom_components.nem_flex_telemetry.intake import parse_request
from custom_components.nem_flex_telemetry.publisher import hourly_offset
from custom_components.nem_flex_telemetry.record import validate
from tests.github_server import GitHubServer

from . import e2e_oracle as oracle
from .conftest import PROJECT_OWNER, PROJECT_REPO, GitHubClock
from .e2e_households import Home, home_assistant, pick

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SEED = 1
HOUSEHOLDS = {"QLD1": 5, "NSW1": 3, "VIC1": 2}
START = datetime(2026, 11, 19, tzinfo=UTC)  # a whole UTC day from here; in the past, so never "future"
SET_UP = START - timedelta(minutes=4)  # the households join just before the day's first interval
TICK = timedelta(minutes=5)
INTERVALS = 288
SMALL_REGIONS = [region for region, households in HOUSEHOLDS.items() if households < oracle.MIN_HOUSEHOLDS]


async def run(*command: str | Path, cwd: Path = REPO) -> str:
    """A command's stdout, run off the event loop; fails the test with its output."""
    args = [str(part) for part in command]
    done = await asyncio.to_thread(subprocess.run, args, cwd=cwd, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


async def join(
    hass: HomeAssistant, github: GitHubServer, tmp_path: Path, instances: AsyncExitStack, status_url: str
) -> list[Home]:
    """Each household, in its own Home Assistant (the first in the ``hass`` fixture's), joins the cohort."""
    homes = []
    for index in pick(SEED, HOUSEHOLDS):
        own = await instances.enter_async_context(home_assistant(tmp_path / f"home-{index}")) if homes else hass
        home = Home.simulated(SEED, index, START, own)
        github.add_user(home.login)
        home.add_haeo()
        home.publish(0)
        await home.join(github, DEFAULT_NAME, status_url)
        homes.append(home)
    assert len({home.household_id for home in homes}) == len(homes)
    return homes


async def a_day_of_telemetry(
    homes: list[Home], hass: HomeAssistant, github_clock: GitHubClock, freezer: FrozenDateTimeFactory
) -> None:
    """The day in time order: at each 5-minute boundary HAEO publishes and every sampler ticks; at each
    household's own minute and second of the hour its publisher commits."""
    boundaries = {START + TICK * interval: interval for interval in range(INTERVALS)}
    publish_times = {
        when
        for home in homes
        for minute, second in [hourly_offset(home.household_id)]
        for hour in range(-1, 24)
        if (when := START + timedelta(hours=hour, minutes=minute, seconds=second)) > SET_UP
    }
    for now in sorted(boundaries.keys() | publish_times):
        freezer.move_to(now)
        github_clock.now = now.timestamp()
        before = [home.outbox.newest for home in homes]
        if now in boundaries:
            for home in homes:
                home.publish(boundaries[now])
        async_fire_time_changed(hass, now)  # one event loop for all: this fires every instance's timers
        for home in homes:
            await home.hass.async_block_till_done(wait_background_tasks=True)
        for home, newest in zip(homes, before, strict=True):
            if home.outbox.newest != newest:
                home.sampled.append(home.outbox.newest)


async def lay_out_raw_tree(homes: list[Home], github: GitHubServer, tmp_path: Path) -> dict[str, str]:
    """Clone each household's repository and lay its ``raw/`` out as ``<household_id>/YYYY/MM/DD.jsonl``
    under ``tmp_path / "raw"`` (the cohort's ingest does this in production); returns the files by path."""
    files: dict[str, str] = {}
    for home in homes:
        checkout = tmp_path / "households" / home.login
        await run("git", "clone", "--quiet", github.repo(home.login, DEFAULT_NAME).git.path, checkout)
        for path in (await run("git", "ls-files", RAW_FOLDER, cwd=checkout)).split():
            name = f"{home.household_id}/{path.removeprefix(f'{RAW_FOLDER}/')}"
            files[name] = await run("git", "show", f"HEAD:{path}", cwd=checkout)
            target = tmp_path / "raw" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(files[name], encoding="utf-8")
    return files


async def check_repository(homes: list[Home], files: dict[str, str], github: GitHubServer, tmp_path: Path) -> None:
    """Every sampled record is in git exactly once, as sampled, committed hourly by its own household
    into its own repository; each household asked to join once, as itself."""
    assert sorted(files) == sorted(f"{home.household_id}/{START:%Y/%m/%d}.jsonl" for home in homes)
    for home in homes:
        lines = [json.loads(line) for line in files[f"{home.household_id}/{START:%Y/%m/%d}.jsonl"].splitlines()]
        assert all(validate(record) == [] for record in lines)
        assert [record["interval_start_utc"] for record in lines] == home.sampled
        for record, simulated in zip(lines, home.day, strict=True):  # what HAEO showed is what was published
            assert (record["region"], record["postcode_prefix"]) == (home.facts.region, home.facts.postcode_prefix)
            for key in ("net_import_kw", "solar_kw", "house_load_kw", "naive_baseline_kw", "price_signal_seen"):
                assert record[key] == round(simulated[key], 4), key
        checkout = tmp_path / "households" / home.login
        authors = (await run("git", "log", "--format=%an", "--", RAW_FOLDER, cwd=checkout)).split()
        assert set(authors) == {home.login}  # each commit made with the household's own GitHub account
        assert 24 <= len(authors) <= 25  # one an hour, plus the rest when "publish now" was pressed
    requests = [
        (issue.user, parse_request(issue.title, issue.body))
        for issue in github.repo(PROJECT_OWNER, PROJECT_REPO).issues
    ]
    # Each household asked to join for itself, from its own account. A request whose answer was lost (the
    # entry reloaded while it was in flight) is sent again, so one household may have asked twice.
    assert {(user, getattr(request, "household_id", None)) for user, request in requests} == {
        (home.login, home.household_id) for home in homes
    }


def null(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def check_cohort(cohort: Path, views: Path, cells: dict[str, dict[tuple[str, datetime], oracle.Cell]]) -> None:
    """The Parquet cells and the flexibility view: the right numbers, and suppressed cells all null."""
    for resolution in ("5min", "1h"):
        table = pd.read_parquet(cohort / f"resolution={resolution}")
        table["region"] = table["region"].astype(str)
        assert len(table) == len(cells[resolution])
        values = [name for name in table.columns if name not in ("start", "region", "month", "suppressed")]
        for row in table.to_dict("records"):
            cell = cells[resolution][(row["region"], row["start"].to_pydatetime())]
            assert row["suppressed"] == cell.suppressed, (resolution, row["region"], row["start"])
            if cell.suppressed:  # marked, and every number null: never a zero
                assert [name for name in values if not null(row[name])] == []
            else:
                assert (row["households"], row["intervals"]) == (cell.households, cell.intervals)
                for name in ("net_import_kwh", "solar_kwh", "saving_aud"):
                    assert row[name] == pytest.approx(getattr(cell, name), rel=1e-9, abs=1e-9), name
        by_region = table.groupby("region")["suppressed"]
        assert by_region.all()[SMALL_REGIONS].all()  # too few households: every cell suppressed
        assert not by_region.all()["QLD1"]  # five households: published where none dominates
        assert by_region.any()["QLD1"]  # ... and not where one does

    flex = json.loads((views / "flex.json").read_text(encoding="utf-8"))["series"]
    for region in ("NEM", "NSW1", "QLD1", "VIC1"):
        series = flex[region]
        assert (series["start"], series["interval"]) == ("2026-11-19T00:00:00Z", "5m")
        five_minute = [cells["5min"][(region, START + TICK * i)] for i in range(INTERVALS)]
        assert series["suppressed"] == [i for i, cell in enumerate(five_minute) if cell.suppressed]
        assert series["households"] == [None if cell.suppressed else cell.households for cell in five_minute]
        for shown, cell in zip(series["flex_up_kw"], five_minute, strict=True):
            assert shown is None if cell.suppressed else shown == pytest.approx(cell.flex_up_kw, rel=5e-4)


def figure(text: str) -> float:
    """A figure as the page shows it ("2,880", "$16.24", "-$3.10")."""
    return float(text.replace(",", "").replace("$", ""))


def check_overview(shown: dict[str, Any], expected: oracle.Overview) -> None:
    """What a visitor sees on the overview equals what the raw lines say."""
    assert shown["console_errors"] == []
    assert shown["foreign_requests"] == []
    assert shown["demo_banner_visible"] is False  # real data: no "synthetic sample" banner
    assert shown["source"] == "data"
    assert shown["errors_shown"] == 0
    cards = shown["cards"]
    assert figure(cards["Households with data"]) == expected.households
    assert figure(cards["Households ever"]) == expected.households
    assert figure(cards["Records"]) == expected.records
    assert cards["Newest data"] == expected.last_data_aest
    published = [region for region, households in expected.regions.items() if households is not None]
    assert cards["Regions"] == ", ".join(published)
    assert expected.saving_aud is not None
    assert figure(cards["Saving vs baseline"]) == pytest.approx(expected.saving_aud, abs=0.005)
    assert shown["region_rows"] == [
        [region, "suppressed" if households is None else f"{households:,}"]
        for region, households in expected.regions.items()
    ]
    assert shown["bars"] == len(published)  # one bar per published region (the table above gives their values)
    assert shown["suppressed_bars"] == len(expected.regions) - len(published)
    assert shown["quality"] == (
        f"{expected.records:,} records read from {expected.files:,} files; 0 rejected, 0 duplicates dropped, "
        f"0 files quarantined, {expected.energy_balance_flagged:,} flagged for energy balance."
    )


async def test_ten_households_to_the_dashboard(
    hass: HomeAssistant,
    github: GitHubServer,
    github_clock: GitHubClock,
    freezer: FrozenDateTimeFactory,
    tmp_path: Path,
) -> None:
    freezer.move_to(SET_UP)
    github_clock.now = SET_UP.timestamp()
    status_url = f"{github.url}/cohort/status.json"  # not published there: the cohort size stays unknown
    async with AsyncExitStack() as instances:
        homes = await join(hass, github, tmp_path, instances, status_url)
        await a_day_of_telemetry(homes, hass, github_clock, freezer)
        for home in homes:
            assert len(home.sampled) == INTERVALS, home.entry.runtime_data.sampler.status.last_skip_reason
            assert home.outbox.pending_count() <= 12  # published hourly without help: at most an hour waits
            await home.hass.services.async_call(DOMAIN, "publish_now", {}, blocking=True)
            assert home.outbox.pending_count() == 0
            publishing = home.hass.states.get("sensor.nem_flex_telemetry_publishing")
            assert publishing is not None
            assert publishing.state == "active"

    # The households' repositories laid out as the raw tree, aggregated exactly as aggregate.yml does.
    files = await lay_out_raw_tree(homes, github, tmp_path)
    await check_repository(homes, files, github, tmp_path)
    cohort, views, raw = tmp_path / "cohort", tmp_path / "views", tmp_path / "raw"
    await run(sys.executable, "-m", "aggregation", "build", "--raw", raw, "--out", cohort, "--views", views)
    expected = oracle.overview(files)
    check_cohort(cohort, views, oracle.region_cells(oracle.read_lines(files)))
    status = json.loads((views / "status.json").read_text(encoding="utf-8"))
    assert (status["demo"], status["regions"]) == (False, expected.regions)

    # The dashboard built with those views (the committed synthetic sample stays behind them), in Chromium.
    dist = tmp_path / "dist"
    demo = REPO / "site" / "demo"
    await run("bash", REPO / "scripts" / "build_site.sh", "--data", views, "--demo", demo, "--out", dist)
    check_overview(json.loads(await run(sys.executable, "-m", "tests.ha.e2e_browser", dist)), expected)
