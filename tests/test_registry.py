"""The catalogue of test patterns (drivers/patterns.py) names what each driver draws."""

import pytest

from drivers import emulated, hdmi, novastar_codec, serialframes
from drivers.patterns import EVERY, NOVASTAR, SERIAL, SOFTWARE, patterns_for
from signage.api.routes.panel import PATTERNS


def test_each_driver_draws_exactly_the_patterns_the_catalogue_names():
    assert set(emulated.TEST_PATTERNS) == set(SOFTWARE)
    assert set(hdmi.TEST_PATTERNS) == set(SOFTWARE)
    assert set(serialframes.PATTERNS) == set(SERIAL)
    assert set(novastar_codec.TEST_PATTERNS) == set(NOVASTAR)


def test_the_api_knows_every_name_some_driver_shows():
    assert set(PATTERNS) == set(EVERY)


@pytest.mark.parametrize("url, expected", [
    ("emulated://768x384", SOFTWARE),
    ("hdmi://0?region=0,0,1920,1080", SOFTWARE),
    ("tpm2:///dev/ttyUSB0?size=64x32", SERIAL),
    ("adalight:///dev/ttyACM0?size=16x8", SERIAL),
    ("novastar:///dev/ttyUSB0", NOVASTAR),
    ("hdmi://0?region=0,0,1920,1080+novastar:///dev/ttyUSB0", NOVASTAR),  # the card shows them
    ("bogus://x", ()),
])
def test_a_driver_url_tells_which_patterns_the_wall_shows(url, expected):
    assert patterns_for(url) == expected
