"""The panel page on a real server: brightness until a time, blank and light, a test
pattern the device shows, the device's figures from the player's status document, and the
page refused to other roles."""

from __future__ import annotations

import datetime as dt

import pytest

from drivers.registry import patterns_for
from signage.store.runtime import write_json
from tests.console_helpers import url  # noqa: F401 (a fixture)
from tests.console_helpers import browser_like, csrf_of, sign_in

PASSWORD_HEADER = "Authorization"


@pytest.fixture
def tech(url):
    with browser_like(url) as client:
        sign_in(client, "tuan")
        yield client


def api_panel(client) -> dict:
    """GET /api/panel as the signed-in technician (the session token is a bearer token)."""
    token = client.cookies["signage_session"]
    answer = client.get("/api/panel", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return answer.json()["overrides"]


def test_brightness_until_a_local_time_shows_in_the_api_and_on_the_page(tech, clock):
    # 2026-11-26 01:00 UTC is 08:00 in Hà Giang; hold 35 % until 18:30 local.
    answer = tech.post("/panel/brightness", data={
        "csrf": csrf_of(tech, "/panel"), "percent": "35", "duration": "1h",
        "until": "2026-11-26T18:30"})
    assert answer.status_code == 303 and answer.headers["location"] == "/panel?done=brightness"
    held = api_panel(tech)["brightness"]
    assert held["value"] == 35 and held["active"] is True
    assert dt.datetime.fromisoformat(held["expires_at"]) == dt.datetime(
        2026, 11, 26, 11, 30, tzinfo=dt.timezone.utc)
    page = tech.get(answer.headers["location"]).text
    assert "Đã đặt độ sáng." in page
    assert "tuan" in page and "26/11/2026 18:30" in page
    assert 'id="percent" name="percent"' in page and 'value="35' in page
    assert 'type="range"' in page


def test_brightness_for_a_duration_then_cleared(tech, clock):
    tech.post("/panel/brightness", data={"csrf": csrf_of(tech, "/panel"), "percent": "80",
                                         "duration": "2h", "until": ""})
    held = api_panel(tech)["brightness"]
    assert dt.datetime.fromisoformat(held["expires_at"]) == clock.now() + dt.timedelta(hours=2)
    assert "26/11/2026 10:00" in tech.get("/panel").text
    answer = tech.post("/panel/clear", data={"csrf": csrf_of(tech, "/panel"),
                                             "control": "brightness"})
    assert answer.status_code == 303
    assert "brightness" not in api_panel(tech)
    assert "lịch phát quyết định lại" in tech.get(answer.headers["location"]).text


@pytest.mark.parametrize("percent, words", [("150", "phải nhỏ hơn hoặc bằng 100"),
                                            ("nhiều", "phải là một số")])
def test_a_bad_brightness_is_refused_at_its_field_in_vietnamese(tech, percent, words):
    answer = tech.post("/panel/brightness", data={"csrf": csrf_of(tech, "/panel"),
                                                  "percent": percent, "duration": "1h"})
    assert answer.status_code == 422
    assert words in answer.text and 'id="percent-error"' in answer.text
    assert "brightness" not in api_panel(tech)


def test_a_time_already_past_is_refused(tech):
    answer = tech.post("/panel/brightness", data={"csrf": csrf_of(tech, "/panel"),
                                                  "percent": "40", "until": "2026-11-26T07:00"})
    assert answer.status_code == 422 and "đã qua" in answer.text


def test_blank_and_light_the_wall(tech, store):
    answer = tech.post("/panel/power", data={"csrf": csrf_of(tech, "/panel"), "on": "0",
                                             "duration": "30m"})
    assert answer.status_code == 303 and answer.headers["location"] == "/panel?done=power-off"
    assert api_panel(tech)["power"]["value"] is False
    assert "Màn hình đang tắt hình." in tech.get(answer.headers["location"]).text
    answer = tech.post("/panel/power", data={"csrf": csrf_of(tech, "/panel"), "on": "1",
                                             "duration": ""})
    power = api_panel(tech)["power"]
    assert power["value"] is True and power["expires_at"] is None
    assert [e.action for e in store.records.audit_page(action="panel")][:2] == [
        "panel.power", "panel.power"]


def test_a_test_pattern_the_emulated_device_shows(tech, settings):
    shown = patterns_for(settings.driver)
    assert "green" in shown
    page = tech.get("/panel").text
    for name in shown:
        assert f'<option value="{name}"' in page
    answer = tech.post("/panel/test-pattern", data={"csrf": csrf_of(tech, "/panel"),
                                                    "pattern": "green", "duration": "15m"})
    assert answer.status_code == 303
    assert api_panel(tech)["test-pattern"]["value"] == "green"
    assert "Đang chiếu: green" in tech.get("/panel").text


def test_a_pattern_the_device_does_not_show_is_refused(tech):
    answer = tech.post("/panel/test-pattern", data={"csrf": csrf_of(tech, "/panel"),
                                                    "pattern": "<script>x</script>"})
    assert answer.status_code == 422
    assert "màn hình này không hiện mẫu" in answer.text
    assert "<script>x</script>" not in answer.text and "&lt;script&gt;" in answer.text
    assert "test-pattern" not in api_panel(tech)


def test_card_temperature_voltage_link_and_errors_from_the_status_document(tech, settings, clock):
    write_json(settings.status_path, {
        "updated_at": clock.now().isoformat(), "screen": "content",
        "brightness": {"applied": 60},
        "driver": {"url": "novastar:///dev/ttyUSB0", "ok": True, "link": "down", "extra": {
            "model": "MCTRL300", "dvi_signal": True, "last_error": "no answer on port 1",
            "cards": [{"port": 0, "index": 0, "present": True, "temperature_c": 41.5,
                       "voltage_v": 4.98},
                      {"port": 0, "index": 1, "present": True, "temperature_c": 57.3,
                       "voltage_v": 4.41},
                      {"port": 1, "index": 0, "present": False, "temperature_c": None,
                       "voltage_v": None}]}},
        "errors": [{"at": "2026-11-26T00:40:00+00:00", "message": "first <b>error</b>"},
                   {"at": "2026-11-26T00:55:00+00:00", "message": "card 1:0 stopped answering"}],
    })
    page = tech.get("/panel").text
    assert "41.5 °C" in page and "4.98 V" in page and "57.3 °C" in page
    assert "4.41 V" in page and "Không trả lời" in page
    assert "Mất kết nối" in page and "MCTRL300" in page and "no answer on port 1" in page
    newest, oldest = page.index("card 1:0 stopped answering"), page.index("first &lt;b&gt;error")
    assert newest < oldest, "the newest error comes first"
    assert "26/11/2026 07:55" in page  # the error's time, local
    assert "<b>error</b>" not in page


def test_without_a_status_document_the_page_says_so(tech):
    page = tech.get("/panel")
    assert page.status_code == 200 and "Bộ phát chưa gửi báo cáo nào." in page.text


@pytest.mark.parametrize("name", ["lan", "minh", "quan"])
def test_other_roles_are_refused_the_page_and_its_forms(url, name):
    with browser_like(url) as client:
        sign_in(client, name)
        assert client.get("/panel").status_code == 403
        token = csrf_of(client, "/")
        refused = client.post("/panel/power", data={"csrf": token, "on": "0"})
        assert refused.status_code == 403
        assert "Kỹ thuật viên" in refused.text


def test_a_cross_site_post_changes_nothing(tech):
    token = csrf_of(tech, "/panel")
    refused = tech.post("/panel/power", data={"csrf": token, "on": "0"},
                        headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403 and "power" not in api_panel(tech)
