"""The API's store, kept open, or the reason it cannot be (damaged, read-only, missing).

A damaged signage.db must not crash-loop the API with no answer: the API starts anyway,
says `store damaged` with what to do on health and on every route that needs the store,
and tries to open it again now and then, so a restored backup is picked up without a
restart."""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from signage.clock import Clock
from signage.errors import StoreError

if TYPE_CHECKING:
    from signage.store import Store

log = logging.getLogger(__name__)

REOPEN_EVERY_S = 5.0


class StoreSlot:
    """`get()` the open Store, or raise why there is none (retried every REOPEN_EVERY_S)."""

    def __init__(self, data_dir: Path, clock: Clock, store: "Store | None" = None,
                 reserve_bytes: int = 0):
        self.data_dir = data_dir
        self.reserve_bytes = reserve_bytes
        self.clock = clock
        self.store = store
        self.problem: StoreError | None = None
        self.next_try = -float("inf")
        self.lock = threading.Lock()

    def get(self) -> "Store":
        with self.lock:
            if self.store is None and self.clock.monotonic() >= self.next_try:
                self._open()
            if self.store is None:
                raise self.problem
            return self.store

    def _open(self) -> None:
        from signage.store import Store

        try:
            self.store, self.problem = Store(self.data_dir, self.clock,
                                              reserve_bytes=self.reserve_bytes), None
            log.info("store opened: %s", self.data_dir)
        except StoreError as exc:
            if self.problem is None or str(self.problem) != str(exc):
                log.error("%s", exc)
            self.problem, self.next_try = exc, self.clock.monotonic() + REOPEN_EVERY_S
            return
        self._abandon_unfinished_jobs()

    def _abandon_unfinished_jobs(self) -> None:
        # Transcodes run in the process that opened the store; any a store opened here
        # holds as queued or running were left by a process that has stopped.
        if self.store.database.read_only:
            return
        try:
            if self.store.jobs.abandon_unfinished():
                log.warning("film transcodes left unfinished by the last run are marked failed")
        except StoreError as exc:  # the jobs wait for the next start; the store still serves
            log.error("%s", exc)

    def state(self) -> tuple[str, StoreError | None]:
        """("ok" | "store read-only" | "store damaged" | ..., the problem if any)."""
        try:
            store = self.get()
        except StoreError as exc:
            return exc.state, exc
        if store.database.read_only:
            return "store read-only", None
        return "ok", None

    def close(self) -> None:
        with self.lock:
            if self.store is not None:
                self.store.close()
                self.store = None
