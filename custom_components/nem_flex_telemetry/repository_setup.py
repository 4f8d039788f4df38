"""Find or create a household's data repository, and give it its first files.

No Home Assistant imports: the config and options flows call it, and so can tests and tools.
"""

from __future__ import annotations

from .data_repo import HOUSEHOLD_FILE, PROJECT_REPOSITORY, HouseholdFile, adoption_problem, initial_files
from .github_api import GitHubClient, GitHubError, NoPushAccessError, RepositoryAccess, RepositoryNotFoundError

SETUP_MESSAGE = "Set up the NEM Flex Telemetry data repository"


class NotAdoptableError(GitHubError):
    """The repository exists but may not take this household's data; ``reason`` says why."""

    def __init__(self, repository: str, reason: str) -> None:
        super().__init__(f"{repository}: {reason}")
        self.reason = reason


async def prepare_repository(client: GitHubClient, name: str, household_id: str) -> RepositoryAccess:
    """``<login>/<name>``: created when missing, adopted when empty or already this household's.

    Raises ``NotAdoptableError``, ``NoPushAccessError`` or the client's errors.
    """
    user = await client.get_user()
    full_name = f"{user.login}/{name}"
    if full_name.lower() == PROJECT_REPOSITORY.lower():
        raise NotAdoptableError(full_name, "it is the project's own repository")
    try:
        access = await client.check_repository(full_name)
    except RepositoryNotFoundError:
        return await client.create_repository(name)
    if not access.can_push:
        raise NoPushAccessError(f"This account cannot write to {full_name}")
    if access.private:
        raise NotAdoptableError(full_name, "it is private (the data is published openly)")
    names = await client.root_names(access.full_name, branch=access.default_branch)
    household = None
    if names is not None and HOUSEHOLD_FILE in names:
        household = await client.read_file(access.full_name, HOUSEHOLD_FILE, branch=access.default_branch)
    problem = adoption_problem(names, household, household_id)
    if problem is not None:
        raise NotAdoptableError(full_name, problem)
    return access


async def initialise_repository(
    client: GitHubClient, access: RepositoryAccess, household: HouseholdFile, web_url: str, licence: str
) -> str | None:
    """Write README, LICENSE and household.json in one commit (None when they are already there)."""
    files = initial_files(household, access.full_name, web_url, licence)
    return await client.write_files(access.full_name, dict(files), SETUP_MESSAGE, branch=access.default_branch)
