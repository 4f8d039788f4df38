"""Config, options and reconfigure flows.

Config flow: ``user`` (one household per Home Assistant; HAEO must be present) -> ``github``
(GitHub device flow: show a code, wait for approval; ``code_expired`` / ``github_unreachable``
offer a new code) -> ``household`` (region, postcode prefix and the name of the household's data
repository in the signed-in account: created when missing, adopted when empty or already this
household's) -> ``hub`` (only with several HAEO hubs) -> ``mapping`` (discovered HAEO entities,
editable) -> ``asset`` (once per proposed asset) -> ``more_assets`` (add an asset discovery missed, as
often as needed) -> ``consent`` (the exact record, CC-BY-4.0, the repository's address; agreeing writes
its README, LICENSE and household.json).
Mapped entities are stored by entity registry id (see ``entity_refs``); the forms use entity ids.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from typing import Any, Final

from homeassistant.config_entries import SOURCE_REAUTH, ConfigFlow, ConfigFlowResult, OptionsFlowWithReload
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
from homeassistant.loader import async_get_integration
from homeassistant.util import dt as dt_util

from . import transport
from .builder import Identity
from .const import (
    ASSET_BIDIRECTIONAL,
    ASSET_CAPACITY_KWH,
    ASSET_CHARGING,
    ASSET_DEPARTURE_TARGET,
    ASSET_DEPARTURE_TIME,
    ASSET_DUAL,
    ASSET_ID,
    ASSET_INCLUDE,
    ASSET_KIND,
    ASSET_MAX_CHARGE_KW,
    ASSET_MAX_DISCHARGE_KW,
    ASSET_NAME,
    ASSET_PLUG,
    ASSET_POWER,
    ASSET_POWER_SIGN,
    ASSET_SOC,
    CONF_ASSETS,
    CONF_BRANCH,
    CONF_CONSENT_TIME,
    CONF_GITHUB_URL,
    CONF_HOUSEHOLD_ID,
    CONF_LICENCE,
    CONF_LOGIN,
    CONF_MAPPING,
    CONF_PAUSED,
    CONF_POSTCODE_PREFIX,
    CONF_REGION,
    CONF_REGISTRATION,
    CONF_REPOSITORY,
    CONF_STATUS_URL,
    CONF_TOKEN,
    DEFAULT_STATUS_URL,
    DOMAIN,
    KIND_BATTERY,
    KIND_EV,
    LICENCE,
    MAP_DEFERRABLE_POWER,
    MAP_ENERGY_DUAL,
    MAP_EXPORT_ENVELOPE_DUAL,
    MAP_EXPORT_LIMIT,
    MAP_EXPORT_LIMIT_KW,
    MAP_EXPORT_PRICE,
    MAP_GRID_POWER,
    MAP_IMPORT_ENVELOPE_DUAL,
    MAP_IMPORT_LIMIT,
    MAP_IMPORT_LIMIT_KW,
    MAP_IMPORT_PRICE,
    MAP_LOAD_FORECAST_DUAL,
    MAP_LOAD_POWERS,
    MAP_OPTIMIZER_STATUS,
    MAP_SOLAR_FORECAST_DUAL,
    MAP_SOLAR_POWERS,
    MINOR_VERSION_REGISTRY_IDS,
    REGISTRATION_PENDING,
    SIGN_CHARGE_POSITIVE,
    SIGN_DISCHARGE_POSITIVE,
)
from .data_repo import DEFAULT_NAME, household_file, licence_text
from .discovery import Discovery, asset_candidates, default_mapping, discover, without_ev_loads
from .entity_refs import to_entity_ids, to_registry_ids
from .github_api import (
    AccessDeniedError,
    DeviceCode,
    DeviceCodeExpiredError,
    DeviceFlowMisconfiguredError,
    GitHubError,
    NoPushAccessError,
    RepositoryAccess,
    RepositoryNotFoundError,
    Token,
    TransientError,
    request_device_code,
    wait_for_token,
)
from .intake import NAME_PATTERN
from .record import ASSET_ID_PATTERN, POSTCODE_PREFIX_PATTERN, REGIONS
from .repository_setup import NotAdoptableError, initialise_repository, prepare_repository
from .sampler import preview
from .validation import vol

CONF_AGREE: Final = "agree"
CONF_HUB: Final = "hub"

_SENSOR = EntitySelector(EntitySelectorConfig(domain=["sensor", "number", "input_number"]))
_SENSORS = EntitySelector(EntitySelectorConfig(domain=["sensor"], multiple=True))
_BINARY = EntitySelector(EntitySelectorConfig(domain=["binary_sensor", "input_boolean", "switch"]))
_TIME = EntitySelector(EntitySelectorConfig(domain=["sensor", "input_datetime"]))
_STATUS = EntitySelector(EntitySelectorConfig(domain=["sensor"]))


def _kw(maximum: float = 200) -> NumberSelector:
    return NumberSelector(
        NumberSelectorConfig(min=0, max=maximum, step=0.1, unit_of_measurement="kW", mode=NumberSelectorMode.BOX)
    )


_KWH = NumberSelector(
    NumberSelectorConfig(min=0.1, max=500, step=0.1, unit_of_measurement="kWh", mode=NumberSelectorMode.BOX)
)

# Mapping form: key -> (required, selector)
MAPPING_FIELDS: Final[dict[str, tuple[bool, Any]]] = {
    MAP_GRID_POWER: (True, _SENSOR),
    MAP_SOLAR_POWERS: (False, _SENSORS),
    MAP_LOAD_POWERS: (False, _SENSORS),
    MAP_DEFERRABLE_POWER: (False, _SENSOR),
    MAP_IMPORT_PRICE: (True, _SENSOR),
    MAP_EXPORT_PRICE: (True, _SENSOR),
    MAP_IMPORT_LIMIT: (False, _SENSOR),
    MAP_IMPORT_LIMIT_KW: (False, _kw()),
    MAP_EXPORT_LIMIT: (False, _SENSOR),
    MAP_EXPORT_LIMIT_KW: (False, _kw()),
    MAP_ENERGY_DUAL: (False, _SENSOR),
    MAP_LOAD_FORECAST_DUAL: (False, _SENSOR),
    MAP_SOLAR_FORECAST_DUAL: (False, _SENSOR),
    MAP_IMPORT_ENVELOPE_DUAL: (False, _SENSOR),
    MAP_EXPORT_ENVELOPE_DUAL: (False, _SENSOR),
    MAP_OPTIMIZER_STATUS: (False, _STATUS),
}
ASSET_FORM_FIELDS: Final[dict[str, tuple[bool, Any]]] = {
    ASSET_INCLUDE: (True, BooleanSelector()),
    ASSET_ID: (True, TextSelector()),
    ASSET_KIND: (
        True,
        SelectSelector(
            SelectSelectorConfig(options=[KIND_BATTERY, KIND_EV], translation_key="kind", mode=SelectSelectorMode.LIST)
        ),
    ),
    ASSET_CAPACITY_KWH: (False, _KWH),
    ASSET_BIDIRECTIONAL: (True, BooleanSelector()),
    ASSET_MAX_CHARGE_KW: (False, _kw()),
    ASSET_MAX_DISCHARGE_KW: (False, _kw()),
    ASSET_POWER: (True, _SENSOR),
    ASSET_SOC: (False, _SENSOR),
    ASSET_DUAL: (False, _SENSOR),
    ASSET_PLUG: (False, _BINARY),
    ASSET_CHARGING: (False, _BINARY),
    ASSET_DEPARTURE_TARGET: (False, _SENSOR),
    ASSET_DEPARTURE_TIME: (False, _TIME),
}


def _schema(fields: Mapping[str, tuple[bool, Any]]) -> vol.Schema:
    return vol.Schema(
        {(vol.Required if required else vol.Optional)(key): sel for key, (required, sel) in fields.items()}
    )


def candidates_text(sweep: Mapping[str, list[str]]) -> str:
    """The global sweep's candidates outside HAEO, for the form description."""
    lines = [f"{kind}: {', '.join(ids[:8])}" for kind, ids in sweep.items() if ids]
    return "; ".join(lines) if lines else "-"


