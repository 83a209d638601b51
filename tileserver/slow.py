"""Slow work (map images, downloads) apart from tiles: a few slots, a short queue, 503 when both are full.

A gthread worker answers every request on one of its threads. A request for slow work hands the work to
this pool and waits for its result, so it holds its thread while queued or running; the pool admits at most
``slots + queue`` such requests per worker process and turns the next one away at once (``Busy``: 503 with
``Retry-After``), so at least ``threads - slots - queue`` threads of every worker stay free for tiles. The
slots run at a lower CPU priority (a higher nice value, per thread on Linux), so when the machine is busy
the kernel gives the CPU to the threads answering tiles first.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from werkzeug.exceptions import ServiceUnavailable

T = TypeVar("T")


class Busy(ServiceUnavailable):
    """Every slot and queue place is taken: answered 503 with ``Retry-After``."""


class SlowPool:
    """``slots`` threads for slow work, and room for ``queue`` more requests waiting for one."""

    def __init__(self, slots: int, queue: int, *, nice: int = 10, retry_after: int = 5) -> None:
        if slots < 1 or queue < 0:
            raise ValueError(f"slow work needs at least one slot and a queue of 0 or more: {slots}/{queue}")
        self.slots, self.queue, self.nice, self.retry_after = slots, queue, nice, retry_after
        self._admitted = 0
        self._lock = threading.Lock()
        self._executor: ThreadPoolExecutor | None = None
        self._pid = 0

    @property
    def admitted(self) -> int:
        """Requests running or queued now."""
        return self._admitted

    def run(self, work: Callable[[], T]) -> T:
        """``work()`` on a slot, in the caller's context (Flask's request and app); ``Busy`` when full."""
        with self._lock:
            if self._admitted >= self.slots + self.queue:
                raise Busy(
                    f"{self._admitted} slow requests (map images, downloads) are running or waiting; "
                    f"try again in {self.retry_after} s",
                    retry_after=self.retry_after,
                )
            self._admitted += 1
            executor = self._executor_of_this_process()
        try:
            return executor.submit(contextvars.copy_context().run, work).result()
        finally:
            with self._lock:
                self._admitted -= 1

    def _executor_of_this_process(self) -> ThreadPoolExecutor:
        """One executor per process: threads do not survive gunicorn's fork, so each worker starts its own."""
        if self._executor is None or self._pid != os.getpid():
            self._pid = os.getpid()
            self._executor = ThreadPoolExecutor(
                self.slots, thread_name_prefix="slow", initializer=_lower_priority, initargs=(self.nice,)
            )
        return self._executor


def _lower_priority(nice: int) -> None:
    """Raise this thread's nice value (Linux schedules threads one by one; elsewhere nothing changes)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
