"""Parse raw day files into Arrow tables: a fast vectorised path, an exact per-line fallback.

Fast path: many files concatenated into one buffer, parsed once by pyarrow against the
explicit schema (unknown keys, wrong JSON types and duplicate keys make it fail), then
checked with vectorised rules (``checks``). A file takes the exact path instead when its
batch fails to parse, when it is not plain ASCII, has blank lines or lines pyarrow splits
differently, or when a line's count of keys shows a key missing (pyarrow reads a missing key
as null). Keys are counted per line: per file, a key missing in one line and an extra one in
another cancelled out. The exact path parses line by line with ``json`` and ``record.validate``.

Hostile files never stop the build: a file over ``MAX_FILE_BYTES`` is quarantined unread, one over
``MAX_LINES`` lines unparsed; a line
nested deeper than a record can be (or holding more brackets than one can) is rejected before the
standard-library parser (which recurses) sees it; and any exception while reading or parsing one
file quarantines that file alone ("read failed") while the others go on.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from aggregation import checks
from aggregation.layout import RawFile
from aggregation.schema import ASSET_KEYS, EV_EXTRA_KEYS, RAW_SCHEMA, TOP_LEVEL_KEYS
from custom_components.nem_flex_telemetry import record as rec

MAX_LINE_BYTES: Final = 1 << 20  # also pyarrow's block size: a longer line cannot be one record
# The largest legitimate day file is 288 records of 16 EVs with the longest values: 2.0 MB (a usual one,
# with a battery, about 0.25-1.2 MB). Twice that bounds what one file can cost to parse (the exact
# path runs at a few MB/s on hostile input) while leaving room for any record the schema allows.
MAX_FILE_BYTES: Final = 4 << 20
# A day holds 288 intervals, one line each; four copies of every one is more than any real file repeats.
# Bounds the per-line work of the exact path (about 0.1 ms a line: 500,000 short lines took a minute).
MAX_LINES: Final = 4 * 288
# A record nests three deep (record -> assets -> asset) and opens at most 3 + MAX_ASSETS brackets.
MAX_DEPTH: Final = 3
MAX_BRACKETS: Final = 3 + rec.MAX_ASSETS
BATCH_BYTES: Final = 64 << 20
_PARSE: Final = pj.ParseOptions(explicit_schema=RAW_SCHEMA, unexpected_field_behavior="error")
_READ: Final = pj.ReadOptions(use_threads=True, block_size=MAX_LINE_BYTES)


@dataclass(slots=True)
class Parsed:
    """A file's valid rows (``RAW_SCHEMA``) and the reasons its other lines were rejected."""

    file: RawFile
    table: pa.Table
    lines: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    file_reason: str | None = None  # set when the whole file was quarantined
    digest: str = ""  # content hash of the bytes read, for the build state
    skipped: int = 0  # leading bytes not parsed again: an unchanged prefix whose rows are cached
    parsed_bytes: int = 0


