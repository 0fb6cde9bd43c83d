"""The threads beside the frame loop run at a lower CPU priority than the loop, so a frame
never waits for a core while a snapshot is encoded or a picture decoded."""

from __future__ import annotations

import os
import threading

import pytest

from signage.player.proof import FrameHasher
from signage.player.snapshot import SnapshotWriter
from signage.render.priority import BACKGROUND_NICENESS, PREFETCH_NICENESS

pytestmark = pytest.mark.skipif(not hasattr(os, "setpriority"), reason="POSIX priorities")


def niceness_of(native_id: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, native_id)


def lower_than_the_loop(by: int) -> int:
    return min(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) + by, 19)


def test_the_snapshot_writer_and_the_proof_hasher_yield_to_the_frame_loop(tmp_path):
    writer, hasher = SnapshotWriter(tmp_path / "snapshot.png"), FrameHasher(background=True)
    try:
        hashers = hasher.run(threading.get_native_id).result(timeout=10)
        assert niceness_of(hashers) == lower_than_the_loop(BACKGROUND_NICENESS)
        assert niceness_of(writer._thread.native_id) == lower_than_the_loop(BACKGROUND_NICENESS)
    finally:
        writer.close()
        hasher.close()


def test_the_compositors_worker_yields_to_the_frame_loop(store, fonts):
    from signage.content.models import Playlist
    from signage.render.compositor import Compositor

    compositor = Compositor((64, 32), fonts, store.assets.path, background=True)
    try:
        item = Playlist.model_validate({"name": "p", "items": [
            {"kind": "message", "duration": "3s",
             "text": {"vi": "Một", "en": "One", "zh": "一"}}]}).items[0]
        compositor.prefetch(item, (64, 32))
        compositor.start_background_work()
        assert compositor.visual(item, (64, 32)) is not None
        workers = compositor._worker.submit(threading.get_native_id).result(timeout=10)
        assert niceness_of(workers) == lower_than_the_loop(PREFETCH_NICENESS)
    finally:
        compositor.close()
