"""A household's data repository: its layout and the files the integration writes there.

The one place that knows the layout (the ingest maps ``raw/YYYY/MM/DD.jsonl`` here to
``<household_id>/YYYY/MM/DD.jsonl`` in the cohort's raw tree):

    README.md        what the repository is, the licence, how to leave
    LICENSE          CC-BY-4.0 (``cc-by-4.0.txt`` beside this module: HACS ships only this folder)
    household.json   household id, region, postcode prefix, schema version, consent time, integration version
    raw/YYYY/MM/DD.jsonl

No Home Assistant imports: the cohort's register workflow reads ``household.json`` with this module.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from .const import LICENCE
from .record import POSTCODE_PREFIX_PATTERN, REGIONS, SCHEMA_VERSION, day_path, is_household_id

DEFAULT_NAME: Final = "nem-flex-telemetry-data"
PROJECT_REPOSITORY: Final = "purcell-lab/nem-flex-telemetry"
RAW_FOLDER: Final = "raw"
HOUSEHOLD_FILE: Final = "household.json"
README_FILE: Final = "README.md"
LICENSE_FILE: Final = "LICENSE"
LICENCE_SOURCE: Final = Path(__file__).with_name("cc-by-4.0.txt")
DESCRIPTION: Final = "NEM Flex Telemetry: one household's 5-minute flexibility telemetry (CC-BY-4.0)"
MAX_HOUSEHOLD_FILE_BYTES: Final = 4096
CONSENT_TIME_PATTERN: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]{8,15}(?:\+00:00|Z)")
VERSION_PATTERN: Final = re.compile(r"[0-9A-Za-z.+-]{1,32}")


def day_file(interval_start_utc: str) -> str:
    """``raw/YYYY/MM/DD.jsonl``: where a record lands in the household's repository."""
    return f"{RAW_FOLDER}/{day_path(interval_start_utc)}"


def settings_url(web_url: str, repository: str) -> str:
    """GitHub's settings page of the repository (its Danger Zone holds "Delete this repository")."""
    return f"{web_url}/{repository}/settings"


@dataclass(frozen=True, slots=True)
class HouseholdFile:
    """``household.json``: who this repository's records belong to (nothing that identifies a person)."""

    household_id: str
    region: str
    postcode_prefix: str
    schema_version: str
    consent_time_utc: str
    integration_version: str

    def dumps(self) -> str:
        """The file's text: sorted keys, two-space indent, a final newline."""
        return json.dumps(asdict(self), indent=2, sort_keys=True) + "\n"


FIELDS: Final = tuple(HouseholdFile.__dataclass_fields__)


def household_file(
    household_id: str, region: str, postcode_prefix: str, consent_time_utc: str, integration_version: str
) -> HouseholdFile:
    """This household's ``household.json`` for the current schema version."""
    return HouseholdFile(household_id, region, postcode_prefix, SCHEMA_VERSION, consent_time_utc, integration_version)


def parse_household_file(data: bytes) -> HouseholdFile | str:
    """The file, or a short reason it is not a valid ``household.json`` (never echoes the content)."""
    if len(data) > MAX_HOUSEHOLD_FILE_BYTES:
        return f"{HOUSEHOLD_FILE} is over {MAX_HOUSEHOLD_FILE_BYTES} bytes"
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return f"{HOUSEHOLD_FILE} is not UTF-8 JSON"
    if not isinstance(value, dict) or sorted(value) != sorted(FIELDS):
        return f"{HOUSEHOLD_FILE} must hold exactly {', '.join(FIELDS)}"
    if not all(isinstance(value[key], str) for key in FIELDS):
        return f"every value in {HOUSEHOLD_FILE} must be a string"
    parsed = HouseholdFile(**value)
    checks = (
        (is_household_id(parsed.household_id), "household_id is not a lowercase random UUID"),
        (parsed.region in REGIONS, "region is not a NEM region"),
        (bool(POSTCODE_PREFIX_PATTERN.fullmatch(parsed.postcode_prefix)), "postcode_prefix is not 3 digits"),
        (bool(re.fullmatch(r"[0-9]{1,3}\.[0-9]{1,3}", parsed.schema_version)), "schema_version is malformed"),
        (bool(CONSENT_TIME_PATTERN.fullmatch(parsed.consent_time_utc)), "consent_time_utc is not a UTC time"),
        (bool(VERSION_PATTERN.fullmatch(parsed.integration_version)), "integration_version is malformed"),
    )
    for passed, reason in checks:
        if not passed:
            return f"{HOUSEHOLD_FILE}: {reason}"
    return parsed


