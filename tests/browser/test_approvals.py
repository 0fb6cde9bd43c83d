"""Approvals in real Chromium, two people at two computers: the author's draft waits with
its filmstrip; a second approver approves it and is told when the wall shows it; a
rejection's reason reaches the author."""

from __future__ import annotations

from playwright.sync_api import expect

from signage.content.models import Playlist
from signage.devtools.browser import sign_in

LIVE = {"vi": "Chào mừng quý khách", "en": "Welcome", "zh": "欢迎光临"}
DRAFT = {"vi": "Chào mừng quý khách đến Thanh Thủy", "en": "Welcome", "zh": "欢迎光临"}


def welcome(text: dict) -> Playlist:
    return Playlist.model_validate({"name": "welcome", "items": [
        {"kind": "message", "duration": "10s", "text": text}]})


def waiting_draft(store, people) -> int:
    """welcome live (approved by the second approver), a changed draft submitted by the editor."""
    editor, approver2 = people["editor"].name, people["approver2"].name
    live = store.revisions.save_draft("playlist", welcome(LIVE), editor, role="editor")
    store.revisions.submit(live, editor, role="editor")
    store.revisions.approve(live, approver2, "approver")
    draft = store.revisions.save_draft("playlist", welcome(DRAFT), editor, role="editor")
    store.revisions.submit(draft, editor, role="editor")
    return draft


def signed_in(tab, person, path="/approvals"):
    sign_in(tab, person.name, person.password)
    tab.goto(path)
    return tab


def test_a_second_approver_approves_and_is_told_when_the_wall_shows_it(page, other_page,
                                                                       store, people):
    draft = waiting_draft(store, people)
    author = signed_in(page, people["editor"])
    expect(author.get_by_role("heading", name=f"welcome · phiên bản {draft}")).to_be_visible()
    expect(author.get_by_role("button", name="Duyệt")).to_have_count(0)

    approver = signed_in(other_page, people["approver"])
    frame = approver.get_by_role("img", name=f"Mục 1 của phiên bản {draft}")
    expect(frame).to_be_visible()
    approver.wait_for_function("img => img.complete && img.naturalWidth === 192",
                               arg=frame.element_handle())
    expect(approver.locator("ins").first).to_have_text(" đến Thanh Thủy")
    approver.get_by_role("button", name="Duyệt").click()
    outcome = approver.get_by_role("status")
    expect(outcome).to_contain_text(f"Phiên bản {draft} của welcome đã được duyệt.")
    # No schedule: the approved playlist is the active one, due now; the player is not running.
    expect(outcome).to_contain_text("đến lượt chiếu ngay bây giờ")
    expect(approver.get_by_role("link", name="Xếp lịch cho welcome")).to_have_attribute(
        "href", "/schedule?playlist=welcome")
    assert store.content.live_playlist("welcome").revision == draft


def test_a_rejection_reason_reaches_the_author(page, other_page, store, people):
    draft = waiting_draft(store, people)
    approver = signed_in(other_page, people["approver"])
    approver.get_by_label("Lý do từ chối (người soạn sẽ thấy)").fill(
        "Thiếu tên tiếng Trung của cửa khẩu <b>Thanh Thủy</b>")
    approver.get_by_role("button", name="Từ chối").click()
    expect(approver.get_by_role("status")).to_have_text(
        "Phiên bản đã bị từ chối; người soạn sẽ thấy lý do.")

    author = signed_in(page, people["editor"])
    decision = author.get_by_role("article", name=f"Phiên bản {draft}")
    expect(decision).to_contain_text("bị từ chối")
    expect(decision.locator(".reason")).to_have_text(
        "Lý do: Thiếu tên tiếng Trung của cửa khẩu <b>Thanh Thủy</b>")
