"""Fonts for vi, en and zh: finding the faces, glyph coverage, metrics and reference heights.

Vietnamese and English use Noto Sans Bold (stroke weight that survives LED pixel pitch);
Chinese uses the Simplified Chinese face of Noto Sans CJK Bold. The CJK collection holds
JP, KR, SC, TC and HK faces with different glyph forms for the same code points, so the
face index matters: a wall at a Chinese border must not show Japanese forms.

A character a language's face lacks is drawn, run by run on the same baseline, by the
first face that has it: the other language faces, then the fallback faces (Noto Sans
Symbols and Symbols2 by default: arrows, warning signs, aircraft; override with the
`fallback` key, SIGNAGE_FONT_FALLBACK='path[:index],path...'). Colour emoji are not
configured: a mono outline of a pictograph reads badly on LED pixels, so they are refused.

Below BOLD_BELOW_PX a regular-weight face (an override, or a box without the Bold files)
is emboldened by FreeType: thin strokes at small sizes light too few LEDs to read from
across the road. The default faces are Bold at every size.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

import pygame
import pygame.freetype

from signage.errors import SignageError
from signage.content.models import LANGUAGES

INSTALL_HINT = "install fonts-noto-core fonts-noto-cjk (`make run` does)"
LATIN_FAMILY = "Noto Sans"
REFERENCE_GLYPH = {"vi": "H", "en": "H", "zh": "中"}
BOLD_BELOW_PX = 24
BASIS_KEY = "basis"
MAX_CACHED_RUNS = 1 << 16  # glyph runs kept per FontBook (words and lines, a few MB)

# fontconfig patterns first, then the places distributions put the files.
_FC_PATTERN = {
    "vi": "Noto Sans:style=Bold:lang=vi",
    "en": "Noto Sans:style=Bold:lang=en",
    "zh": "Noto Sans CJK SC:style=Bold:lang=zh-cn",
}
_LATIN_PATHS = (
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/google-noto/NotoSans-Bold.ttf",
)
_CJK_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Bold.ttc",
)
_SEARCH_PATHS = {"vi": _LATIN_PATHS, "en": _LATIN_PATHS, "zh": _CJK_PATHS}
# A face is only suitable if it draws every letter its language needs.
_SAMPLES = {
    "vi": "AĂÂĐEÊOÔƠUƯaăâđeêoôơuưÁÀẢÃẠỨỪỬỮỰáàảãạứừửữựỹ",
    "en": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "zh": "中文欢迎来到清水国际口岸出入境，。",
}
# Faces for characters no language face has, as (fontconfig pattern, family, known paths).
_DEFAULT_FALLBACKS = (
    ("Noto Sans Symbols:style=Bold", "Noto Sans Symbols",
     ("/usr/share/fonts/truetype/noto/NotoSansSymbols-Bold.ttf",
      "/usr/share/fonts/truetype/noto/NotoSansSymbols-Regular.ttf")),
    ("Noto Sans Symbols2", "Noto Sans Symbols2",
     ("/usr/share/fonts/truetype/noto/NotoSansSymbols2-Regular.ttf",)),
)
FALLBACK_KEY = "fallback"
_LANG_NAME = {"vi": "Vietnamese", "en": "English", "zh": "Simplified Chinese"}
_MAX_FACES = 64


class FontNotFound(SignageError):
    """No usable font for a language."""

    def __init__(self, lang: str, reason: str):
        self.lang = lang
        super().__init__(
            f"no font for {_LANG_NAME.get(lang, lang)} ({lang}): {reason}; "
            f"{INSTALL_HINT}, or point the {lang} font override at a font file"
        )


@dataclass(frozen=True)
class Face:
    """One face in a font file (index > 0 only in collections such as .ttc)."""

    path: str
    index: int
    family: str

    def __str__(self) -> str:
        return f"{self.path}:{self.index} ({self.family})"

    @property
    def bold(self) -> bool:
        return _is_bold(self.path, self.index)


def _is_bold(path: str, index: int) -> bool:
    """fontconfig's weight (200 is bold); without fc-query, the file's name."""
    exe = shutil.which("fc-query")
    if exe:
        try:
            out = subprocess.run([exe, "-i", str(index), "-f", "%{weight}", path],
                                 capture_output=True, text=True, timeout=20, check=True).stdout
            return float(out.split()[0]) >= 200
        except (OSError, subprocess.SubprocessError, ValueError, IndexError):
            pass
    return "bold" in os.path.basename(path).lower()


@dataclass(frozen=True)
class Glyph:
    """Where a character's ink lies around its pen position (y up), and which face draws it."""

    face: Face
    size: int
    min_x: int
    max_x: int
    min_y: int
    max_y: int
    advance: int
    covered: bool = True

    @property
    def has_ink(self) -> bool:
        return self.max_x > self.min_x and self.max_y > self.min_y


