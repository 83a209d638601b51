"""Slow work (map images, downloads) apart from tiles: a few slots, a short queue, 503 when both are full.

A gthread worker answers every request on one of its threads. A request for slow work hands the work to
this pool and waits for its result, so it holds its thread while queued or running; the pool admits at most
``slots + queue`` such requests per worker process and turns the next one away at once (``Busy``: 503 with
``Retry-After``), so at least ``threads - slots - queue`` threads of every worker stay free for tiles.

The rendering itself runs in a child process forked for it (``SlowPool.forked``): a CPU-bound render in a
thread would hold the GIL for most of its seconds and every tile request of the worker would wait for it
(measured: tile p99 several times higher). The child shares the worker's dataset pages (copy-on-write), runs
at a lower CPU priority (a higher nice value), so when the machine is busy the kernel gives the CPU to the
workers answering tiles first, sends its bytes back through a pipe and exits. The slot thread waits on the
pipe without holding the GIL.
"""

from __future__ import annotations

import contextlib
import contextvars
import os
import pickle
import signal
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from werkzeug.exceptions import ServiceUnavailable

from indicators.model import ParameterError

T = TypeVar("T")


class Busy(ServiceUnavailable):
    """Every slot and queue place is taken: answered 503 with ``Retry-After``."""


class SlowPool:
    """``slots`` threads for slow work, and room for ``queue`` more requests waiting for one."""

    def __init__(
        self, slots: int, queue: int, *, nice: int = 19, retry_after: int = 5, timeout: float = 120.0
    ) -> None:
        if slots < 1 or queue < 0:
            raise ValueError(f"slow work needs at least one slot and a queue of 0 or more: {slots}/{queue}")
        self.slots, self.queue, self.nice, self.retry_after = slots, queue, nice, retry_after
        self.timeout = timeout
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

    def forked(self, produce: Callable[[], bytes]) -> bytes:
        """``produce()`` in a child process of this one at a lower priority; its bytes, or its error.

        A ParameterError is raised again here (a 4xx naming the parameter); a child that has not answered
        within ``timeout`` seconds is killed (``Busy``: 503); any other failure is a RuntimeError.
        """
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            code = 0
            try:
                os.close(read_end)
                with contextlib.suppress(OSError):
                    os.nice(self.nice)
                try:
                    answer: tuple = ("ok", produce())
                except ParameterError as error:
                    answer = ("parameter", type(error), error.parameter, error.message)
                except BaseException as error:
                    answer = ("error", f"{type(error).__name__}: {error}")
                with os.fdopen(write_end, "wb") as pipe:
                    pipe.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))
            except BaseException:
                code = 1
            finally:
                os._exit(code)
        os.close(write_end)
        killed = threading.Event()
        timer = threading.Timer(self.timeout, lambda: (killed.set(), _kill(pid)))
        timer.start()
        try:
            with os.fdopen(read_end, "rb") as pipe:
                data = pipe.read()
        finally:
            timer.cancel()
            os.waitpid(pid, 0)
        if not data and not killed.is_set():
            raise RuntimeError(f"the render process {pid} ended without an answer")
        if not data:
            raise Busy(
                f"the render took longer than {self.timeout:g} s on this busy server; try again later",
                retry_after=self.retry_after,
            )
        answer = pickle.loads(data)
        if answer[0] == "ok":
            return answer[1]
        if answer[0] == "parameter":
            raise answer[1](answer[2], answer[3])
        raise RuntimeError(f"render process failed: {answer[1]}")

    def _executor_of_this_process(self) -> ThreadPoolExecutor:
        """One executor per process: threads do not survive gunicorn's fork, so each worker starts its own."""
        if self._executor is None or self._pid != os.getpid():
            self._pid = os.getpid()
            self._executor = ThreadPoolExecutor(
                self.slots, thread_name_prefix="slow", initializer=_lower_priority, initargs=(self.nice,)
            )
        return self._executor


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _lower_priority(nice: int) -> None:
    """Raise this thread's nice value (Linux schedules threads one by one; elsewhere nothing changes)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
