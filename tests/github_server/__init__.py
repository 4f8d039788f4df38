"""A local server speaking the part of GitHub's protocol the integration uses, backed by real git.

Use ``GitHubServer`` as an async context manager in tests, or run
``python -m tests.github_server --repo DIR --port 8787`` for local development.
"""

from .server import DEFAULT_CLIENT_ID, GitHubServer
from .state import LoggedRequest

__all__ = ["DEFAULT_CLIENT_ID", "GitHubServer", "LoggedRequest"]
