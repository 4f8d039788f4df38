"""The hourly publisher: outbox -> one commit per batch -> acknowledge.

Records leave the outbox only after GitHub confirmed the commit carrying them (or the
household's repository already held exactly these records), so a flush that fails or is
cancelled half way loses nothing: the next flush re-sends the same batch and the merge keeps
each interval once. Every failure ends in a status the sensors show; the ones a person must
act on also raise a repair. Until its join request is opened, each flush also tries to open it.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time, async_track_utc_time_change
from homeassistant.util import dt as dt_util

from .availability import Reachability
from .const import (
    CONF_BRANCH,
    CONF_GITHUB_URL,
    CONF_HOUSEHOLD_ID,
    CONF_REGISTRATION,
    CONF_REGISTRATION_ISSUE,
    CONF_REPOSITORY,
    DEFAULT_BRANCH,
    ISSUE_NO_PUSH_ACCESS,
    ISSUE_PUBLISH_FAILED,
    ISSUE_UNTRUSTED_DAY_FILE,
    LOGGER,
    REGISTRATION_PENDING,
    REGISTRATION_REGISTERED,
)
from .data_repo import PROJECT_REPOSITORY
from .github_api import (
    AuthError,
    GitHubClient,
    GitHubError,
    Issue,
    NoPushAccessError,
    PublishResult,
    RateLimitedError,
    RepositoryNotFoundError,
    TransientError,
)
from .intake import asks_for, format_join_request, format_leave_request
from .outbox import Outbox
from .publish_plan import DEFAULT_MAX_RECORDS, UntrustedDayFileError, split_backlog
from .sampler import Sampler
from .transport import endpoints_for

if TYPE_CHECKING:
    from .runtime import NemFlexConfigEntry  # runtime imports this module

# The earliest retry after a failure that named no time (a dropped connection).
MIN_RETRY: Final = timedelta(minutes=5)


def hourly_offset(household_id: str) -> tuple[int, int]:
    """(minute, second) of the hour this household publishes at: spread out, and stable across restarts.

    The second is 15-44, never at or near a 5-minute sampling boundary (second 0): a flush that starts
    with a sample would find that sample pending when it ends and commit it on its own, so such a
    household would make two commits every hour instead of one.
    """
    digest = int(hashlib.sha256(household_id.encode()).hexdigest(), 16)
    return (digest // 60) % 60, 15 + digest % 30


def _when(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)


class Publisher:
    """Publishes one entry's outbox hourly and on demand; one flush at a time."""

    def __init__(
        self, hass: HomeAssistant, entry: NemFlexConfigEntry, outbox: Outbox, sampler: Sampler, client: GitHubClient
    ) -> None:
        self.hass = hass
        self.entry = entry
        self.outbox = outbox
        self.sampler = sampler
        self.client = client
        self.reachability = Reachability("GitHub")  # "back" once a publish goes through
        self.retry_at: datetime | None = None
        self.last_error: str | None = None  # plain words, None after a successful flush
        self._lock = asyncio.Lock()
        self._unsub_hourly: CALLBACK_TYPE | None = None
        self._unsub_retry: CALLBACK_TYPE | None = None

    @property
    def household_id(self) -> str:
        return str(self.entry.data[CONF_HOUSEHOLD_ID])

    @property
    def repository(self) -> str:
        return str(self.entry.options[CONF_REPOSITORY])

    @property
    def branch(self) -> str:
        return str(self.entry.options.get(CONF_BRANCH, DEFAULT_BRANCH))

    @property
    def registration(self) -> str:
        """``pending`` until the join request is opened on the project repository, then ``registered``."""
        return str(self.entry.data.get(CONF_REGISTRATION, REGISTRATION_PENDING))

    @property
    def web_url(self) -> str:
        return endpoints_for(self.entry.data.get(CONF_GITHUB_URL)).web

    @callback
    def async_start(self) -> None:
        """Flush once an hour at this household's minute and second (and asks to join now, while not yet registered)."""
        minute, second = hourly_offset(self.household_id)
        self._unsub_hourly = async_track_utc_time_change(self.hass, self._async_tick, minute=minute, second=second)
        if self.registration == REGISTRATION_PENDING:
            self.entry.async_create_background_task(self.hass, self._async_register_now(), "nem_flex_telemetry join")

    async def _async_register_now(self) -> None:
        async with self._lock:
            if not self.sampler.status.paused:
                await self._async_register()

    @callback
    def async_stop(self) -> None:
        """Stop the timers (an in-flight flush is a background task of the entry: unload cancels it)."""
        for unsub in (self._unsub_hourly, self._unsub_retry):
            if unsub is not None:
                unsub()
        self._unsub_hourly = self._unsub_retry = None

    async def _async_tick(self, now: datetime) -> None:
        if self.retry_at is not None and now < self.retry_at:
            return  # a retry is already scheduled for when GitHub said to come back
        self.async_start_flush()

    async def _async_retry(self, now: datetime) -> None:
        self._unsub_retry = None
        self.async_start_flush()

    @callback
    def async_start_flush(self) -> None:
        """Flush in the background (an entry task: unloading cancels it before anything is acknowledged)."""
        self.entry.async_create_background_task(self.hass, self.async_flush(), "nem_flex_telemetry publish")

    async def async_flush(self) -> int:
        """Publish every pending record; returns how many were new to the repository."""
        async with self._lock:
            if self.sampler.status.paused:
                return 0
            await self._async_register()
            try:
                added = await self._async_publish_backlog()
            except RateLimitedError as err:
                self._failed(_when(err.retry_at), "GitHub's rate limit was reached", attention=False)
            except TransientError as err:
                self.reachability.lost(str(err))
                retry = _when(err.retry_at) if err.retry_at is not None else dt_util.utcnow() + MIN_RETRY
                self._failed(retry, "GitHub could not be reached", attention=False)
            except AuthError:
                self._failed(None, "GitHub sign-in expired or was revoked: sign in again", attention=True)
                self.entry.async_start_reauth(self.hass)
            except (NoPushAccessError, RepositoryNotFoundError):
                self._failed(None, f"This GitHub account cannot write to {self.repository}", attention=True)
                self.sampler.async_set_issue(ISSUE_NO_PUSH_ACCESS, True, {"repository": self.repository})
            except UntrustedDayFileError as err:  # someone else wrote there: a person must look
                self._failed(None, f"{err.path} in {self.repository} holds unexpected content", attention=True)
                placeholders = {"repository": self.repository, "path": err.path, "finding": err.finding}
                self.sampler.async_set_issue(ISSUE_UNTRUSTED_DAY_FILE, True, placeholders)
            except GitHubError as err:  # an answer nothing above explains: keep the records, try next hour
                LOGGER.warning("Publishing failed: %s", err)
                self._failed(None, "GitHub refused the upload", attention=True)
            except Exception as err:
                LOGGER.exception("Publishing failed unexpectedly")
                self._failed(None, f"Publishing failed ({type(err).__name__})", attention=True)
                self.sampler.async_set_issue(ISSUE_PUBLISH_FAILED, True, {"error": type(err).__name__})
            else:
                self.reachability.back()
                self.last_error = None
                for issue in (ISSUE_NO_PUSH_ACCESS, ISSUE_UNTRUSTED_DAY_FILE, ISSUE_PUBLISH_FAILED):
                    self.sampler.async_set_issue(issue, False)
                self.sampler.async_set_upload_result(
                    dt_util.utcnow(), f"Published {added} records", needs_attention=False
                )
                return added
            return 0

    async def _async_publish_backlog(self) -> int:
        added = 0
        while records := await self.hass.async_add_executor_job(self.outbox.pending, DEFAULT_MAX_RECORDS):
            for batch in split_backlog(records, DEFAULT_MAX_RECORDS):
                result: PublishResult = await self.client.publish(
                    self.repository, self.household_id, batch, branch=self.branch
                )
                # Confirmed: a new commit, or None because every record was already there.
                await self.hass.async_add_executor_job(self.outbox.acknowledge, batch[-1]["interval_start_utc"])
                added += result.records_added
                self.sampler.status.records_published += result.records_added
        self.retry_at = None
        return added

    def _failed(self, retry_at: datetime | None, text: str, *, attention: bool) -> None:
        if retry_at is not None:
            self.retry_at = retry_at
            text = f"{text}; records are kept and sent again after {retry_at:%H:%M} UTC"
            self._schedule_retry(retry_at)
        else:
            text = f"{text}; records are kept"
        self.last_error = text
        LOGGER.debug("Publishing deferred: %s", text)
        self.sampler.async_set_upload_result(self.sampler.status.last_upload, text, needs_attention=attention)

    def _schedule_retry(self, when: datetime) -> None:
        if self._unsub_retry is not None:
            self._unsub_retry()
        self._unsub_retry = async_track_point_in_utc_time(self.hass, self._async_retry, when)

    async def _async_register(self) -> None:
        """Open the join request once; a failure leaves it pending for the next flush (never blocks publishing)."""
        if self.registration != REGISTRATION_PENDING:
            return
        try:
            issue = await self._async_open_join_request()
        except GitHubError as err:
            LOGGER.info("Joining the cohort is pending: %s", err)
            return
        data = {**self.entry.data, CONF_REGISTRATION: REGISTRATION_REGISTERED, CONF_REGISTRATION_ISSUE: issue.html_url}
        self.hass.config_entries.async_update_entry(self.entry, data=data)

    async def _async_open_join_request(self) -> Issue:
        """This account's open join request for this household and repository if one is on file (opened by
        a request whose answer was lost: the entry reloaded while it was in flight), else a new one."""
        login = (await self.client.get_user()).login
        for issue in await self.client.open_issues_by(PROJECT_REPOSITORY, login):
            if asks_for(issue.title, issue.body, "join", self.household_id, self.repository):
                return issue
        title, body = format_join_request(self.household_id, self.repository)
        return await self.client.open_issue(PROJECT_REPOSITORY, title, body)

    async def async_withdraw(self) -> PublishResult:
        """Leave: open the leave request, then empty the repository's head (publishing is paused by the caller).

        The request goes first: once it is on file the cohort drops the household even if emptying fails.
        """
        async with self._lock:
            title, body = format_leave_request(self.household_id, self.repository)
            await self.client.open_issue(PROJECT_REPOSITORY, title, body)
            return await self.client.withdraw(self.repository, self.household_id, branch=self.branch)
