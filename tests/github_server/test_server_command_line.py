"""``python -m tests.github_server`` for local development: prints its URL and the codes to approve."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import aiohttp

from .server import DEFAULT_CLIENT_ID

REPO_ROOT = Path(__file__).resolve().parents[2]
GRANT = "urn:ietf:params:oauth:grant-type:device_code"


async def test_a_developer_signs_in_through_the_running_server(tmp_path: Path, http: aiohttp.ClientSession) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.github_server", "--repo", str(tmp_path), "--port", "0", "--interval", "0",
        cwd=REPO_ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        first = (await process.stdout.readline()).decode()
        url = first.split()[3]
        assert first.startswith("Local GitHub at http://127.0.0.1:")
        assert (await process.stdout.readline()).decode().strip() == f"OAuth client id: {DEFAULT_CLIENT_ID}"
        form = {"client_id": DEFAULT_CLIENT_ID, "scope": "public_repo"}
        async with http.post(f"{url}/login/device/code", data=form, headers={"Accept": "application/json"}) as response:
            code = await response.json()
        while not (line := (await process.stdout.readline()).decode()).startswith("User code waiting"):
            assert line, "the server stopped"
        assert line.split()[-1] == code["user_code"]
        async with http.post(f"{url}/login/device", data={"user_code": code["user_code"], "login": "household"}):
            pass
        poll = {"client_id": DEFAULT_CLIENT_ID, "device_code": code["device_code"], "grant_type": GRANT}
        async with http.post(
            f"{url}/login/oauth/access_token", data=poll, headers={"Accept": "application/json"}
        ) as response:
            token = (await response.json())["access_token"]
        async with http.get(
            f"{url}/repos/nem-flex/nem-flex-data", headers={"Authorization": f"Bearer {token}"}
        ) as response:
            assert (await response.json())["permissions"]["push"] is True
    finally:
        process.terminate()
        await process.wait()