class _DuplicateKeyError(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _DuplicateKeyError
    return result


def too_deep(line: bytes) -> bool:
    """Whether a line nests deeper than a record can, counting brackets anywhere (no valid string holds one).

    Counting first bounds the walk: a line that passes holds at most ``MAX_BRACKETS`` of each kind."""
    opening = line.count(b"[") + line.count(b"{")
    if opening > MAX_BRACKETS or line.count(b"]") + line.count(b"}") > MAX_BRACKETS:
        return True
    depth = 0
    for char in re.findall(rb"[\[\]{}]", line):
        depth += 1 if char in (b"[", b"{") else -1
        if depth > MAX_DEPTH:
            return True
    return False


def line_reason(line: bytes) -> tuple[str | None, dict[str, Any] | None]:
    """The exact check of one line: (None, record) when valid, else (reason, None)."""
    if len(line) > MAX_LINE_BYTES:
        return "line too long", None
    if too_deep(line):
        return "nesting too deep", None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError:
        return "invalid utf-8", None
    try:
        # NaN and Infinity parse to floats that validate rejects as "must be finite", like the fast path.
        value = json.loads(text, object_pairs_hook=_pairs)
    except _DuplicateKeyError:
        return "duplicate key", None
    except ValueError:
        return "invalid json", None
    errors = rec.validate(value)
    if errors:
        return checks.reason_for_path(errors[0].path), None
    return None, value


def parse_exact(file: RawFile, data: bytes) -> Parsed:
    """Line by line with the standard library: slow, exact, used only for files the fast path refused."""
    result = Parsed(file, RAW_SCHEMA.empty_table())
    valid: list[dict[str, Any]] = []
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        result.lines += 1
        reason, value = line_reason(line)
        if reason is not None:
            result.rejected[reason] += 1
        elif value is not None:
            valid.append(value)
    if valid:
        result.table = pa.Table.from_pylist(valid, schema=RAW_SCHEMA)
    return result


def _fast_eligible(data: bytes) -> bool:
    return data.isascii() and data.endswith(b"\n") and b"\n\n" not in data and not data.startswith(b"\n")


def _keys_per_row(table: pa.Table) -> Any:
    assets = table.column("assets").combine_chunks()
    lengths = np.asarray(pc.fill_null(pc.list_value_length(assets), 0).to_numpy(zero_copy_only=False))
    keys = TOP_LEVEL_KEYS + ASSET_KEYS * lengths
    items = assets.flatten()
    if len(items):
        is_ev = np.asarray(pc.fill_null(pc.equal(items.field("kind"), "ev"), False).to_numpy(zero_copy_only=False))
        parents = np.asarray(pc.list_parent_indices(assets).to_numpy(zero_copy_only=False))
        keys = keys + EV_EXTRA_KEYS * np.bincount(parents, weights=is_ev, minlength=len(lengths)).astype(np.int64)
    return keys


def _keys_per_line(data: bytes) -> Any:
    """Per line, how many ``":`` it holds: one per key (one inside a string only sends the file the exact way).

    ``bytes.count`` line by line beats a numpy pass over the bytes (measured: about 2x)."""
    return np.array([line.count(b'":') for line in data.split(b"\n")[:-1]], dtype=np.int64)


def _parse_fast(buffer: bytes) -> pa.Table | None:
    try:
        return pj.read_json(io.BytesIO(buffer), read_options=_READ, parse_options=_PARSE)
    except pa.ArrowInvalid, UnicodeDecodeError:
        return None


def _split(batch: list[tuple[RawFile, bytes]], table: pa.Table, lines: list[int]) -> list[Parsed]:
    """Check a parsed batch file by file; files whose lines or keys do not add up go the exact way."""
    if table.num_rows != sum(lines):
        return [parse_file(file, data) for file, data in batch]
    reasons = checks.table_reasons(table)
    keys = _keys_per_row(table)
    results: list[Parsed] = []
    offset = 0
    for (file, data), count in zip(batch, lines, strict=True):
        end = offset + count
        if not np.array_equal(keys[offset:end], _keys_per_line(data)):
            results.append(parse_exact(file, data))
        else:
            rows = reasons[offset:end]
            good = rows == None  # noqa: E711
            kept = table.slice(offset, count)
            parsed = Parsed(file, kept if good.all() else kept.filter(pa.array(good)), lines=count)
            if not good.all():
                parsed.rejected.update(rows[~good].tolist())
            results.append(parsed)
        offset = end
    return results


def _failed(file: RawFile) -> Parsed:
    return Parsed(file, RAW_SCHEMA.empty_table(), file_reason="read failed")


def parse_file(file: RawFile, data: bytes) -> Parsed:
    """One file: the fast path if it parses, else the exact path; any exception quarantines the file."""
    try:
        return _parse_file(file, data)
    except Exception:  # RecursionError, MemoryError...: this file only, the build goes on
        return _failed(file)


def _parse_file(file: RawFile, data: bytes) -> Parsed:
    if _fast_eligible(data):
        table = _parse_fast(data)
        lines = data.count(b"\n")
        if table is not None and table.num_rows == lines:
            return _split([(file, data)], table, [lines])[0]
    return parse_exact(file, data)


def _isolated_exact(file: RawFile, data: bytes) -> Parsed:
    try:
        return parse_exact(file, data)
    except Exception:  # see parse_file
        return _failed(file)


def parse_batch(batch: list[tuple[RawFile, bytes]]) -> list[Parsed]:
    """Many files in one pyarrow parse; on failure (or any exception), file by file."""
    eligible = [_fast_eligible(data) for _, data in batch]
    fast = [item for item, ok in zip(batch, eligible, strict=True) if ok]
    parsed = {file.rel: _isolated_exact(file, data) for (file, data), ok in zip(batch, eligible, strict=True) if not ok}
    if fast:
        try:
            buffer = b"".join(data for _, data in fast)
            table = _parse_fast(buffer)
            lines = [data.count(b"\n") for _, data in fast]
            results = _split(fast, table, lines) if table is not None else [parse_file(f, d) for f, d in fast]
        except Exception:  # one file broke the batch: each file alone, isolated
            results = [parse_file(f, d) for f, d in fast]
        parsed.update((result.file.rel, result) for result in results)
    return [parsed[file.rel] for file, _ in batch]


def content_digest(data: bytes | memoryview) -> str:
    """SHA-256 (first 128 bits) of a file's bytes: tells a changed file from one that only got a new mtime.
    SHA-256 rather than BLAKE2b: CPUs with SHA extensions hash it about 1.6x faster."""
    return hashlib.sha256(data).hexdigest()[:32]


def _unchanged_prefix(data: bytes, previous: tuple[int, str] | None) -> tuple[int, str]:
    """(bytes of ``data`` that are the previous content, the digest of all of ``data``).

    The integration appends an hour of lines to its day file; when the file still starts with
    exactly what was processed last time (same hash, ending at a line break), only the rest needs parsing.
    """
    if previous is None or not 0 < previous[0] < len(data) or data[previous[0] - 1 : previous[0]] != b"\n":
        return 0, content_digest(data)
    view = memoryview(data)
    hasher = hashlib.sha256(view[: previous[0]])
    prefix = hasher.hexdigest()[:32]
    hasher.update(view[previous[0] :])
    return (previous[0] if prefix == previous[1] else 0), hasher.hexdigest()[:32]


def read_files(root: Path, files: list[RawFile], previous: Mapping[str, tuple[int, str]] | None = None) -> list[Parsed]:
    """Read and parse files in batches of about ``BATCH_BYTES``; unreadable or empty files are quarantined.

    ``previous`` (size and digest of what was processed before, by path) lets an appended file be
    parsed from where it was left: its result then holds only the new lines and says ``skipped``.
    """
    results: list[Parsed] = []
    batch: list[tuple[RawFile, bytes]] = []
    digests: dict[str, tuple[str, int, int]] = {}
    size = 0
    for file in files:
        if file.size > MAX_FILE_BYTES:
            results.append(Parsed(file, RAW_SCHEMA.empty_table(), file_reason="too large"))
            continue
        try:
            data = (root / file.rel).read_bytes()
        except OSError:
            results.append(Parsed(file, RAW_SCHEMA.empty_table(), file_reason="unreadable"))
            continue
        except Exception:  # e.g. MemoryError: this file only
            results.append(_failed(file))
            continue
        if len(data) > MAX_FILE_BYTES:  # grew since the scan
            results.append(Parsed(file, RAW_SCHEMA.empty_table(), file_reason="too large"))
            continue
        if data.count(b"\n") + (not data.endswith(b"\n")) > MAX_LINES:
            digests[file.rel] = (content_digest(data), 0, len(data))
            results.append(Parsed(file, RAW_SCHEMA.empty_table(), file_reason="too many lines"))
            continue
        if not data.strip():
            digests[file.rel] = (content_digest(data), 0, len(data))
            results.append(Parsed(file, RAW_SCHEMA.empty_table(), file_reason="empty file"))
            continue
        skipped, digest = _unchanged_prefix(data, (previous or {}).get(file.rel))
        digests[file.rel] = (digest, skipped, len(data) - skipped)
        batch.append((file, data[skipped:] if skipped else data))
        size += len(data) - skipped
        if size >= BATCH_BYTES:
            results.extend(parse_batch(batch))
            batch, size = [], 0
    if batch:
        results.extend(parse_batch(batch))
    for result in results:
        result.digest, result.skipped, result.parsed_bytes = digests.get(result.file.rel, ("", 0, 0))
    order = {file.rel: index for index, file in enumerate(files)}
    return sorted(results, key=lambda result: order[result.file.rel])
