"""A thread-safe LRU bounded by the accounted size of its values, and the process's memo of derived tables.

Every cache whose keys a client can choose (a legend's ``breaks=``, a ``kommun=`` list, a year pair) lives in
an LRU with a byte budget, so a flood of distinct URLs evicts old entries instead of growing the process.
``MEMO`` is the one such memo of a worker (classes, year properties, wide tables of every dataset version it
has served); its budget comes from ``BAROMETER_MEMO_MB``.
"""

from __future__ import annotations

import pickle
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np
import pandas as pd

T = TypeVar("T")
ENTRY_OVERHEAD = 256
"""Bytes accounted per entry beyond its value: the key, the node in the order, the dict slot."""
_MISSING = object()


def size_of(value: object) -> int:
    """An estimate of the memory ``value`` holds: exact for bytes, arrays (and objects with ``nbytes``)
    and pandas tables, a walk over containers and object attributes otherwise."""
    return _size(value, set())


def _size(value: object, seen: set[int]) -> int:
    if id(value) in seen:
        return 0
    seen.add(id(value))
    if isinstance(value, bytes | bytearray | memoryview):
        return len(value)
    if isinstance(value, pd.DataFrame | pd.Series):
        usage = value.memory_usage(deep=True)
        return int(usage.sum() if isinstance(usage, pd.Series) else usage)
    if isinstance(value, pd.Index):
        return int(value.memory_usage(deep=True))
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int | np.integer):
        return int(nbytes)
    if isinstance(value, str | int | float | bool | type(None) | np.generic):
        return sys.getsizeof(value)
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(_size(k, seen) + _size(v, seen) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return sys.getsizeof(value) + sum(_size(item, seen) for item in value)
    attributes = getattr(value, "__dict__", None)
    if attributes is not None:
        return sys.getsizeof(value) + _size(attributes, seen)
    try:
        return len(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # an unpicklable value is still accounted for
        return sys.getsizeof(value)


def first_of_tuple(key: Hashable) -> Hashable:
    """The version token of a memo key: its first part."""
    return key[0] if isinstance(key, tuple) and key else None


class SizedLRU:
    """Least recently used entries go first once the accounted bytes pass ``max_bytes``; a value larger
    than the whole budget is returned but not kept. ``token`` names the version a key belongs to, so that
    :meth:`forget` can drop a version's entries at once."""

    def __init__(
        self,
        max_bytes: int,
        size: Callable[[Any], int] = size_of,
        overhead: int = ENTRY_OVERHEAD,
        token: Callable[[Hashable], Hashable] = first_of_tuple,
    ) -> None:
        self.max_bytes, self._measure, self._overhead, self._token = max_bytes, size, overhead, token
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def bytes(self) -> int:
        """The accounted size of the entries kept."""
        return self._bytes

    def get(self, key: Hashable, default: Any = None) -> Any:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return default
            self._items.move_to_end(key)
            return item[0]

    def set(self, key: Hashable, value: Any) -> None:
        size = self._measure(value) + self._overhead
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            if size > self.max_bytes:
                return
            self._items[key] = (value, size)
            self._bytes += size
            self._evict()

    def get_or_create(self, key: Hashable, produce: Callable[[], T]) -> T:
        """The kept value of ``key``, or ``produce()`` kept (threads asking at once may each produce it)."""
        value = self.get(key, _MISSING)
        if value is _MISSING:
            value = produce()
            self.set(key, value)
        return value

    def forget(self, token: Hashable) -> None:
        """Drop every entry of the version ``token`` (one no longer served)."""
        with self._lock:
            for key in [k for k in self._items if self._token(k) == token]:
                self._bytes -= self._items.pop(key)[1]

    def resize(self, max_bytes: int) -> None:
        with self._lock:
            self.max_bytes = max_bytes
            self._evict()

    def _evict(self) -> None:
        while self._bytes > self.max_bytes:
            _, (_, size) = self._items.popitem(last=False)
            self._bytes -= size

    def __len__(self) -> int:
        return len(self._items)


MEMO_MB = 128
"""Default budget of ``MEMO`` (``BAROMETER_MEMO_MB``)."""
MEMO = SizedLRU(MEMO_MB * 2**20)
"""The worker's memo of values derived from a dataset version; keys start with the version's memo token."""
