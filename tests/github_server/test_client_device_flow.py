"""Device-flow login through the client, with time simulated (no real waiting)."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import aiohttp
import pytest

from custom_components.nem_flex_telemetry.github_api import (
    AccessDeniedError,
    DeviceCodeExpiredError,
    DeviceFlowMisconfiguredError,
    Endpoints,
    GitHubClient,
    TransientError,
    request_device_code,
    wait_for_token,
)

from .conftest import LOGIN, FakeClock
from .server import GitHubServer


def endpoints(server: GitHubServer) -> Endpoints:
    return Endpoints.local(server.url)


async def test_user_approves_while_the_client_polls(
    clocked_github: GitHubServer, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    code = await request_device_code(http, endpoints=endpoints(clocked_github), client_id=clocked_github.client_id)
    assert code.user_code in clocked_github.pending_user_codes() and code.device_code not in repr(code)

    async def sleep_then_approve(seconds: float) -> None:
        await clock.sleep(seconds)
        if len(clock.sleeps) == 2:
            clocked_github.approve(code.user_code)

    token = await wait_for_token(
        http,
        code,
        endpoints=endpoints(clocked_github),
        client_id=clocked_github.client_id,
        sleep=sleep_then_approve,
        clock=clock,
    )
    assert clock.sleeps == [5, 5] and token.scope == "public_repo" and token.refresh_token is None
    client = GitHubClient(http, token, endpoints=endpoints(clocked_github))
    assert (await client.get_user()).login == LOGIN


async def test_slow_down_makes_the_client_poll_less_often(
    clocked_github: GitHubServer, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    code = await request_device_code(http, endpoints=endpoints(clocked_github), client_id=clocked_github.client_id)
    too_eager = dataclasses.replace(code, interval=1)

    async def sleep_then_approve(seconds: float) -> None:
        await clock.sleep(seconds)
        if len(clock.sleeps) == 4:
            clocked_github.approve(code.user_code)

    await wait_for_token(
        http,
        too_eager,
        endpoints=endpoints(clocked_github),
        client_id=clocked_github.client_id,
        sleep=sleep_then_approve,
        clock=clock,
    )
    assert clock.sleeps == [1, 1, 10, 10]


async def test_code_not_entered_in_time_expires(
    clocked_github: GitHubServer, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    code = await request_device_code(http, endpoints=endpoints(clocked_github), client_id=clocked_github.client_id)
    with pytest.raises(DeviceCodeExpiredError):
        await wait_for_token(
            http,
            code,
            endpoints=endpoints(clocked_github),
            client_id=clocked_github.client_id,
            sleep=clock.sleep,
            clock=clock,
        )
    assert sum(clock.sleeps) >= 900


async def test_user_cancels_on_github(
    clocked_github: GitHubServer, http: aiohttp.ClientSession, clock: FakeClock
) -> None:
    code = await request_device_code(http, endpoints=endpoints(clocked_github), client_id=clocked_github.client_id)
    clocked_github.deny(code.user_code)
    with pytest.raises(AccessDeniedError):
        await wait_for_token(
            http,
            code,
            endpoints=endpoints(clocked_github),
            client_id=clocked_github.client_id,
            sleep=clock.sleep,
            clock=clock,
        )


async def test_wrong_client_id_or_disabled_flow_is_a_configuration_error(
    clocked_github: GitHubServer, http: aiohttp.ClientSession
) -> None:
    with pytest.raises(DeviceFlowMisconfiguredError, match="incorrect_client_credentials"):
        await request_device_code(http, endpoints=endpoints(clocked_github), client_id="someone-elses-app")
    clocked_github.state.device_flow_enabled = False
    with pytest.raises(DeviceFlowMisconfiguredError, match="device_flow_disabled"):
        await request_device_code(http, endpoints=endpoints(clocked_github), client_id=clocked_github.client_id)


async def test_network_failure_is_transient(clocked_github: GitHubServer, http: aiohttp.ClientSession) -> None:
    clocked_github.fail_next(1, status=502)
    with pytest.raises(TransientError, match="502"):
        await request_device_code(http, endpoints=endpoints(clocked_github), client_id=clocked_github.client_id)
    await clocked_github.set_down(True)
    with pytest.raises(TransientError):
        await request_device_code(http, endpoints=endpoints(clocked_github), client_id=clocked_github.client_id)


async def test_cancelling_the_wait_leaves_nothing_running(tmp_path: Path, http: aiohttp.ClientSession) -> None:
    async with GitHubServer(tmp_path, device_interval=3600) as server:
        code = await request_device_code(http, endpoints=endpoints(server), client_id=server.client_id)
        waiting = asyncio.create_task(
            wait_for_token(http, code, endpoints=endpoints(server), client_id=server.client_id)
        )
        await asyncio.sleep(0)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
    # With the server stopped too, nothing of the client's is left behind.
    assert asyncio.all_tasks() == {asyncio.current_task()}
