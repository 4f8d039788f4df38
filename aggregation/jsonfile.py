"""The one writer of every JSON file the build produces: strict UTF-8 JSON, written atomically.

Strict means what any conforming parser accepts: no NaN or Infinity (``allow_nan=False``) and no lone
surrogates. Python keeps a folder name's undecodable bytes as lone surrogates (``surrogateescape``);
such text is written with the bytes spelled ``\\xNN`` instead, so that it stays visible and readable.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _escaped(value: Any) -> Any:
    """``value`` with every string (keys too) free of lone surrogates."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    if isinstance(value, dict):
        return {_escaped(key): _escaped(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_escaped(item) for item in value]
    return value


def dumps(data: Any, *, indent: int | None = None, sort_keys: bool = False) -> bytes:
    """``data`` as strict JSON in UTF-8 bytes, with a final newline (compact unless ``indent``)."""
    separators = (",", ":") if indent is None else (",", ": ")
    options: dict[str, Any] = {"ensure_ascii": False, "allow_nan": False, "indent": indent, "sort_keys": sort_keys}
    text = json.dumps(data, separators=separators, **options) + "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate somewhere: the rare case pays for the walk
        return (json.dumps(_escaped(data), separators=separators, **options) + "\n").encode("utf-8")


def write(path: Path, data: Any, *, indent: int | None = None, sort_keys: bool = False) -> int:
    """Write ``data`` to ``path`` through a temporary file (a reader never sees half a file); the bytes written."""
    payload = dumps(data, indent=indent, sort_keys=sort_keys)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(payload)
    tmp.replace(path)
    return len(payload)
