"""The media library in real Chromium: upload from the file input (media.js sends it with a
progress bar), drop a file on the box, a refusal shown at the file input, delete."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from signage.devtools.browser import sign_in


def png_bytes(colour=(30, 120, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 180), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def editor_tab(page, people):
    person = people["editor"]
    sign_in(page, person.name, person.password)
    page.goto("/media")
    return page


def thumbnail_shown(tab, name: str):
    """The library card's thumbnail for `name`, once the browser has decoded it."""
    image = tab.get_by_role("img", name=f"Ảnh thu nhỏ của {name}")
    expect(image).to_be_visible()
    tab.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    return image


def test_a_file_chosen_in_the_file_input_is_uploaded_and_shown_with_its_thumbnail(editor_tab,
                                                                                   store):
    editor_tab.get_by_label("Chọn ảnh hoặc phim").set_input_files(
        {"name": "cổng-chào.png", "mimeType": "image/png", "buffer": png_bytes()})
    editor_tab.get_by_role("button", name="Tải lên", exact=True).click()
    expect(editor_tab.get_by_role("status")).to_have_text("Tệp đã được lưu vào thư viện.")
    image = thumbnail_shown(editor_tab, "cổng-chào.png")
    assert image.evaluate("img => [img.naturalWidth, img.naturalHeight]") == [160, 90]
    assert len(store.assets.all()) == 1


def test_a_file_dropped_on_the_box_is_uploaded(editor_tab, store):
    data = base64.b64encode(png_bytes((200, 60, 30))).decode()
    dropped = editor_tab.evaluate_handle("""data => {
        const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], "keo-tha.png", {type: "image/png"}));
        return transfer;
    }""", data)
    editor_tab.dispatch_event("[data-drop]", "drop", {"dataTransfer": dropped})
    expect(editor_tab.get_by_role("status")).to_have_text("Tệp đã được lưu vào thư viện.")
    thumbnail_shown(editor_tab, "keo-tha.png")


def test_a_text_file_named_png_is_refused_at_the_file_input_in_vietnamese(editor_tab, store):
    field = editor_tab.get_by_label("Chọn ảnh hoặc phim")
    field.set_input_files({"name": "ghi-chu.png", "mimeType": "image/png",
                           "buffer": b"khong phai anh\n"})
    editor_tab.get_by_role("button", name="Tải lên", exact=True).click()
    expect(editor_tab.locator("#upload-errors")).to_contain_text(
        "không phải ảnh PNG, JPEG hay WebP đọc được")
    expect(field).to_have_attribute("aria-invalid", "true")
    assert store.assets.all() == []


def test_an_unused_file_is_deleted_from_its_card(editor_tab, store):
    editor_tab.get_by_label("Chọn ảnh hoặc phim").set_input_files(
        {"name": "tam.png", "mimeType": "image/png", "buffer": png_bytes()})
    editor_tab.get_by_role("button", name="Tải lên", exact=True).click()
    editor_tab.get_by_role("button", name="Xoá tam.png").click()
    expect(editor_tab.get_by_role("status")).to_have_text("Tệp đã bị xoá.")
    expect(editor_tab.get_by_text("Thư viện chưa có tệp nào.")).to_be_visible()
    assert store.assets.all() == []


@pytest.fixture
def settings(tmp_path):
    """A box whose image cap is 1 MB, so a file over it is small enough to make here."""
    import dataclasses

    from tests.browser.server import data_settings

    return dataclasses.replace(data_settings(tmp_path), max_upload_mb=1)


def test_an_image_over_the_cap_is_refused_before_it_is_sent(editor_tab, store):
    sent = []
    editor_tab.on("request", lambda request: sent.append(request.method))
    editor_tab.get_by_label("Chọn ảnh hoặc phim").set_input_files(
        {"name": "qua-lon.png", "mimeType": "image/png", "buffer": b"\x89PNG" + bytes(1_200_000)})
    editor_tab.get_by_role("button", name="Tải lên", exact=True).click()
    expect(editor_tab.locator("#upload-errors")).to_have_text(
        "Ảnh lớn hơn 1 MB, giới hạn cho ảnh. Hãy thu nhỏ ảnh hoặc lưu với mức nén cao hơn.")
    assert "POST" not in sent and store.assets.all() == []
