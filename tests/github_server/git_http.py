"""Git smart HTTP for public repositories, served by the real ``git http-backend`` (CGI), read-only.

Like GitHub, ``git ls-remote``/``fetch``/``clone`` (also ``--depth`` and ``--filter``) go to
``{base}/{owner}/{name}.git`` and are not counted against the REST rate limit.
"""

from __future__ import annotations

import asyncio
import os

from aiohttp import web

from .rest import state_of

GIT_PATHS = ("/info/refs", "/git-upload-pack", "/git-receive-pack")
CONFIG = {"uploadpack.allowFilter": "true", "uploadpack.allowAnySHA1InWant": "true", "http.receivepack": "false"}


def is_git_path(path: str) -> bool:
    return path.endswith(GIT_PATHS) and path.count("/") >= 3


def _cgi_env(request: web.Request, project_root: str, path_info: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GIT_PROJECT_ROOT": project_root,
        "GIT_HTTP_EXPORT_ALL": "1",
        "PATH_INFO": path_info,
        "REQUEST_METHOD": request.method,
        "QUERY_STRING": request.query_string,
        "CONTENT_TYPE": request.headers.get("Content-Type", ""),
        "REMOTE_ADDR": request.remote or "127.0.0.1",
        "GIT_CONFIG_COUNT": str(len(CONFIG)),
    }
    for n, (key, value) in enumerate(CONFIG.items()):
        env[f"GIT_CONFIG_KEY_{n}"], env[f"GIT_CONFIG_VALUE_{n}"] = key, value
    if protocol := request.headers.get("Git-Protocol"):
        env["GIT_PROTOCOL"] = protocol
    if encoding := request.headers.get("Content-Encoding"):
        env["HTTP_CONTENT_ENCODING"] = encoding
    return env


def _parse_cgi(output: bytes) -> web.Response:
    head, _, body = output.partition(b"\r\n\r\n")
    status, headers = 200, {}
    for line in head.decode("latin-1").split("\r\n"):
        key, _, value = line.partition(":")
        if key.lower() == "status":
            status = int(value.split()[0])
        elif key:
            headers[key] = value.strip()
    return web.Response(status=status, body=body, headers=headers)


async def serve(request: web.Request) -> web.Response:
    owner, name = request.match_info["owner"], request.match_info["repo"].removesuffix(".git")
    state = state_of(request)
    repo = state.repo(owner, name) or state.moved_repo(owner, name)  # GitHub's git servers follow renames too
    if repo is None or repo.private:
        return web.Response(status=404, text="Repository not found.\n")
    if request.path.endswith("/git-receive-pack") or request.query.get("service") == "git-receive-pack":
        return web.Response(status=403, text="Pushing over HTTP is not served here.\n")
    tail = request.path[request.path.index("/", len(owner) + 2) :]
    env = _cgi_env(request, str(repo.git.path.parent), f"/{repo.git.path.name}{tail}")
    process = await asyncio.create_subprocess_exec(
        "git",
        "http-backend",
        env=env,
        cwd=repo.git.path.parent,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    output, _ = await process.communicate(await request.read())
    return _parse_cgi(output)


def routes() -> list[web.RouteDef]:
    return [
        web.get("/{owner}/{repo}/info/refs", serve),
        web.post("/{owner}/{repo}/git-upload-pack", serve),
        web.post("/{owner}/{repo}/git-receive-pack", serve),
    ]
