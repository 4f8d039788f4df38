"""Copy screening: copies of a member under new ids (exact or lightly perturbed) count nowhere; honest
households alike in region, tariff and weather are never taken for copies; a maintainer can clear one."""

from __future__ import annotations

import dataclasses
import json
import random
import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from aggregation import publish, store, sybil
from aggregation import registry as reg
from aggregation.build import build
from aggregation.simulate import simulate
from custom_components.nem_flex_telemetry import record as rec
from tests.aggregation.helpers import NOW, household_id, read_json

START = date(2026, 11, 2)
COPIES = 40
MATCH_SHARE_MARGIN = 0.5  # honest pairs stay below half the threshold


@pytest.fixture(scope="module")
def honest_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve simulated households over two days (read-only)."""
    raw = tmp_path_factory.mktemp("honest") / "raw"
    simulate(12, 2, 11, raw, START, workers=1)
    return raw


def _members(raw: Path) -> list[str]:
    return sorted(path.name for path in raw.iterdir())


def _registry(path: Path, households: list[str]) -> Path:
    """Bindings in the order given: the first joined first (an hour apart)."""
    joined = datetime(2026, 10, 1, tzinfo=UTC)
    bindings = {
        household: reg.Binding(
            household, f"owner{n}/nem-flex-data", f"owner{n}", 1000 + n, rec.format_utc(joined + timedelta(hours=n))
        )
        for n, household in enumerate(households)
    }
    path.write_text(reg.dumps(bindings))
    return path


def _copy(raw: Path, victim: str, copy: str, change: Callable[[dict[str, Any], random.Random], Any] | None) -> None:
    """The victim's day files under another id, each record passed through ``change`` (None: byte-identical)."""
    rng = random.Random(copy)
    for source in sorted((raw / victim).rglob("*.jsonl")):
        target = raw / copy / source.relative_to(raw / victim)
        target.parent.mkdir(parents=True, exist_ok=True)
        if change is None:
            shutil.copyfile(source, target)
            continue
        lines = []
        for line in source.read_text().splitlines():
            record = json.loads(line)
            lines.append(rec.canonical_json(change(record, rng) or record))
        target.write_text("\n".join(lines) + "\n")


def _noise(record: dict[str, Any], rng: random.Random) -> None:
    record["net_import_kw"] = round(record["net_import_kw"] + rng.uniform(-0.02, 0.02), 4)
    for name in ("solar_kw", "house_load_kw"):  # never negative
        record[name] = round(max(0.0, record[name] + rng.uniform(-0.02, 0.02)), 4)


def _shifted(record: dict[str, Any], rng: random.Random) -> None:
    del rng
    moment = datetime.fromisoformat(record["interval_start_utc"].replace("Z", "+00:00")) + timedelta(minutes=5)
    record["interval_start_utc"] = rec.format_utc(moment)  # the day's last record lands on the next day: rejected


def _scaled(record: dict[str, Any], rng: random.Random) -> None:
    del rng
    record["house_load_kw"] = round(record["house_load_kw"] * 1.01, 4)


def _build(raw: Path, out: Path, registry: Path | None) -> dict[str, Any]:
    build(raw, out / "cohort", out / "views", now=NOW, registry=registry)
    return {
        "status": read_json(out / "views" / "status.json"),
        "quality": read_json(out / "views" / "quality.json"),
        "quarantine": read_json(out / "cohort" / "quarantine.json"),
        "cells": {r: publish.read_resolution(out / "cohort", r) for r in publish.RESOLUTIONS},
    }


def _published(result: dict[str, Any]) -> dict[str, Any]:
    status = result["status"]
    return {key: status[key] for key in ("cohort_size", "regions", "total_savings_aud", "households_total")}


