"""Films on the emulated panel, driven by a fake clock: the frame shown at each time,
seamless loops, a damaged film skipped, and the preview of a film."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pygame
import pytest

from signage.content.models import Playlist
from signage.render.compositor import CROSSFADE_S
from signage.services.preview import render_preview_file
from tests.conftest import emulated_panel, player_on
from tests.films import frame_number, make_film

SIZE = (256, 64)
LOOP_FPS = 30


@dataclasses.dataclass(frozen=True)
class FilmFacts:
    media_type: str
    width: int
    height: int


def add_film(store, path) -> str:
    return store.assets.add(path.read_bytes(), FilmFacts("video/mp4", *SIZE), path.name)


def publish(store, *items, name="films"):
    return store.content.publish_playlist(
        Playlist.model_validate({"name": name, "items": list(items)}), "test")


def message(vi, duration="3s"):
    return {"kind": "message", "duration": duration, "text": {"vi": vi, "en": "English", "zh": "中文"}}


@pytest.fixture
def panel():
    return emulated_panel(SIZE)


@pytest.fixture
def player(settings, store, clock, panel, fonts):
    player = player_on(settings, store, clock, panel, fonts)
    yield player
    player.compositor.close()


def run_frames(player, clock, panel, seconds):
    """Step the loop at 30 fps; (time into the playlist, frame number shown) per frame."""
    shown = []
    for _ in range(round(seconds * LOOP_FPS)):
        player.step()
        into = clock.monotonic() - player.stage.zones[0].started
        shown.append((into, panel.last_frame()))
        clock.advance(1 / LOOP_FPS)
    return shown


def expected_number(into: float, times: list[float], length: float) -> int:
    """The last frame whose time has come at `into` (the film loops every `length` s)."""
    into = (into + 1e-3) % length  # test films keep times in milliseconds
    return max(n for n, at in enumerate(times) if at <= into)


def within_one_frame(shown: int | None, into: float, times: list[float], length: float) -> bool:
    """The frame due at `into`, or the next (the loop shows a frame due within half of
    one of its own frames: see video.PRESENT_LEAD_S)."""
    due = expected_number(into, times, length)
    return shown in (due, (due + 1) % len(times))


@pytest.mark.parametrize("fps", [25, 30, 60], ids=lambda fps: f"{fps}fps")
def test_frame_n_is_on_the_panel_at_n_over_fps(player, store, clock, panel, tmp_path, fps):
    film = make_film(tmp_path / f"film{fps}.mp4", fps=fps, seconds=2, size=SIZE)
    publish(store, {"kind": "video", "asset": add_film(store, film), "duration": "10s"})
    times = [n / fps for n in range(2 * fps)]
    frames = run_frames(player, clock, panel, 3)
    settled = [(into, frame) for into, frame in frames if into > CROSSFADE_S + 0.05]
    assert len(settled) > 60
    for into, frame in settled:
        assert within_one_frame(frame_number(frame), into, times, 2.0), f"at {into:.3f}s"
    # Decoded into the panel's own buffers: those frames were shown without the loop's copy.
    assert panel.telemetry().extra["lent_frames"] >= len(settled)


def test_a_film_plays_the_same_through_the_filter_graph(player, store, clock, panel, tmp_path,
                                                         monkeypatch):
    """Where libswscale cannot be called directly, a filter graph converts (into frames with
    an alpha channel): the same frames at the same times, and proof of play hashes what
    the panel shows."""
    from signage.player.proof import frame_sha256
    from signage.render import video

    monkeypatch.setattr(video, "surface_scaler", lambda: None)
    film = make_film(tmp_path / "graph.mp4", fps=30, seconds=1, size=SIZE)
    publish(store, {"kind": "video", "asset": add_film(store, film), "transition": "cut"},
            {**message("Sau phim", "2s"), "transition": "cut"})
    times = [n / 30 for n in range(30)]
    frames = run_frames(player, clock, panel, 1.5)
    settled = [(into, frame) for into, frame in frames if CROSSFADE_S + 0.05 < into < 0.95]
    assert len(settled) > 10
    for into, frame in settled:
        assert within_one_frame(frame_number(frame), into, times, 1.0), f"at {into:.3f}s"
    player.proof.close(player.write_store, clock.now())
    everything = store.records.plays(clock.now() - dt.timedelta(days=1), clock.now() + dt.timedelta(days=1))
    (play,) = [play for play in everything if play.kind == "video"]
    assert play.frame_sha256 == frame_sha256(frames[0][1])


def test_a_film_contained_in_an_odd_sized_panel_has_black_bands(settings, store, clock, fonts,
                                                                 tmp_path):
    """Scaled to 150x38 (rows of 600 bytes, not a multiple of swscale's alignment) and
    centred, with black above and below."""
    panel = emulated_panel((150, 100))
    player = player_on(settings, store, clock, panel, fonts)
    film = make_film(tmp_path / "bands.mp4", fps=30, seconds=2, size=SIZE)
    publish(store, {"kind": "video", "asset": add_film(store, film), "fit": "contain",
                    "duration": "10s"})
    times = [n / 30 for n in range(60)]
    frames = run_frames(player, clock, panel, 1.5)
    player.compositor.close()
    for into, frame in frames[-10:]:
        shown = frame_number(frame, pygame.Rect(0, 31, 150, 38))
        assert within_one_frame(shown, into, times, 2.0), f"at {into:.3f}s"
        assert tuple(frame.get_at((75, 10)))[:3] == (0, 0, 0) == tuple(frame.get_at((75, 90)))[:3]


def test_a_variable_frame_rate_film_keeps_its_times(player, store, clock, panel, tmp_path):
    times, at = [], 0.0
    for n in range(60):  # frames of 20, 50 and 90 ms in turn
        times.append(round(at, 3))
        at += (0.02, 0.05, 0.09)[n % 3]
    film = make_film(tmp_path / "vfr.mp4", fps=30, times=times, size=SIZE)
    publish(store, {"kind": "video", "asset": add_film(store, film), "duration": "10s"})
    frames = run_frames(player, clock, panel, 2.5)
    settled = [(into, frame) for into, frame in frames if CROSSFADE_S + 0.05 < into < times[-1]]
    assert len(settled) > 30
    for into, frame in settled:
        assert within_one_frame(frame_number(frame), into, times, at), f"at {into:.3f}s"


def test_a_film_loops_without_a_black_or_repeated_frame(player, store, clock, panel, tmp_path):
    film = make_film(tmp_path / "loop.mp4", fps=30, seconds=1, size=SIZE)
    publish(store, {"kind": "video", "asset": add_film(store, film), "duration": "10s"})
    frames = run_frames(player, clock, panel, 3.5)
    numbers = [frame_number(frame) for into, frame in frames if into > CROSSFADE_S + 0.05]
    assert None not in numbers
    assert numbers.count(0) >= 2  # it did go round
    for before, after in zip(numbers, numbers[1:]):
        assert after == (before + 1) % 30, numbers


def test_a_film_between_items_plays_from_its_start_each_round(player, store, clock, panel,
                                                              tmp_path):
    film = make_film(tmp_path / "round.mp4", fps=30, seconds=1, size=SIZE)
    publish(store, {"kind": "video", "asset": add_film(store, film), "loop": 2,
                    "transition": "cut"},
            {**message("Giữa"), "transition": "cut"}, name="rounds")
    frames = run_frames(player, clock, panel, 10)
    numbers = [(into, frame_number(frame)) for into, frame in frames]
    # Round one: the film twice (2 s), then the message (3 s); round two starts at 5 s.
    assert all(number is None for into, number in numbers if 2.05 < into < 4.95)
    into, first = next((into, n) for into, n in numbers if into > 4.95 and n is not None)
    assert into < 5.04 and first in (0, 1), (into, first)


def test_a_film_truncated_at_half_plays_that_half_then_the_next_item(player, store, clock,
                                                                    panel, tmp_path):
    film = make_film(tmp_path / "whole.mkv", fps=30, seconds=4, size=SIZE)
    data = film.read_bytes()
    cut = tmp_path / "half.mkv"
    cut.write_bytes(data[: len(data) // 2])
    publish(store, {"kind": "video", "asset": add_film(store, cut), "transition": "cut"},
            {**message("Tiếp theo", "5s"), "transition": "cut"})
    frames = run_frames(player, clock, panel, 4)
    numbers = [frame_number(frame) for into, frame in frames]
    played = [n for n in numbers if n is not None]
    assert played and 40 <= max(played) < 90  # about the first half, not the whole
    after = numbers[numbers.index(max(played)) + 1:]
    assert after and all(n is None for n in after)  # then the message, not the film again
    last = frames[-1][1]
    assert pygame.image.tobytes(last, "RGB") == pygame.image.tobytes(
        player.compositor.item_surface(Playlist.model_validate(
            {"name": "x", "items": [message("Tiếp theo", "5s")]}).items[0]), "RGB")
    for _into, frame in frames:
        assert pygame.image.tobytes(frame, "RGB").count(0) < 3 * SIZE[0] * SIZE[1]  # never black
    reports = [entry["message"] for entry in player.errors]
    assert any("truncated" in line for line in reports), reports


def test_preview_of_a_playlist_shows_the_films_frame_at_3s(tmp_path, fonts):
    make_film(tmp_path / "doc.mp4", fps=25, seconds=5, size=SIZE)
    source = tmp_path / "films.yaml"
    source.write_text("name: films\nitems:\n  - kind: video\n    asset: doc.mp4\n    fit: stretch\n",
                      encoding="utf-8")
    out = render_preview_file(source, 3.0, SIZE, tmp_path / "frame.png", fonts)
    assert frame_number(pygame.image.load(str(out))) == 75


def test_a_film_in_a_zone_under_a_ticker_fills_its_zone(settings, store, clock, fonts, tmp_path):
    panel = emulated_panel((256, 96))
    player = player_on(settings, store, clock, panel, fonts)
    film = make_film(tmp_path / "zone.mp4", fps=30, seconds=2, size=SIZE)
    store.content.publish_playlist(Playlist.model_validate({"name": "zones", "layout": [
        {"zone": "main", "rect": [0, 0, 256, 64],
         "items": [{"kind": "video", "asset": add_film(store, film), "duration": "10s"}]},
        {"zone": "ticker", "rect": [0, 64, 256, 32],
         "items": [{"kind": "ticker", "text": {"vi": "Xin chào", "en": "Hello", "zh": "你好"}}]},
    ]}), "test")
    frames = run_frames(player, clock, panel, 1.5)
    into, frame = frames[-1]
    times = [round(n / 30, 3) for n in range(60)]
    assert frame_number(frame, pygame.Rect(0, 0, 256, 64)) == expected_number(into + 1 / 60, times, 2.0)
    player.compositor.close()


def rgb(surface) -> bytes:
    return pygame.image.tobytes(surface, "RGB")


def assert_as_previewed(frames, store, clock, fonts, asset_path, name, size):
    """Each frame is what the preview draws at its time (every zone composed afresh)."""
    from signage.render.compositor import Compositor
    from signage.services.preview import frame_at

    preview = Compositor(size, fonts, asset_path)
    try:
        for into, frame in frames:
            expected = frame_at(preview, store.content.live_playlist(name).playlist, into,
                                clock.now())
            assert rgb(frame) == rgb(expected), f"at {into:.3f}s"
    finally:
        preview.close()


def test_a_full_panel_film_under_a_ticker_shows_both_as_a_preview_draws_them(
        settings, store, clock, fonts, tmp_path):
    """The film frame is handed to the panel as the frame itself, the ticker drawn over it:
    the same pixels as the preview, which composes every zone into a frame of its own."""
    panel = emulated_panel((256, 96))
    player = player_on(settings, store, clock, panel, fonts)
    film = make_film(tmp_path / "whole.mp4", fps=30, seconds=2, size=SIZE)
    store.content.publish_playlist(Playlist.model_validate({"name": "whole", "layout": [
        {"zone": "main", "rect": [0, 0, 256, 96], "items": [
            {"kind": "video", "asset": add_film(store, film), "fit": "stretch", "duration": "10s"}]},
        {"zone": "ticker", "rect": [0, 64, 256, 32],
         "items": [{"kind": "ticker", "text": {"vi": "Xin chào", "en": "Hello", "zh": "你好"}}]},
    ]}), "test")
    frames = run_frames(player, clock, panel, 1.5)[-3:]
    assert all(frame_number(frame, pygame.Rect(0, 0, 256, 64)) is not None for _, frame in frames)
    assert_as_previewed(frames, store, clock, fonts, player.compositor.asset_path, "whole",
                        (256, 96))
    player.compositor.close()


def test_after_a_full_panel_film_zones_that_changed_over_it_are_drawn_anew(
        settings, store, clock, fonts, tmp_path):
    """A zone over the film that changed while the film was the frame is drawn again in
    the compositor's frame when the film ends (that frame never saw the change)."""
    panel = emulated_panel((256, 96))
    player = player_on(settings, store, clock, panel, fonts)
    film = make_film(tmp_path / "under.mp4", fps=30, seconds=1, size=SIZE)
    store.content.publish_playlist(Playlist.model_validate({"name": "under", "layout": [
        {"zone": "main", "rect": [0, 0, 256, 96], "items": [
            {**message("Trước phim", "1s"), "transition": "cut"},
            {"kind": "video", "asset": add_film(store, film), "fit": "stretch", "transition": "cut"},
            {**message("Sau phim", "5s"), "transition": "cut"}]},
        {"zone": "corner", "rect": [160, 0, 96, 40], "items": [
            {**message("Một", "1.5s"), "transition": "cut"},
            {**message("Hai", "10s"), "transition": "cut"}]},
    ]}), "test")
    frames = run_frames(player, clock, panel, 2.6)
    assert any(frame_number(frame, pygame.Rect(0, 40, 256, 56)) is not None
               for into, frame in frames if 1.6 < into < 1.95)
    assert_as_previewed([(into, frame) for into, frame in frames if 2.05 < into],
                        store, clock, fonts, player.compositor.asset_path, "under", (256, 96))
    player.compositor.close()


def test_import_stores_a_film_a_playlist_names_by_path(store, tmp_path):
    from signage.services.importer import import_paths

    make_film(tmp_path / "doc.mp4", fps=25, seconds=1, size=SIZE, metadata={"title": "Bí mật"})
    (tmp_path / "films.yaml").write_text(
        "name: films\nitems:\n  - kind: video\n    asset: doc.mp4\n", encoding="utf-8")
    import_paths(store, [tmp_path / "films.yaml"])
    (item,) = store.content.live_playlist("films").playlist.items
    stored = store.assets.get(item.asset)
    assert stored.media_type == "video/mp4" and (stored.width, stored.height) == SIZE
    assert "Bí mật".encode() not in store.assets.path(item.asset).read_bytes()


def test_validate_names_a_film_file_that_would_be_refused(tmp_path):
    from signage.content.documents import DocumentError
    from signage.services.importer import check_asset_files, read_playlist

    make_film(tmp_path / "old.mp4", fps=25, seconds=1, size=SIZE, codec="mpeg4")
    source = tmp_path / "films.yaml"
    source.write_text("name: films\nitems:\n  - kind: video\n    asset: old.mp4\n", encoding="utf-8")
    document, playlist = read_playlist(source)
    with pytest.raises(DocumentError) as caught:
        check_asset_files(source, document, playlist)
    (problem,) = caught.value.problems
    assert problem.path == "items[0].asset" and problem.line == 4 and "(mpeg4)" in problem.reason


def test_status_shows_the_films_position_and_dropped_frames(player, store, clock, panel, tmp_path):
    from signage.player.status import status_document

    film = make_film(tmp_path / "status.mp4", fps=30, seconds=2, size=SIZE)
    publish(store, {"kind": "video", "asset": add_film(store, film), "duration": "10s"})
    frames = run_frames(player, clock, panel, 1.5)
    document = status_document(player, clock.monotonic() - 1 / LOOP_FPS)
    film_status = document["zones"][0]["film"]
    assert document["zones"][0]["kind"] == "video"
    assert film_status["position_s"] == pytest.approx(frames[-1][0], abs=1 / 30)
    assert film_status["dropped_frames"] == 0


def test_proof_of_play_records_a_film_with_the_hash_of_its_first_frame(player, store, clock,
                                                                        panel, tmp_path):
    from signage.player.proof import frame_sha256

    film = make_film(tmp_path / "proof.mp4", fps=30, seconds=1, size=SIZE)
    publish(store, {"kind": "video", "asset": add_film(store, film), "transition": "cut"},
            {**message("Sau phim", "2s"), "transition": "cut"})
    frames = run_frames(player, clock, panel, 4)
    player.proof.close(player.write_store, clock.now())
    everything = store.records.plays(clock.now() - dt.timedelta(days=1), clock.now() + dt.timedelta(days=1))
    plays = [play for play in everything if play.kind == "video"]
    assert plays
    first_shown = next(frame for into, frame in frames if frame_number(frame) is not None)
    assert frame_number(first_shown) == 0
    assert plays[0].frame_sha256 == frame_sha256(first_shown)
    # Round two (3 s in) starts within a frame of its time: its first frame is 0 or 1.
    starts = {frame_sha256(frame) for into, frame in frames if frame_number(frame) in (0, 1)}
    assert len(plays) == 2 and plays[1].frame_sha256 in starts


def test_a_film_crossfades_in_over_the_item_before_it(player, store, clock, panel, tmp_path):
    film = make_film(tmp_path / "fade.mp4", fps=30, seconds=2, size=SIZE)
    publish(store, {**message("Trước phim", "2s"), "transition": "cut"},
            {"kind": "video", "asset": add_film(store, film), "duration": "3s",
             "transition": {"kind": "crossfade", "duration": "0.6s"}})
    frames = run_frames(player, clock, panel, 3)
    midway = next(frame for into, frame in frames if 2.25 < into < 2.35)
    after = next(frame for into, frame in frames if 2.7 < into)
    assert frame_number(midway) is None  # a blend: neither the message nor the film alone
    alone = player.compositor.item_surface(Playlist.model_validate(
        {"name": "x", "items": [message("Trước phim", "2s")]}).items[0])
    assert pygame.image.tobytes(midway, "RGB") != pygame.image.tobytes(alone, "RGB")
    assert pygame.image.tobytes(midway, "RGB").count(0) < 3 * SIZE[0] * SIZE[1]
    assert frame_number(after) is not None
