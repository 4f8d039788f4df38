"""Where GitHub is and how the integration gets a client for an entry.

The GitHub base URL defaults to github.com. For local development start HA with
``NEM_FLEX_GITHUB_URL=http://127.0.0.1:8787`` (the local server in ``tests/github_server``):
the config flow then signs in there and stores the URL in the entry, so the entry keeps
talking to the server it signed in with.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any, Final

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession

from .const import CONF_GITHUB_URL, CONF_TOKEN
from .github_api import GITHUB, Endpoints, GitHubClient, Token

GITHUB_URL_ENV: Final = "NEM_FLEX_GITHUB_URL"


def configured_github_url() -> str | None:
    """The GitHub to sign in with: None for github.com, else the local development server."""
    return os.environ.get(GITHUB_URL_ENV) or None


def endpoints_for(url: str | None) -> Endpoints:
    """GitHub's endpoints, or the local server's (API and web share one URL there)."""
    return Endpoints.local(url) if url else GITHUB


async def device_poll_sleep(seconds: float) -> None:
    """Wait between device-flow polls (tests replace it so no real time passes)."""
    await asyncio.sleep(seconds)


async def retry_sleep(seconds: float) -> None:
    """Wait between the client's retries of one request (tests replace it)."""
    await asyncio.sleep(seconds)


def stored_token(data: dict[str, Any] | Any) -> Token | None:
    """The entry's token, or None when the entry has not signed in to GitHub."""
    token = data.get(CONF_TOKEN)
    if not isinstance(token, dict) or not token.get("access_token"):
        return None
    return Token.from_dict(token)


def make_client(
    hass: HomeAssistant, token: Token, url: str | None, on_token_refresh: Callable[[Token], None] | None = None
) -> GitHubClient:
    """A client on Home Assistant's shared session (inject-websession)."""
    return GitHubClient(
        async_get_clientsession(hass),
        token,
        endpoints=endpoints_for(url),
        on_token_refresh=on_token_refresh,
        sleep=retry_sleep,  # looked up per client, so tests can replace it
    )


def entry_github_url(data: Any) -> str | None:
    """The GitHub an entry signed in with (None: github.com)."""
    url = data.get(CONF_GITHUB_URL)
    return str(url) if url else None