def _open(path: str, index: int, size: int = 16) -> pygame.freetype.Font:
    return pygame.freetype.Font(path, size, font_index=index)


def _family(path: str, index: int) -> str | None:
    try:
        return _open(path, index).name
    except (OSError, ValueError, RuntimeError):
        return None


def _faces(path: str) -> Iterator[tuple[int, str]]:
    for index in range(_MAX_FACES):
        family = _family(path, index)
        if family is None:
            return
        yield index, family


def _is_sc(family: str) -> bool:
    return family.endswith("SC") and "Mono" not in family


def _covers_all(face: Face, text: str) -> bool:
    font = _open(face.path, face.index)
    return all(m is not None for m in font.get_metrics(text, size=16))


def _parse_spec(spec: str) -> tuple[str, int | None]:
    """'path' or 'path:index' -> (path, index or None)."""
    path, sep, tail = spec.rpartition(":")
    if sep and tail.isdigit():
        return path, int(tail)
    return spec, None


def _fc_match(pattern: str) -> tuple[str, int] | None:
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    try:
        out = subprocess.run(
            [exe, "-f", "%{file}\t%{index}", pattern],
            capture_output=True, text=True, timeout=20, check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    path, _, index = out.strip().partition("\t")
    return (path, int(index) if index.isdigit() else 0) if path else None


def _suitable(lang: str, path: str, index: int | None) -> Face | None:
    """The face of `path` right for `lang`, or None; zh needs a Simplified Chinese face."""
    if not os.path.isfile(path):
        return None
    for i in _candidates(lang, path, index):
        family = _family(path, i)
        ok = family is not None and (_is_sc(family) if lang == "zh" else family == LATIN_FAMILY)
        if ok and _covers_all(Face(path, i, family), _SAMPLES[lang]):
            return Face(path, i, family)
    return None


def _candidates(lang: str, path: str, index: int | None) -> Iterator[int]:
    if index is not None:
        yield index
    if lang == "zh":
        # fontconfig's index may name another face of the collection (JP); look for SC
        yield from (i for i, family in _faces(path) if _is_sc(family) and i != index)
    elif index is None:
        yield 0


def _override_face(lang: str, spec: str) -> Face:
    path, index = _parse_spec(spec)
    if not os.path.isfile(path):
        raise FontNotFound(lang, f"the override {spec!r} names no file")
    if index is None:
        sc = [i for i, family in _faces(path) if _is_sc(family)] if lang == "zh" else []
        index = sc[0] if sc else 0
    family = _family(path, index)
    if family is None:
        raise FontNotFound(lang, f"the override {spec!r} is not a font pygame can open")
    face = Face(path, index, family)
    if not _covers_all(face, _SAMPLES[lang]):
        raise FontNotFound(lang, f"the override {face} lacks letters {lang} text needs")
    return face


def find_face(lang: str, override: str | None = None) -> Face:
    """The face for `lang`: the override ('path[:index]'), else fontconfig's, else a known path."""
    if lang not in _FC_PATTERN:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGUAGES}")
    if override:
        return _override_face(lang, override)
    matched = _fc_match(_FC_PATTERN[lang])
    if matched and (face := _suitable(lang, *matched)):
        return face
    for path in _SEARCH_PATHS[lang]:
        if face := _suitable(lang, path, None):
            return face
    wanted = "Noto Sans CJK SC" if lang == "zh" else LATIN_FAMILY
    raise FontNotFound(lang, f"{wanted} is not installed")


def default_fallbacks() -> tuple[Face, ...]:
    """The installed symbol faces, in the order they are tried; missing ones are skipped."""
    found = []
    for pattern, family, paths in _DEFAULT_FALLBACKS:
        matched = _fc_match(pattern)
        candidates = ([matched] if matched else []) + [(path, 0) for path in paths]
        for path, index in candidates:
            if os.path.isfile(path) and _family(path, index) == family:
                found.append(Face(path, index, family))
                break
    return tuple(dict.fromkeys(found))


