"""Draw the sample pictures in assets/ (our own drawings; no third-party photos).

Run from the repository root: `python tools/make_sample_assets.py`. The output is
committed, so this only needs running again to change the pictures.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parent.parent / "assets"


def vertical_gradient(size, top, bottom) -> Image.Image:
    width, height = size
    column = Image.new("RGB", (1, height))
    for y in range(height):
        t = y / (height - 1)
        column.putpixel((0, y), tuple(round(a + (b - a) * t) for a, b in zip(top, bottom)))
    return column.resize(size)


def karst_ridge(draw, width, base, height, seed, colour, peaks):
    """A row of steep, rounded limestone peaks like those of the Dong Van plateau."""
    rng = random.Random(seed)
    centres = sorted(rng.uniform(0, width) for _ in range(peaks))
    points = [(0, base + height)]
    for x in range(0, width + 1, 4):
        y = base + height
        for cx in centres:
            spread = width / peaks * 0.45
            y = min(y, base + height - height * math.exp(-((x - cx) / spread) ** 2))
        points.append((x, y))
    points.append((width, base + height * 2))
    points.append((0, base + height * 2))
    draw.polygon(points, fill=colour)


def mountains(size=(1536, 768)) -> Image.Image:
    width, height = size
    image = vertical_gradient(size, (255, 176, 110), (120, 150, 200))
    draw = ImageDraw.Draw(image)
    sun_x, sun_y, r = int(width * 0.68), int(height * 0.38), int(height * 0.09)
    draw.ellipse((sun_x - r, sun_y - r, sun_x + r, sun_y + r), fill=(255, 236, 190))
    layers = [((92, 104, 140), 0.30, 0.30, 7), ((62, 84, 96), 0.42, 0.28, 9),
              ((40, 70, 58), 0.55, 0.26, 11), ((24, 48, 36), 0.70, 0.22, 13)]
    for index, (colour, base, tall, peaks) in enumerate(layers):
        karst_ridge(draw, width, int(height * base), int(height * tall), 40 + index, colour, peaks)
    # A winding road up the valley.
    road = [(int(width * (0.5 + 0.18 * math.sin(t / 9))), int(height * (0.78 + t / 180)))
            for t in range(0, 40)]
    draw.line(road, fill=(210, 196, 170), width=max(3, width // 200))
    return image.filter(ImageFilter.SMOOTH)


def border_gate(size=(1536, 768)) -> Image.Image:
    """A stylised gate building with street lamps and a barrier, at dusk.

    No flags: a sign at a border must not show national symbols drawn by guesswork."""
    width, height = size
    image = vertical_gradient(size, (28, 52, 110), (230, 140, 90))
    draw = ImageDraw.Draw(image)
    ground = int(height * 0.78)
    draw.rectangle((0, ground, width, height), fill=(50, 50, 58))
    body = (int(width * 0.22), int(height * 0.36), int(width * 0.78), ground)
    draw.rectangle(body, fill=(236, 228, 210))
    roof = [(body[0] - 40, body[1]), (width // 2, int(height * 0.16)), (body[2] + 40, body[1])]
    draw.polygon(roof, fill=(160, 40, 36))
    for i in range(5):  # lanes under the canopy
        x0 = body[0] + 30 + i * (body[2] - body[0] - 60) // 5
        draw.rectangle((x0 + 10, int(height * 0.52), x0 + (body[2] - body[0] - 60) // 5 - 10, ground),
                       fill=(70, 80, 96))
    for pole_x in (int(width * 0.12), int(width * 0.88)):
        draw.rectangle((pole_x - 4, int(height * 0.3), pole_x + 4, ground), fill=(200, 200, 200))
        draw.ellipse((pole_x - 18, int(height * 0.3) - 30, pole_x + 18, int(height * 0.3) + 6),
                     fill=(255, 226, 150))
    draw.rectangle((0, ground - 20, int(width * 0.2), ground - 8), fill=(230, 60, 60))
    return image


def gate_logo(size=256) -> Image.Image:
    """A round emblem for the card header: a gate arch under two peaks, white on teal."""
    scale = 4  # drawn large and reduced, for smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, big - 1, big - 1), fill=(255, 255, 255, 255))
    inset = big // 14
    draw.ellipse((inset, inset, big - inset, big - inset), fill=(0, 110, 120, 255))
    white = (255, 255, 255, 255)
    draw.polygon([(big * 0.22, big * 0.62), (big * 0.4, big * 0.3), (big * 0.55, big * 0.5),
                  (big * 0.64, big * 0.36), (big * 0.8, big * 0.62)], fill=white)
    draw.rectangle((big * 0.3, big * 0.62, big * 0.7, big * 0.74), fill=white)
    draw.rectangle((big * 0.43, big * 0.66, big * 0.57, big * 0.74), fill=(0, 110, 120, 255))
    return image.resize((size, size), Image.Resampling.LANCZOS)


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    mountains().save(OUT / "dong-van-plateau.png", optimize=True)
    border_gate().save(OUT / "border-gate.png", optimize=True)
    gate_logo().save(OUT / "gate-logo.png", optimize=True)
    print("wrote", *sorted(p.name for p in OUT.glob("*.png")))
