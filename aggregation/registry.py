"""The cohort's registry (``data/registry.json``): which repository each household id is bound to, for ever.

Written by the register workflow in one commit per run; maintainers may edit it by hand to exclude a
household (set ``"excluded"`` to a reason) or to clear one the copy screening left out (set ``"cleared"``
to a reason: ``aggregation.sybil``). Anything else that does not parse is refused with the
field at fault, and the file is then left as it is.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from custom_components.nem_flex_telemetry.intake import is_repository_name
from custom_components.nem_flex_telemetry.record import is_household_id

REGISTRY_PATH = "data/registry.json"
FORMAT = 1
FIELDS = {  # name: (type, required)
    "repository": (str, True),
    "account": (str, True),
    "account_id": (int, False),  # GitHub's numeric id of that account: a login can be taken again, an id never
    "repository_id": (int, True),
    "joined": (str, True),
    "left": (str, False),  # when a leave request was recorded (the binding stays: ids are not reused)
    "excluded": (str, False),  # a maintainer's reason for keeping this household out of the build
    "cleared": (str, False),  # a maintainer's reason for counting it although the copy screening flags it
}


class RegistryError(ValueError):
    """The registry file is not what the register workflow writes (and a maintainer may set)."""


@dataclass(frozen=True, slots=True)
class Binding:
    household_id: str
    repository: str  # "owner/name" as registered
    account: str  # the owner's login at registration
    repository_id: int  # GitHub's id: survives renames, so a rename or transfer is noticed
    joined: str
    left: str | None = None
    excluded: str | None = None
    cleared: str | None = None
    account_id: int | None = None  # None in bindings recorded before it was kept: the login is compared then

    @property
    def active(self) -> bool:
        return self.left is None and self.excluded is None

    def leaving(self, when: str) -> Binding:
        return replace(self, left=when)


Registry = dict[str, Binding]


def _binding(household_id: str, value: object) -> Binding:
    where = f"households[{household_id!r}]"
    if not is_household_id(household_id):
        raise RegistryError(f"{where}: the key is not a household id")
    if not isinstance(value, dict):
        raise RegistryError(f"{where}: not an object")
    unknown = sorted(set(value) - set(FIELDS))
    if unknown:
        raise RegistryError(f"{where}: unknown field {unknown[0]!r} (known: {', '.join(FIELDS)})")
    for name, (kind, required) in FIELDS.items():
        present = value.get(name) is not None
        if required and not present:
            raise RegistryError(f"{where}.{name}: missing")
        if present and (not isinstance(value[name], kind) or isinstance(value[name], bool)):
            raise RegistryError(f"{where}.{name}: must be a {kind.__name__}")
    if not is_repository_name(value["repository"]):
        raise RegistryError(f"{where}.repository: not owner/name")
    return Binding(
        household_id,
        value["repository"],
        value["account"],
        value["repository_id"],
        value["joined"],
        value.get("left"),
        value.get("excluded"),
        value.get("cleared"),
        value.get("account_id"),
    )


def _distinct(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    document = dict(pairs)
    if len(document) != len(pairs):  # json would keep the last silently: a hand edit would lose a binding
        keys = [key for key, _ in pairs]
        twice = next(key for index, key in enumerate(keys) if key in keys[:index])
        raise RegistryError(f"{twice!r} appears twice in one object")
    return document


def parse(text: str | bytes) -> Registry:
    """The bindings in a registry file's text; :class:`RegistryError` naming the first problem."""
    try:
        document = json.loads(text, object_pairs_hook=_distinct)
    except RegistryError:
        raise
    except ValueError as err:
        raise RegistryError(f"not valid JSON: {err}") from err
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise RegistryError(f'the top level must be an object with "format": {FORMAT}')
    households = document.get("households")
    if not isinstance(households, dict):
        raise RegistryError('"households" must be an object keyed by household id')
    registry = {household_id: _binding(household_id, value) for household_id, value in households.items()}
    seen: dict[int, str] = {}
    for binding in registry.values():
        other = seen.setdefault(binding.repository_id, binding.household_id)
        if other != binding.household_id:
            raise RegistryError(f"repository id {binding.repository_id} is bound to two households")
    return registry


def dumps(registry: Registry) -> str:
    households: dict[str, Any] = {}
    for household_id in sorted(registry):
        fields = asdict(registry[household_id])
        del fields["household_id"]
        households[household_id] = {k: v for k, v in fields.items() if v is not None}
    return json.dumps({"format": FORMAT, "households": households}, indent=2, ensure_ascii=False) + "\n"


def load(path: Path) -> Registry:
    """The registry at ``path`` (empty when the file does not exist yet)."""
    if not path.exists():
        return {}
    return parse(path.read_bytes())
