"""Whether a remote service (GitHub, the cohort feed) answered last time.

The quality scale's log-when-unavailable: one info line when it stops answering and one when it is
back, however many attempts fail in between (those go to debug).
"""

from __future__ import annotations

from .const import LOGGER


class Reachability:
    """Logs the changes between reachable and unreachable of one service, once each."""

    def __init__(self, service: str) -> None:
        self.service = service
        self.reachable = True

    def lost(self, reason: str) -> None:
        """An attempt failed because the service could not be reached."""
        if self.reachable:
            LOGGER.info("%s is unreachable (%s); will keep trying", self.service, reason)
            self.reachable = False
        else:
            LOGGER.debug("%s is still unreachable (%s)", self.service, reason)

    def back(self) -> None:
        """An attempt reached the service."""
        if not self.reachable:
            LOGGER.info("%s is reachable again", self.service)
            self.reachable = True
