"""Fair work: heavy requests (previews) on threads of their own, admitted per caller and
overall, so urgent ones (an emergency notice, a login, health, status) never wait for them.

Previews used to run in FastAPI's shared threadpool, where 200 of them from one editor held
every thread while they queued for the renderer: an approver's emergency waited 32-58 s.
Now a preview is admitted or refused at once (Busy: 429 with Retry-After), and admitted
ones run on this queue's own workers; the shared pool is left to everyone else.
"""

from __future__ import annotations

import collections
import concurrent.futures
import logging
import threading
from typing import Callable, TypeVar

from signage.services.errors import Busy

log = logging.getLogger(__name__)

T = TypeVar("T")


class FairQueue:
    """A bounded executor: at most `per_caller` jobs of one caller and `total` of all, queued
    or running, on `workers` threads of its own."""

    def __init__(self, name: str, *, workers: int = 1, per_caller: int = 2, total: int = 8,
                 retry_after_s: int = 2):
        self.name, self.per_caller, self.total = name, per_caller, total
        self.retry_after_s = retry_after_s
        self._executor = concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._jobs: collections.Counter[str] = collections.Counter()

    def submit(self, caller: str, work: Callable[[], T]) -> concurrent.futures.Future[T]:
        """Queue `work` for `caller`, or Busy if they (or everyone) already have enough queued."""
        self._admit(caller)

        def run() -> T:
            # Given back when the job ends, before its answer is out, and not when the
            # caller stops waiting: a client that hangs up does not free a busy worker.
            try:
                return work()
            finally:
                self._release(caller)

        try:
            future = self._executor.submit(run)
        except RuntimeError:  # shut down
            self._release(caller)
            raise
        # A job cancelled before it started never runs `run`: give its place back here.
        future.add_done_callback(lambda done: done.cancelled() and self._release(caller))
        return future

    def check(self, caller: str) -> None:
        """Busy now if `caller` would be refused: lets an upload be refused before its body
        is received rather than after (submit still decides)."""
        self._admit(caller)
        self._release(caller)

    def queued(self, caller: str | None = None) -> int:
        with self._lock:
            return self._jobs[caller] if caller is not None else sum(self._jobs.values())

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)

    def _admit(self, caller: str) -> None:
        with self._lock:
            mine, everyone = self._jobs[caller], sum(self._jobs.values())
            if mine >= self.per_caller or everyone >= self.total:
                whose = "yours" if mine >= self.per_caller else "everyone's"
                limit = self.per_caller if mine >= self.per_caller else self.total
                log.info("%s refused for %s: %d of %s already queued", self.name, caller,
                         limit, whose)
                raise Busy(f"{self.name}_busy", (
                    f"{limit} {self.name} requests of {whose} are already waiting; try again "
                    f"in {self.retry_after_s} s"), retry_after_s=self.retry_after_s,
                    limit=limit)
            self._jobs[caller] += 1

    def _release(self, caller: str) -> None:
        with self._lock:
            self._jobs[caller] -= 1
            if self._jobs[caller] <= 0:
                del self._jobs[caller]
