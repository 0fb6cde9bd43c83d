"""The display layer: drivers that put frames on panels. Never imports `signage`."""

import os as _os

_os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from drivers.base import (  # noqa: F401
    Driver,
    DriverError,
    DriverUnavailable,
    DriverConfigError,
    PanelTelemetry,
)
from drivers.registry import open_driver  # noqa: F401
