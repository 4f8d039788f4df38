"""GitHub's OAuth device flow (``/login/device/code``, ``/login/oauth/access_token``) and its approval page."""

from __future__ import annotations

import html
import secrets
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from .state import DeviceAuthorization, ServerState, random_user_code

STATE: web.AppKey[ServerState] = web.AppKey("state", ServerState)
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
DOCS = "https://docs.github.com/developers/apps/authorizing-oauth-apps"

ERRORS = {
    "authorization_pending": "The authorization request is still pending.",
    "slow_down": "Too many requests have been made in the same timeframe.",
    "expired_token": "The device code has expired.",
    "access_denied": "The authorization request was denied.",
    "incorrect_device_code": "The device_code provided is not valid.",
    "incorrect_client_credentials": "The client_id and/or client_secret passed are incorrect.",
    "unsupported_grant_type": "The grant type is not supported.",
    "device_flow_disabled": "Device Flow must be explicitly enabled for this App",
    "bad_refresh_token": "The refresh token passed is incorrect or expired.",
}


async def _params(request: web.Request) -> dict[str, str]:
    """GitHub reads these endpoints' parameters from the query, a form or a JSON body."""
    params = dict(request.query)
    if request.content_type == "application/json":
        body: Any = await request.json() if request.can_read_body else {}
        params.update({str(k): str(v) for k, v in body.items()})
    else:
        params.update({k: str(v) for k, v in (await request.post()).items()})
    return params


def _answer(request: web.Request, payload: dict[str, Any], status: int = 200) -> web.Response:
    """JSON when asked for it, form-encoded otherwise (GitHub's default)."""
    if "application/json" in request.headers.get("Accept", ""):
        return web.json_response(payload, status=status)
    return web.Response(
        text=urlencode({k: v for k, v in payload.items() if v is not None}),
        status=status,
        content_type="application/x-www-form-urlencoded",
    )


def _error(request: web.Request, code: str, **extra: Any) -> web.Response:
    # The token endpoint answers its errors with 200, as GitHub does.
    return _answer(request, {"error": code, "error_description": ERRORS[code], "error_uri": DOCS, **extra})


async def device_code(request: web.Request) -> web.Response:
    state = request.app[STATE]
    params = await _params(request)
    if params.get("client_id") != state.client_id:
        return _error(request, "incorrect_client_credentials")
    if not state.device_flow_enabled:
        return _error(request, "device_flow_disabled")
    device = DeviceAuthorization(
        device_code=secrets.token_hex(20),
        user_code=random_user_code(),
        client_id=state.client_id,
        scope=params.get("scope", ""),
        expires_at=state.clock() + state.device_expires_in,
        interval=state.device_interval,
    )
    state.devices[device.device_code] = device
    return _answer(
        request,
        {
            "device_code": device.device_code,
            "user_code": device.user_code,
            "verification_uri": str(request.url.with_path("/login/device").with_query(None)),
            "expires_in": state.device_expires_in,
            "interval": device.interval,
        },
    )


async def access_token(request: web.Request) -> web.Response:
    state = request.app[STATE]
    params = await _params(request)
    grant = params.get("grant_type")
    if grant not in (DEVICE_GRANT, "refresh_token"):
        return _error(request, "unsupported_grant_type")
    if params.get("client_id") != state.client_id:
        return _error(request, "incorrect_client_credentials")
    if grant == "refresh_token":
        return _refresh(request, state, params.get("refresh_token", ""))
    if not state.device_flow_enabled:
        return _error(request, "device_flow_disabled")
    device = state.devices.get(params.get("device_code", ""))
    if device is None or device.state == "used":
        return _error(request, "incorrect_device_code")
    now = state.clock()
    if now >= device.expires_at:
        return _error(request, "expired_token")
    if device.state == "denied":
        return _error(request, "access_denied")
    too_soon = device.last_poll is not None and now - device.last_poll < device.interval
    device.last_poll = now
    if too_soon:
        device.interval += 5
        return _error(request, "slow_down", interval=device.interval)
    if device.state == "pending" or device.login is None:
        return _error(request, "authorization_pending")
    device.state = "used"
    token = state.issue_token(device.login, tuple(device.scope.replace(",", " ").split()))
    return _answer(request, _token_payload(state, token.value))


def _refresh(request: web.Request, state: ServerState, refresh: str) -> web.Response:
    old_value = state.refresh_tokens.pop(refresh, None)
    old = state.tokens.get(old_value or "")
    if old is None:
        return _error(request, "bad_refresh_token")
    old.revoked = True  # each refresh invalidates the old pair
    token = state.issue_token(old.login, old.scopes)
    return _answer(request, _token_payload(state, token.value))


def _token_payload(state: ServerState, value: str) -> dict[str, Any]:
    token = state.tokens[value]
    payload: dict[str, Any] = {"access_token": token.value, "token_type": "bearer", "scope": ",".join(token.scopes)}
    if token.refresh_token is not None and token.expires_at is not None:
        payload |= {
            "expires_in": round(token.expires_at - state.clock()),
            "refresh_token": token.refresh_token,
            "refresh_token_expires_in": 15_897_600,
        }
    return payload


PAGE = """<!doctype html><meta charset="utf-8"><title>Device activation (local GitHub)</title>
<h1>Device activation</h1><p>{message}</p>
<form method="post"><label>User code <input name="user_code" value="{code}" autofocus></label>
<label>as <select name="login">{users}</select></label>
<button name="decision" value="approve">Authorize</button>
<button name="decision" value="deny">Cancel</button></form>
<h2>Waiting</h2><ul>{pending}</ul>"""


def approval_page(state: ServerState, message: str = "", code: str = "") -> web.Response:
    users = "".join(f"<option>{html.escape(login)}</option>" for login in state.users)
    pending = "".join(
        f"<li>{html.escape(d.user_code)} (scope {html.escape(d.scope or 'none')})</li>"
        for d in state.devices.values()
        if d.state == "pending" and state.clock() < d.expires_at
    )
    body = PAGE.format(message=html.escape(message), code=html.escape(code), users=users, pending=pending)
    return web.Response(text=body, content_type="text/html")


async def device_page(request: web.Request) -> web.Response:
    return approval_page(request.app[STATE], code=request.query.get("user_code", ""))


async def device_decision(request: web.Request) -> web.Response:
    state = request.app[STATE]
    form = await request.post()
    code, login = str(form.get("user_code", "")), str(form.get("login", ""))
    approve = form.get("decision", "approve") == "approve"
    try:
        decide(state, code, approve=approve, login=login or None)
    except LookupError as err:
        return approval_page(state, str(err), code)
    return approval_page(state, f"{code.upper()} {'authorized' if approve else 'denied'}.")


def decide(state: ServerState, user_code: str, *, approve: bool, login: str | None = None) -> None:
    """Approve (as ``login``, default the first user) or deny a pending user code."""
    device = state.device_by_user_code(user_code)
    if device is None or device.state != "pending" or state.clock() >= device.expires_at:
        raise LookupError(f"No pending device code {user_code!r}")
    if not approve:
        device.state = "denied"
        return
    chosen = login or next(iter(state.users), None)
    if chosen is None or chosen not in state.users:
        raise LookupError(f"No user {chosen!r}")
    device.state, device.login = "approved", chosen


def routes() -> list[web.RouteDef]:
    return [
        web.post("/login/device/code", device_code),
        web.post("/login/oauth/access_token", access_token),
        web.get("/login/device", device_page),
        web.post("/login/device", device_decision),
    ]
