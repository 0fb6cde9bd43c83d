"""Image checks and clean copies: type by content, pixel caps before decoding, metadata
gone, scaled to cover the panel and no more."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from signage.media.images import (MAX_ASSET_BYTES, MAX_ASSET_PIXELS, CleanImage, ImageFacts,
                                  clean_image, display_name, inspect_asset, inspect_image)
from signage.errors import ContentError

PANEL = (768, 384)
SRGB_ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims `width`x`height` but whose pixel data is a few bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b""))


def camera_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0131] = "secret-editor 1.0"  # Software
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (22.0, 51.0, 7.5)  # latitude: the gate's position
    return exif


def linear_rgb_icc() -> bytes:
    """A minimal ICC v2 display profile: sRGB primaries, linear tone curves (gamma 1)."""
    def s15(value: float) -> bytes:
        return struct.pack(">i", round(value * 65536))

    def xyz(x: float, y: float, z: float) -> bytes:
        return b"XYZ " + b"\0" * 4 + s15(x) + s15(y) + s15(z)

    text = b"linear sRGB\0"
    desc = b"desc" + b"\0" * 4 + struct.pack(">I", len(text)) + text + b"\0" * 78
    curve = b"curv" + b"\0" * 4 + struct.pack(">I", 0)  # no entries: identity
    tags = [(b"desc", desc), (b"wtpt", xyz(0.9642, 1.0, 0.8249)),
            (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)), (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
            (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
            (b"rTRC", curve), (b"gTRC", curve), (b"bTRC", curve)]
    offset = 128 + 4 + 12 * len(tags)
    table = body = b""
    for signature, data in tags:
        data += b"\0" * (-len(data) % 4)
        table += signature + struct.pack(">II", offset + len(body), len(data))
        body += data
    header = (struct.pack(">I", offset + len(body)) + b"\0" * 4 + bytes([2, 0x10, 0, 0])
              + b"mntrRGB XYZ " + b"\0" * 12 + b"acsp" + b"\0" * 28
              + s15(0.9642) + s15(1.0) + s15(0.8249) + b"\0" * 48)
    return header + struct.pack(">I", len(tags)) + table + body


def png_chunk_types(data: bytes) -> list[bytes]:
    kinds, offset = [], 8
    while offset < len(data):
        length = struct.unpack(">I", data[offset:offset + 4])[0]
        kinds.append(data[offset + 4:offset + 8])
        offset += length + 12
    return kinds


def jpeg_markers(data: bytes) -> list[int]:
    """The segment markers before the image data (APPn hold EXIF, XMP, ICC)."""
    markers, offset = [], 2
    while offset < len(data) and data[offset] == 0xFF:
        marker = data[offset + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: the pixels follow
            break
        offset += 2 + struct.unpack(">H", data[offset + 2:offset + 4])[0]
    return markers


def webp_chunk_types(data: bytes) -> list[bytes]:
    kinds, offset = [], 12
    while offset + 8 <= len(data):
        kinds.append(data[offset:offset + 4])
        length = struct.unpack("<I", data[offset + 4:offset + 8])[0]
        offset += 8 + length + (length & 1)
    return kinds


# --- type by content -------------------------------------------------------------------


@pytest.mark.parametrize("fmt, media_type", [
    ("PNG", "image/png"), ("JPEG", "image/jpeg"), ("WEBP", "image/webp"),
])
def test_accepted_types_are_recognised_by_their_bytes(fmt, media_type):
    data = encoded(Image.new("RGB", (40, 20), (200, 30, 30)), fmt)

    assert inspect_image(data) == ImageFacts(media_type, 40, 20)
    clean = clean_image(data, PANEL)
    assert (clean.media_type, clean.width, clean.height) == (media_type, 40, 20)
    assert Image.open(io.BytesIO(clean.data)).format == fmt


@pytest.mark.parametrize("data, reason", [
    (b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "SVG"),
    (b"<?xml version='1.0'?><svg/>", "SVG"),
    (b"#!/bin/sh\nrm -rf /\n", "a script"),
    (encoded(Image.new("RGB", (8, 8)), "GIF"), "GIF image"),
    (encoded(Image.new("RGB", (8, 8)), "BMP"), "BMP image"),
    (encoded(Image.new("RGB", (8, 8)), "TIFF"), "TIFF image"),
    (b"just some text", "not a readable PNG, JPEG or WebP"),
    (encoded(Image.new("RGB", (64, 64)), "PNG")[:60], "damaged or cut short"),
    (encoded(Image.new("RGB", (64, 64)), "JPEG")[:200], "damaged or cut short"),
], ids=["svg", "xml-svg", "script", "gif", "bmp", "tiff", "text", "cut-png", "cut-jpeg"])
def test_anything_else_is_refused_with_what_it_is(data, reason):
    with pytest.raises(ContentError) as refused:
        clean_image(data, PANEL)
    assert refused.value.problems[0][0] == "asset"
    assert reason in refused.value.problems[0][1]
    with pytest.raises(ContentError):
        inspect_image(data)


@pytest.mark.parametrize("data, reason", [
    (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "is SVG or other markup"),
    (b"GIF89a" + b"\0" * 20, "GIF image; use PNG, JPEG or WebP"),
    (encoded(Image.new("RGB", (32, 16)), "BMP"), "BMP image; use PNG, JPEG or WebP"),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "damaged or cut short"),
    (b"\0" * (MAX_ASSET_BYTES + 1), f"the limit is {MAX_ASSET_BYTES}: scale it down"),
], ids=["svg", "gif", "bmp", "cut-png", "too-large"])
def test_a_file_stored_as_it_is_is_checked_by_content_and_size(data, reason):
    """What `signage import` checks before the store keeps a file's bytes unchanged."""
    with pytest.raises(ContentError) as refused:
        inspect_asset(data)
    assert refused.value.problems[0][0] == "asset" and reason in refused.value.problems[0][1]


