"""Settings are read once at start: a wrong value stops the process with a message that
names the variable and what to write, instead of failing later on a request or a frame."""

import pytest

from signage.errors import SignageError
from signage.settings import Settings


def test_the_defaults_need_no_environment(tmp_path):
    settings = Settings.from_env({"SIGNAGE_DATA_DIR": str(tmp_path)})
    assert (settings.data_dir, settings.runtime_dir) == (tmp_path, tmp_path / "run")
    assert (settings.fps, settings.max_upload_mb, settings.cors_origins) == (30.0, 25, ())
    assert settings.four_eyes is True
    assert settings.trusted_proxies == ()  # X-Forwarded-For believed from nobody


@pytest.mark.parametrize("name, value, message", [
    ("SIGNAGE_FPS", "fast", "SIGNAGE_FPS='fast': write a number of frames a second from 1 to 240"),
    ("SIGNAGE_FPS", "0", "SIGNAGE_FPS='0'"),
    ("SIGNAGE_FPS", "inf", "SIGNAGE_FPS='inf'"),
    ("SIGNAGE_MAX_UPLOAD_MB", "0.5", "SIGNAGE_MAX_UPLOAD_MB='0.5': write a number of megabytes"),
    ("SIGNAGE_MIN_CJK_PX", "big", "SIGNAGE_MIN_CJK_PX='big': write a whole number of pixels"),
    ("SIGNAGE_FOUR_EYES", "maybe", "SIGNAGE_FOUR_EYES='maybe': write on or off"),
    ("SIGNAGE_CORS_ORIGINS", "*", "SIGNAGE_CORS_ORIGINS: '*' is not an origin"),
    ("SIGNAGE_SITE_TIMEZONE", "GMT+7", "SIGNAGE_SITE_TIMEZONE='GMT+7': name a time zone"),
    ("SIGNAGE_TRUSTED_PROXIES", "*", "SIGNAGE_TRUSTED_PROXIES: '*' is not an address or network"),
    ("SIGNAGE_TRUSTED_PROXIES", "10.0.0.1, proxy.local", "'proxy.local' is not an address"),
])
def test_a_wrong_value_names_the_variable_and_what_to_write(name, value, message):
    with pytest.raises(SignageError) as refused:
        Settings.from_env({name: value})
    assert message in str(refused.value)


def test_values_from_the_environment_are_taken():
    settings = Settings.from_env({"SIGNAGE_FPS": "60", "SIGNAGE_MAX_UPLOAD_MB": "40",
                                  "SIGNAGE_CORS_ORIGINS": "https://admin.gate.example.vn/"})
    assert (settings.fps, settings.max_upload_mb) == (60.0, 40.0)
    assert settings.cors_origins == ("https://admin.gate.example.vn",)
    assert Settings.from_env({}).site_timezone == "Asia/Ho_Chi_Minh"
    assert Settings.from_env({"SIGNAGE_SITE_TIMEZONE": "Asia/Shanghai"}).site_timezone == "Asia/Shanghai"


def test_trusted_proxies_are_addresses_or_networks():
    settings = Settings.from_env({"SIGNAGE_TRUSTED_PROXIES": " 127.0.0.1, 10.0.0.0/24 ,::1"})
    assert settings.trusted_proxies == ("127.0.0.1", "10.0.0.0/24", "::1")
