"""Film uploads against a real uvicorn on 127.0.0.1: probed by content, refused with a
reason, capped while streaming, stored without metadata, transcoded to the panel's size."""

from __future__ import annotations

import dataclasses
import os
from typing import Iterator

import httpx
import pytest

from signage.api import create_app
from signage.render.video import film_info
from signage.services.films import TRANSCODER
from tests.films import make_film
from tests.test_api import clock, serve, settings, store  # noqa: F401  (fixtures)
from tests.test_api_assets import bearer, files_under, open_files_under

MB = 1024 * 1024


@pytest.fixture
def client(settings, clock, store) -> Iterator[httpx.Client]:
    with serve(create_app(settings, clock, store)) as url:
        with httpx.Client(base_url=url, trust_env=False, timeout=60) as client:
            yield client


@pytest.fixture
def editor(store) -> dict[str, str]:
    return bearer(store, "editor")


def upload(client, headers, path, filename=None):
    with open(path, "rb") as handle:
        return client.post("/api/assets", headers=headers,
                           files={"file": (filename or path.name, handle, "video/mp4")})


def reasons(response) -> str:
    return " ".join(problem["reason"] for problem in response.json()["detail"])


def test_a_4k_film_is_transcoded_to_the_panel_size_with_progress_to_100(client, store, editor,
                                                                        tmp_path):
    film = make_film(tmp_path / "geopark.mp4", fps=10, seconds=1.5, size=(3840, 2160))
    response = upload(client, editor, film)
    assert response.status_code == 201, response.text
    stored = response.json()
    assert (stored["width"], stored["height"], stored["media_type"]) == (3840, 2160, "video/mp4")
    TRANSCODER.wait(timeout=120)

    shown = client.get(f"/api/assets/{stored['id']}", headers=editor).json()
    assert shown["job"]["state"] == "done" and shown["job"]["percent"] == 100
    copy = store.assets.shown_path(stored["id"], (768, 384))
    assert copy != store.assets.path(stored["id"])
    info = film_info(copy)
    assert (info.width, info.height, info.codec) == (768, 432, "h264")  # covers 768x384
    assert round(info.length, 1) == 1.5


def test_a_film_the_panel_size_already_needs_no_transcode(client, store, editor, tmp_path):
    film = make_film(tmp_path / "small.mp4", fps=25, seconds=1, size=(256, 64))
    response = upload(client, editor, film)
    assert response.status_code == 201, response.text
    assert client.get(f"/api/assets/{response.json()['id']}", headers=editor).json()["job"] is None


def test_a_text_file_named_mp4_is_refused_naming_what_it_is(client, store, editor, tmp_path):
    fake = tmp_path / "film.mp4"
    fake.write_text("this is not a film, just some notes\n" * 20)
    response = upload(client, editor, fake)
    assert response.status_code == 422
    assert "text file" in reasons(response)
    assert store.assets.all() == []


def test_a_film_in_an_unsupported_codec_is_refused_naming_it(client, store, editor, tmp_path):
    film = make_film(tmp_path / "old.mp4", fps=25, seconds=1, size=(256, 64), codec="mpeg4")
    response = upload(client, editor, film)
    assert response.status_code == 422
    assert "(mpeg4)" in reasons(response) and "H.264" in reasons(response)
    assert store.assets.all() == []


def test_a_film_cut_short_is_refused(client, store, editor, tmp_path):
    whole = make_film(tmp_path / "whole.mkv", fps=25, seconds=4, size=(256, 64))
    cut = tmp_path / "cut.mkv"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    response = upload(client, editor, cut)
    assert response.status_code == 422
    assert "cut short" in reasons(response)
    assert store.assets.all() == []


def test_film_metadata_is_not_stored(client, store, editor, tmp_path):
    film = make_film(tmp_path / "tagged.mp4", fps=25, seconds=1, size=(256, 64),
                     metadata={"title": "Secret title", "location": "+22.8+104.9/"})
    assert b"Secret title" in film.read_bytes()
    response = upload(client, editor, film)
    assert response.status_code == 201, response.text
    kept = store.assets.path(response.json()["id"]).read_bytes()
    assert b"Secret title" not in kept and b"+22.8+104.9" not in kept
    assert film_info(store.assets.path(response.json()["id"])).length == pytest.approx(1.0, abs=0.05)


def film_stream(size: int, boundary: str) -> Iterator[bytes]:
    """A chunked multipart body whose file starts like a Matroska film."""
    yield (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
           f"filename=\"long.mkv\"\r\nContent-Type: video/x-matroska\r\n\r\n").encode()
    yield b"\x1a\x45\xdf\xa3" + os.urandom(60)
    sent = 64
    while sent < size:
        piece = os.urandom(min(256 * 1024, size - sent))
        sent += len(piece)
        yield piece
    yield f"\r\n--{boundary}--\r\n".encode()


def test_a_film_over_its_cap_is_refused_while_streaming_leaving_nothing(settings, clock, store,
                                                                         tmp_path):
    settings = dataclasses.replace(settings, max_film_mb=2)
    boundary = "film-boundary"
    before = files_under(tmp_path)
    with serve(create_app(settings, clock, store)) as url:
        with httpx.Client(base_url=url, trust_env=False, timeout=60) as client:
            response = client.post(
                "/api/assets", content=film_stream(6 * MB, boundary),
                headers={**bearer(store, "editor"),
                         "Content-Type": f"multipart/form-data; boundary={boundary}"})

    assert response.request.headers["transfer-encoding"] == "chunked"
    assert response.status_code == 413
    assert "2 MB" in response.json()["detail"] and "SIGNAGE_MAX_FILM_MB" in response.json()["detail"]
    assert files_under(tmp_path) - before <= {p for p in files_under(tmp_path)
                                              if p.name.startswith("signage.db")}
    assert open_files_under(settings.data_dir / "incoming") == []
    assert store.assets.all() == []


def test_a_transcode_a_stopped_api_left_unfinished_is_marked_failed(settings, clock, store):
    job = store.jobs.add("transcode", "sha256:" + "ab" * 32)
    store.jobs.update(job, state="running", percent=40)
    store.close()
    with serve(create_app(settings, clock)) as url:  # the API opens the store itself
        with httpx.Client(base_url=url, trust_env=False, timeout=60):
            pass
    from signage.store import Store
    reopened = Store(settings.data_dir, clock)
    try:
        left = reopened.jobs.get(job)
        assert left.state == "failed" and "upload the film again" in left.detail
    finally:
        reopened.close()
