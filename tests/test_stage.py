"""Zones play their own items in their boxes; only changed zones are redrawn; failures fall back."""

import datetime as dt
import io
import time

import pygame
import pytest
from PIL import Image

from signage.content.models import Playlist
from signage.render.compositor import Compositor
from signage.render.stage import Stage, visible_parts
from tests.conftest import add_image

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
    return Compositor(SIZE, fonts, store.assets.path)


def stage_of(compositor, playlist, reports=None):
    stage = Stage(compositor, playlist, (reports.append if reports is not None else None))
    stage.start(0.0)
    return stage


def stored_image(store, colour=(0, 180, 0)):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 16), colour).save(buffer, "PNG")
    return add_image(store, buffer.getvalue())


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
    fresh = stage_of(Compositor(SIZE, fonts, store.assets.path), playlist)
    fresh.render(39 / 30, NOW)
    assert raw(fresh.compositor.frame) == stepped_frame


def test_a_failed_item_is_dropped_and_reported(compositor, store):
    ref = stored_image(store)
    store.assets.path(ref).unlink()
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
    store.assets.path(ref).unlink()
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
    background = Compositor(SIZE, fonts, store.assets.path, background=True)
    try:
        playlist = Playlist.model_validate({"name": "p", "items": [
            msg("Một"), {"kind": "image", "asset": stored_image(store), "caption": {
                "vi": "Ảnh", "en": "Picture", "zh": "图片"}}]})
        stage = stage_of(background, playlist)
        stage.render(0.0, NOW)
        upcoming = playlist.items[1]
        # Asked for during the frame, started once the frame is out (as the player does).
        assert background.busy() and not background.is_ready(upcoming, SIZE)
        background.start_background_work()
        deadline = time.monotonic() + 10
        while not background.is_ready(upcoming, SIZE) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert background.is_ready(upcoming, SIZE)
        on_demand = Compositor(SIZE, fonts, store.assets.path)
        assert raw(background.item_surface(upcoming)) == raw(on_demand.item_surface(upcoming))
    finally:
        background.close()


def test_the_picture_cache_is_bounded_by_bytes(store, fonts):
    picture_bytes = SIZE[0] * SIZE[1] * 4
    compositor = Compositor(SIZE, fonts, store.assets.path, cache_bytes=3 * picture_bytes)
    playlist = Playlist.model_validate({"name": "p", "items": [msg(f"Số {n}") for n in range(8)]})
    for item in playlist.items:
        compositor.item_surface(item)
    assert compositor.cached_bytes <= 3 * picture_bytes
    assert compositor.is_ready(playlist.items[-1], SIZE)


def test_a_zone_is_drawn_only_where_no_later_zone_lies_over_it(compositor, store, fonts):
    """A full-panel crossfade under a strip: the strip is not redrawn, yet the frame is
    the same as one drawn from scratch, and the changed rectangles leave the strip out."""
    playlist = layout(("main", [0, 0, "100%", "100%"],
                       [msg("Một", "2s"), msg("Hai", "2s", transition={"kind": "crossfade", "duration": "1s"})]),
                      ("strip", [0, "75%", "100%", "25%"], [msg("Dải", "1h")]))
    stage = stage_of(compositor, playlist)
    stage.render(1.0, NOW)
    dirty = stage.render(2.5, NOW)  # half way through the crossfade
    assert dirty == [pygame.Rect(0, 0, 384, 144)]
    strip = playlist.layout[1].items[0]
    assert region(compositor.frame, (0, 144, 384, 48)) == raw(compositor.visual(strip, (384, 48)).surface)
    fresh = stage_of(Compositor(SIZE, fonts, store.assets.path), playlist)
    fresh.render(2.5, NOW)
    assert raw(fresh.compositor.frame) == raw(compositor.frame)


def test_a_zone_hidden_under_later_zones_is_never_drawn(compositor):
    playlist = layout(("under", [0, 0, "50%", "50%"], [msg("Dưới", "1s"), msg("Khuất", "1s")]),
                      ("over", [0, 0, "100%", "100%"], [msg("Trên", "1h")]))
    stage = stage_of(compositor, playlist)
    stage.render(0.0, NOW)
    assert stage.render(1.5, NOW) == []  # the hidden zone changed item: nothing to show
    assert raw(compositor.frame) == raw(compositor.visual(playlist.layout[1].items[0], SIZE).surface)


