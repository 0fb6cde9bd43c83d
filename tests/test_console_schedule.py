"""The console's schedule page on a real server: the week table at local times, rules
added through the form going through draft, submit and a second approver, play now until."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from signage.content.models import Playlist
from signage.schedule.rules import Schedule
from tests.console_helpers import (add_people, browser_like, console_server, csrf_of, form_field,
                                   signed_in)
from tests.test_api import bearer

# The fixture clock: 2026-11-26 01:00 UTC, a Thursday, 08:00 at the gate (UTC+7).
THURSDAY, SATURDAY = "2026-11-26", "2026-11-28"


def publish_playlists(store, *names: str) -> None:
    for name in names:
        store.content.publish_playlist(Playlist.model_validate({"name": name, "items": [
            {"kind": "message", "text": {"vi": "Xin chào", "en": "Welcome", "zh": "欢迎"}}]}),
            "seed")


@pytest.fixture
def url(settings, clock, store):
    add_people(store)
    publish_playlists(store, "welcome", "night", "opening-hours")
    store.content.publish_schedule(Schedule.model_validate({
        "name": "gate", "default": "welcome",
        "rules": [{"name": "night", "playlist": "night", "time": "22:00-06:00", "priority": 40},
                  {"name": "opening", "playlist": "opening-hours", "time": "06:30-08:00",
                   "weekdays": ["mon", "tue", "wed", "thu", "fri"], "priority": 20}],
        "power": [{"time": "01:00-05:00"}],
        "brightness": {"mode": "sun", "day": 100, "night": 25}}), "seed")
    with console_server(settings, clock, store) as url:
        yield url


@pytest.fixture
def editor(url):
    with signed_in(url, "lan") as client:
        yield client


@pytest.fixture
def approver(url):
    with signed_in(url, "minh") as client:
        yield client


def form_of(client) -> dict[str, str]:
    """The rules form's CSRF token and the live revision it is based on."""
    page = client.get("/schedule").text
    return {"csrf": form_field(page, "csrf"), "base": form_field(page, "base")}


def week_cells(page: str) -> list[dict]:
    """The week table's cells: day, hours covered, classes and the words they show."""
    found = []
    for match in re.finditer(r'<td rowspan="(\d+)" data-day="([\d-]+)" data-hours="(\d\d):00-'
                             r'(\d\d):00" class="([^"]*)">(.*?)</td>', page, re.S):
        words = html.unescape(re.sub(r"<[^>]+>", " ", match[6]))
        found.append({"day": match[2], "first": int(match[3]), "end": int(match[4]),
                      "classes": match[5].split(), "words": " ".join(words.split())})
    return found


def cell_at(cells: list[dict], day: str, hour: int) -> dict:
    return next(c for c in cells if c["day"] == day and c["first"] <= hour < c["end"])


def test_the_week_shows_each_rules_playlist_in_its_local_hours(editor):
    page = editor.get("/schedule")
    assert page.status_code == 200 and "Lịch phát" in page.text
    cells = week_cells(page.text)
    assert {c["day"] for c in cells} == {f"2026-11-{d}" for d in range(26, 33) if d <= 30} | {
        "2026-12-01", "2026-12-02"}
    # 06:30-08:00 at the gate, on weekdays only (in UTC it would be 23:30-01:00).
    assert cell_at(cells, THURSDAY, 7)["words"] == "opening-hours quy tắc opening"
    assert cell_at(cells, THURSDAY, 6)["words"] == "06:00 welcome 06:30 opening-hours"
    assert cell_at(cells, THURSDAY, 5)["words"] == "night"
    assert cell_at(cells, SATURDAY, 7)["words"] == "welcome"
    assert cell_at(cells, THURSDAY, 23)["words"] == "night"
    off = cell_at(cells, THURSDAY, 2)
    assert off["words"] == "Tắt" and "off" in off["classes"] and (off["first"], off["end"]) == (1, 5)
    assert cell_at(cells, THURSDAY, 12)["words"] == "welcome"
    # The brightness plan: the night level at midnight, the day level at noon.
    levels = re.findall(r'<td class="level">([^<]*)</td>', page.text)
    assert levels[0] == "25%" and levels[12] == "100%"
    assert "<polyline" in page.text and "style=" not in page.text


