"""The emergency page in Chromium, as the duty approver uses it: a ready template, a live
preview as one types, confirmation, the countdown ticking while on air, ending it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from signage.devtools.browser import OFFICE, PHONE, axe_violations, horizontal_overflow, sign_in

# The preview picture has arrived and decoded (a broken or refused one has no width).
LOADED = "() => { const i = document.getElementById('notice-preview'); " \
         "return i.complete && i.naturalWidth > 0; }"


def test_an_approver_posts_a_landslide_notice_from_its_template_and_ends_it(page, people, store):
    approver = people["approver"]
    sign_in(page, approver.name, approver.password)
    page.goto("/emergency")
    page.select_option("#template", "landslide")
    page.get_by_role("button", name="Điền mẫu").click()
    expect(page.locator("#t-vi")).to_have_value("Sạt lở đất: đường tạm cấm. Xin làm theo "
                                                "hướng dẫn của cán bộ.")
    preview = page.locator("#notice-preview")
    expect(preview).to_have_attribute("src", re.compile(r"^/emergency/preview\.png\?vi=S%E1"))
    page.wait_for_function(LOADED)
    # Typing redraws the preview (emergency.js): the picture's address follows the text.
    page.fill("#t-en", "Landslide: the road is closed.")
    expect(preview).to_have_attribute("src", re.compile(r"the\+road\+is\+closed\.&zh="))
    page.wait_for_function(LOADED)
    page.fill("#duration", "2h")
    # Without the tick the browser itself holds the form back (and the server refuses it).
    assert not page.evaluate("document.getElementById('notice-form').checkValidity()")
    page.get_by_label("Tôi xác nhận đưa thông báo này lên màn hình ngay").check()
    page.get_by_role("button", name="Đăng lên màn hình ngay").click()
    expect(page.get_by_text("ĐANG TRÊN MÀN HÌNH")).to_be_visible()
    countdown = page.locator(".countdown")
    expect(countdown).to_have_text("2:00:00")
    expect(countdown).to_have_text("1:59:59")  # emergency.js counts down each second
    assert store.desired.emergencies()[0].message.en == "Landslide: the road is closed."
    for size in (OFFICE, PHONE):
        page.set_viewport_size(size)
        assert axe_violations(page) == [] and horizontal_overflow(page) == 0
    page.get_by_role("button", name="Kết thúc thông báo này ngay").click()
    expect(page.get_by_text("Không có thông báo khẩn cấp nào trên màn hình.")).to_be_visible()
    assert store.desired.emergencies()[0].cancelled_by == approver.name
