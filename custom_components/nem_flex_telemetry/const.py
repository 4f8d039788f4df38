"""Constants shared by the integration's modules."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Final

DOMAIN: Final = "nem_flex_telemetry"
LOGGER: Final = logging.getLogger(__package__)
HAEO_DOMAIN: Final = "haeo"
# HAEO releases this integration reads and is tested against ("main": HAEO's unreleased head).
# Each has a fixture in tests/ha/haeo_fixtures/ (docs/HAEO.md says how to add the next one).
SUPPORTED_HAEO_VERSIONS: Final = ("v0.3.3", "v0.4.1", "main")

# entry.data (identity and consent: change only through reconfigure)
CONF_HOUSEHOLD_ID: Final = "household_id"
CONF_REGION: Final = "region"
CONF_POSTCODE_PREFIX: Final = "postcode_prefix"
CONF_CONSENT_TIME: Final = "consent_time"
CONF_LICENCE: Final = "licence"
LICENCE: Final = "CC-BY-4.0"

# Config entry 1.2 stores mapped entities by entity registry id (1.1 stored entity ids).
MINOR_VERSION_REGISTRY_IDS: Final = 2

# entry.options (mapping, assets, publishing)
CONF_REPOSITORY: Final = "repository"
CONF_BRANCH: Final = "branch"
CONF_PAUSED: Final = "paused"
CONF_MAPPING: Final = "mapping"
CONF_ASSETS: Final = "assets"
DEFAULT_BRANCH: Final = "main"

# Mapping keys (entity ids, or a fixed number for the two envelope limits).
MAP_GRID_POWER: Final = "grid_power"
MAP_SOLAR_POWERS: Final = "solar_powers"
MAP_LOAD_POWERS: Final = "load_powers"
MAP_DEFERRABLE_POWER: Final = "deferrable_power"
MAP_IMPORT_PRICE: Final = "import_price"
MAP_EXPORT_PRICE: Final = "export_price"
MAP_IMPORT_LIMIT: Final = "import_limit"
MAP_EXPORT_LIMIT: Final = "export_limit"
MAP_IMPORT_LIMIT_KW: Final = "import_limit_kw"
MAP_EXPORT_LIMIT_KW: Final = "export_limit_kw"
MAP_ENERGY_DUAL: Final = "energy_dual"
MAP_LOAD_FORECAST_DUAL: Final = "load_forecast_dual"
MAP_SOLAR_FORECAST_DUAL: Final = "solar_forecast_dual"
MAP_IMPORT_ENVELOPE_DUAL: Final = "import_envelope_dual"
MAP_EXPORT_ENVELOPE_DUAL: Final = "export_envelope_dual"
MAP_OPTIMIZER_STATUS: Final = "optimizer_status"
MAP_ENTITY_KEYS: Final = (
    MAP_GRID_POWER,
    MAP_DEFERRABLE_POWER,
    MAP_IMPORT_PRICE,
    MAP_EXPORT_PRICE,
    MAP_IMPORT_LIMIT,
    MAP_EXPORT_LIMIT,
    MAP_ENERGY_DUAL,
    MAP_LOAD_FORECAST_DUAL,
    MAP_SOLAR_FORECAST_DUAL,
    MAP_IMPORT_ENVELOPE_DUAL,
    MAP_EXPORT_ENVELOPE_DUAL,
    MAP_OPTIMIZER_STATUS,
)
MAP_LIST_KEYS: Final = (MAP_SOLAR_POWERS, MAP_LOAD_POWERS)

# Asset keys.
ASSET_ID: Final = "asset_id"
ASSET_NAME: Final = "name"
ASSET_KIND: Final = "kind"
ASSET_CAPACITY_KWH: Final = "capacity_kwh"
ASSET_BIDIRECTIONAL: Final = "bidirectional"
ASSET_MAX_CHARGE_KW: Final = "max_charge_kw"
ASSET_MAX_DISCHARGE_KW: Final = "max_discharge_kw"
ASSET_POWER: Final = "power_entity"
ASSET_POWER_SIGN: Final = "power_sign"
ASSET_SOC: Final = "soc_entity"
ASSET_DUAL: Final = "dual_entity"
ASSET_PLUG: Final = "plug_entity"
ASSET_CHARGING: Final = "charging_entity"
ASSET_DEPARTURE_TARGET: Final = "departure_target_entity"
ASSET_DEPARTURE_TIME: Final = "departure_time_entity"
ASSET_INCLUDE: Final = "include"
ASSET_ENTITY_KEYS: Final = (
    ASSET_POWER,
    ASSET_SOC,
    ASSET_DUAL,
    ASSET_PLUG,
    ASSET_CHARGING,
    ASSET_DEPARTURE_TARGET,
    ASSET_DEPARTURE_TIME,
)
# HAEO battery: active = discharge - charge, so setpoint (+ charging) = -active.
SIGN_DISCHARGE_POSITIVE: Final = "discharge_positive"
# HAEO load (an EV charger): power >= 0 is charging.
SIGN_CHARGE_POSITIVE: Final = "charge_positive"

KIND_BATTERY: Final = "stationary_battery"
KIND_EV: Final = "ev"

# An input that should move (HAEO writes its outputs on every optimisation, at
# least once a minute) and was not reported for this long is stale.
STALE_AFTER: Final = timedelta(minutes=15)
# HAEO failing (optimizer_status failed/unavailable) this long raises a repair issue.
HAEO_FAILING_AFTER: Final = timedelta(hours=1)

# EV inference thresholds (per 5-minute interval).
EV_DRIVING_SOC_DROP_PCT: Final = 1.5
EV_CHARGING_SOC_RISE_PCT: Final = 1.0
EV_SETPOINT_THRESHOLD_KW: Final = 0.1

SERVICE_PREVIEW: Final = "preview_record"

PUBLISHING_ACTIVE: Final = "active"
PUBLISHING_PAUSED: Final = "paused"
PUBLISHING_NEEDS_ATTENTION: Final = "needs_attention"

ISSUE_HAEO_NOT_FOUND: Final = "haeo_not_found"
ISSUE_ENTITY_GONE: Final = "mapped_entity_gone"
ISSUE_HAEO_FAILING: Final = "haeo_failing"
ISSUE_DISK_FULL: Final = "outbox_disk_full"
ISSUE_CLOCK_AHEAD: Final = "clock_ahead"
ISSUE_OUTBOX_UNREADABLE: Final = "outbox_unreadable_lines"

# GitHub sign-in (entry.data): the token (Token.as_dict(), never logged) and the account's login.
CONF_TOKEN: Final = "token"  # noqa: S105 (the key, not a secret)
CONF_LOGIN: Final = "login"
# Set only when the flow ran against another GitHub (local development and tests).
CONF_GITHUB_URL: Final = "github_url"

SERVICE_PUBLISH_NOW: Final = "publish_now"
SERVICE_WITHDRAW: Final = "withdraw"
WITHDRAW_CONFIRMATION: Final = "WITHDRAW"

ISSUE_NO_PUSH_ACCESS: Final = "no_push_access"
ISSUE_UNTRUSTED_DAY_FILE: Final = "untrusted_day_file"
ISSUE_PUBLISH_FAILED: Final = "publish_failed"

# entry.data: the join request on the project repository ("pending" until it is opened; then its address).
CONF_REGISTRATION: Final = "registration"
CONF_REGISTRATION_ISSUE: Final = "registration_issue"
REGISTRATION_PENDING: Final = "pending"
REGISTRATION_REGISTERED: Final = "registered"

# entry.options: where the published cohort status is (the aggregation writes it).
# (The key keeps its first name: entries made before the standing feed existed store it.) Any feed
# with cohort_size works; standing.json adds the region quantiles the standing sensors need.
CONF_STATUS_URL: Final = "status_url"
DEFAULT_STATUS_URL: Final = "https://purcell-lab.github.io/nem-flex-telemetry/data/standing.json"
COHORT_REFRESH: Final = timedelta(hours=1)  # one conditional request an hour at most