def region_option(region: str) -> str:
    """The selector option of a NEM region id: option keys must be lowercase translation keys (hassfest)."""
    return region.lower()


# Entries and records keep the NEM region id, so the flow maps the chosen option back.
REGION_BY_OPTION: Final = {region_option(region): region for region in REGIONS}


def with_region_id(user_input: Mapping[str, Any]) -> dict[str, Any]:
    """The form's answers with the chosen region option turned back into its NEM region id."""
    return {**user_input, CONF_REGION: REGION_BY_OPTION[user_input[CONF_REGION]]}


def household_schema() -> vol.Schema:
    """Region, postcode prefix and the data repository's name (in the signed-in account)."""
    return vol.Schema(
        {
            vol.Required(CONF_REGION): SelectSelector(
                SelectSelectorConfig(
                    options=list(REGION_BY_OPTION), translation_key="region", mode=SelectSelectorMode.DROPDOWN
                )
            ),
            vol.Required(CONF_POSTCODE_PREFIX): TextSelector(),
            vol.Required(CONF_REPOSITORY, default=DEFAULT_NAME): TextSelector(),
        }
    )


def validate_household(user_input: Mapping[str, Any]) -> dict[str, str]:
    """Errors per field for the household step."""
    errors: dict[str, str] = {}
    if CONF_POSTCODE_PREFIX in user_input and not POSTCODE_PREFIX_PATTERN.fullmatch(user_input[CONF_POSTCODE_PREFIX]):
        errors[CONF_POSTCODE_PREFIX] = "invalid_postcode_prefix"
    name = user_input.get(CONF_REPOSITORY)
    if name is not None and (not NAME_PATTERN.fullmatch(name) or name in {".", ".."}):
        errors[CONF_REPOSITORY] = "invalid_repository"
    return errors