def test_an_accepted_file_gives_the_facts_the_store_keeps():
    data = encoded(Image.new("RGB", (40, 20), (200, 30, 30)), "WEBP")
    assert inspect_asset(data) == ImageFacts("image/webp", 40, 20)


# --- pixels checked before decoding ----------------------------------------------------


def test_the_pixel_cap_is_checked_from_the_header_before_decoding():
    # 48 MP with almost no pixel data: a decode would fail as "damaged"; the cap answers first.
    with pytest.raises(ContentError) as refused:
        clean_image(png_header_only(8000, 6000), PANEL)
    assert "8000x6000 pixels; the limit is 40 megapixels" in str(refused.value)
    assert 8000 * 6000 > MAX_ASSET_PIXELS


@pytest.mark.parametrize("size", [(100_000, 100_000), (10_000, 10_000)],
                         ids=["past-pillow-error", "past-pillow-warning"])
def test_pillows_decompression_bomb_limit_is_a_refusal(size):
    for check in (inspect_image, lambda data: clean_image(data, PANEL)):
        with pytest.raises(ContentError) as refused:
            check(png_header_only(*size))
        assert "too many pixels to decode safely" in str(refused.value)


# --- the clean copy ----------------------------------------------------------------------


def test_a_large_photo_is_scaled_to_cover_the_panel_and_no_more():
    clean = clean_image(encoded(Image.new("RGB", (4000, 3000), (20, 90, 160)), "JPEG"), PANEL)

    # Cover needs 768 wide (4000 * 0.192); the height follows the aspect: 3000 * 0.192.
    assert (clean.width, clean.height) == (768, 576)
    assert Image.open(io.BytesIO(clean.data)).size == (768, 576)


def test_a_wide_banner_is_scaled_by_its_height():
    clean = clean_image(encoded(Image.new("RGB", (6000, 1000)), "PNG"), PANEL)
    assert (clean.width, clean.height) == (2304, 384)


def test_a_small_image_is_never_scaled_up():
    clean = clean_image(encoded(Image.new("RGB", (300, 100)), "PNG"), PANEL)
    assert (clean.width, clean.height) == (300, 100)


def test_without_a_panel_the_size_is_kept():
    clean = clean_image(encoded(Image.new("RGB", (2000, 1000)), "PNG"))
    assert (clean.width, clean.height) == (2000, 1000)


def test_a_turned_camera_photo_is_stored_upright():
    # Stored sideways (landscape) with "rotate 90° clockwise to view" (orientation 6):
    # the top of the scene (red) is on the file's left.
    sideways = Image.new("RGB", (400, 300), (0, 0, 255))
    sideways.paste((255, 0, 0), (0, 0, 200, 300))
    data = encoded(sideways, "JPEG", exif=camera_exif(orientation=6).tobytes())

    clean = clean_image(data, None)

    upright = Image.open(io.BytesIO(clean.data)).convert("RGB")
    assert upright.size == (300, 400)
    top, bottom = upright.getpixel((150, 20)), upright.getpixel((150, 380))
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]


def test_jpeg_metadata_is_gone():
    data = encoded(Image.new("RGB", (64, 32), (10, 120, 30)), "JPEG",
                   exif=camera_exif().tobytes(), icc_profile=SRGB_ICC, comment=b"taken at the gate")
    assert b"Canon" in data and 0xE1 in jpeg_markers(data)  # the input really carries it

    clean = clean_image(data, PANEL)

    assert b"Canon" not in clean.data and b"secret-editor" not in clean.data
    assert b"taken at the gate" not in clean.data
    assert not {0xE1, 0xE2, 0xFE} & set(jpeg_markers(clean.data))  # EXIF/XMP, ICC, comment
    stored = Image.open(io.BytesIO(clean.data))
    assert not stored.getexif() and "icc_profile" not in stored.info


