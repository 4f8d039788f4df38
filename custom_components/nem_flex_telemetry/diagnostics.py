"""Diagnostics: configuration and status, with the token, the household id and the GitHub login redacted."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from homeassistant.components.diagnostics import REDACTED, async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_ASSETS, CONF_HOUSEHOLD_ID, CONF_LOGIN, CONF_MAPPING
from .runtime import NemFlexConfigEntry

TO_REDACT = {"token", "access_token", "refresh_token", "device_code", "user_code", CONF_HOUSEHOLD_ID, CONF_LOGIN}


def _without_login(value: Any, login: str) -> Any:
    """The value with the GitHub login replaced wherever it appears (a repository "login/name", say)."""
    if isinstance(value, str):
        return value.replace(login, REDACTED)
    if isinstance(value, dict):
        return {key: _without_login(item, login) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_login(item, login) for item in value]
    return value


async def async_get_config_entry_diagnostics(hass: HomeAssistant, entry: NemFlexConfigEntry) -> dict[str, Any]:
    """What support needs to see, without secrets."""
    sampler = entry.runtime_data.sampler
    status = {
        key: value.isoformat() if isinstance(value, (date, datetime)) else value
        for key, value in asdict(entry.runtime_data.sampler.status).items()
        if key not in ("household", "standing")  # summarised below: 28 days of prices would swamp the rest
    }
    status["issues"] = sorted(status["issues"])
    status["publishing_state"] = entry.runtime_data.sampler.status.publishing_state
    login = entry.data.get(CONF_LOGIN)
    diagnostics = {
        "data": async_redact_data(dict(entry.data), TO_REDACT),
        # The mapping as sampled: current entity ids (it is stored by registry id).
        "options": async_redact_data(
            {**entry.options, CONF_MAPPING: dict(sampler.mapping), CONF_ASSETS: list(sampler.assets)}, TO_REDACT
        ),
        "status": status,
        "household": {
            "totals": {period: asdict(totals) for period, totals in sampler.status.household.totals.items()},
            "price_samples": sampler.status.household.price_samples(),
            "days_kept": len(sampler.status.household.days),
            "region_standing_known": sampler.status.standing is not None,
        },
        "outbox": {
            "pending": entry.runtime_data.outbox.pending_count(),
            "dropped": entry.runtime_data.outbox.dropped,
            "acked_through": entry.runtime_data.outbox.acked_through,
            "unreadable_lines": entry.runtime_data.outbox.bad,
            "index_rebuilt": entry.runtime_data.outbox.index_rebuilt,
        },
    }
    return _without_login(diagnostics, login) if isinstance(login, str) and login else diagnostics
