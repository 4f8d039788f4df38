"""Every JSON file the build writes is strict UTF-8 JSON, even when folder names are not valid UTF-8."""

from __future__ import annotations

import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from aggregation import jsonfile
from aggregation.build import build
from tests.aggregation.helpers import NOW, day_lines, household_id, write_day

DAY = NOW - timedelta(days=2)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for key, item in value.items() for text in (*_strings(key), *_strings(item))]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def strict_load(data: bytes) -> Any:
    """What a strict parser accepts: UTF-8, no NaN/Infinity, no lone surrogates in any string."""
    value = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    for text in _strings(value):
        text.encode("utf-8")  # a lone surrogate (from a "\udcff" escape too) cannot be encoded
    return value


def test_every_json_output_parses_strictly(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    for n in range(1, 7):
        write_day(raw, household_id(n), DAY, day_lines(DAY, 24))
    (raw / os.fsdecode(b"bad-\xff\xfe-name")).mkdir()  # not UTF-8: Python keeps the bytes as lone surrogates
    (raw / household_id(1) / "caf\u00e9.jsonl").write_text("x\n")
    out = tmp_path / "out"
    build(raw, out / "cohort", out / "views", now=NOW, generated_at="2026-11-20T00:00:00Z")
    outputs = sorted(out.rglob("*.json"))
    names = {path.name for path in outputs}
    assert {"quarantine.json", "state.json", "datapackage.json", "status.json", "quality.json"} <= names
    for path in outputs:
        strict_load(path.read_bytes())
    report = strict_load((out / "cohort" / "quarantine.json").read_bytes())
    examples = [example for row in report["paths"] for example in row.get("examples", [])]
    assert "bad-\\xff\\xfe-name" in examples  # the bytes spelled out, readable
    assert f"{household_id(1)}/caf\u00e9.jsonl" in examples


def test_the_writer_refuses_nan_and_escapes_surrogates(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not JSON compliant"):
        jsonfile.dumps({"x": float("nan")})
    text = jsonfile.dumps({os.fsdecode(b"\xff"): [os.fsdecode(b"a\xe0b")]})
    assert strict_load(text) == {"\\xff": ["a\\xe0b"]}