@pytest.mark.parametrize("covers, parts", [
    ([], [(0, 0, 100, 50)]),
    ([(0, 0, 100, 50)], []),
    ([(20, 10, 30, 20)], [(0, 0, 100, 10), (0, 30, 100, 20), (0, 10, 20, 20), (50, 10, 50, 20)]),
    ([(60, 0, 40, 20), (0, 36, 100, 14)], [(0, 20, 100, 16), (0, 0, 60, 20)]),
    ([(200, 0, 10, 10)], [(0, 0, 100, 50)]),
], ids=["uncovered", "all-covered", "hole", "corner-and-strip", "elsewhere"])
def test_visible_parts_are_the_box_less_what_covers_it(covers, parts):
    panel = pygame.Rect(0, 0, 100, 50)
    found = visible_parts(pygame.Rect(0, 0, 120, 50), [pygame.Rect(c) for c in covers], panel)
    assert found == [pygame.Rect(p) for p in parts]
    assert sum(p.width * p.height for p in found) == 100 * 50 - sum(
        pygame.Rect(c).clip(panel).width * pygame.Rect(c).clip(panel).height for c in covers)


def test_pictures_on_screen_stay_cached_even_beyond_the_bound(store, fonts):
    """Two zones whose pictures outgrow the cache must not re-render every frame."""
    compositor = Compositor(SIZE, fonts, store.assets.path, cache_bytes=1)
    playlist = layout(("top", [0, 0, "100%", "50%"], [msg("Trên", "1h")]),
                      ("bottom", [0, "50%", "100%", "50%"], [msg("Dưới", "1h")]))
    stage = stage_of(compositor, playlist)
    stage.render(0.0, NOW)
    top, bottom = (zone.items[0] for zone in stage.zones)
    shown = compositor.visual(top, (384, 96)), compositor.visual(bottom, (384, 96))
    for n in range(1, 4):
        stage.render(n, NOW)
    assert compositor.visual(top, (384, 96)) is shown[0]
    assert compositor.visual(bottom, (384, 96)) is shown[1]


def test_the_next_item_is_prepared_once_the_current_one_has_come_in(store, fonts):
    background = Compositor(SIZE, fonts, store.assets.path, background=True)
    try:
        playlist = Playlist.model_validate({"name": "p", "transition": {"kind": "wipe", "duration": "1s"},
                                            "items": [msg("Một", "5s"), msg("Hai", "5s"), msg("Ba", "5s")]})
        stage = stage_of(background, playlist)
        stage.render(5.5, NOW)  # "Hai" is wiping in: "Ba" must wait, not compete with it
        background.start_background_work()
        deadline = time.monotonic() + 10
        while background.busy() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not background.is_ready(playlist.items[2], SIZE)
        stage.render(6.5, NOW)
        background.start_background_work()
        while not background.is_ready(playlist.items[2], SIZE) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert background.is_ready(playlist.items[2], SIZE)
    finally:
        background.close()


def test_a_zone_shown_whole_lends_its_own_picture_to_proof_of_play(compositor, store):
    """Proof of play hashes the picture itself (no copy of the frame) only where the zone
    shows exactly it: the same bytes as the frame, and never where a zone lies over it."""
    image = {"kind": "image", "asset": stored_image(store), "duration": "4s", "fit": "stretch"}
    side_by_side = layout(("left", [0, 0, "50%", "100%"], [image]),
                          ("right", ["50%", 0, "50%", "100%"], [msg("Phải")]))
    stage = stage_of(compositor, side_by_side)
    stage.render(1.0, NOW)
    for i, zone in enumerate(stage.zones):
        kept = stage.kept_picture(i)
        assert kept is not None and raw(kept) == region(stage.frame, zone.box)
    under_a_band = layout(("main", [0, 0, "100%", "100%"], [image]),
                          ("band", [0, "75%", "100%", "25%"], [msg("Dải")]))
    stage = stage_of(compositor, under_a_band)
    stage.render(1.0, NOW)
    assert stage.kept_picture(0) is None  # the band's pixels are in the frame, not in the image
    assert stage.kept_picture(1) is not None


def test_a_zone_in_a_transition_lends_no_picture(compositor):
    playlist = layout(("main", [0, 0, "100%", "100%"],
                       [msg("Một", "2s"), msg("Hai", "2s", transition={"kind": "crossfade", "duration": "1s"})]))
    stage = stage_of(compositor, playlist)
    stage.render(2.5, NOW)  # half way through the crossfade
    assert stage.moving and stage.kept_picture(0) is None
    stage.render(3.5, NOW)
    assert raw(stage.kept_picture(0)) == raw(stage.frame)
