"""The schedule page in Chromium: an approver arriving from the approvals page plays the
playlist now until a time, sees it, ends it; an editor adds a rule by keyboard and mouse."""

from __future__ import annotations

from playwright.sync_api import expect

from signage.content.models import Playlist
from signage.devtools.browser import OFFICE, PHONE, axe_violations, horizontal_overflow, sign_in
from signage.schedule.rules import Schedule


def publish(store) -> None:
    for name in ("welcome", "night"):
        store.content.publish_playlist(Playlist.model_validate({"name": name, "items": [
            {"kind": "message", "text": {"vi": "Xin chào", "en": "Welcome", "zh": "欢迎"}}]}),
            "seed")
    store.content.publish_schedule(Schedule.model_validate({
        "name": "gate", "default": "welcome", "power": [{"time": "01:00-05:00"}],
        "rules": [{"name": "night", "playlist": "night", "time": "22:00-06:00"}],
        "brightness": {"mode": "sun", "day": 100, "night": 25}}), "seed")


def test_an_approver_plays_a_playlist_now_until_a_time_and_ends_it(page, people, store):
    publish(store)
    approver = people["approver"]
    sign_in(page, approver.name, approver.password)
    page.goto("/schedule?playlist=night")
    expect(page.locator("#pn-playlist")).to_have_value("night")
    expect(page.locator("#r-playlist")).to_have_value("night")
    for size in (OFFICE, PHONE):
        page.set_viewport_size(size)
        assert axe_violations(page) == [] and horizontal_overflow(page) == 0
    page.get_by_role("button", name="Phát ngay", exact=True).click()
    expect(page.get_by_text("Đã đặt phát ngay.")).to_be_visible()
    expect(page.locator(".onair")).to_contain_text("Đang phát: night, đến")
    assert store.desired.play_now().playlist == "night"
    page.get_by_role("button", name="Dừng phát ngay").click()
    expect(page.get_by_text("Đã dừng phát ngay: màn hình lại chạy theo lịch.")).to_be_visible()
    assert store.desired.play_now() is None


def test_an_editor_adds_a_rule_and_it_waits_for_approval(page, people, store):
    publish(store)
    editor = people["editor"]
    sign_in(page, editor.name, editor.password)
    page.goto("/schedule")
    page.get_by_label("Tên quy tắc (chữ thường không dấu, số, - hoặc _)").fill("weekend")
    page.get_by_label("Danh sách phát", exact=True).select_option("night")
    page.get_by_label("T7").check()
    page.get_by_label("CN").check()
    page.get_by_label("Từ", exact=True).fill("18:00")
    page.get_by_label("Đến", exact=True).fill("21:30")
    page.get_by_label("Tên quy tắc (chữ thường không dấu, số, - hoặc _)").press("Enter")
    expect(page.get_by_text("Thay đổi lịch đã được gửi duyệt")).to_be_visible()
    submitted = store.revisions.all(kind="schedule")[0]
    assert submitted.state == "submitted" and submitted.author == editor.name
    rule = store.revisions.get(submitted.id).body["rules"][-1]
    assert rule == {"name": "weekend", "playlist": "night", "weekdays": ["sat", "sun"],
                    "time": "18:00-21:30", "priority": 0}
