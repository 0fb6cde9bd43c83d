"""The naive reference for `signage bench`: the same playlist drawn with Pillow alone.

Every frame composites every zone from the decoded images and draws every line of text
again, then converts the frame to a pygame Surface for the driver: the straightforward
loop our compositor is measured against.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pygame
from PIL import Image, ImageDraw, ImageFont, ImageOps

from signage.content.models import ClockItem, ImageItem, Message, MessageItem, Playlist, TickerItem
from signage.render.fonts import FontBook
from signage.content.sequence import position

DARKEN = 140 / 255  # how the compositor shades a message background
BACKGROUND = (8, 32, 72)
WHITE = (255, 255, 255)
RATIO = {"vi": 1.0, "en": 0.7, "zh": 0.75}  # type size per language, as the compositor
CLOCK_LABELS = {
    "Asia/Ho_Chi_Minh": {"vi": "Giờ Việt Nam", "en": "Vietnam", "zh": "越南时间"},
    "Asia/Shanghai": {"vi": "Giờ Trung Quốc", "en": "China", "zh": "北京时间"},
}


def font_faces(fonts: FontBook) -> dict[str, tuple[str, int]]:
    """(path, face index) per language: the very faces the compositor uses."""
    return {lang: (face.path, face.index) for lang, face in fonts.faces.items()}


class NaiveRenderer:
    """Draws a playlist frame by frame with Pillow and presents it to a driver.

    Images are decoded and fitted once (re-decoding each frame would be a straw man) and
    each message is laid out once; compositing and drawing the text repeat every frame."""

    def __init__(self, size: tuple[int, int], playlist: Playlist, asset_path,
                 faces: dict[str, tuple[str, int]]):
        self.size = size
        self.faces = faces
        self._fonts: dict = {}
        transition = playlist.transition
        self.fade_s = transition.seconds if transition.kind == "crossfade" else 0.0
        self.zones = []
        for zone in playlist.zones():
            box = zone.box(size)
            drawers = [self._prepare(item, box[2:], asset_path) for item in zone.items]
            self.zones.append((box, drawers, [item.duration for item in zone.items]))

    def font(self, lang: str, px: int):
        key = (lang, max(px, 4))
        if key not in self._fonts:
            path, index = self.faces[lang]
            self._fonts[key] = ImageFont.truetype(path, key[1], index=index)
        return self._fonts[key]

    def present(self, driver, elapsed: float, now: dt.datetime) -> None:
        frame = Image.new("RGB", self.size)
        for (x, y, w, h), drawers, durations in self.zones:
            frame.paste(self._zone_picture(drawers, durations, (w, h), elapsed, now), (x, y))
        driver.present(pygame.image.frombytes(frame.tobytes(), self.size, "RGB"))

    def _zone_picture(self, drawers, durations, box, elapsed, now):
        pos = position(durations, elapsed)
        picture = drawers[pos.index](box, elapsed, now)
        if len(drawers) > 1 and pos.into < self.fade_s and (pos.loop or pos.index):
            before = drawers[pos.index - 1](box, elapsed, now)
            picture = Image.blend(before, picture, pos.into / self.fade_s)
        return picture

    # each item becomes a function (box, elapsed, now) -> PIL image of the zone

    def _prepare(self, item, box, asset_path):
        def fitted(ref):
            with Image.open(asset_path(ref)) as source:
                return ImageOps.fit(source.convert("RGB"), box, Image.Resampling.LANCZOS)

        if isinstance(item, ImageItem):
            image = fitted(item.asset)
            return lambda *_: image.copy()
        if isinstance(item, MessageItem):
            background = (fitted(item.background) if item.background
                          else Image.new("RGB", box, BACKGROUND))
            return self._message(item.text, background)
        if isinstance(item, TickerItem):
            return self._ticker(item, box)
        if isinstance(item, ClockItem):
            return self._clock(item, box)
        return lambda box, *_: Image.new("RGB", box, BACKGROUND)  # standby: a plain card

    def _message(self, text: Message, background):
        lines = layout_message(self, text, background.size)
        black = Image.new("RGB", background.size)

        def draw(box, *_):
            picture = Image.blend(background, black, DARKEN)
            pen = ImageDraw.Draw(picture)
            for (x, y), line, font in lines:
                pen.text((x, y), line, font=font, fill=WHITE, anchor="la")
            return picture
        return draw

    def _ticker(self, item: TickerItem, box: tuple[int, int]):
        vi_px = round(box[1] * 0.55)
        runs = []
        for lang, words in zip(("vi", "en", "zh"), item.text.in_order()):
            font = self.font(lang, vi_px if lang == "vi" else vi_px * 3 // 4)
            runs += [(words, font, font.getlength(words)), (item.separator, font,
                                                             font.getlength(item.separator))]
        loop = sum(width for _words, _font, width in runs)

        def draw(box, elapsed, _now):
            picture = Image.new("RGB", box, (0, 0, 0))
            pen = ImageDraw.Draw(picture)
            x = -((item.speed * elapsed) % loop)
            while x < box[0]:  # repeat the crawl until the strip is full: a seamless loop
                for words, font, width in runs:
                    if x + width > 0 and x < box[0]:
                        pen.text((x, box[1] / 2), words, font=font, fill=WHITE, anchor="lm")
                    x += width
            return picture
        return draw

    def _clock(self, item: ClockItem, box: tuple[int, int]):
        column = box[0] / len(item.zones)
        columns = [(zoneinfo.ZoneInfo(name), self._clock_fonts(name, column, box[1]))
                   for name in item.zones]

        def draw(box, _elapsed, now: dt.datetime):
            picture = Image.new("RGB", box, (0, 0, 0))
            pen = ImageDraw.Draw(picture)
            for n, (zone, lines) in enumerate(columns):
                local = now.astimezone(zone)
                y = box[1] * 0.05
                for text, font, advance in lines:
                    text = local.strftime(text) if "%" in text else text
                    pen.text((column * (n + 0.5), y), text, font=font, fill=WHITE, anchor="ma")
                    y += advance
            return picture
        return draw

    def _clock_fonts(self, name: str, width: float, height: int) -> list:
        """(text or strftime pattern, font, line advance) for one time zone's column."""
        labels = CLOCK_LABELS.get(name, {"vi": name, "en": name, "zh": name})
        lines = (("en", "%H:%M:%S", 0.26), ("en", "%Y-%m-%d", 0.13),
                 ("vi", labels["vi"], 0.14), ("en", labels["en"], 0.11), ("zh", labels["zh"], 0.11))
        fitted = []
        for lang, text, share in lines:
            px = round(height * share)
            sample = "00:00:00" if text == "%H:%M:%S" else "0000-00-00" if "%" in text else text
            while px > 4 and self.font(lang, px).getlength(sample) > 0.92 * width:
                px -= 1
            fitted.append((text, self.font(lang, px), height * share * 1.2))
        return fitted


