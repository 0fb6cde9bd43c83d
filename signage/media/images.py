"""Image assets: the type decided by content, a refusal for what is unsafe to decode, and
the clean copy the panel shows (re-encoded, without metadata, no larger than it needs).

Pure apart from Pillow: bytes (or a readable file) in, facts or clean bytes out. Every
refusal is a ContentError on the field `asset` whose reason says what to do.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import unicodedata
import warnings
from typing import BinaryIO, Iterator

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from signage.errors import ContentError

ACCEPTED_IMAGE_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
MAX_ASSET_BYTES = 25 * 1024 * 1024
MAX_ASSET_PIXELS = 40_000_000  # checked from the header, before any decoding
JPEG_QUALITY = 90
WEBP_QUALITY = 90
MAX_NAME_CHARS = 120
FIELD = "asset"

# Files people send by mistake, recognised by their first bytes so the refusal can say
# what the file is. Pillow is never asked to parse them (see _opened).
_OTHER_KINDS = (
    (b"GIF8", "a GIF image"), (b"BM", "a BMP image"), (b"II*\0", "a TIFF image"),
    (b"MM\0*", "a TIFF image"), (b"%PDF", "a PDF document"), (b"#!", "a script"),
)
_DAMAGED = "is damaged or cut short and cannot be decoded; export it again as PNG, JPEG or WebP"
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))

Source = bytes | BinaryIO


@dataclasses.dataclass(frozen=True)
class ImageFacts:
    """What the header says: the accepted type and the size in pixels."""

    media_type: str
    width: int
    height: int


@dataclasses.dataclass(frozen=True)
class CleanImage:
    """A re-encoded image ready to store: no metadata, sRGB, at most what the panel needs."""

    data: bytes
    media_type: str
    width: int
    height: int

    @property
    def ref(self) -> str:
        return "sha256:" + hashlib.sha256(self.data).hexdigest()


def inspect_image(source: Source) -> ImageFacts:
    """The type and size of an accepted image, checked without keeping its pixels."""
    with _opened(source) as image:
        facts = ImageFacts(ACCEPTED_IMAGE_FORMATS[image.format], *image.size)
        image.verify()  # walks the file (PNG chunk CRCs) without keeping pixels
    return facts


def check_asset_bytes(size: int) -> None:
    """Refuse image bytes to be stored that are over MAX_ASSET_BYTES (a ContentError)."""
    if size > MAX_ASSET_BYTES:
        raise _refused(f"is {size} bytes; the limit is {MAX_ASSET_BYTES}: scale it down or "
                       "save it with more compression", "bytes", size=size, limit=MAX_ASSET_BYTES)


def inspect_asset(data: bytes) -> ImageFacts:
    """What the store keeps about image bytes it is given as they are (an imported file):
    the size checked, then the type and pixels from a full check of the file."""
    check_asset_bytes(len(data))
    return inspect_image(data)


def clean_image(source: Source, panel: tuple[int, int] | None = None) -> CleanImage:
    """A re-encoded copy of an accepted image: upright, sRGB, metadata gone, and scaled
    down (never up, aspect kept) to cover `panel` and no more."""
    with _opened(source) as image:
        kind = image.format
        if kind == "JPEG" and panel:
            # Decode a large JPEG at 1/2, 1/4 or 1/8 scale when that still covers the panel.
            image.draft("RGB", _cover_size(image.size, _raw_panel(image, panel)))
        image.load()
        ImageOps.exif_transpose(image, in_place=True)  # in place: no second full copy
        picture = _in_srgb(image, image.info.get("icc_profile"), kind)
        if panel:
            target = _cover_size(picture.size, panel)
            if target != picture.size:
                picture = picture.resize(target, Image.Resampling.LANCZOS, reducing_gap=3.0)
        return CleanImage(_encode(picture, kind), ACCEPTED_IMAGE_FORMATS[kind], *picture.size)


def display_name(raw: str | bytes | None) -> str | None:
    """A client's file name made safe to keep and show: the last path part, printable
    characters only, at most MAX_NAME_CHARS. Never used as a path."""
    if raw is None:
        return None
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    text = unicodedata.normalize("NFC", text.replace("\\", "/")).rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] not in "CZ" or ch == " ")
    text = text.strip(" .")[:MAX_NAME_CHARS]
    return text or None


def _cover_size(size: tuple[int, int], panel: tuple[int, int]) -> tuple[int, int]:
    """`size` scaled down so it still covers `panel` (what `fit: cover` needs); never up."""
    width, height = size
    scale = max(panel[0] / width, panel[1] / height)
    if scale >= 1:
        return size
    return max(1, round(width * scale)), max(1, round(height * scale))


def _raw_panel(image: Image.Image, panel: tuple[int, int]) -> tuple[int, int]:
    """The panel in the file's own orientation (EXIF may turn the picture by 90°)."""
    turned = image.getexif().get(ImageOps.ExifTags.Base.Orientation, 1) in (5, 6, 7, 8)
    return (panel[1], panel[0]) if turned else panel


