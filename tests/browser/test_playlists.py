"""The playlist editor in real Chromium: write a trilingual playlist with a picture from the
library, watch the live preview follow the typing, submit it; the editor (with a refusal at
its field) passes axe and does not scroll sideways; items move by keyboard."""

from __future__ import annotations

import io

from PIL import Image
from playwright.sync_api import expect

from signage.console.thumbs import thumb_url
from signage.devtools.browser import (OFFICE, PHONE, axe_violations, horizontal_overflow,
                                      overflowing_elements, sign_in)
from tests.conftest import add_image
from tests.test_api import png_bytes

LANGUAGE_LABELS = {"vi": "Tiếng Việt", "en": "Tiếng Anh", "zh": "Tiếng Trung"}


def preview_pixels(tab) -> bytes:
    """The preview picture as the browser shows it."""
    shot = tab.locator("#preview-picture").screenshot()
    return Image.open(io.BytesIO(shot)).convert("RGB").tobytes()


def wait_for_new_preview(tab, before: str | None) -> str:
    """The preview's next picture (its blob: URL changes with each answer)."""
    picture = tab.locator("#preview-picture")
    expect(picture).to_be_visible()
    tab.wait_for_function(
        "([old]) => { const img = document.getElementById('preview-picture');"
        " return img.src.startsWith('blob:') && img.src !== old && img.complete"
        " && img.naturalWidth > 0; }", arg=[before or ""])
    return picture.get_attribute("src")


def test_write_a_trilingual_playlist_with_a_library_picture_see_the_preview_and_submit(
        page, people, store):
    picture = add_image(store, png_bytes((0, 170, 0)), "cổng-chính.png")
    editor = people["editor"]
    sign_in(page, editor.name, editor.password)
    page.goto("/playlists")
    page.get_by_role("link", name="Danh sách phát mới").click()
    page.get_by_label("Tên (chữ thường không dấu, chữ số, - hoặc _)").fill("cong-chinh")

    page.get_by_label("Tiếng Việt").fill("Chào mừng")
    first = wait_for_new_preview(page, None)
    before = preview_pixels(page)
    page.get_by_label("Tiếng Việt").press_sequentially(" quý khách")
    wait_for_new_preview(page, first)
    assert preview_pixels(page) != before  # the picture followed the typing
    page.get_by_label("Tiếng Anh").fill("Welcome")
    page.get_by_label("Tiếng Trung").fill("欢迎")

    page.get_by_label("Loại của mục mới").select_option("image")
    page.get_by_role("button", name="Thêm mục").click()
    chooser = page.locator("#f-items-1-asset")
    chooser.select_option(label="cổng-chính.png · 16×8")
    thumb = page.locator('img.thumb[data-for="f-items-1-asset"]')
    expect(thumb).to_be_visible()
    assert thumb.get_attribute("src") == thumb_url(picture)
    # What was typed before adding the item is still there.
    expect(page.get_by_label("Tiếng Việt").first).to_have_value("Chào mừng quý khách")

    page.get_by_role("button", name="Lưu và gửi duyệt").click()
    expect(page.locator("p.ok[role=status]")).to_contain_text("Đã gửi duyệt")
    submitted = store.revisions.all("playlist", "cong-chinh")
    assert [(r.state, r.author) for r in submitted] == [("submitted", editor.name)]
    assert store.revisions.get(submitted[0].id).body["items"][1]["asset"] == picture


def new_playlist(page, editor, name: str, **texts: str) -> None:
    """Signed in as `editor`, the new-playlist form with its name and item 1's texts typed
    (texts by their labels' language: vi, en, zh)."""
    sign_in(page, editor.name, editor.password)
    page.goto("/playlists/_new")
    page.get_by_label("Tên (chữ thường không dấu, chữ số, - hoặc _)").fill(name)
    for lang, text in texts.items():
        page.get_by_label(LANGUAGE_LABELS[lang]).fill(text)


def test_the_editor_with_a_refusal_is_accessible_and_fits_an_office_screen_and_a_phone(
        page, people):
    new_playlist(page, people["editor"], "thu", vi="Xin chào", en="Hello")
    page.get_by_role("button", name="Lưu nháp").click()
    message = page.locator("#f-items-0-text-zh-msg1")
    expect(message).to_contain_text("không được để trống")
    for size in (OFFICE, PHONE):
        page.set_viewport_size(size)
        assert axe_violations(page) == []
        assert (horizontal_overflow(page), overflowing_elements(page)) == (0, [])


def test_items_move_by_keyboard_in_place_and_the_order_is_saved(page, people, store):
    new_playlist(page, people["editor"], "thu-tu", vi="một", en="one", zh="一")
    page.get_by_label("Loại của mục mới").select_option("clock")
    page.get_by_role("button", name="Thêm mục").click()
    page.get_by_role("button", name="Chuyển xuống · Mục 1").focus()

    page.keyboard.press("Enter")

    legends = page.locator("li.item legend")
    expect(legends.nth(0)).to_contain_text("Mục 1 · Đồng hồ")
    expect(legends.nth(1)).to_contain_text("Mục 2 · Thông điệp")
    # The moved item keeps the focus, on its button that still moves it the same way...
    expect(page.get_by_role("button", name="Chuyển lên · Mục 2")).to_be_enabled()
    expect(page.locator("li.item").nth(1)).to_be_focused()  # ...or itself, at the end
    expect(page.get_by_label("Tiếng Việt")).to_have_attribute("name", "items[1].text.vi")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.locator("p.ok[role=status]")).to_contain_text("Đã lưu bản nháp")
    body = store.revisions.get(store.revisions.all("playlist", "thu-tu")[0].id).body
    assert [item["kind"] for item in body["items"]] == ["clock", "message"]


def test_a_big_librarys_pickers_are_filled_when_reached(page, people, store):
    from signage.console.routes.playlists import INLINE_LIBRARY
    for index in range(INLINE_LIBRARY + 1):
        add_image(store, png_bytes((index, 90, 200)), f"anh-{index}.png")
    editor = people["editor"]
    sign_in(page, editor.name, editor.password)
    page.goto("/playlists/_new")
    page.get_by_label("Loại của mục mới").select_option("image")
    page.get_by_role("button", name="Thêm mục").click()
    picker = page.locator("#f-items-1-asset")
    expect(picker.locator("option")).to_have_count(1)  # "choose from the library"

    picker.focus()

    expect(picker.locator("option")).to_have_count(INLINE_LIBRARY + 2)
    picker.select_option(label="anh-7.png · 16×8")
    expect(page.locator('img.thumb[data-for="f-items-1-asset"]')).to_be_visible()