def layout_message(renderer: NaiveRenderer, text: Message, box: tuple[int, int]) -> list:
    """Lines ((x, y), text, font) at the largest Vietnamese size that fits: en 0.7, zh 0.75."""
    margin = round(min(box) * 0.05)
    width, height = box[0] - 2 * margin, box[1] - 2 * margin

    def stack(px):
        placed, y = [], 0.0
        for lang, words in zip(("vi", "en", "zh"), text.in_order()):
            font = renderer.font(lang, round(px * RATIO[lang]))
            for line in wrap(font, lang, words, width):
                placed.append((y, line, font))
                y += font.size * 1.25
                if font.getlength(line) > width:
                    return None
            y += px * 0.3
        return (placed, y - px * 0.3) if y - px * 0.3 <= height else None

    best, low, high = stack(6), 6, height
    while low < high:
        mid = (low + high + 1) // 2
        if (found := stack(mid)) is not None:
            low, best = mid, found
        else:
            high = mid - 1
    placed, used = best or ([], 0)
    top = margin + (height - used) / 2
    return [((margin + (width - font.getlength(line)) / 2, top + y), line, font)
            for y, line, font in placed]


def wrap(font, lang: str, words: str, width: float) -> list[str]:
    """Greedy lines no wider than `width`: by words for vi/en, by characters for zh."""
    pieces = list(words) if lang == "zh" else words.split()
    joiner = "" if lang == "zh" else " "
    lines: list[str] = []
    for piece in pieces:
        trial = f"{lines[-1]}{joiner}{piece}" if lines else piece
        if lines and font.getlength(trial) <= width:
            lines[-1] = trial
        else:
            lines.append(piece)
    return lines


