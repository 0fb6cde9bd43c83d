"""Zones play their own items in their boxes; only changed zones are redrawn; failures fall back."""

import datetime as dt
import io
import time

import pygame
import pytest
from PIL import Image

from signage.models import Playlist
from signage.render.compositor import Compositor
from signage.render.stage import Stage

SIZE = (384, 192)
NOW = dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.timezone.utc)


def msg(vi, duration="4s", **fields):
    return {"kind": "message", "duration": duration, "text": {"vi": vi, "en": "English", "zh": "中文"},
            **fields}


def layout(*zones):
    return Playlist.model_validate({"name": "z", "layout": [
        {"zone": name, "rect": rect, "items": items} for name, rect, items in zones]})


def raw(surface):
    return pygame.image.tobytes(surface, "RGBX")


def region(surface, box):
    return raw(surface.subsurface(box))


@pytest.fixture
def compositor(store, fonts):
    return Compositor(SIZE, fonts, store.asset_path)


def stage_of(compositor, playlist, reports=None):
    stage = Stage(compositor, playlist, (reports.append if reports is not None else None))
    stage.start(0.0)
    return stage


def stored_image(store, colour=(0, 180, 0)):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 16), colour).save(buffer, "PNG")
    return store.add_asset(buffer.getvalue())


def test_each_zone_shows_its_own_item_in_its_box(compositor):
    playlist = layout(("top", [0, 0, "100%", "50%"], [msg("Trên")]),
                      ("bottom", [0, "50%", "100%", "50%"], [msg("Dưới")]))
    stage = stage_of(compositor, playlist)
    stage.render(1.0, NOW)
    top, bottom = (zone.items[0] for zone in stage.zones)
    assert region(compositor.frame, (0, 0, 384, 96)) == raw(compositor.visual(top, (384, 96)).surface)
    assert region(compositor.frame, (0, 96, 384, 96)) == raw(compositor.visual(bottom, (384, 96)).surface)


def test_a_static_frame_redraws_nothing_and_a_ticker_only_its_strip(compositor):
    playlist = layout(("main", [0, 0, "100%", "75%"], [msg("Tĩnh", "1h")]),
                      ("ticker", [0, "75%", "100%", "25%"],
                       [{"kind": "ticker", "text": {"vi": "Chạy", "en": "Run", "zh": "跑"}}]))
    stage = stage_of(compositor, playlist)
    assert stage.render(0.0, NOW) != []
    assert stage.render(1.0, NOW) == [pygame.Rect(0, 144, 384, 48)]
    still = Stage(compositor, layout(("main", [0, 0, "100%", "100%"], [msg("Tĩnh", "1h")])))
    still.start(0.0)
    still.render(0.0, NOW)
    assert still.render(1.0, NOW) == [] and still.render(2.0, NOW) == []


def test_items_in_a_zone_change_with_time_through_their_transition(compositor):
    playlist = Playlist.model_validate({"name": "p", "items": [
        msg("Một", "2s"), msg("Hai", "2s", transition={"kind": "wipe", "duration": "1s"})]})
    stage = stage_of(compositor, playlist)
    first, second = (compositor.item_surface(item) for item in playlist.items)
    stage.render(1.0, NOW)
    assert raw(compositor.frame) == raw(first)
    stage.render(2.5, NOW)  # half way through the wipe: new on the left, old on the right
    assert region(compositor.frame, (0, 0, 150, 192)) == region(second, (0, 0, 150, 192))
    assert region(compositor.frame, (234, 0, 150, 192)) == region(first, (234, 0, 150, 192))
    assert stage.moving
    stage.render(3.1, NOW)
    assert raw(compositor.frame) == raw(second) and not stage.moving


def test_the_same_time_gives_the_same_frame_however_it_was_reached(compositor, store, fonts):
    playlist = Playlist.model_validate({"name": "p", "items": [msg("Một", "1s"), msg("Hai", "1s")],
                                        "transition": "slide-up"})
    stepped = stage_of(compositor, playlist)
    for n in range(40):
        stepped.render(n / 30, NOW)
    stepped_frame = raw(compositor.frame)
    fresh = stage_of(Compositor(SIZE, fonts, store.asset_path), playlist)
    fresh.render(39 / 30, NOW)
    assert raw(fresh.compositor.frame) == stepped_frame


