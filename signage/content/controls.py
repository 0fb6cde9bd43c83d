"""The panel settings a technician may hold the wall at until an expiry: one name each.

`PanelSetting` is the one spelling of these names for every package: the store keeps an
override per setting (its value is the `kind` the overrides table's CHECK accepts), the
API takes them at `/api/panel/<slug>`, the desired-state decision reads them, and the
player's panel control applies them to the driver.

>>> PanelSetting("test_pattern").slug
'test-pattern'
>>> PanelSetting.from_slug("test-pattern") is PanelSetting.TEST_PATTERN
True
"""

from __future__ import annotations

import enum


class PanelSetting(enum.StrEnum):
    BRIGHTNESS = "brightness"  # percent, 0..100
    POWER = "power"  # lit (true) or blank (false)
    TEST_PATTERN = "test_pattern"  # a pattern name the wall's device shows, or none

    @property
    def slug(self) -> str:
        """The spelling in URLs and audit actions: `test-pattern`."""
        return self.value.replace("_", "-")

    @classmethod
    def from_slug(cls, slug: str) -> "PanelSetting":
        """The setting a URL's slug names; ValueError for any other text."""
        for setting in cls:
            if setting.slug == slug:
                return setting
        raise ValueError(f"{slug!r} is not a panel setting; choose one of "
                         f"{', '.join(setting.slug for setting in cls)}")
