"""The schema library of the running Home Assistant, as ``vol``.

Home Assistant 2026.9 moved from voluptuous to probatio (same API); older versions ship only
voluptuous. Flows and actions must hand HA schemas of the library it validates with.
"""

from __future__ import annotations

try:
    import probatio as vol
except ImportError:  # Home Assistant < 2026.9
    import voluptuous as vol  # type: ignore[no-redef]

__all__ = ["vol"]