def test_forty_byte_identical_copies_change_no_published_number(honest_raw: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(honest_raw, raw)
    members = _members(raw)
    victim = members[0]
    honest = _build(raw, tmp_path / "honest", _registry(tmp_path / "registry.json", members))
    copies = [household_id(n) for n in range(1, COPIES + 1)]  # ids that sort before every member's
    for copy in copies:
        _copy(raw, victim, copy, None)
    registry = _registry(tmp_path / "registry.json", members + copies)
    copied = _build(raw, tmp_path / "copied", registry)

    assert honest["status"]["cohort_size"] == 12
    # The copies' records were read (the quality totals count them) ...
    victim_records = sum(len(path.read_text().splitlines()) for path in (raw / victim).rglob("*.jsonl"))
    read_lines = copied["status"]["quality"]["records"] - honest["status"]["quality"]["records"]
    assert read_lines == COPIES * victim_records
    assert _published(copied) == _published(honest)  # ... but count nowhere, not even in the headline records
    assert copied["status"]["records"] == honest["status"]["records"] > 0
    assert copied["status"]["figures"]["records"]["value"] == honest["status"]["records"]
    for resolution, cells in honest["cells"].items():
        pd.testing.assert_frame_equal(copied["cells"][resolution], cells, check_like=True)
    assert copied["quality"]["copies"] == {"left_out": COPIES, "cleared": 0, "days_with_copies": 2}
    listed = copied["quarantine"]["copies"]["left_out"]
    assert sorted(listed) == sorted(copies) and {entry["like"] for entry in listed.values()} == {victim}
    assert all(victim not in json.dumps(row) for row in copied["quality"]["households"])  # no ids in the view


@pytest.mark.parametrize(
    ("name", "change"),
    [("small noise", _noise), ("shifted by one interval", _shifted), ("house load scaled by 1 %", _scaled)],
)
def test_lightly_perturbed_copies_are_left_out(
    honest_raw: Path, tmp_path: Path, name: str, change: Callable[[dict[str, Any], random.Random], Any]
) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(honest_raw, raw)
    members = _members(raw)
    victim = members[3]
    honest = _build(raw, tmp_path / "honest", None)
    copies = [household_id(n) for n in range(1, 6)]
    for copy in copies:
        _copy(raw, victim, copy, change)
    copied = _build(raw, tmp_path / "copied", _registry(tmp_path / "registry.json", members + copies))
    assert set(copied["quarantine"]["copies"]["left_out"]) == set(copies), name
    assert copied["status"]["cohort_size"] == honest["status"]["cohort_size"] == 12


def test_honest_households_alike_in_region_and_tariff_are_never_copies(cohort_raw: Path, tmp_path: Path) -> None:
    """The simulator's 40 households: same region means the same prices, the same weather and often the same
    solar size, yet no two agree in anything near ``MATCH_SHARE`` of their intervals."""
    build(cohort_raw, tmp_path / "cohort", tmp_path / "views", now=NOW)
    state = json.loads((tmp_path / "cohort" / "state.json").read_text())
    assert state["left_out"] == {} and all(groups == [] for groups in state["copies"].values())
    assert state["copies"], "the screening ran on every day"
    for day in state["days"]:
        frame = store.read_records(tmp_path / "cohort", day)
        households, values, present, moved = sybil._series(frame)
        first, second = np.triu_indices(len(households), 1)  # every pair, not only the candidates
        counted = present[first] & present[second] & (moved[first] | moved[second])
        agree = counted & sybil._agree(values[first], values[second]).all(axis=2)
        share = agree.sum(axis=1) / counted.sum(axis=1)
        regions = frame.groupby("household")["region"].first().reindex(households).to_numpy()
        same_region = regions[first] == regions[second]
        assert same_region.sum() > 20
        assert share.max() < MATCH_SHARE_MARGIN * sybil.MATCH_SHARE, (day, share.max())


def test_the_victim_stays_whatever_id_the_copy_picks(honest_raw: Path, tmp_path: Path) -> None:
    """Keeping the earliest-bound member: a copy cannot get its victim excluded by choosing a lower id."""
    raw = tmp_path / "raw"
    shutil.copytree(honest_raw, raw)
    members = _members(raw)
    victim, copy = members[-1], household_id(1)
    assert copy < victim
    _copy(raw, victim, copy, None)
    result = _build(raw, tmp_path / "out", _registry(tmp_path / "registry.json", [*members, copy]))
    assert result["quarantine"]["copies"]["left_out"][copy]["like"] == victim
    assert victim not in result["quarantine"]["copies"]["left_out"]


def test_a_cleared_household_counts_again_and_an_uncleared_one_leaves_again(honest_raw: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(honest_raw, raw)
    members = _members(raw)
    copy = household_id(1)
    _copy(raw, members[0], copy, None)
    path = _registry(tmp_path / "registry.json", [*members, copy])
    out = tmp_path / "out"
    assert _build(raw, out, path)["status"]["cohort_size"] == 12
    bindings = reg.load(path)
    uncleared = bindings[copy]
    bindings[copy] = dataclasses.replace(uncleared, cleared="a second meter of the same home, checked")
    path.write_text(reg.dumps(bindings))
    cleared = _build(raw, out, path)  # incremental: no raw file changed, the screening did
    assert cleared["status"]["cohort_size"] == 13
    assert list(cleared["quarantine"]["copies"]["cleared"]) == [copy]
    assert cleared["quality"]["copies"]["cleared"] == 1 and cleared["quality"]["copies"]["left_out"] == 0
    bindings[copy] = uncleared
    path.write_text(reg.dumps(bindings))
    again = _build(raw, out, path)
    fresh = _build(raw, tmp_path / "fresh", path)
    assert again["status"]["cohort_size"] == 12
    for resolution, cells in fresh["cells"].items():
        pd.testing.assert_frame_equal(again["cells"][resolution], cells)


def test_the_docs_state_the_measure_as_the_code_does() -> None:
    privacy = (Path(__file__).parents[2] / "docs" / "PRIVACY.md").read_text(encoding="utf-8")
    assert f"`{sybil.describe()}`" in privacy
    assert f"the {sybil.NEIGHBOURS} households on either side" in privacy
