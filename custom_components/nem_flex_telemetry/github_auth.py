"""Signing in to GitHub: the OAuth device flow, the token and its refresh, and the errors they share.

Pure aiohttp + asyncio (no Home Assistant imports). ``github_api`` re-exports all of it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import aiohttp

# PLACEHOLDER until the project's own OAuth app exists: register it at github.com -> Settings ->
# Developer settings -> OAuth Apps (tick "Enable Device Flow") and put its client id here.
# Never reuse Home Assistant's or HACS's id. Client ids are public; there is no secret.
OAUTH_CLIENT_ID: Final = "Ov23liNemFlexTelemetry"
OAUTH_SCOPE: Final = "public_repo"  # write to public repositories: the least a classic OAuth app can ask for
GITHUB_API_URL: Final = "https://api.github.com"
GITHUB_WEB_URL: Final = "https://github.com"
DEVICE_GRANT: Final = "urn:ietf:params:oauth:grant-type:device_code"
SLOW_DOWN_STEP: Final = 5  # seconds GitHub adds to the interval on slow_down
REFRESH_MARGIN: Final = 300.0  # refresh an expiring token this many seconds early

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


# Errors ---------------------------------------------------------------------
class GitHubError(Exception):
    """Anything that stopped a GitHub operation."""


class AuthError(GitHubError):
    """The token was rejected (401): revoked, expired or never valid. Ask the user to sign in again."""


class TransientError(GitHubError):
    """A server error, timeout or network failure that outlasted the retries; try again later."""

    def __init__(self, message: str, retry_at: float | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at


class DeviceFlowError(GitHubError):
    """The device flow ended without a token."""


class DeviceCodeExpiredError(DeviceFlowError):
    """The user did not enter the code in time (``expired_token``); start again."""


class AccessDeniedError(DeviceFlowError):
    """The user pressed Cancel on GitHub's authorisation page (``access_denied``)."""


class DeviceFlowMisconfiguredError(DeviceFlowError):
    """The OAuth app is wrong: bad client id, device flow disabled, unsupported grant or device code."""


# Tokens and the device flow ---------------------------------------------------
@dataclass(frozen=True, slots=True)
class Endpoints:
    """Base URLs; tests and local development point both at the local GitHub server."""

    api: str = GITHUB_API_URL
    web: str = GITHUB_WEB_URL

    @classmethod
    def local(cls, url: str) -> Endpoints:
        return cls(api=url.rstrip("/"), web=url.rstrip("/"))


GITHUB: Final = Endpoints()