def test_another_week_is_a_link_away(editor):
    cells = week_cells(editor.get("/schedule?week=2026-12-05").text)
    assert cells[0]["day"] == "2026-12-05" and cell_at(cells, "2026-12-07", 7)["words"] == "opening-hours quy tắc opening"


def test_a_rule_added_in_the_form_is_submitted_and_live_once_another_approver_approves(
        url, editor, store, settings):
    answer = editor.post("/schedule/rules", data={
        **form_of(editor), "name": "weekend-evening",
        "playlist": "night", "weekdays": ["sat", "sun"], "time_from": "18:00",
        "time_to": "22:00", "priority": "30"})
    assert answer.status_code == 303, answer.text
    revision = int(re.search(r"revision=(\d+)", answer.headers["location"])[1])
    page = editor.get(answer.headers["location"]).text
    assert f"được gửi duyệt thành phiên bản {revision}" in page
    info = store.revisions.get(revision)
    assert (info.kind, info.state, info.author) == ("schedule", "submitted", "lan")
    assert info.body["rules"][-1] == {"name": "weekend-evening", "playlist": "night",
                                      "weekdays": ["sat", "sun"], "time": "18:00-22:00",
                                      "priority": 30}
    assert cell_at(week_cells(page), SATURDAY, 19)["words"] == "welcome"  # not live yet
    with browser_like(url) as api:
        approved = api.post(f"/api/revisions/{revision}/approve",
                            headers=bearer(store, "approver", "hoa"))
    assert approved.status_code == 200, approved.text
    page = editor.get("/schedule").text
    assert cell_at(week_cells(page), SATURDAY, 19)["words"] == "night quy tắc weekend-evening"
    assert cell_at(week_cells(page), THURSDAY, 19)["words"] == "welcome"
    assert "weekend-evening" in page


def test_a_rule_is_changed_and_removed_through_the_same_path(editor, store):
    form = editor.get("/schedule?edit=opening").text
    assert 'name="replacing" value="opening"' in form and 'value="06:30"' in form
    changed = editor.post("/schedule/rules", data={
        **form_of(editor), "replacing": "opening",
        "name": "opening", "playlist": "opening-hours", "weekdays": ["mon"],
        "time_from": "07:00", "time_to": "08:00", "priority": "20"})
    assert changed.status_code == 303
    first = int(re.search(r"revision=(\d+)", changed.headers["location"])[1])
    assert store.revisions.get(first).body["rules"][1]["weekdays"] == ["mon"]
    removed = editor.post("/schedule/rules/remove", data={
        **form_of(editor), "name": "night"})
    assert removed.status_code == 303
    second = int(re.search(r"revision=(\d+)", removed.headers["location"])[1])
    assert [r["name"] for r in store.revisions.get(second).body["rules"]] == ["opening"]
    assert store.revisions.get(second).state == "submitted"


def test_a_wrong_rule_is_refused_at_its_field_in_vietnamese_and_nothing_is_saved(editor, store):
    before = len(store.revisions.all(kind="schedule"))
    answer = editor.post("/schedule/rules", data={
        **form_of(editor), "name": "<script>alert(1)</script>",
        "playlist": "night", "time_from": "18:00", "time_to": "", "priority": "5"})
    assert answer.status_code == 422
    assert "Không có gì được lưu" in answer.text
    assert re.search(r'id="rule-time-problem">[^<]*HH:MM', answer.text)
    assert 'id="rule-name-problem"' in answer.text
    assert "<script>alert(1)</script>" not in answer.text
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in answer.text
    assert len(store.revisions.all(kind="schedule")) == before


def test_a_change_to_a_schedule_that_moved_on_is_refused(editor, store):
    answer = editor.post("/schedule/rules", data={
        "csrf": csrf_of(editor, "/schedule"), "base": "999", "name": "extra",
        "playlist": "night", "weekdays": ["sun"], "priority": "1"})
    assert answer.status_code == 422 and "hãy tải lại trang" in answer.text
    assert len(store.revisions.all(kind="schedule")) == 1