async def async_prepare_repository(
    hass: HomeAssistant, token: Token, github_url: str | None, name: str, household_id: str
) -> tuple[RepositoryAccess | None, dict[str, str], str]:
    """(the repository, form errors, why it cannot be adopted): created or adopted in the signed-in account."""
    client = transport.make_client(hass, token, github_url)
    try:
        return await prepare_repository(client, name, household_id), {}, "-"
    except NotAdoptableError as err:
        return None, {CONF_REPOSITORY: "repository_not_adoptable"}, err.reason
    except NoPushAccessError:
        return None, {"base": "no_push_access"}, "-"
    except GitHubError:  # a rate limit or the network: retryable
        return None, {"base": "cannot_connect"}, "-"


async def async_initialise_repository(
    hass: HomeAssistant, token: Token, github_url: str | None, access: RepositoryAccess, data: Mapping[str, Any]
) -> dict[str, str]:
    """Write README, LICENSE and household.json (from the entry's data); form errors when GitHub refused."""
    integration = await async_get_integration(hass, DOMAIN)
    household = household_file(
        data[CONF_HOUSEHOLD_ID],
        data[CONF_REGION],
        data[CONF_POSTCODE_PREFIX],
        data[CONF_CONSENT_TIME],
        str(integration.version),
    )
    licence = await hass.async_add_executor_job(licence_text)
    client = transport.make_client(hass, token, github_url)
    try:
        await initialise_repository(client, access, household, transport.endpoints_for(github_url).web, licence)
    except NoPushAccessError:
        return {"base": "no_push_access"}
    except GitHubError:
        return {"base": "cannot_connect"}
    return {}


def validate_mapping(user_input: Mapping[str, Any]) -> dict[str, str]:
    """Each envelope limit needs an entity or a declared value (never a default)."""
    errors: dict[str, str] = {}
    if not user_input.get(MAP_IMPORT_LIMIT) and user_input.get(MAP_IMPORT_LIMIT_KW) is None:
        errors[MAP_IMPORT_LIMIT_KW] = "limit_required"
    if not user_input.get(MAP_EXPORT_LIMIT) and user_input.get(MAP_EXPORT_LIMIT_KW) is None:
        errors[MAP_EXPORT_LIMIT_KW] = "limit_required"
    return errors


def validate_asset(user_input: Mapping[str, Any], taken: set[str]) -> dict[str, str]:
    """Errors per field for one asset (only when it is included)."""
    if not user_input[ASSET_INCLUDE]:
        return {}
    errors: dict[str, str] = {}
    if not ASSET_ID_PATTERN.fullmatch(user_input[ASSET_ID]):
        errors[ASSET_ID] = "invalid_asset_id"
    elif user_input[ASSET_ID] in taken:
        errors[ASSET_ID] = "duplicate_asset_id"
    for key in (ASSET_CAPACITY_KWH, ASSET_MAX_CHARGE_KW, ASSET_SOC):
        if user_input.get(key) in (None, ""):
            errors[key] = "required"
    if user_input[ASSET_BIDIRECTIONAL] and user_input.get(ASSET_MAX_DISCHARGE_KW) is None:
        errors[ASSET_MAX_DISCHARGE_KW] = "required"
    return errors