def fallback_faces(spec: str) -> tuple[Face, ...]:
    """Faces from 'path[:index],path...'; FontNotFound names one that cannot be opened."""
    faces = []
    for item in filter(None, (part.strip() for part in spec.split(","))):
        path, index = _parse_spec(item)
        family = _family(path, index or 0) if os.path.isfile(path) else None
        if family is None:
            raise FontNotFound(FALLBACK_KEY, f"the fallback font {item!r} is not a font file "
                               "pygame can open; fix SIGNAGE_FONT_FALLBACK")
        faces.append(Face(path, index or 0, family))
    return tuple(faces)


def _signed(value: int) -> int:
    # pygame 2.6 reports negative glyph bounds as unsigned 32-bit numbers
    return value - (1 << 32) if value >= (1 << 31) else value


def _glyph(face: Face, size: int, m: tuple | None) -> Glyph | None:
    if m is None:
        return None
    min_x, max_x, min_y, max_y = (_signed(v) for v in m[:4])
    return Glyph(face, size, min_x, max_x, min_y, max_y, round(m[4]))


def _skipped(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) == "Cf"


class FontBook:
    """The faces for vi/en/zh, the fallback faces, and cached fonts, glyph metrics and
    reference heights. `overrides` maps vi/en/zh to 'path[:index]', `fallback` to a list and
    `basis` to how the three-quarter rule is measured ('glyph' or 'size', see text.py)."""

    def __init__(self, overrides: Mapping[str, str] | None = None):
        pygame.freetype.init()
        overrides = dict(overrides or {})
        unknown = sorted(set(overrides) - set(LANGUAGES) - {FALLBACK_KEY, BASIS_KEY})
        if unknown:
            raise ValueError(f"font overrides for unknown languages {unknown}; use {LANGUAGES}"
                             f", {FALLBACK_KEY!r} or {BASIS_KEY!r}")
        self.basis = overrides.pop(BASIS_KEY, "glyph")
        if self.basis not in ("glyph", "size"):
            raise ValueError(f"basis must be 'glyph' or 'size', not {self.basis!r}")
        self.faces: dict[str, Face] = {
            lang: find_face(lang, overrides.get(lang)) for lang in LANGUAGES
        }
        spec = overrides.get(FALLBACK_KEY)
        self.fallbacks: tuple[Face, ...] = (
            fallback_faces(spec) if spec is not None else default_fallbacks()
        )
        self._by_face: dict[tuple[Face, bool], pygame.freetype.Font] = {}
        self._bold = {face: face.bold for face in (*self.faces.values(), *self.fallbacks)}
        self._by_size: dict[tuple[str, int], pygame.freetype.Font] = {}
        self._glyphs: dict[tuple[Face, int, str], Glyph | None] = {}
        # Whole runs already looked up: layout asks for the same words and lines at the
        # same size many times while it searches for a size and a width.
        self._runs: dict[tuple[str, int, str], tuple[Glyph, ...]] = {}
        self._resolved: dict[tuple[str, int, str], Glyph] = {}
        self._ink: dict[tuple[Face, int, str, int], int] = {}
        self._fallback_sizes: dict[tuple, int] = {}

    def font(self, lang: str, size: int) -> pygame.freetype.Font:
        """A font for `lang` opened at `size` (cached)."""
        key = (lang, size)
        if key not in self._by_size:
            face = self.faces[lang]
            self._by_size[key] = _open(face.path, face.index, size)
            self._by_size[key].strong = self.emboldened(face, size)
        return self._by_size[key]

    def emboldened(self, face: Face, size: int) -> bool:
        """Whether `face` at `size` is drawn with FreeType's emboldening (a regular face, small)."""
        return size < BOLD_BELOW_PX and not self._bold.get(face, True)

    def face_font(self, face: Face, size: int | None = None) -> pygame.freetype.Font:
        """One shared font object per face (and weight); pass size= to its methods too.
        Give `size` when measuring or drawing, so small regular faces come emboldened."""
        key = (face, size is not None and self.emboldened(face, size))
        if key not in self._by_face:
            self._by_face[key] = _open(face.path, face.index)
            self._by_face[key].strong = key[1]
        return self._by_face[key]

    def covers(self, lang: str, text: str) -> list[str]:
        """Characters of `text` the face for `lang` lacks (each once; spaces ignored)."""
        face = self.faces[lang]
        return list(dict.fromkeys(
            ch for ch in text if not _skipped(ch) and self._metrics(face, 16, ch) is None
        ))

    def missing(self, lang: str, text: str) -> list[str]:
        """Characters no face can draw, even with fallback; these would show as boxes."""
        return [ch for ch in self.covers(lang, text) if not self.glyph(lang, 16, ch).covered]

    def glyph(self, lang: str, size: int, ch: str) -> Glyph:
        """Metrics of `ch` for `lang` at `size`, from a fallback face if the own face lacks it."""
        key = (lang, size, ch)
        if key not in self._resolved:
            self._resolved[key] = self._resolve(lang, size, ch)
        return self._resolved[key]

    def glyphs(self, lang: str, size: int, text: str) -> tuple[Glyph, ...]:
        """glyph() for each character of `text`, asking FreeType once for all new ones."""
        key = (lang, size, text)
        run = self._runs.get(key)
        if run is None:
            if len(self._runs) >= MAX_CACHED_RUNS:
                self._runs.clear()  # plain and bounded: a new save fills it again quickly
            run = self._runs[key] = self._glyph_run(lang, size, text)
        return run

    def _glyph_run(self, lang: str, size: int, text: str) -> tuple[Glyph, ...]:
        face = self.faces[lang]
        new = "".join(dict.fromkeys(ch for ch in text if (face, size, ch) not in self._glyphs))
        if new:
            for ch, m in zip(new, self.face_font(face, size).get_metrics(new, size=size)):
                self._glyphs[(face, size, ch)] = _glyph(face, size, m)
        return tuple(self.glyph(lang, size, ch) for ch in text)

    def ink_height(
        self, lang: str, size: int, text: str | None = None, *, threshold: int = 0
    ) -> int:
        """Rows of `text` (default: the reference glyph, H or 中) with alpha above `threshold`."""
        text = REFERENCE_GLYPH[lang] if text is None else text
        face = self.faces[lang]
        key = (face, size, text, threshold)
        if key not in self._ink:
            surface, _ = self.face_font(face, size).render(text, (255, 255, 255), size=size)
            rects = pygame.mask.from_surface(surface, threshold).get_bounding_rects()
            self._ink[key] = (
                max(r.bottom for r in rects) - min(r.top for r in rects) if rects else 0
            )
        return self._ink[key]

    def _metrics(self, face: Face, size: int, ch: str) -> Glyph | None:
        key = (face, size, ch)
        if key not in self._glyphs:
            (m,) = self.face_font(face, size).get_metrics(ch, size=size)
            self._glyphs[key] = _glyph(face, size, m)
        return self._glyphs[key]

    def _resolve(self, lang: str, size: int, ch: str) -> Glyph:
        own = self.faces[lang]
        found = self._metrics(own, size, ch)
        if found is not None:
            return found
        for other in dict.fromkeys((*self.faces.values(), *self.fallbacks)):
            if other != own:
                fallback_size = self._fallback_size(lang, other, size, ch)
                found = self._metrics(other, fallback_size, ch)
                if found is not None:
                    return found
        # Nobody has it: the own face draws its "missing" box, so it is seen and reported.
        r = self.face_font(own, size).get_rect(ch, size=size)
        return Glyph(own, size, r.x, r.right, r.y - r.height, r.y, r.width + 2 * max(r.x, 0),
                     covered=False)

    def _fallback_size(self, lang: str, other: Face, size: int, ch: str) -> int:
        """Largest size <= `size` whose reference glyph in `other` is no taller than ours.

        Keeps a borrowed CJK glyph in an English line from outgrowing the line (and the
        three-quarter rule); a Latin glyph borrowed by Chinese keeps the Chinese size.
        A symbol face has no reference glyph, so the symbol itself is fitted to ours.
        """
        own = self.faces[lang]
        other_lang = next((k for k, face in self.faces.items() if face == other), None)
        other_ref = REFERENCE_GLYPH[other_lang] if other_lang else ch
        key = (own, other, size, other_ref)
        if key not in self._fallback_sizes:
            limit = self._box_height(own, size, REFERENCE_GLYPH[lang])
            fitted = size
            while fitted > 1 and self._box_height(other, fitted, other_ref) > limit:
                fitted -= 1
            self._fallback_sizes[key] = fitted
        return self._fallback_sizes[key]

    def _box_height(self, face: Face, size: int, ch: str) -> int:
        glyph = self._metrics(face, size, ch)
        return 0 if glyph is None else glyph.max_y - glyph.min_y
