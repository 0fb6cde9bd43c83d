"""Technicians and approvers in real Chromium: brightness set with the slider (its number
follows) until a local time, seen in GET /api/panel; the proof-of-play CSV downloaded from
the report page and parsed (byte order mark, local times); the report's print layout."""

from __future__ import annotations

import csv
import datetime as dt
import io

from playwright.sync_api import expect

from signage.devtools.browser import sign_in
from signage.store.records import Play

VN = dt.timezone(dt.timedelta(hours=7))


def test_a_technician_sets_brightness_with_the_slider_until_a_local_time(page, people, clock,
                                                                        console_url):
    tech = people["technician"]
    sign_in(page, tech.name, tech.password)
    page.goto("/panel")
    slider = page.get_by_label("Thanh trượt độ sáng (%)")
    expect(slider).to_be_visible()  # the script shows it; without one the number field stays
    slider.focus()
    slider.fill("35")
    expect(page.get_by_label("Độ sáng (%)", exact=True)).to_have_value("35")
    until = (clock.now().astimezone(VN) + dt.timedelta(hours=3)).replace(second=0, microsecond=0)
    page.locator("#brightness-until").fill(until.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Đặt độ sáng").click()
    expect(page.get_by_role("status")).to_have_text("Đã đặt độ sáng.")
    expect(page.get_by_text(f"đến {until.strftime('%d/%m/%Y %H:%M')}")).to_be_visible()
    held = page.request.get("/api/panel", headers={
        "Authorization": f"Bearer {session_of(page)}"}).json()["overrides"]["brightness"]
    assert held["value"] == 35
    assert dt.datetime.fromisoformat(held["expires_at"]) == until


def session_of(page) -> str:
    return next(c["value"] for c in page.context.cookies() if c["name"] == "signage_session")


def test_the_proof_of_play_csv_downloads_and_parses(page, people, store, clock):
    today = clock.now().astimezone(VN).replace(hour=9, minute=0, second=0, microsecond=0)
    store.records.record_plays([
        Play(today + dt.timedelta(minutes=n), today + dt.timedelta(minutes=n, seconds=12),
             "main", "welcome", 0, "message", "Chào mừng", None, None) for n in range(3)])
    approver = people["approver"]
    sign_in(page, approver.name, approver.password)
    page.goto("/plays")
    expect(page.get_by_text("Kỳ báo cáo:")).to_be_visible()
    with page.expect_download() as waiting:
        page.get_by_role("link", name="Tải CSV (Excel)").click()
    download = waiting.value
    assert download.suggested_filename.startswith("plays-") and download.suggested_filename.endswith(".csv")
    data = open(download.path(), "rb").read()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [r["started_at"] for r in rows] == [
        (today + dt.timedelta(minutes=n)).strftime("%Y-%m-%d %H:%M:%S") for n in range(3)]
    assert {r["label"] for r in rows} == {"Chào mừng"}


def test_the_printed_report_hides_the_menu_and_keeps_the_period(page, people):
    approver = people["approver"]
    sign_in(page, approver.name, approver.password)
    page.goto("/plays")
    page.emulate_media(media="print")
    expect(page.locator("header.bar")).to_be_hidden()
    expect(page.locator("form.filters")).to_be_hidden()
    head = page.locator(".report-head")
    expect(head).to_be_visible()
    expect(head).to_contain_text("Kỳ báo cáo:")
    expect(head).to_contain_text("Lập lúc")
    assert head.evaluate("e => getComputedStyle(e).position") == "fixed"  # on every page
