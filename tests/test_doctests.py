"""The examples in docstrings are run, so none of them can drift from the code."""

import doctest
import importlib

import pytest

MODULES = ["drivers.pattern_pictures", "signage.content.chinese", "signage.content.controls", "signage.content.sequence", "signage.player.snapshot", "signage.store.records", "signage.render.stage",
           "signage.api.routes.status", "drivers.adalight", "drivers.pixelmap", "drivers.tpm2"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0, f"{name} has no examples left; drop it from MODULES"
    assert result.failed == 0
