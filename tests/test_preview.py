"""`signage preview` renders exactly what the player shows at the same offset."""

import io

import pygame
import pytest
from PIL import Image

from drivers.emulated import EmulatedPanel
from signage.cli.main import main
from signage.services.importer import import_paths
from signage.player.loop import Player
from signage.render.compositor import Compositor
from signage.player.snapshot import SnapshotWriter
from tests.conftest import SAMPLES

SIZE = (768, 384)


def player_frame_at(settings, store, clock, fonts, seconds, fps=30) -> bytes:
    import_paths(store, [SAMPLES / "welcome.yaml"])
    panel = EmulatedPanel(SIZE)
    panel.open()
    player = Player(settings, store, panel, clock, Compositor(SIZE, fonts, store.assets.path),
                    snapshots=SnapshotWriter(settings.snapshot_path, background=False))
    for _ in range(round(seconds * fps)):
        player.step()
        clock.advance(1 / fps)
    player.step()
    return pygame.image.tobytes(panel.last_frame(), "RGB")


@pytest.mark.parametrize("at", ["1s", "15s", "30s"])
def test_preview_matches_the_player(tmp_path, settings, store, clock, fonts, at, capsys):
    out = tmp_path / "frame.png"
    assert main(["preview", str(SAMPLES / "welcome.yaml"), "--at", at, "--out", str(out)]) == 0
    image = Image.open(io.BytesIO(out.read_bytes()))
    assert image.format == "PNG" and image.size == SIZE
    seconds = {"1s": 1, "15s": 15, "30s": 30}[at]
    assert image.convert("RGB").tobytes() == player_frame_at(settings, store, clock, fonts, seconds)


def test_preview_in_the_middle_of_a_crossfade_blends_two_items(tmp_path):
    outs = []
    for at in ("11s", "12.2s", "13s"):
        out = tmp_path / f"{at}.png"
        assert main(["preview", str(SAMPLES / "welcome.yaml"), "--at", at, "--out", str(out)]) == 0
        outs.append(Image.open(out).convert("RGB").tobytes())
    assert len(set(outs)) == 3


def test_preview_of_an_invalid_file_says_why(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nitems:\n  - kind: message\n    text: {vi: a, en: b}\n")
    assert main(["preview", str(bad), "--out", str(tmp_path / "f.png")]) == 1
    assert "items[0].text.zh: is required" in capsys.readouterr().err
    assert not (tmp_path / "f.png").exists()