def asset_from_input(candidate: Mapping[str, Any], user_input: Mapping[str, Any]) -> dict[str, Any]:
    """The stored asset: the form's values plus what discovery knew (name, power sign)."""
    asset = {key: value for key, value in user_input.items() if key != ASSET_INCLUDE and value not in (None, "")}
    asset[ASSET_NAME] = candidate.get(ASSET_NAME, asset[ASSET_ID])
    asset[ASSET_POWER_SIGN] = candidate.get(
        ASSET_POWER_SIGN, SIGN_DISCHARGE_POSITIVE if asset[ASSET_KIND] == KIND_BATTERY else SIGN_CHARGE_POSITIVE
    )
    return asset


class AssetSteps:
    """Walks the proposed assets one form at a time (shared by the config and options flows)."""

    def __init__(self, candidates: list[dict[str, Any]]) -> None:
        self.candidates = candidates
        self.index = 0
        self.assets: list[dict[str, Any]] = []
        self._plug_recommended: set[int] = set()

    def add_manual(self) -> None:
        """One more form, empty, for an asset discovery missed (the user picks its entities)."""
        self.candidates.append({ASSET_INCLUDE: True})

    @property
    def done(self) -> bool:
        """True when every candidate has been answered."""
        return self.index >= len(self.candidates)

    def form_schema(self, flow: ConfigFlow | OptionsFlowWithReload) -> vol.Schema:
        """The form for the current candidate, pre-filled."""
        candidate = self.candidates[self.index]
        suggested = {ASSET_INCLUDE: candidate.get(ASSET_INCLUDE, candidate.get(ASSET_KIND) == KIND_BATTERY)}
        suggested |= candidate
        return flow.add_suggested_values_to_schema(_schema(ASSET_FORM_FIELDS), suggested)

    def _recommend_plug(self, user_input: Mapping[str, Any]) -> bool:
        """Once per EV without a plug sensor: without one it is never counted as available."""
        wanted = user_input[ASSET_INCLUDE] and user_input[ASSET_KIND] == KIND_EV and not user_input.get(ASSET_PLUG)
        if not wanted or self.index in self._plug_recommended:
            return False
        self._plug_recommended.add(self.index)
        return True

    def placeholders(self) -> dict[str, str]:
        """Which element the form is about."""
        candidate = self.candidates[self.index]
        return {
            "name": str(candidate.get(ASSET_NAME, candidate.get(ASSET_ID, ""))),
            "number": str(self.index + 1),
            "total": str(len(self.candidates)),
        }

    def answer(self, user_input: Mapping[str, Any]) -> dict[str, str]:
        """Take the answer for the current candidate; errors keep it current."""
        errors = validate_asset(user_input, {asset[ASSET_ID] for asset in self.assets})
        if errors:
            return errors
        if self._recommend_plug(user_input):
            return {ASSET_PLUG: "plug_recommended"}
        if user_input[ASSET_INCLUDE]:
            self.assets.append(asset_from_input(self.candidates[self.index], user_input))
        self.index += 1
        return {}


