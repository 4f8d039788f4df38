"""The record module and record.schema.json say the same thing about every record."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings

from custom_components.nem_flex_telemetry import record as rec
from tests.record.strategies import mutated_records, valid_records

SCHEMA = json.loads(rec.SCHEMA_FILE.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
SETTINGS = settings(max_examples=400, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def _schema_says_valid(record: Any) -> bool:
    return not list(VALIDATOR.iter_errors(record))


def test_the_schema_file_is_a_valid_2020_12_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["required"] == list(rec.RECORD_KEYS)
    assert SCHEMA["$defs"]["asset"]["required"] == list(rec.ASSET_FIELDS)


@SETTINGS
@given(valid_records())
def test_generated_valid_records_pass_both(record: dict[str, Any]) -> None:
    assert rec.validate(record) == []
    assert _schema_says_valid(record), list(VALIDATOR.iter_errors(record))


@SETTINGS
@given(mutated_records())
def test_module_and_schema_agree_on_mutated_records(record: dict[str, Any]) -> None:
    module_errors = rec.schema_errors(record)
    schema_errors = [error.message for error in VALIDATOR.iter_errors(record)]
    assert (not module_errors) == (not schema_errors), (module_errors, schema_errors)