def readme(repository: str, web_url: str) -> str:
    """README of a publishing household's repository."""
    return f"""# NEM Flex Telemetry data of one household

This repository holds the 5-minute flexibility telemetry (battery, EV, prices, network envelopes,
HAEO's shadow prices) that one Home Assistant household publishes as open data for the
[NEM Flex Telemetry]({web_url}/{PROJECT_REPOSITORY}) cohort. The Home Assistant integration
writes it once an hour; do not edit it by hand (a changed line stops publishing until it is fixed).

- `{HOUSEHOLD_FILE}`: the household's random id, NEM region, 3-digit postcode prefix, schema version,
  consent time and integration version. Nothing else about the household is published.
- `{RAW_FOLDER}/YYYY/MM/DD.jsonl`: one JSON record per 5-minute interval (UTC days), as described in
  the project's [SCHEMA.md]({web_url}/{PROJECT_REPOSITORY}/blob/main/SCHEMA.md).

## Licence

The data is licensed under the Creative Commons Attribution 4.0 International licence ({LICENCE}),
see [LICENSE](LICENSE). Attribute as: "NEM Flex Telemetry contributors, {LICENCE}".

## Leaving

Run the integration's *Withdraw* action in Home Assistant: it tells the cohort the household has left
and removes the data from this repository's head. The history still holds it until the repository is
deleted: open [the settings]({settings_url(web_url, repository)}) and choose "Delete this repository".
"""


def readme_after_leaving(repository: str, web_url: str) -> str:
    """README once the household has withdrawn (the data is gone from the head)."""
    return f"""# NEM Flex Telemetry: this household has left

The household that published here withdrew from the [NEM Flex Telemetry]({web_url}/{PROJECT_REPOSITORY})
cohort, and its data was removed from this repository's head. The history still holds it until the
owner deletes the repository: [settings]({settings_url(web_url, repository)}), "Delete this repository".
"""


def licence_text() -> str:
    """The CC-BY-4.0 legal code (reads a file: call it in the executor)."""
    return LICENCE_SOURCE.read_text(encoding="utf-8")


def initial_files(household: HouseholdFile, repository: str, web_url: str, licence: str) -> dict[str, str]:
    """path -> text of everything a new (or adopted empty) repository gets before the first record."""
    return {
        README_FILE: readme(repository, web_url),
        LICENSE_FILE: licence,
        HOUSEHOLD_FILE: household.dumps(),
    }


# What GitHub's "create repository" form can add: a repository holding only these counts as empty.
GENERATED_FILES: Final = frozenset({README_FILE, LICENSE_FILE, ".gitignore"})


def adoption_problem(root_names: list[str] | None, household: bytes | None, household_id: str) -> str | None:
    """Why an existing repository may not take this household's data, or None when it may.

    It may when it is empty (no commit, or only what GitHub's creation form adds) or already
    holds this household's ``household.json``; never someone else's data or anything else.
    """
    if root_names is None or set(root_names) <= GENERATED_FILES:
        return None
    if HOUSEHOLD_FILE not in root_names or household is None:
        return "it already holds other files"
    parsed = parse_household_file(household)
    if isinstance(parsed, str):
        return parsed
    if parsed.household_id != household_id:
        return "it holds another household's data"
    return None
