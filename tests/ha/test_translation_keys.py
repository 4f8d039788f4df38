"""Translation keys follow hassfest's rules (script/hassfest/translations.py), in strings.json and every
translations/*.json, so hassfest's translation check passes; the region selector maps back to NEM region ids."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from homeassistant.util import slugify

from custom_components.nem_flex_telemetry import config_flow
from custom_components.nem_flex_telemetry.record import REGIONS

PACKAGE = Path(config_flow.__file__).parent
FILES = [PACKAGE / "strings.json", *sorted((PACKAGE / "translations").glob("*.json"))]

# hassfest's RE_TRANSLATION_KEY: lowercase letters, digits, "-" and "_", no leading, trailing or doubled separators.
TRANSLATION_KEY = re.compile(r"^(?!.+[_-]{2})(?![_-])[a-z0-9-_]+(?<![_-])$")


def is_translation_key(key: str) -> bool:
    return TRANSLATION_KEY.match(key) is not None


def is_slug(key: str) -> bool:  # hassfest's cv.slug
    return key == slugify(key)


def is_slug_or_underscore(key: str) -> bool:
    return key == "_" or is_slug(key)


@dataclass(frozen=True)
class Keys:
    """Every key of a mapping passes `rule`; `inner` describes each value: the keys of every value (a Keys) or
    named fields of every value, each with its own Keys."""

    rule: Callable[[str], bool]
    inner: Keys | Mapping[str, Keys] | None = None


STATE = Keys(is_translation_key)
STATE_ATTRIBUTES = Keys(is_translation_key, {"state": STATE})
# The sections of strings.json whose keys hassfest restricts (the others take any string as a key).
RULES: Mapping[str, Keys] = {
    "selector": Keys(
        is_slug_or_underscore,
        {field: Keys(is_translation_key) for field in ("options", "choices", "unit_of_measurement", "fields")},
    ),
    "entity": Keys(is_slug, Keys(is_translation_key, {"state": STATE, "state_attributes": STATE_ATTRIBUTES})),
    "entity_component": Keys(is_slug_or_underscore, {"state": STATE, "state_attributes": STATE_ATTRIBUTES}),
    "device": Keys(is_translation_key),
    "services": Keys(is_translation_key, {"fields": Keys(is_translation_key), "sections": Keys(is_translation_key)}),
    "exceptions": Keys(is_slug),
    "common": Keys(is_slug),
    "preview_features": Keys(is_translation_key),
}


def bad_keys(strings: Mapping[str, Any]) -> Iterator[str]:
    """The path of every key that breaks its rule."""

    def walk(mapping: Mapping[str, Any], keys: Keys, path: str) -> Iterator[str]:
        for key, value in mapping.items():
            if not keys.rule(key):
                yield f"{path}.{key}"
            if isinstance(keys.inner, Keys):
                yield from walk(value, keys.inner, f"{path}.{key}")
            elif keys.inner is not None:
                for field, inner in keys.inner.items():
                    if field in value:
                        yield from walk(value[field], inner, f"{path}.{key}.{field}")

    for section, keys in RULES.items():
        if section in strings:
            yield from walk(strings[section], keys, section)


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_every_key_follows_hassfest(path: Path) -> None:
    assert list(bad_keys(json.loads(path.read_text(encoding="utf-8")))) == []


def test_the_check_finds_what_hassfest_rejects() -> None:
    strings = {
        "selector": {"region": {"options": {"NSW1": "x", "nsw1": "x", "a__b": "x", "_a": "x", "a-": "x"}}},
        "entity": {"sensor": {"Bad": {"name": "x"}, "good": {"state": {"Active": "x"}}}},
        "services": {"publish_now": {"fields": {"Entry": {}}}},
        "exceptions": {"not a slug": {}},
    }
    assert sorted(bad_keys(strings)) == [
        "entity.sensor.Bad",
        "entity.sensor.good.state.Active",
        "exceptions.not a slug",
        "selector.region.options.NSW1",
        "selector.region.options._a",
        "selector.region.options.a-",
        "selector.region.options.a__b",
        "services.publish_now.fields.Entry",
    ]


def test_english_is_byte_for_byte_strings_json() -> None:
    assert (PACKAGE / "translations" / "en.json").read_bytes() == (PACKAGE / "strings.json").read_bytes()


def test_every_region_has_a_translated_option_that_maps_back() -> None:
    strings = json.loads(FILES[0].read_text(encoding="utf-8"))
    options = strings["selector"]["region"]["options"]
    assert {config_flow.REGION_BY_OPTION[option] for option in options} == set(REGIONS)
    assert all(config_flow.REGION_BY_OPTION[config_flow.region_option(region)] == region for region in REGIONS)