def test_png_text_exif_and_icc_chunks_are_gone():
    text = PngImagePlugin.PngInfo()
    text.add_text("Author", "Nguyen Van A", zip=False)  # latin-1: a tEXt chunk
    text.add_text("Comment", "internal", zip=True)
    text.add_itxt("Description", "国门", lang="zh")
    data = encoded(Image.new("RGBA", (64, 32), (10, 120, 30, 128)), "PNG", pnginfo=text,
                   exif=camera_exif().tobytes(), icc_profile=SRGB_ICC)
    assert {b"tEXt", b"zTXt", b"iTXt", b"eXIf", b"iCCP"} <= set(png_chunk_types(data))

    clean = clean_image(data, PANEL)

    assert set(png_chunk_types(clean.data)) == {b"IHDR", b"IDAT", b"IEND"}
    assert Image.open(io.BytesIO(clean.data)).getpixel((3, 3)) == (10, 120, 30, 128)


def test_webp_metadata_is_gone():
    data = encoded(Image.new("RGB", (64, 32), (10, 120, 30)), "WEBP",
                   exif=camera_exif().tobytes(), icc_profile=SRGB_ICC)
    assert {b"EXIF", b"ICCP"} <= set(webp_chunk_types(data))

    clean = clean_image(data, PANEL)

    assert not {b"EXIF", b"ICCP", b"XMP "} & set(webp_chunk_types(clean.data))


def test_colours_in_another_profile_are_converted_to_srgb():
    # The same mid-grey byte means a brighter grey in linear light than in sRGB.
    data = encoded(Image.new("RGB", (8, 8), (128, 128, 128)), "PNG", icc_profile=linear_rgb_icc())

    clean = clean_image(data, PANEL)

    stored = Image.open(io.BytesIO(clean.data))
    assert "icc_profile" not in stored.info
    assert all(186 <= channel <= 190 for channel in stored.getpixel((4, 4)))  # sRGB 188


def test_an_srgb_profile_leaves_the_colours_as_they_are():
    data = encoded(Image.new("RGB", (8, 8), (200, 50, 50)), "JPEG", quality=100,
                   icc_profile=SRGB_ICC)

    pixel = Image.open(io.BytesIO(clean_image(data, PANEL).data)).getpixel((4, 4))

    assert all(abs(a - b) <= 3 for a, b in zip(pixel, (200, 50, 50)))


def test_a_broken_profile_is_dropped_and_the_pixels_kept():
    data = encoded(Image.new("RGB", (8, 8), (200, 50, 50)), "PNG", icc_profile=b"not a profile")

    clean = clean_image(data, PANEL)

    stored = Image.open(io.BytesIO(clean.data))
    assert stored.getpixel((4, 4)) == (200, 50, 50) and "icc_profile" not in stored.info


def test_the_same_picture_gives_the_same_id():
    data = encoded(Image.new("RGB", (1600, 800), (5, 6, 7)), "PNG")

    first, second = clean_image(data, PANEL), clean_image(io.BytesIO(data), PANEL)

    assert isinstance(first, CleanImage) and first == second
    assert first.ref.startswith("sha256:") and len(first.ref) == 7 + 64


# --- names are labels, never paths -------------------------------------------------------


@pytest.mark.parametrize("raw, label", [
    ("../../etc/passwd", "passwd"),
    (b"..\\..\\Windows\\win.ini", "win.ini"),
    ("gate\x00\n\r\tphoto.png", "gatephoto.png"),
    ("Cửa khẩu Thanh Thủy.jpg".encode(), "Cửa khẩu Thanh Thủy.jpg"),
    ("..", None), ("/", None), ("", None), (None, None),
    ("a" * 500 + ".png", "a" * 120),
])
def test_client_file_names_become_safe_labels(raw, label):
    assert display_name(raw) == label


def sixteen_bit_grey_gradient(width: int = 256, height: int = 4) -> bytes:
    """A PNG with 16-bit grey samples rising 0..65535 from left to right (written by hand:
    Pillow saves I;16 but some versions change the depth on the way)."""
    import struct
    import zlib

    row = b"\0" + b"".join(struct.pack(">H", x * 65535 // (width - 1)) for x in range(width))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", width, height, 16, 0, 0, 0, 0)  # 16-bit greyscale
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def test_a_16_bit_greyscale_gradient_is_kept_a_gradient_not_a_white_rectangle():
    import io

    from PIL import Image

    from signage.media.images import clean_image

    clean = clean_image(sixteen_bit_grey_gradient())
    stored = Image.open(io.BytesIO(clean.data)).convert("L")
    row = [stored.getpixel((x, 1)) for x in range(stored.width)]
    assert row[0] == 0 and row[-1] == 255
    assert abs(row[128] - 128) <= 1
    assert row == sorted(row) and len(set(row)) > 200  # every step of the ramp survives
