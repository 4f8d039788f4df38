"""The device flow as GitHub documents it, exercised with raw HTTP."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import aiohttp

from .conftest import LOGIN, FakeClock, bearer
from .server import GitHubServer

JSON = {"Accept": "application/json"}
GRANT = "urn:ietf:params:oauth:grant-type:device_code"


async def start(http: aiohttp.ClientSession, server: GitHubServer) -> dict[str, object]:
    form = {"client_id": server.client_id, "scope": "public_repo"}
    async with http.post(f"{server.url}/login/device/code", data=form, headers=JSON) as response:
        assert response.status == 200
        return dict(await response.json())


async def poll(
    http: aiohttp.ClientSession, server: GitHubServer, device_code: object, **extra: str
) -> dict[str, object]:
    form = {"client_id": server.client_id, "device_code": str(device_code), "grant_type": GRANT, **extra}
    async with http.post(f"{server.url}/login/oauth/access_token", data=form, headers=JSON) as response:
        assert response.status == 200  # GitHub answers OAuth errors with 200 too
        return dict(await response.json())


async def test_device_code_answer_has_githubs_fields(clocked_github: GitHubServer, http: aiohttp.ClientSession) -> None:
    answer = await start(http, clocked_github)
    assert set(answer) == {"device_code", "user_code", "verification_uri", "expires_in", "interval"}
    assert answer["verification_uri"] == f"{clocked_github.url}/login/device"
    assert answer["expires_in"] == 900 and answer["interval"] == 5
    code = str(answer["user_code"])
    assert len(code) == 9 and code[4] == "-"
    assert clocked_github.pending_user_codes() == [code]


async def test_without_accept_json_the_answer_is_form_encoded(
    clocked_github: GitHubServer, http: aiohttp.ClientSession
) -> None:
    form = {"client_id": clocked_github.client_id, "scope": "public_repo"}
    async with http.post(f"{clocked_github.url}/login/device/code", data=form) as response:
        assert response.content_type == "application/x-www-form-urlencoded"
        fields = parse_qs(await response.text())
    assert fields["interval"] == ["5"] and "device_code" in fields


async def test_pending_then_approved_gives_a_working_token(
    clocked_github: GitHubServer, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    answer = await start(http, clocked_github)
    assert (await poll(http, clocked_github, answer["device_code"]))["error"] == "authorization_pending"
    clocked_github.approve(str(answer["user_code"]))
    clock.now += 5
    token = await poll(http, clocked_github, answer["device_code"])
    assert token["token_type"] == "bearer" and token["scope"] == "public_repo"
    assert "refresh_token" not in token  # OAuth-app tokens do not expire
    async with http.get(f"{clocked_github.url}/user", headers=bearer(str(token["access_token"]))) as response:
        assert response.status == 200
        assert response.headers["X-OAuth-Scopes"] == "public_repo"
        assert (await response.json())["login"] == LOGIN
    clock.now += 5
    assert (await poll(http, clocked_github, answer["device_code"]))["error"] == "incorrect_device_code"


async def test_polling_too_fast_answers_slow_down_with_a_longer_interval(
    clocked_github: GitHubServer, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    answer = await start(http, clocked_github)
    await poll(http, clocked_github, answer["device_code"])
    clock.now += 2
    slow = await poll(http, clocked_github, answer["device_code"])
    assert slow["error"] == "slow_down" and slow["interval"] == 10
    clock.now += 10
    assert (await poll(http, clocked_github, answer["device_code"]))["error"] == "authorization_pending"


async def test_expired_and_denied_codes(
    clocked_github: GitHubServer, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    expired, denied = await start(http, clocked_github), await start(http, clocked_github)
    clocked_github.deny(str(denied["user_code"]))
    assert (await poll(http, clocked_github, denied["device_code"]))["error"] == "access_denied"
    clock.now += 901
    assert (await poll(http, clocked_github, expired["device_code"]))["error"] == "expired_token"
    assert clocked_github.pending_user_codes() == []


async def test_bad_requests_get_their_documented_error_codes(
    clocked_github: GitHubServer, http: aiohttp.ClientSession
) -> None:
    answer = await start(http, clocked_github)
    assert (await poll(http, clocked_github, "nope"))["error"] == "incorrect_device_code"
    assert (await poll(http, clocked_github, answer["device_code"], grant_type="password"))[
        "error"
    ] == "unsupported_grant_type"
    assert (await poll(http, clocked_github, answer["device_code"], client_id="other"))[
        "error"
    ] == "incorrect_client_credentials"
    clocked_github.state.device_flow_enabled = False
    assert (await poll(http, clocked_github, answer["device_code"]))["error"] == "device_flow_disabled"
    form = {"client_id": clocked_github.client_id}
    async with http.post(f"{clocked_github.url}/login/device/code", data=form, headers=JSON) as response:
        assert (await response.json())["error"] == "device_flow_disabled"


async def test_github_app_style_tokens_expire_and_refresh(
    tmp_path: Path, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    async with GitHubServer(tmp_path, clock=clock, expiring_tokens=True) as server:
        server.add_user(LOGIN)
        answer = await start(http, server)
        server.approve(str(answer["user_code"]))
        first = await poll(http, server, answer["device_code"])
        assert first["expires_in"] == 8 * 3600 and str(first["refresh_token"]).startswith("ghr_")
        refresh = {
            "client_id": server.client_id,
            "grant_type": "refresh_token",
            "refresh_token": str(first["refresh_token"]),
        }
        async with http.post(f"{server.url}/login/oauth/access_token", data=refresh, headers=JSON) as response:
            second = await response.json()
        assert second["access_token"] != first["access_token"]
        async with http.get(f"{server.url}/user", headers=bearer(str(first["access_token"]))) as response:
            assert response.status == 401  # each refresh invalidates the old pair
        async with http.post(f"{server.url}/login/oauth/access_token", data=refresh, headers=JSON) as response:
            assert (await response.json())["error"] == "bad_refresh_token"
        clock.now += 8 * 3600
        async with http.get(f"{server.url}/user", headers=bearer(second["access_token"])) as response:
            assert response.status == 401
            assert (await response.json())["message"] == "Bad credentials"


async def test_a_developer_can_approve_in_the_browser_page(
    clocked_github: GitHubServer, http: aiohttp.ClientSession
) -> None:
    answer = await start(http, clocked_github)
    async with http.get(f"{clocked_github.url}/login/device") as response:
        assert str(answer["user_code"]) in await response.text()
    form = {"user_code": str(answer["user_code"]).lower(), "login": LOGIN, "decision": "approve"}
    async with http.post(f"{clocked_github.url}/login/device", data=form) as response:
        assert "authorized" in await response.text()
    assert "access_token" in await poll(http, clocked_github, answer["device_code"])
