"""Items become panel pictures: images fitted, captions and backgrounds, never black."""

import io
import weakref

import pygame
import pytest
from PIL import Image

from signage.content.models import Playlist
from signage.render.compositor import Compositor, ItemError
from signage.render.pictures import SPARE_SURFACES
from tests.conftest import add_image

SIZE = (200, 100)


@pytest.fixture
def compositor(store, fonts):
    return Compositor(SIZE, fonts, store.assets.path)


def stored_image(store, size, colour=(0, 200, 0)) -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return add_image(store, buffer.getvalue())


def item(data):
    return Playlist.model_validate({"name": "x", "items": [data]}).items[0]


def rgb(surface, x, y):
    return tuple(surface.get_at((x, y)))[:3]


def test_contain_letterboxes_a_tall_image(compositor, store):
    ref = stored_image(store, (50, 100))
    picture = compositor.item_surface(item({"kind": "image", "asset": ref, "fit": "contain"}))
    assert rgb(picture, 100, 50) == (0, 200, 0)  # the image, centred
    assert rgb(picture, 5, 50) == (0, 0, 0) and rgb(picture, 195, 50) == (0, 0, 0)  # bars


def test_cover_fills_the_panel(compositor, store):
    ref = stored_image(store, (50, 100))
    picture = compositor.item_surface(item({"kind": "image", "asset": ref, "fit": "cover"}))
    assert all(rgb(picture, x, y) == (0, 200, 0) for x, y in [(0, 0), (199, 99), (5, 50)])


def test_a_caption_is_drawn_on_a_plate_at_the_bottom(compositor, store):
    ref = stored_image(store, (200, 100), (250, 250, 250))
    plain = compositor.item_surface(item({"kind": "image", "asset": ref}))
    captioned = compositor.item_surface(item({"kind": "image", "asset": ref, "caption": {
        "vi": "Cao nguyên đá", "en": "Karst plateau", "zh": "喀斯特高原"}}))
    assert rgb(captioned, 100, 10) == rgb(plain, 100, 10)  # top untouched
    assert rgb(captioned, 2, 98) < rgb(plain, 2, 98)  # darker plate at the bottom


def test_a_message_over_a_background_darkens_it_for_contrast(compositor, store):
    ref = stored_image(store, (200, 100), (255, 255, 255))
    picture = compositor.item_surface(item({"kind": "message", "background": ref,
                                            "text": {"vi": "A", "en": "B", "zh": "中"}}))
    assert max(rgb(picture, 1, 1)) < 160


def test_a_missing_image_is_an_item_error(compositor):
    with pytest.raises(ItemError, match="missing"):
        compositor.item_surface(item({"kind": "image", "asset": "sha256:" + "a" * 64}))


def test_a_corrupt_image_is_an_item_error(compositor, store):
    ref = stored_image(store, (10, 10))
    store.assets.path(ref).write_bytes(b"\x89PNG garbage")
    with pytest.raises(ItemError, match="cannot decode"):
        compositor.item_surface(item({"kind": "image", "asset": ref}))


def test_rendered_items_are_cached(compositor):
    message = item({"kind": "message", "text": {"vi": "A", "en": "B", "zh": "中"}})
    assert compositor.item_surface(message) is compositor.item_surface(message)


def test_crossfade_runs_from_before_to_after(compositor):
    before, after = pygame.Surface(SIZE), pygame.Surface(SIZE)
    before.fill((200, 0, 0))
    after.fill((0, 0, 200))
    assert rgb(compositor.crossfade(before, after, 0.0), 0, 0) == (200, 0, 0)
    middle = rgb(compositor.crossfade(before, after, 0.5), 0, 0)
    assert 80 < middle[0] < 120 and 80 < middle[2] < 120
    assert compositor.crossfade(before, after, 1.0) is after


def test_the_standby_card_is_not_black(compositor):
    standby = compositor.standby()
    raw = pygame.image.tobytes(standby, "RGB")
    assert standby.get_size() == SIZE and max(raw) > 200  # white text on a blue field


def test_pictures_convert_exactly_across_band_edges(store):
    from signage.render.pictures import BAND_ROWS, to_surface

    noise = Image.effect_noise((37, 2 * BAND_ROWS + 5), 90)  # grey: give each channel its own
    image = Image.merge("RGB", (noise, noise.rotate(90), noise.transpose(Image.Transpose.FLIP_LEFT_RIGHT)))
    surface = to_surface(image)
    assert pygame.image.tobytes(surface, "RGB") == image.tobytes()
    assert surface.get_bitsize() == 32 and not surface.get_flags() & pygame.SRCALPHA


def test_the_cache_holds_at_least_two_panels(fonts, store):
    from signage.render.compositor import CACHE_BYTES, cache_budget

    assert cache_budget((384, 192)) == CACHE_BYTES
    assert cache_budget((3840, 2160)) == 2 * 3840 * 2160 * 4
    assert Compositor((3840, 2160), fonts, store.assets.path).cache_bytes == 2 * 3840 * 2160 * 4


def one_picture_cache(fonts, store):
    """A compositor with room for one picture, an empty spare pool, and four images
    (red, blue, green, grey)."""
    SPARE_SURFACES.clear()
    compositor = Compositor(SIZE, fonts, store.assets.path, cache_bytes=SIZE[0] * SIZE[1] * 4)
    colours = [(200, 0, 0), (0, 0, 200), (0, 200, 0), (90, 90, 90)]
    return compositor, [item({"kind": "image", "asset": stored_image(store, SIZE, c)})
                        for c in colours]


def test_surfaces_of_pictures_no_longer_shown_are_drawn_over_by_the_next(fonts, store):
    # Making a 1920x1080 surface holds the GIL for ~3 ms, so an evicted picture's surface
    # is reused for the next one; the next picture must still come out whole and right.
    compositor, images = one_picture_cache(fonts, store)
    first = weakref.ref(compositor.visual(images[0], SIZE).surface)  # weak: not a holder
    compositor.end_frame()
    for image in images[1:3]:  # each frame shows one picture; the third evicts the first
        compositor.visual(image, SIZE)
        compositor.end_frame()  # calm: an evicted surface goes back to be drawn over
    last = compositor.visual(images[3], SIZE).picture(0.0, None)
    assert last is first()
    assert {rgb(last, x, y) for x in (0, 199) for y in (0, 99)} == {(90, 90, 90)}


def test_a_picture_someone_still_holds_is_never_drawn_over(fonts, store):
    compositor, images = one_picture_cache(fonts, store)
    held = compositor.item_surface(images[0])  # a preview keeps the picture it was given
    for image in images[1:]:
        compositor.end_frame()
        compositor.item_surface(image)
        compositor.end_frame()
    assert {rgb(held, x, y) for x in (0, 199) for y in (0, 99)} == {(200, 0, 0)}