class NemFlexConfigFlow(ConfigFlow, domain=DOMAIN):
    """Set up one household."""

    VERSION = 1
    MINOR_VERSION = MINOR_VERSION_REGISTRY_IDS

    def __init__(self) -> None:
        self._discovery: Discovery | None = None
        self._hub_id: str | None = None
        self._household_id = str(uuid.uuid4())
        self._household: dict[str, Any] = {}
        self._mapping: dict[str, Any] = {}
        self._asset_steps = AssetSteps([])
        self._candidates = "-"
        self._github_url = transport.configured_github_url()
        self._device: DeviceCode | None = None
        self._sign_in_task: asyncio.Task[tuple[Token, str]] | None = None
        self._token: Token | None = None
        self._login = ""
        self._repository: RepositoryAccess | None = None

    @callback
    def async_remove(self) -> None:
        """The dialog was closed: stop polling GitHub."""
        if self._sign_in_task is not None and not self._sign_in_task.done():
            self._sign_in_task.cancel()

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: Any) -> NemFlexOptionsFlow:
        """Change mapping, assets and publishing later."""
        return NemFlexOptionsFlow()

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Start: one household per Home Assistant, and HAEO must be there."""
        if self._async_current_entries():
            return self.async_abort(reason="single_instance_allowed")
        discovery = discover(self.hass)
        if not discovery.found:
            return self.async_abort(reason="haeo_not_found")
        self._discovery = discovery
        self._propose(None)
        return await self.async_step_github()

    def _propose(self, hub_id: str | None) -> None:
        """Mapping and assets proposed from one HAEO hub (the first with a grid unless chosen)."""
        assert self._discovery is not None
        self._hub_id = hub_id
        self._mapping = default_mapping(self._discovery, hub_id)
        self._asset_steps = AssetSteps(asset_candidates(self._discovery, hub_id))
        self._candidates = candidates_text(self._discovery.sweep)

    async def async_step_hub(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Several HAEO hubs have a grid: the user says which one is this household's."""
        assert self._discovery is not None
        hubs = self._discovery.grid_hubs
        if user_input is not None:
            self._propose(user_input[CONF_HUB])
            return await self.async_step_mapping()
        options = [SelectOptionDict(value=hub.hub_id, label=hub.title or hub.hub_id) for hub in hubs]
        schema = vol.Schema(
            {vol.Required(CONF_HUB, default=hubs[0].hub_id): SelectSelector(SelectSelectorConfig(options=options))}
        )
        return self.async_show_form(step_id="hub", data_schema=schema)

    async def async_step_github(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """GitHub device flow: show the code and wait (polling at GitHub's pace) until it is approved."""
        if self._sign_in_task is None:
            session = async_get_clientsession(self.hass)
            endpoints = transport.endpoints_for(self._github_url)
            try:
                self._device = await request_device_code(session, endpoints=endpoints)
            except TransientError:
                return await self.async_step_github_unreachable()
            except GitHubError:
                return self.async_abort(reason="device_flow_misconfigured")
            self._sign_in_task = self.hass.async_create_task(self._async_sign_in(self._device))
        if not self._sign_in_task.done():
            assert self._device is not None
            return self.async_show_progress(
                step_id="github",
                progress_action="wait_for_device",
                description_placeholders={"url": self._device.verification_uri, "code": self._device.user_code},
                progress_task=self._sign_in_task,
            )
        return self.async_show_progress_done(next_step_id=self._after_sign_in(self._sign_in_task))

    async def _async_sign_in(self, device: DeviceCode) -> tuple[Token, str]:
        session = async_get_clientsession(self.hass)
        endpoints = transport.endpoints_for(self._github_url)
        token = await wait_for_token(session, device, endpoints=endpoints, sleep=transport.device_poll_sleep)
        user = await transport.make_client(self.hass, token, self._github_url).get_user()
        return token, user.login

    def _after_sign_in(self, task: asyncio.Task[tuple[Token, str]]) -> str:
        """The step that follows the finished sign-in task."""
        self._sign_in_task = None  # a retry asks for a new code
        error = task.exception()
        if error is None:
            self._token, self._login = task.result()
            return "signed_in"
        if isinstance(error, DeviceCodeExpiredError):
            return "code_expired"
        if isinstance(error, AccessDeniedError):
            return "access_denied"
        if isinstance(error, DeviceFlowMisconfiguredError):
            return "misconfigured"
        return "github_unreachable"

    async def async_step_code_expired(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The code ran out before it was entered: offer a new one."""
        if user_input is not None:
            return await self.async_step_github()
        return self.async_show_form(step_id="code_expired")

    async def async_step_github_unreachable(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """GitHub could not be reached: try again with a new code."""
        if user_input is not None:
            return await self.async_step_github()
        return self.async_show_form(step_id="github_unreachable", errors={"base": "cannot_connect"})

    async def async_step_access_denied(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """The request was cancelled on GitHub."""
        return self.async_abort(reason="access_denied")

    async def async_step_misconfigured(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """GitHub refused this app's device flow."""
        return self.async_abort(reason="device_flow_misconfigured")

    async def async_step_signed_in(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Signed in: a reauth ends here with the new token; a new household goes on."""
        if self.source == SOURCE_REAUTH:
            return await self.async_step_reauth_check()
        return await self.async_step_household()

    def _github_data(self) -> dict[str, Any]:
        assert self._token is not None
        data: dict[str, Any] = {CONF_TOKEN: self._token.as_dict(), CONF_LOGIN: self._login}
        if self._github_url:
            data[CONF_GITHUB_URL] = self._github_url
        return data

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Publishing was refused: the GitHub token is revoked or expired."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Explain, then sign in again (records waiting in the outbox are kept)."""
        if user_input is not None:
            return await self.async_step_github()
        return self.async_show_form(step_id="reauth_confirm")

    async def async_step_reauth_check(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """After signing in again: the same GitHub account, still allowed to push; only then the new token."""
        entry = self._get_reauth_entry()
        expected = str(entry.data.get(CONF_LOGIN) or "")
        if expected and self._login.casefold() != expected.casefold():  # GitHub logins ignore case
            return self.async_abort(
                reason="reauth_wrong_account", description_placeholders={"login": self._login, "expected": expected}
            )
        repository = str(entry.options.get(CONF_REPOSITORY, ""))
        errors = await self._async_check_repository(repository)
        if errors.get("base") == "cannot_connect":  # GitHub busy or unreachable: the new token waits for a retry
            return self.async_show_form(
                step_id="reauth_check", errors=errors, description_placeholders={"repository": repository}
            )
        if errors:
            return self.async_abort(
                reason="reauth_no_push_access",
                description_placeholders={"login": self._login, "repository": repository},
            )
        return self.async_update_reload_and_abort(entry, data_updates=self._github_data())

    async def _async_check_repository(self, repository: str) -> dict[str, str]:
        """Errors when the repository is missing or this account may not push to it."""
        assert self._token is not None
        client = transport.make_client(self.hass, self._token, self._github_url)
        try:
            access = await client.check_repository(repository)
        except RepositoryNotFoundError:
            return {CONF_REPOSITORY: "repository_not_found"}
        except GitHubError as err:  # a refusal means no access; anything else (rate limit, network) is retryable
            return {"base": "no_push_access" if isinstance(err, NoPushAccessError) else "cannot_connect"}
        return {} if access.can_push else {"base": "no_push_access"}

    async def async_step_household(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Region, postcode prefix and the data repository (created now when it does not exist)."""
        errors: dict[str, str] = {}
        reason = "-"
        if user_input is not None:
            errors = validate_household(user_input)
            if not errors:
                assert self._token is not None
                self._repository, errors, reason = await async_prepare_repository(
                    self.hass, self._token, self._github_url, user_input[CONF_REPOSITORY], self._household_id
                )
            if not errors:
                self._household = with_region_id(user_input)
                await self.async_set_unique_id(self._household_id)
                return await self.async_step_mapping()
        schema = self.add_suggested_values_to_schema(household_schema(), user_input or {})
        return self.async_show_form(
            step_id="household",
            data_schema=schema,
            errors=errors,
            description_placeholders={"login": self._login, "reason": reason},
        )

    async def async_step_mapping(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Confirm or edit the discovered mapping."""
        if user_input is None and self._hub_id is None and self._discovery and len(self._discovery.grid_hubs) > 1:
            return await self.async_step_hub()
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = validate_mapping(user_input)
            self._mapping = dict(user_input)
            if not errors:
                return await self.async_step_asset()
        schema = self.add_suggested_values_to_schema(_schema(MAPPING_FIELDS), self._mapping)
        return self.async_show_form(
            step_id="mapping",
            data_schema=schema,
            errors=errors,
            description_placeholders={"candidates": self._candidates},
        )

    async def async_step_asset(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """One form per proposed battery or EV."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = self._asset_steps.answer(user_input)
        if self._asset_steps.done:
            return await self.async_step_more_assets()
        return self.async_show_form(
            step_id="asset",
            data_schema=self._asset_steps.form_schema(self),
            errors=errors,
            description_placeholders=self._asset_steps.placeholders() | {"candidates": self._candidates},
        )

    async def async_step_more_assets(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Add an asset discovery missed, or go on to consent."""
        return self.async_show_menu(step_id="more_assets", menu_options=["manual_asset", "consent"])

    async def async_step_manual_asset(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """An empty asset form: the user picks its kind and entities."""
        self._asset_steps.add_manual()
        return await self.async_step_asset()

    async def async_step_consent(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show the exact record that would be published now; publish only after agreement."""
        mapping = without_ev_loads(self._mapping, self._asset_steps.assets)
        identity = Identity(self._household[CONF_REGION], self._household[CONF_POSTCODE_PREFIX])
        line, reason = preview(self.hass, identity, mapping, self._asset_steps.assets)
        errors: dict[str, str] = {}
        if user_input is not None:
            if line is None:
                errors["base"] = "preview_failed"
            elif not user_input[CONF_AGREE]:
                errors[CONF_AGREE] = "consent_required"
            else:
                assert self._repository is not None and self._token is not None
                data = self._entry_data()
                errors = await async_initialise_repository(
                    self.hass, self._token, self._github_url, self._repository, data
                )
                if not errors:
                    return self._create_entry(data, mapping)
        assert self._repository is not None
        return self.async_show_form(
            step_id="consent",
            data_schema=vol.Schema({vol.Required(CONF_AGREE, default=False): BooleanSelector()}),
            errors=errors,
            description_placeholders={
                "record": line if line is not None else "-",
                "reason": reason or "-",
                "licence": LICENCE,
                "repository_url": self._repository.html_url,
            },
        )

    def _entry_data(self) -> dict[str, Any]:
        """Identity, consent and sign-in, as the entry keeps them."""
        return {
            CONF_HOUSEHOLD_ID: self._household_id,
            CONF_REGION: self._household[CONF_REGION],
            CONF_POSTCODE_PREFIX: self._household[CONF_POSTCODE_PREFIX],
            CONF_LICENCE: LICENCE,
            CONF_CONSENT_TIME: dt_util.utcnow().isoformat(),
            CONF_REGISTRATION: REGISTRATION_PENDING,
            **self._github_data(),
        }

    def _create_entry(self, data: dict[str, Any], mapping: dict[str, Any]) -> ConfigFlowResult:
        assert self._repository is not None
        stored_mapping, stored_assets = to_registry_ids(self.hass, mapping, self._asset_steps.assets)
        return self.async_create_entry(
            title="NEM Flex Telemetry",
            data=data,
            options={
                CONF_MAPPING: stored_mapping,
                CONF_ASSETS: stored_assets,
                CONF_REPOSITORY: self._repository.full_name,
                CONF_BRANCH: self._repository.default_branch,
                CONF_PAUSED: False,
            },
        )

    async def async_step_reconfigure(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Change region or postcode prefix (the household id stays)."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = validate_household(user_input)
            if not errors:
                return self.async_update_reload_and_abort(entry, data_updates=with_region_id(user_input))
        schema = vol.Schema(
            {
                vol.Required(CONF_REGION): household_schema().schema[CONF_REGION],
                vol.Required(CONF_POSTCODE_PREFIX): TextSelector(),
            }
        )
        suggested = user_input or {
            CONF_REGION: region_option(entry.data[CONF_REGION]),
            CONF_POSTCODE_PREFIX: entry.data[CONF_POSTCODE_PREFIX],
        }
        return self.async_show_form(
            step_id="reconfigure", data_schema=self.add_suggested_values_to_schema(schema, suggested), errors=errors
        )


class NemFlexOptionsFlow(OptionsFlowWithReload):
    """Re-map entities, edit assets, pause publishing, change the upload target."""

    def __init__(self) -> None:
        self._asset_steps = AssetSteps([])
        self._candidates = "-"

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Choose what to change."""
        return self.async_show_menu(step_id="init", menu_options=["mapping", "assets", "publishing"])

    def _save(self, **changes: Any) -> ConfigFlowResult:
        return self.async_create_entry(data={**self.config_entry.options, **changes})

    def _current(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The stored mapping and assets with current entity ids, for the forms."""
        options = self.config_entry.options
        return to_entity_ids(self.hass, options.get(CONF_MAPPING, {}), options.get(CONF_ASSETS, []))

    def _save_mapping(self, mapping: dict[str, Any], assets: list[dict[str, Any]]) -> ConfigFlowResult:
        """Store mapping and assets by registry id."""
        stored_mapping, stored_assets = to_registry_ids(self.hass, mapping, assets)
        return self._save(**{CONF_MAPPING: stored_mapping, CONF_ASSETS: stored_assets})

    async def async_step_mapping(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Edit the entity mapping."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = validate_mapping(user_input)
            if not errors:
                _mapping, assets = self._current()
                return self._save_mapping(without_ev_loads(dict(user_input), assets), assets)
        suggested = user_input or self._current()[0]
        schema = self.add_suggested_values_to_schema(_schema(MAPPING_FIELDS), suggested)
        return self.async_show_form(
            step_id="mapping",
            data_schema=schema,
            errors=errors,
            description_placeholders={"candidates": candidates_text(discover(self.hass).sweep)},
        )

    async def async_step_assets(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Edit the assets: the current ones first, then HAEO elements not yet used."""
        current = [{**asset, ASSET_INCLUDE: True} for asset in self._current()[1]]
        used = {asset.get(ASSET_POWER) for asset in current}
        discovery = discover(self.hass)
        new = [c for c in asset_candidates(discovery) if c.get(ASSET_POWER) not in used]
        self._asset_steps = AssetSteps(current + [{**c, ASSET_INCLUDE: False} for c in new])
        self._candidates = candidates_text(discovery.sweep)
        return await self.async_step_asset()

    async def async_step_asset(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """One form per asset."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = self._asset_steps.answer(user_input)
        if self._asset_steps.done:
            return await self.async_step_more_assets()
        return self.async_show_form(
            step_id="asset",
            data_schema=self._asset_steps.form_schema(self),
            errors=errors,
            description_placeholders=self._asset_steps.placeholders() | {"candidates": self._candidates},
        )

    async def async_step_more_assets(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Add an asset discovery missed, or save the assets."""
        return self.async_show_menu(step_id="more_assets", menu_options=["manual_asset", "save_assets"])

    async def async_step_manual_asset(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """An empty asset form: the user picks its kind and entities."""
        self._asset_steps.add_manual()
        return await self.async_step_asset()

    async def async_step_save_assets(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Store the assets (EV chargers leave the house load)."""
        mapping = without_ev_loads(self._current()[0], self._asset_steps.assets)
        return self._save_mapping(mapping, self._asset_steps.assets)

    async def async_step_publishing(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Pause publishing, or move to another data repository of the signed-in account."""
        errors: dict[str, str] = {}
        reason = "-"
        options = self.config_entry.options
        current = str(options.get(CONF_REPOSITORY, ""))
        if user_input is not None:
            errors = validate_household(user_input)
            name = user_input[CONF_REPOSITORY]
            changes = {key: value for key, value in user_input.items() if key != CONF_REPOSITORY}
            if not errors and name != current.partition("/")[2]:
                moved, errors, reason = await self._async_move_repository(name)
                changes |= moved
            if not errors:
                return self._save(**changes)
        schema = vol.Schema(
            {
                vol.Required(CONF_PAUSED): BooleanSelector(),
                vol.Required(CONF_REPOSITORY): TextSelector(),
                vol.Optional(CONF_STATUS_URL): TextSelector(),
            }
        )
        suggested = user_input or {
            CONF_PAUSED: options.get(CONF_PAUSED, False),
            CONF_REPOSITORY: current.partition("/")[2] or DEFAULT_NAME,
            CONF_STATUS_URL: options.get(CONF_STATUS_URL, DEFAULT_STATUS_URL),
        }
        return self.async_show_form(
            step_id="publishing",
            data_schema=self.add_suggested_values_to_schema(schema, suggested),
            errors=errors,
            description_placeholders={"repository_url": current or "-", "reason": reason},
        )

    async def _async_move_repository(self, name: str) -> tuple[dict[str, str], dict[str, str], str]:
        """(option changes, errors, reason): create or adopt ``name`` and give it its files.

        The new repository must then join (pending again: the reload that saving causes asks).
        """
        entry = self.config_entry
        token = transport.stored_token(entry.data)
        if token is None:
            return {}, {"base": "cannot_connect"}, "-"
        url = transport.entry_github_url(entry.data)
        access, errors, reason = await async_prepare_repository(
            self.hass, token, url, name, entry.data[CONF_HOUSEHOLD_ID]
        )
        if access is None:
            return {}, errors, reason
        errors = await async_initialise_repository(self.hass, token, url, access, entry.data)
        if errors:
            return {}, errors, "-"
        self.hass.config_entries.async_update_entry(entry, data={**entry.data, CONF_REGISTRATION: REGISTRATION_PENDING})
        return {CONF_REPOSITORY: access.full_name, CONF_BRANCH: access.default_branch}, {}, "-"
