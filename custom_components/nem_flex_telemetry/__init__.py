"""NEM Flex Telemetry: publish a household's HAEO flexibility telemetry as open data.

The aggregation (a GitHub Action without Home Assistant) imports ``.record`` from this
package, which runs this file first. So Home Assistant is imported only when it is
installed; ``entry`` holds the integration's setup code.
"""

try:
    from .entry import (
        CONFIG_SCHEMA,
        async_migrate_entry,
        async_remove_entry,
        async_setup,
        async_setup_entry,
        async_unload_entry,
    )
except ModuleNotFoundError as err:  # only "Home Assistant is not installed" is expected
    if not (err.name or "").startswith("homeassistant"):
        raise
else:
    __all__ = [
        "CONFIG_SCHEMA",
        "async_migrate_entry",
        "async_remove_entry",
        "async_setup",
        "async_setup_entry",
        "async_unload_entry",
    ]