@contextlib.contextmanager
def _opened(source: Source) -> Iterator[Image.Image]:
    """The image opened from its header, with the pixel cap and Pillow's bomb check as
    refusals; decoding errors inside the block become refusals too."""
    stream = io.BytesIO(source) if isinstance(source, (bytes, bytearray)) else source
    head = stream.read(16)
    stream.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # formats=: only these parsers ever see the bytes (no EPS, no TIFF, ...).
            with Image.open(stream, formats=tuple(ACCEPTED_IMAGE_FORMATS)) as image:
                _check_pixels(*image.size)
                yield image
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refused("has too many pixels to decode safely; scale it down to at most "
                       f"{MAX_ASSET_PIXELS // 1_000_000} megapixels", "bomb",
                       megapixels=MAX_ASSET_PIXELS // 1_000_000) from None
    except UnidentifiedImageError:
        raise _refused(*_unaccepted_reason(head)) from None
    except (OSError, SyntaxError, ValueError, EOFError, IndexError):
        # Pillow's ways of saying "damaged": truncated data, bad chunks, bad markers.
        raise _refused(_DAMAGED, "damaged") from None


def _check_pixels(width: int, height: int) -> None:
    if width * height > MAX_ASSET_PIXELS:
        raise _refused(f"is {width}x{height} pixels; the limit is "
                       f"{MAX_ASSET_PIXELS // 1_000_000} megapixels: scale it down", "pixels",
                       width=width, height=height, megapixels=MAX_ASSET_PIXELS // 1_000_000)


def _unaccepted_reason(head: bytes) -> tuple[str, str]:
    """Why these first bytes are no accepted image, and that mistake's key (for wording)."""
    if head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")) or (
            head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return _DAMAGED, "damaged"
    for signature, kind in _OTHER_KINDS:
        if head.startswith(signature):
            return f"is {kind}; use PNG, JPEG or WebP", "other_kind"
    if b"<svg" in head.lower() or head.lstrip().startswith(b"<"):
        return "is SVG or other markup, not a picture; export it as PNG, JPEG or WebP", "markup"
    return "is not a readable PNG, JPEG or WebP image; export it as one of those", "not_image"


def _in_srgb(image: Image.Image, icc: bytes | None, kind: str) -> Image.Image:
    """The pixels in sRGB and a plain mode (RGB, or RGBA when there is transparency)."""
    mode = "RGB" if kind == "JPEG" or not _has_alpha(image) else "RGBA"
    image = _to_8_bit(image)
    if icc:
        try:
            profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            return ImageCms.profileToProfile(image, profile, _SRGB, outputMode=mode)
        except (ImageCms.PyCMSError, OSError, ValueError):
            pass  # a broken or mismatched profile: keep the pixels as they are
    try:
        return image if image.mode == mode else image.convert(mode)
    except ValueError:
        raise _refused(f"uses a pixel format Pillow cannot convert ({image.mode}); save it "
                       "as 8-bit RGB", "pixel_format", mode=image.mode) from None


# Modes holding more than 8 bits a sample. Pillow's convert() to RGB clips them at 255
# instead of scaling: a 16-bit greyscale gradient would be stored as a white rectangle.
_WIDE_MODES = {"I;16": 65535, "I;16B": 65535, "I;16L": 65535, "I;16N": 65535, "I": 65535,
               "F": 1.0}


def _to_8_bit(image: Image.Image) -> Image.Image:
    """8-bit greyscale ("L") for a high-depth image, its full range scaled to 0-255."""
    top = _WIDE_MODES.get(image.mode)
    if top is None:
        return image
    wide = image if image.mode in ("I", "F") else image.convert("I")
    return wide.point(lambda value: value * (255 / top)).convert("L")


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def _encode(picture: Image.Image, kind: str) -> bytes:
    """Fresh bytes with no metadata: nothing from the original's info is carried over."""
    picture.info = {}  # PNG's encoder falls back to info['icc_profile'], so clear it
    out = io.BytesIO()
    if kind == "PNG":
        picture.save(out, "PNG", compress_level=6)
    elif kind == "JPEG":
        picture.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        picture.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()


def _refused(reason: str, mistake: str = "", **params: object) -> ContentError:
    """A refusal on the image; `mistake` and `params` let other faces word it (wording.py's
    image_refused/<mistake>)."""
    refusal = ContentError([(FIELD, reason)])
    refusal.params = {"mistake": mistake, **params} if mistake else {}  # type: ignore[attr-defined]
    return refusal
