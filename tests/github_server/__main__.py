"""Run the local GitHub server for development: ``python -m tests.github_server --repo DIR --port 8787``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from pathlib import Path

from .server import DEFAULT_CLIENT_ID, GitHubServer


async def serve(args: argparse.Namespace) -> None:
    async with GitHubServer(
        Path(args.repo), client_id=args.client_id, port=args.port, device_interval=args.interval
    ) as server:
        server.add_user(args.user, name=args.user.title())
        server.create_repo(args.owner, args.name)
        server.add_collaborator(args.owner, args.name, args.user)
        print(f"Local GitHub at {server.url}  (API and web base URL)")
        print(f"OAuth client id: {server.client_id}")
        print(f"Repository: {args.owner}/{args.name}, bare git at {server.repo(args.owner, args.name).git.path}")
        print(f"Approve device codes at {server.url}/login/device (signed in as {args.user})")
        seen: set[str] = set()
        while True:
            for code in server.pending_user_codes():
                if code not in seen:
                    seen.add(code)
                    print(f"User code waiting for approval: {code}", flush=True)
            await asyncio.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repo", required=True, help="folder holding the bare repositories")
    parser.add_argument("--port", type=int, default=8787)
    parser.add_argument("--owner", default="nem-flex")
    parser.add_argument("--name", default="nem-flex-data")
    parser.add_argument("--user", default="household")
    parser.add_argument("--client-id", default=DEFAULT_CLIENT_ID)
    parser.add_argument("--interval", type=int, default=5, help="device-flow polling interval, seconds")
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a developer stops it
        asyncio.run(serve(parser.parse_args()))


if __name__ == "__main__":
    main()