def test_play_now_until_shows_on_the_page_and_the_api_and_cancelling_ends_it(
        url, approver, store, clock):
    answer = approver.post("/schedule/play-now", data={
        "csrf": csrf_of(approver, "/schedule"), "playlist": "night", "until": "2026-11-26T10:30"})
    assert answer.status_code == 303
    page = approver.get(answer.headers["location"]).text
    assert "Đang phát: night, đến 26/11/2026 10:30 (do minh đặt)" in page
    with browser_like(url) as api:
        token = bearer(store, "technician")
        found = api.get("/api/schedule/play-now", headers=token).json()["play_now"]
        assert found["playlist"] == "night" and found["set_by"] == "minh"
        assert dt.datetime.fromisoformat(found["expires_at"]) == dt.datetime(
            2026, 11, 26, 3, 30, tzinfo=dt.timezone.utc)
        cancelled = approver.post("/schedule/play-now/cancel",
                                  data={"csrf": csrf_of(approver, "/schedule")})
        assert cancelled.status_code == 303
        assert api.get("/api/schedule/play-now", headers=token).json()["play_now"] is None
    assert "Không có danh sách nào phát trên lịch lúc này" in approver.get("/schedule").text
    audit = [(e.actor, e.action) for e in store.records.audit_log()]
    assert ("minh", "schedule.play-now") in audit and ("minh", "schedule.play-now.clear") in audit


def test_play_now_refuses_an_end_in_the_past_at_its_field(approver, store):
    answer = approver.post("/schedule/play-now", data={
        "csrf": csrf_of(approver, "/schedule"), "playlist": "night", "until": "2026-11-26T07:00"})
    assert answer.status_code == 422 and "đã qua" in answer.text
    assert store.desired.play_now() is None


def test_an_editor_cannot_play_now(editor, store):
    page = editor.get("/schedule").text
    assert 'action="/schedule/play-now"' not in page
    answer = editor.post("/schedule/play-now", data={
        "csrf": csrf_of(editor, "/schedule"), "playlist": "night", "until": "2026-11-26T10:30"})
    assert answer.status_code == 403
    assert store.desired.play_now() is None


def test_opened_from_approvals_the_playlist_is_chosen_for_play_now_and_a_new_rule(approver):
    page = approver.get("/schedule?playlist=night").text
    assert len(re.findall(r'<option value="night" selected>', page)) == 2


def test_without_a_live_schedule_the_first_rule_starts_one_with_its_default(
        settings, clock, store):
    add_people(store)
    publish_playlists(store, "welcome", "night")
    with console_server(settings, clock, store) as url, signed_in(url, "lan") as editor:
        page = editor.get("/schedule").text
        assert "Chưa có lịch nào đang chạy" in page and 'name="default"' in page
        refused = editor.post("/schedule/rules", data={
            **form_of(editor), "name": "night", "playlist": "night", "time_from": "22:00",
            "time_to": "06:00", "priority": "1"})
        assert refused.status_code == 422 and 'id="default-problem"' in refused.text
        answer = editor.post("/schedule/rules", data={
            **form_of(editor), "default": "welcome", "name": "night", "playlist": "night",
            "time_from": "22:00", "time_to": "06:00", "priority": "1"})
    assert answer.status_code == 303
    revision = store.revisions.all(kind="schedule")[0]
    assert revision.state == "submitted"
    body = store.revisions.get(revision.id).body
    assert body["default"] == "welcome" and body["rules"][0]["time"] == "22:00-06:00"


def test_the_page_in_english(editor):
    editor.cookies.set("signage_lang", "en")
    page = editor.get("/schedule").text
    assert '<html lang="en">' in page and "<h1>Schedule</h1>" in page
    assert cell_at(week_cells(page), THURSDAY, 7)["words"] == "opening-hours rule opening"
    assert cell_at(week_cells(page), THURSDAY, 2)["words"] == "Off"
