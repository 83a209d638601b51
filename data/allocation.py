"""How a server process allocates: memory it frees goes back to the system, so its RSS is what it holds.

Loading a dataset and building per-year tables allocate large temporaries. By default Arrow keeps freed
buffers in mimalloc for an unpredictable time, and glibc raises its mmap threshold after the first large free,
so later temporaries land in the heap and stay there: together 60-250 MiB more per worker, varying from run to
run. ``configure`` makes Arrow use the system allocator and fixes glibc's threshold at 1 MiB (each larger
block is its own mapping, unmapped when freed); ``release`` trims what the heap still holds.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import threading

M_MMAP_THRESHOLD = -3
"""glibc's mallopt parameter number of the mmap threshold."""
MMAP_THRESHOLD = 1 << 20


def _libc() -> ctypes.CDLL | None:
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc: its own defaults stay
        return None


def configure() -> None:
    """Before a server process loads data; idempotent. Arrow's pool is left as it is where the operator
    chose one (``ARROW_DEFAULT_MEMORY_POOL``)."""
    import pyarrow

    if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
        pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    libc = _libc()
    if libc is not None:
        with contextlib.suppress(AttributeError):
            libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def release_soon(delay: float = 1.0) -> None:
    """``release`` after a garbage collection, ``delay`` seconds from now in a thread of its own: once the
    requests still answering from a version that was swapped out are done with it."""

    def collect_and_release() -> None:
        gc.collect()
        release()

    timer = threading.Timer(delay, collect_and_release)
    timer.daemon = True
    timer.start()


def release() -> None:
    """Give the heap's free pages back to the system (after loading a dataset)."""
    libc = _libc()
    if libc is not None:
        with contextlib.suppress(AttributeError):
            libc.malloc_trim(0)