@dataclass(frozen=True, slots=True)
class Token:
    """An access token (and refresh token for expiring GitHub-App tokens); never shown by repr or str."""

    access_token: str = field(repr=False)
    scope: str = ""
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: float | None = None  # epoch seconds; None for OAuth-app tokens, which do not expire

    def __str__(self) -> str:
        return repr(self)

    def needs_refresh(self, now: float) -> bool:
        return (
            self.refresh_token is not None and self.expires_at is not None and now >= self.expires_at - REFRESH_MARGIN
        )

    def as_dict(self) -> dict[str, Any]:
        """For the config entry (which is stored, never logged)."""
        return {
            "access_token": self.access_token,
            "scope": self.scope,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Token:
        expires = data.get("expires_at")
        return cls(
            access_token=str(data["access_token"]),
            scope=str(data.get("scope") or ""),
            refresh_token=data.get("refresh_token"),
            expires_at=float(expires) if expires is not None else None,
        )


@dataclass(frozen=True, slots=True)
class DeviceCode:
    """What to show the user (``user_code`` at ``verification_uri``) and what to poll with."""

    device_code: str = field(repr=False)
    user_code: str
    verification_uri: str
    expires_in: int
    interval: int


async def _oauth_post(session: aiohttp.ClientSession, url: str, form: Mapping[str, str]) -> dict[str, Any]:
    try:
        async with session.post(url, data=dict(form), headers={"Accept": "application/json"}) as response:
            if response.status >= 500:
                raise TransientError(f"GitHub answered {response.status} at {url}")
            payload = await response.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as err:
        raise TransientError(f"GitHub login unreachable: {type(err).__name__}") from err
    if not isinstance(payload, dict):
        raise TransientError(f"Unexpected answer from {url}")
    return payload


def _device_flow_error(code: str, description: str) -> DeviceFlowError:
    if code == "expired_token":
        return DeviceCodeExpiredError("The code expired before it was entered; start again")
    if code == "access_denied":
        return AccessDeniedError("Authorisation was cancelled on GitHub")
    return DeviceFlowMisconfiguredError(f"{code}: {description}")


async def request_device_code(
    session: aiohttp.ClientSession,
    *,
    endpoints: Endpoints = GITHUB,
    client_id: str = OAUTH_CLIENT_ID,
    scope: str = OAUTH_SCOPE,
) -> DeviceCode:
    """Step 1 of the device flow: a user code to show and a device code to poll with."""
    payload = await _oauth_post(session, f"{endpoints.web}/login/device/code", {"client_id": client_id, "scope": scope})
    if "error" in payload:
        raise _device_flow_error(str(payload["error"]), str(payload.get("error_description", "")))
    return DeviceCode(
        device_code=str(payload["device_code"]),
        user_code=str(payload["user_code"]),
        verification_uri=str(payload["verification_uri"]),
        expires_in=int(payload["expires_in"]),
        interval=int(payload["interval"]),
    )


def _token_from(payload: Mapping[str, Any], now: float) -> Token:
    expires_in = payload.get("expires_in")
    return Token(
        access_token=str(payload["access_token"]),
        scope=str(payload.get("scope") or ""),
        refresh_token=payload.get("refresh_token"),
        expires_at=now + float(expires_in) if expires_in is not None else None,
    )


async def wait_for_token(
    session: aiohttp.ClientSession,
    code: DeviceCode,
    *,
    endpoints: Endpoints = GITHUB,
    client_id: str = OAUTH_CLIENT_ID,
    sleep: Sleep = asyncio.sleep,
    clock: Clock = time.time,
) -> Token:
    """Step 2: poll until the user approves. Cancel the awaiting task to stop; nothing keeps running.

    Raises DeviceCodeExpiredError, AccessDeniedError, DeviceFlowMisconfiguredError, or TransientError (network).
    """
    interval = code.interval
    deadline = clock() + code.expires_in
    form = {"client_id": client_id, "device_code": code.device_code, "grant_type": DEVICE_GRANT}
    while True:
        await sleep(interval)
        payload = await _oauth_post(session, f"{endpoints.web}/login/oauth/access_token", form)
        error = payload.get("error")
        if error is None:
            return _token_from(payload, clock())
        if error == "authorization_pending":
            pass
        elif error == "slow_down":
            interval = int(payload.get("interval") or interval + SLOW_DOWN_STEP)
        else:
            raise _device_flow_error(str(error), str(payload.get("error_description", "")))
        if clock() >= deadline:
            raise DeviceCodeExpiredError("The code expired before it was entered; start again")


async def refresh_access_token(
    session: aiohttp.ClientSession,
    token: Token,
    *,
    endpoints: Endpoints = GITHUB,
    client_id: str = OAUTH_CLIENT_ID,
    clock: Clock = time.time,
) -> Token:
    """A new token pair from the refresh token (the old pair stops working: store the new one)."""
    if token.refresh_token is None:
        raise AuthError("The token cannot be refreshed; sign in again")
    form = {"client_id": client_id, "grant_type": "refresh_token", "refresh_token": token.refresh_token}
    payload = await _oauth_post(session, f"{endpoints.web}/login/oauth/access_token", form)
    if "error" in payload:
        raise AuthError(f"Refreshing the token failed ({payload['error']}); sign in again")
    return _token_from(payload, clock())