def test_a_failed_item_is_dropped_and_reported(compositor, store):
    ref = stored_image(store)
    store.asset_path(ref).unlink()
    reports = []
    playlist = layout(("main", [0, 0, "100%", "100%"],
                       [{"kind": "image", "asset": ref, "duration": "2s"}, msg("Còn lại")]))
    stage = stage_of(compositor, playlist, reports)
    stage.render(0.5, NOW)
    assert reports and reports[0].startswith("skipping item 0 (image) of z zone main:")
    assert raw(compositor.frame) == raw(compositor.item_surface(playlist.layout[0].items[1]))
    assert stage.status(0.5)[0]["index"] == 1


def test_a_zone_with_nothing_playable_shows_the_standby_card_or_a_quiet_fill(compositor, store):
    ref = stored_image(store)
    store.asset_path(ref).unlink()
    image = [{"kind": "image", "asset": ref}]
    playlist = layout(("big", [0, 0, "100%", "75%"], image), ("small", [0, "75%", 60, "25%"], image))
    stage = stage_of(compositor, playlist, [])
    stage.render(0.0, NOW)
    assert region(compositor.frame, (0, 0, 384, 144)) == raw(compositor.standby((384, 144)))
    small = region(compositor.frame, (0, 144, 60, 48))
    assert small == raw(compositor.standby((60, 48)))
    assert max(small) > 0  # never black
    assert stage.standby and stage.status(0.0)[0]["kind"] == "standby"


def test_uncovered_parts_of_the_panel_show_the_backdrop_not_black(compositor):
    stage = stage_of(compositor, layout(("corner", [0, 0, 100, 50], [msg("Góc")])))
    stage.render(0.0, NOW)
    assert tuple(compositor.frame.get_at((300, 150)))[:3] != (0, 0, 0)


def test_status_lists_each_zone(compositor):
    playlist = layout(("main", [0, 0, "100%", "75%"], [msg("Một", "3s"), msg("Hai")]),
                      ("clock", [0, "75%", "100%", "25%"], [{"kind": "clock"}]))
    stage = stage_of(compositor, playlist)
    assert stage.status(4.0) == [
        {"zone": "main", "index": 1, "kind": "message", "label": "Hai", "remaining_s": 3.0},
        {"zone": "clock", "index": 0, "kind": "clock", "label": "Asia/Ho_Chi_Minh, Asia/Shanghai",
         "remaining_s": 6.0}]


def test_the_next_item_is_prepared_in_the_background(store, fonts):
    background = Compositor(SIZE, fonts, store.asset_path, background=True)
    try:
        playlist = Playlist.model_validate({"name": "p", "items": [
            msg("Một"), {"kind": "image", "asset": stored_image(store), "caption": {
                "vi": "Ảnh", "en": "Picture", "zh": "图片"}}]})
        stage = stage_of(background, playlist)
        stage.render(0.0, NOW)
        upcoming = playlist.items[1]
        deadline = time.monotonic() + 10
        while not background.is_ready(upcoming, SIZE) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert background.is_ready(upcoming, SIZE)
        on_demand = Compositor(SIZE, fonts, store.asset_path)
        assert raw(background.item_surface(upcoming)) == raw(on_demand.item_surface(upcoming))
    finally:
        background.close()


def test_the_picture_cache_is_bounded_by_bytes(store, fonts):
    picture_bytes = SIZE[0] * SIZE[1] * 4
    compositor = Compositor(SIZE, fonts, store.asset_path, cache_bytes=3 * picture_bytes)
    playlist = Playlist.model_validate({"name": "p", "items": [msg(f"Số {n}") for n in range(8)]})
    for item in playlist.items:
        compositor.item_surface(item)
    assert compositor.cached_bytes <= 3 * picture_bytes
    assert compositor.is_ready(playlist.items[-1], SIZE)
