"""The Arrow schema of a raw schema-2.0 record, derived from the record module's rule tables."""

from __future__ import annotations

from typing import Any, Final

import pyarrow as pa

from custom_components.nem_flex_telemetry import record as rec


def _arrow_type(rule: rec.FieldRule) -> Any:
    match rule:
        case rec.Number():
            return pa.float64()
        case rec.Boolean():
            return pa.bool_()
    return pa.string()  # timestamps stay text so the exact format can be checked


ASSET_TYPE: Final = pa.struct(
    [(name, _arrow_type(rule)) for name, rule in (*rec.ASSET_FIELDS.items(), *rec.EV_FIELDS.items())]
)
RAW_SCHEMA: Final = pa.schema(
    [
        *[(name, _arrow_type(rule)) for name, rule in rec.RECORD_FIELDS.items()],
        ("assets", pa.list_(ASSET_TYPE)),
        # Reserved and always empty: any element is rejected, a non-null element fails parsing.
        ("deferrable_loads", pa.list_(pa.null())),
    ]
)
TOP_LEVEL_KEYS: Final = len(rec.RECORD_KEYS)
ASSET_KEYS: Final = len(rec.ASSET_FIELDS)
EV_EXTRA_KEYS: Final = len(rec.EV_FIELDS)
