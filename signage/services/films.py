"""Films in the library: upload one (probed by content, stored without metadata), and
the background transcode of a film larger than the panel to the panel's size.

The transcode runs on one worker thread of the API process at the lowest CPU priority,
one film at a time, and stores its progress as a job row (GET /api/assets/{id} shows it).
The player plays the panel-size copy once it exists (Assets.shown_path), the original
until then.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import os
import secrets
import shutil
import threading
from pathlib import Path
from typing import BinaryIO

from drivers.registry import panel_size
from signage.content.documents import Problem
from signage.errors import ContentError
from signage.media.film import (FilmFacts, needs_transcode, panel_copy_size, probe_film,
                                stripped_copy, transcode)
from signage.render.priority import lower_this_thread
from signage.services.assets import FILE_FIELD, StoredImage
from signage.services.errors import Invalid, NotFound
from signage.settings import Settings
from signage.store.access import Principal
from signage.store.assets import Assets
from signage.store.jobs import Jobs
from signage.store.records import Records

log = logging.getLogger(__name__)

TRANSCODE_JOB = "transcode"
LOWEST_PRIORITY = 19  # nice value: the frame loop and requests always come first
COPY_BLOCK = 1024 * 1024
# One probe at a time: reading every packet of a long film takes the disk for a while.
_probing = threading.BoundedSemaphore(1)


def _lower_priority() -> None:
    if not lower_this_thread(LOWEST_PRIORITY):  # the kernel caps nice values at 19
        log.info("could not lower the transcode thread's priority; it runs at normal priority")


class Transcoder:
    """The API process's background worker: one film transcode at a time, lowest priority."""

    def __init__(self):
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="transcode",
                                                           initializer=_lower_priority)
        self._pending: list[concurrent.futures.Future] = []
        self.stopping = threading.Event()

    def stop(self) -> None:
        """Abandon the transcode under way (at its next progress report) and those queued:
        the process is stopping, and Python would otherwise wait for them to finish."""
        self.stopping.set()
        for future in self._pending:
            future.cancel()

    def submit(self, work) -> concurrent.futures.Future:
        self.stopping.clear()  # a new transcode: whoever stopped before has gone on
        future = self._pool.submit(work)
        self._pending = [f for f in self._pending if not f.done()] + [future]
        return future

    def wait(self, timeout: float | None = None) -> None:
        """Wait until every transcode asked for so far is over (tests, shutdown)."""
        concurrent.futures.wait(list(self._pending), timeout=timeout)


TRANSCODER = Transcoder()


def upload_film(assets: Assets, jobs: Jobs, records: Records, settings: Settings,
                actor: Principal, source: BinaryIO, filename: str | None) -> StoredImage:
    """Store one film without its metadata or sound; Invalid if it is not an accepted film.
    A film larger than the panel gets a transcode job to the panel's size."""
    incoming = settings.data_dir / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    received = incoming / f".film-{secrets.token_hex(8)}"
    stripped = received.with_name(received.name + ".clean")
    try:
        _copy_out(source, received)
        with _probing:
            facts = _checked(received)
            stripped_copy(received, stripped, facts)
        ref = assets.add_file(stripped, facts, original_name=filename)
    finally:
        received.unlink(missing_ok=True)
        stripped.unlink(missing_ok=True)
    stored = StoredImage(ref, facts.width, facts.height, facts.media_type,
                         assets.path(ref).stat().st_size)
    records.audit(actor.name, actor.role, "asset.upload", target=ref,
                  detail={"kind": "film", "codec": facts.codec, "seconds": round(facts.length, 1),
                          "width": facts.width, "height": facts.height})
    log.info("film %s stored (%dx%d %s, %.1f s) from %r by %s", ref, facts.width, facts.height,
             facts.codec, facts.length, filename, actor.name)
    panel = panel_size(settings.driver)
    if needs_transcode(facts, panel):
        start_transcode(assets, jobs, ref, facts, panel)
    return stored


def import_film(assets: Assets, source: Path, original_name: str | None = None) -> str:
    """Store the film file at `source` (signage import) without its metadata or sound;
    ContentError if it is not an accepted film. No transcode: the command line has no
    background worker, so import films at the panel's size (or upload them)."""
    incoming = assets.dir.parent / "incoming"
    incoming.mkdir(parents=True, exist_ok=True)
    stripped = incoming / f".film-{secrets.token_hex(8)}.clean"
    try:
        facts = probe_film(source)
        stripped_copy(source, stripped, facts)
        return assets.add_file(stripped, facts, original_name)
    finally:
        stripped.unlink(missing_ok=True)


def _copy_out(source: BinaryIO, target: Path) -> None:
    """The spooled upload as a named file (FFmpeg reads files), block by block."""
    source.seek(0)
    with open(target, "wb") as out:
        shutil.copyfileobj(source, out, COPY_BLOCK)


def _checked(path: Path) -> FilmFacts:
    try:
        return probe_film(path)
    except ContentError as exc:
        raise Invalid("film_refused", "the film was not stored; nothing changed",
                      [Problem(FILE_FIELD, reason, code="film_refused")
                       for _path, reason in exc.problems]) from None


def start_transcode(assets: Assets, jobs: Jobs, ref: str, facts: FilmFacts,
                    panel: tuple[int, int]) -> int:
    """Queue the film's copy at the panel's size; the job's id."""
    job_id = jobs.add(TRANSCODE_JOB, ref)
    size = panel_copy_size(facts, panel)
    TRANSCODER.submit(lambda: _run_transcode(assets, jobs, job_id, ref, facts, panel, size))
    return job_id


def _run_transcode(assets: Assets, jobs: Jobs, job_id: int, ref: str, facts: FilmFacts,
                   panel: tuple[int, int], size: tuple[int, int]) -> None:
    target = assets.rendition_path(ref, panel)
    partial = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    jobs.update(job_id, state="running", percent=0.0,
                detail=f"{facts.width}x{facts.height} -> {size[0]}x{size[1]} H.264")
    try:
        transcode(assets.path(ref), partial, size, facts.length,
                  lambda percent: _progress(jobs, job_id, percent))
        os.replace(partial, target)
        jobs.update(job_id, state="done", percent=100.0, output=target.name)
        log.info("film %s transcoded to %dx%d", ref, *size)
    except Exception as exc:  # a failed copy leaves the original to play
        partial.unlink(missing_ok=True)
        log.exception("transcoding film %s failed", ref)
        jobs.update(job_id, state="failed", detail=f"the transcode failed: {exc}")


class _Stopped(Exception):
    """The process is stopping: the transcode is abandoned (upload the film again)."""


def _progress(jobs: Jobs, job_id: int, percent: float) -> None:
    if TRANSCODER.stopping.is_set():
        raise _Stopped("the API stopped before it finished; upload the film again")
    jobs.update(job_id, percent=percent)


@dataclasses.dataclass(frozen=True)
class AssetState:
    """An asset and, for a film, where its transcode is."""

    asset: dict
    job: dict | None


def asset_state(assets: Assets, jobs: Jobs, ref: str) -> AssetState:
    """The stored asset `ref` and its latest job; NotFound if there is no such asset."""
    ref = ref if ref.startswith("sha256:") else f"sha256:{ref}"
    record = assets.get(ref)
    if record is None:
        raise NotFound("asset_not_found", f"no asset has the id {ref}", ref=ref)
    job = jobs.latest(ref, TRANSCODE_JOB)
    return AssetState(record.as_dict(), job.as_dict() if job else None)
