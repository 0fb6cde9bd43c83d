"""The frame snapshot and the status document, written off the frame loop."""

import io
import json
import time

import pygame
from PIL import Image

from signage.player.snapshot import SnapshotWriter, snapshot_size


def striped(size):
    """Red left half, blue right half, a green top row: wrong scaling or channels show."""
    frame = pygame.Surface(size)
    frame.fill((220, 0, 0))
    frame.fill((0, 0, 220), pygame.Rect(size[0] // 2, 0, size[0] - size[0] // 2, size[1]))
    frame.fill((0, 200, 0), pygame.Rect(0, 0, size[0], 1))
    return frame


def read_png(path):
    return Image.open(io.BytesIO(path.read_bytes())).convert("RGB")


def near(pixel, colour, levels=4):
    """Scaling down may round a level or two away (a flat colour stays that colour)."""
    return all(abs(a - b) <= levels for a, b in zip(pixel, colour))


def wait_until(condition, seconds=10):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)
    return condition()


def test_a_panel_up_to_1024_wide_is_written_pixel_for_pixel(tmp_path):
    frame = striped((768, 384))
    SnapshotWriter(tmp_path / "frame.png", background=False).submit(frame)
    image = read_png(tmp_path / "frame.png")
    assert image.size == (768, 384)
    assert image.tobytes() == pygame.image.tobytes(frame, "RGB")


def test_a_wider_panel_is_written_scaled_down_to_1024(tmp_path):
    assert snapshot_size((1920, 1080)) == (1024, 576)
    SnapshotWriter(tmp_path / "frame.png", background=False).submit(striped((1920, 1080)))
    image = read_png(tmp_path / "frame.png")
    assert image.size == (1024, 576)
    assert near(image.getpixel((100, 300)), (220, 0, 0))
    assert near(image.getpixel((900, 300)), (0, 0, 220))


def test_in_the_background_the_newest_frame_and_status_are_written(tmp_path):
    writer = SnapshotWriter(tmp_path / "frame.png")
    try:
        frame = striped((1920, 1080))
        writer.submit(frame)
        frame.fill((0, 180, 0))  # the loop reuses its buffer at once
        writer.submit(frame)
        writer.submit_status(tmp_path / "status.json", {"frames": 1})
        writer.submit_status(tmp_path / "status.json", {"frames": 2})
        assert wait_until(lambda: not writer.busy())
        assert near(read_png(tmp_path / "frame.png").getpixel((500, 300)), (0, 180, 0))
        assert json.loads((tmp_path / "status.json").read_text()) == {"frames": 2}
        assert writer.status_error is None
    finally:
        writer.close()


def test_a_status_that_cannot_be_written_is_told_not_raised(tmp_path):
    (tmp_path / "run").write_text("a file where the runtime directory should be")
    writer = SnapshotWriter(tmp_path / "frame.png")
    try:
        writer.submit_status(tmp_path / "run" / "status.json", {"frames": 1})
        assert wait_until(lambda: not writer.busy())
        assert writer.status_error and "status.json" in writer.status_error
    finally:
        writer.close()


def test_a_refresh_writes_the_last_picture_again_without_encoding_it(tmp_path, monkeypatch):
    from signage.player import snapshot

    path = tmp_path / "frame.png"
    encoded = []
    real_encode = snapshot.encode_png
    monkeypatch.setattr(snapshot, "encode_png", lambda *args: encoded.append(1) or real_encode(*args))
    for background in (False, True):
        encoded.clear()
        writer = SnapshotWriter(path, background=background)
        frame = striped((64, 32))
        writer.submit(frame)
        assert wait_until(path.exists)
        first = path.read_bytes()
        path.unlink()  # e.g. a tmpfs cleaned: the refresh puts it back
        frame.fill((0, 0, 0))  # the caller's buffer moved on; the picture shown did not
        writer.refresh(frame)
        assert wait_until(path.exists)
        writer.close()
        assert path.read_bytes() == first and len(encoded) == 1
        path.unlink()
