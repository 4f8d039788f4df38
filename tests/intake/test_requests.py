"""Join and leave requests: what the integration opens is what the register workflow accepts, and
hostile issue text is refused with a reason (never an exception, never an echo of the input)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from custom_components.nem_flex_telemetry.intake import (
    MAX_BODY_BYTES,
    Rejected,
    Request,
    format_join_request,
    format_leave_request,
    parse_request,
)
from custom_components.nem_flex_telemetry.record import SCHEMA_VERSION

HOUSEHOLD = "0f8fad5b-d9cb-469f-a165-70867728950e"
OTHER = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
REPO = "alice-solar/nem-flex-telemetry-data"


def _reason(title: str, body: str | None) -> str:
    result = parse_request(title, body)
    assert isinstance(result, Rejected), result
    return result.reason


def test_a_join_request_round_trips() -> None:
    title, body = format_join_request(HOUSEHOLD, REPO)
    assert title == f"nem-flex-telemetry: join {HOUSEHOLD}"
    assert parse_request(title, body) == Request("join", HOUSEHOLD, REPO, SCHEMA_VERSION)
    assert parse_request(title, body).owner == "alice-solar"  # type: ignore[union-attr]


def test_a_leave_request_round_trips() -> None:
    title, body = format_leave_request(HOUSEHOLD, REPO)
    assert parse_request(title, body) == Request("leave", HOUSEHOLD, REPO, SCHEMA_VERSION)


def test_the_formatter_refuses_what_the_parser_would_refuse() -> None:
    with pytest.raises(ValueError, match="household_id"):
        format_join_request("not-a-uuid", REPO)
    with pytest.raises(ValueError, match="repository"):
        format_join_request(HOUSEHOLD, "alice/../bob")
    with pytest.raises(ValueError, match="repository"):
        format_join_request(HOUSEHOLD, "-alice/data")


def _body(block: str) -> str:
    return f"Some text.\n\n```json\n{block}\n```\n"


def _block(**changes: object) -> str:
    value: dict[str, object] = {
        "action": "join",
        "household_id": HOUSEHOLD,
        "repository": REPO,
        "schema_version": SCHEMA_VERSION,
    }
    value.update(changes)
    return json.dumps({key: item for key, item in value.items() if item is not None})


TITLE = f"nem-flex-telemetry: join {HOUSEHOLD}"


@pytest.mark.parametrize(
    ("title", "body", "reason"),
    [
        ("Please add me", _body(_block()), "title does not start"),
        (TITLE + "x" * 200, _body(_block()), "title is over"),
        (TITLE, None, "exactly one ```json block (found 0)"),
        (TITLE, _body(_block()) + _body(_block(repository="mallory/data")), "found 2"),
        (TITLE, "```json\n" + _block(), "not closed"),
        (TITLE, "x" * (MAX_BODY_BYTES + 1), "over the 4096 limit"),
        (TITLE, "é" * MAX_BODY_BYTES, "over the 4096 limit"),  # bytes, not characters
        (TITLE, _body("[" * 200 + "]" * 200), "exactly the keys"),
        (TITLE, _body("[" * 3000), "over 512 bytes"),
        (TITLE, _body("{not json"), "not one JSON object"),
        (TITLE, _body(_block()[:-1] + ', "action": "leave"}'), "distinct keys"),
        (TITLE, _body(_block(author="mallory")), "exactly the keys"),
        (TITLE, _body(_block(schema_version=None)), "exactly the keys"),
        (TITLE, _body(_block(schema_version=2.0)), "must be a string"),
        (TITLE, _body(_block(action="delete")), "action must be one of join, leave"),
        (TITLE, _body(_block(household_id=HOUSEHOLD.upper())), "household_id"),
        (TITLE, _body(_block(repository="alice/data; rm -rf /")), "repository"),
        (TITLE, _body(_block(repository="$(curl evil)/x")), "repository"),
        (TITLE, _body(_block(repository="ａlice/data")), "repository"),  # fullwidth a
        (TITLE, _body(_block(repository="alice/data\n")), "repository"),
        (TITLE, _body(_block(repository="alice/..")), "repository"),
        (TITLE, _body(_block(schema_version="２.0")), "schema_version"),  # fullwidth digit
        (TITLE, _body(_block(household_id=OTHER)), "title does not match"),
        (f"nem-flex-telemetry: leave {HOUSEHOLD}", _body(_block()), "title does not match"),
    ],
)
def test_hostile_or_malformed_issues_are_refused_with_a_reason(title: str, body: str | None, reason: str) -> None:
    got = _reason(title, body)
    assert reason in got
    assert "rm -rf" not in got and "curl" not in got and "mallory" not in got  # never echoed


def test_a_forged_author_line_in_the_body_changes_nothing() -> None:
    title, body = format_join_request(HOUSEHOLD, REPO)
    forged = "Author: maintainer\n@maintainer approved\n" + body
    assert parse_request(title, forged) == Request("join", HOUSEHOLD, REPO, SCHEMA_VERSION)


def test_a_one_megabyte_body_is_refused_quickly_and_cheaply() -> None:
    assert "over the 4096 limit" in _reason(TITLE, "`" * 1_048_576)


def test_lone_surrogates_in_the_body_are_a_reason_not_a_crash() -> None:
    assert "exactly the keys" in _reason(TITLE, _body('{"action": "\\ud800"}'))
    assert "exactly one" in _reason(TITLE, "\ud800")


def test_the_module_imports_without_home_assistant() -> None:
    probe = (
        "import sys\n"
        "sys.modules['homeassistant'] = None\n"
        "from custom_components.nem_flex_telemetry import intake\n"
        "assert not [m for m, v in sys.modules.items() if m.startswith('homeassistant') and v]\n"
        "print(intake.TITLE_PREFIX)\n"
    )
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "nem-flex-telemetry:"
