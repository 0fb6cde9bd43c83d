"""The media library page on a real server: upload through the form, thumbnails, where a
file is used, delete when unused, refusals in Vietnamese at the file input, roles."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from signage.content.models import Playlist
from signage.settings import Settings
from tests.console_helpers import add_people, browser_like, console_server, csrf_of, sign_in
from tests.test_console import url  # noqa: F401  (the console on a real server)


@pytest.fixture
def editor(url):
    with browser_like(url) as client:
        sign_in(client, "lan")
        yield client


def png_bytes(size=(320, 180), colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def upload(client, data: bytes, filename: str = "cong-chao.png", **headers):
    return client.post("/media", data={"csrf": csrf_of(client, "/media")},
                       files={"file": (filename, data, "image/png")}, headers=headers)


def stored_ref(store) -> str:
    [record] = store.assets.all()
    return record.ref


def test_an_uploaded_png_appears_with_its_thumbnail(editor, store):
    answer = upload(editor, png_bytes())
    assert answer.status_code == 303 and answer.headers["location"].startswith(
        "/media?done=uploaded&id=")
    page = editor.get(answer.headers["location"])
    assert page.status_code == 200 and "Tệp đã được lưu vào thư viện." in page.text
    assert "cong-chao.png" in page.text and "Chưa được danh sách phát nào sử dụng." in page.text
    digest = stored_ref(store).removeprefix("sha256:")
    assert f'src="/media/{digest}/thumb"' in page.text
    thumb = editor.get(f"/media/{digest}/thumb")
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/png"
    picture = Image.open(io.BytesIO(thumb.content))
    assert max(picture.size) == 160 and picture.size == (160, 90)
    assert picture.convert("RGB").getpixel((80, 45)) == (200, 30, 30)


def test_the_script_path_answers_json_for_media_js(editor, store):
    token = csrf_of(editor, "/media")
    answer = editor.post("/media", files={"file": ("a.png", png_bytes(), "image/png")},
                         headers={"X-CSRF-Token": token, "Accept": "application/json"})
    assert answer.status_code == 200 and answer.json()["redirect"].startswith("/media?done=")
    refused = editor.post("/media", files={"file": ("a.png", b"hello", "image/png")},
                          headers={"X-CSRF-Token": token, "Accept": "application/json"})
    assert refused.status_code == 422
    assert "không phải ảnh PNG, JPEG hay WebP" in refused.json()["errors"][0]


def test_a_text_file_named_png_is_refused_in_vietnamese_at_the_file_input(editor, store):
    answer = upload(editor, b"Day la van ban, khong phai anh.\n", "anh.png")
    assert answer.status_code == 422
    errors = re.search(r'<div id="upload-errors".*?</div>', answer.text, re.S).group(0)
    assert "không phải ảnh PNG, JPEG hay WebP đọc được" in errors
    assert 'aria-invalid="true"' in answer.text
    assert store.assets.all() == []


def test_an_image_over_the_cap_is_refused_in_vietnamese(settings, clock, store):
    import dataclasses
    add_people(store)
    small = dataclasses.replace(settings, max_upload_mb=1)
    with console_server(small, clock, store) as url, browser_like(url) as client:
        sign_in(client, "lan")
        noisy = Image.effect_noise((1200, 1200), 100).convert("RGB")
        out = io.BytesIO()
        noisy.save(out, "PNG", compress_level=0)
        answer = upload(client, out.getvalue())
    assert answer.status_code == 413
    assert "Ảnh lớn hơn 1 MB, giới hạn cho ảnh." in answer.text, re.search(r"upload-errors.*?</div>", answer.text, re.S).group(0)


def test_a_used_image_cannot_be_deleted_and_says_where_it_is_used(editor, store):
    upload(editor, png_bytes())
    ref = stored_ref(store)
    playlist = Playlist.model_validate({"name": "cong-chinh",
                                        "items": [{"kind": "image", "asset": ref}]})
    revision = store.revisions.save_draft("playlist", playlist, "lan", role="editor")
    page = editor.get("/media")
    assert "Đang dùng trong:" in page.text and "cong-chinh" in page.text
    assert f"phiên bản {revision}" in page.text and "bản nháp" in page.text
    digest = ref.removeprefix("sha256:")
    refused = editor.post(f"/media/{digest}/delete", data={"csrf": csrf_of(editor, "/media")})
    assert refused.status_code == 409
    assert "vẫn đang được dùng trong cong-chinh" in refused.text
    assert store.assets.get(ref) is not None


def test_an_unused_image_is_deleted(editor, store, settings):
    upload(editor, png_bytes())
    digest = stored_ref(store).removeprefix("sha256:")
    assert editor.get(f"/media/{digest}/thumb").status_code == 200
    answer = editor.post(f"/media/{digest}/delete", data={"csrf": csrf_of(editor, "/media")})
    assert answer.status_code == 303
    assert "Tệp đã bị xoá." in editor.get(answer.headers["location"]).text
    assert store.assets.all() == []
    assert editor.get(f"/media/{digest}/thumb").status_code == 404
    assert not list((settings.data_dir / "cache" / "thumbs").glob(f"{digest}-*"))


def test_a_file_name_with_markup_shows_as_text(editor, store):
    upload(editor, png_bytes(), '<img src=x onerror=alert(1)>.png')
    page = editor.get("/media")
    assert "<img src=x onerror" not in page.text
    assert "&lt;img src=x onerror=alert(1)&gt;.png" in page.text


def test_an_upload_without_the_forms_token_is_refused_and_nothing_is_stored(editor, store):
    answer = editor.post("/media", data={"csrf": "wrong"},
                         files={"file": ("a.png", png_bytes(), "image/png")})
    assert answer.status_code == 403 and store.assets.all() == []


def test_a_technician_sees_the_library_but_no_upload_or_delete(url, store):
    with browser_like(url) as client:
        sign_in(client, "tuan")
        page = client.get("/media")
        assert page.status_code == 200 and "Thư viện tệp" in page.text
        assert 'type="file"' not in page.text
        refused = client.post("/media", data={"csrf": csrf_of(client, "/media")},
                              files={"file": ("a.png", png_bytes(), "image/png")})
    assert refused.status_code == 403 and store.assets.all() == []


def test_an_admin_may_not_open_the_library(url):
    with browser_like(url) as client:
        sign_in(client, "quan")
        assert client.get("/media").status_code == 403


def test_a_full_disk_is_said_in_vietnamese_at_the_file_input(tmp_path, clock):
    import dataclasses

    from signage.store import Store
    from tests.test_disk_full import DISK_MB, RESERVE_MB, fill, noisy_png, small_disk

    with small_disk(tmp_path / "disk", DISK_MB) as disk:
        settings = dataclasses.replace(
            Settings(data_dir=disk / "data", runtime_dir=tmp_path / "run"),
            disk_reserve_mb=RESERVE_MB)
        store = Store(settings.data_dir, clock, reserve_bytes=settings.disk_reserve_bytes)
        add_people(store)
        try:
            with console_server(settings, clock, store) as url, browser_like(url) as client:
                sign_in(client, "lan")
                fill(disk)
                answer = upload(client, noisy_png((300, 300)), "day.png")
        finally:
            store.close()
    assert answer.status_code == 507
    errors = re.search(r'<div id="upload-errors".*?</div>', answer.text, re.S).group(0)
    assert "Ổ đĩa của máy đã đầy nên tệp không được lưu." in errors


def test_a_film_shows_its_transcode_and_a_thumbnail_of_its_first_frame(editor, store, tmp_path):
    from signage.services.films import TRANSCODER
    from tests.films import make_film

    film = make_film(tmp_path / "cao-nguyen.mp4", fps=10, seconds=1.0, size=(1920, 1080))
    answer = editor.post("/media", data={"csrf": csrf_of(editor, "/media")},
                         files={"file": ("cao-nguyen.mp4", film.read_bytes(), "video/mp4")})
    assert answer.status_code == 303, answer.text
    TRANSCODER.wait(timeout=120)
    page = editor.get("/media").text
    assert "Phim · 1920×1080" in page and "Đã chuyển về đúng kích thước màn hình." in page
    [record] = store.assets.all()
    job = store.jobs.latest(record.ref)
    store.jobs.update(job.id, state="running", percent=42.0)  # as it is while the job runs
    page = editor.get("/media").text
    assert "Đang chuyển về kích thước màn hình: 42%" in page and "data-job-running" in page
    thumb = editor.get(f"/media/{record.ref.removeprefix('sha256:')}/thumb")
    assert thumb.status_code == 200
    assert Image.open(io.BytesIO(thumb.content)).size == (160, 90)


def test_a_large_library_comes_in_pages_and_a_refusal_shows_on_the_files_page(editor, store,
                                                                             clock):
    from signage.media.images import inspect_asset
    from signage.console.routes.media import PER_PAGE

    refs = []
    for shade in range(PER_PAGE + 3):
        data = png_bytes((8, 8), (shade, 0, 0))
        refs.append(store.assets.add(data, inspect_asset(data), f"anh-{shade}.png"))
        clock.advance(1)  # the newest first: anh-{PER_PAGE + 2} heads page 1
    first, second = editor.get("/media"), editor.get("/media?page=2")
    assert f"Các tệp ({PER_PAGE + 3})" in first.text and "Trang 1 / 2" in first.text
    assert first.text.count('class="card asset') == PER_PAGE
    assert second.text.count('class="card asset') == 3 and "anh-0.png" in second.text
    oldest = refs[0]
    store.revisions.save_draft("playlist", Playlist.model_validate(
        {"name": "cu", "items": [{"kind": "image", "asset": oldest}]}), "lan", role="editor")
    refused = editor.post(f"/media/{oldest.removeprefix('sha256:')}/delete",
                          data={"csrf": csrf_of(editor, "/media"), "page": "2"})
    assert refused.status_code == 409 and "vẫn đang được dùng trong cu" in refused.text
    assert len(first.content) < 150_000  # a page stays light on a slow link


def test_in_english_the_page_and_its_refusals_are_english(editor, store):
    editor.post("/language", data={"lang": "en", "back": "/media"})
    answer = upload(editor, b"not a picture", "notes.png")
    assert answer.status_code == 422 and '<html lang="en">' in answer.text
    assert "Media library" in answer.text
    assert "is not a readable PNG, JPEG or WebP image" in answer.text
