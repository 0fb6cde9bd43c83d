"""One name per panel setting: the enum, the schema's CHECK and the driver calls agree."""

from __future__ import annotations

import re
import sqlite3

import pytest

from signage.content.controls import PanelSetting
from signage.player.panel_control import DRIVER_CALLS


def overrides_check_names(settings, store) -> set[str]:
    """The kinds the overrides table's CHECK accepts, read from the schema the migrations
    made in a fresh store (the migrations themselves are never edited)."""
    with sqlite3.connect(settings.db_path) as db:
        [(sql,)] = db.execute("SELECT sql FROM sqlite_master WHERE name = 'overrides'")
    [names] = re.findall(r"kind\s+TEXT\s+PRIMARY\s+KEY\s+CHECK\s*\(\s*kind\s+IN\s*\(([^)]*)\)",
                         sql, flags=re.IGNORECASE)
    return set(re.findall(r"'([^']*)'", names))


def test_the_enum_names_exactly_the_kinds_the_schema_accepts(settings, store):
    assert {setting.value for setting in PanelSetting} == overrides_check_names(settings, store)


def test_every_setting_has_a_driver_call():
    assert set(DRIVER_CALLS) == set(PanelSetting)


def test_slugs_are_the_url_spelling():
    assert [setting.slug for setting in PanelSetting] == ["brightness", "power", "test-pattern"]
    with pytest.raises(ValueError, match="choose one of brightness, power, test-pattern"):
        PanelSetting.from_slug("test_pattern")


def test_the_store_refuses_a_setting_the_enum_lacks(store):
    from signage.errors import StoreError

    store.desired.set_override(PanelSetting.TEST_PATTERN, "red", "duc")
    assert store.desired.overrides()[PanelSetting.TEST_PATTERN].value == "red"
    with pytest.raises(StoreError, match="choose one of brightness, power, test_pattern"):
        store.desired.set_override("volume", 3, "duc")
