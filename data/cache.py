"""One cache interface, two backends: an in-process LRU and Redis, layered.

Values are bytes stored once (tiles already gzip-compressed). Keys carry the dataset version, so a new
dataset never reads an old entry and nothing needs flushing. A Redis that is down or slow degrades to
generating: every Redis error is swallowed, a warning is logged once per outage, and Redis is tried again
after a short pause.
"""

from __future__ import annotations

import gzip
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

import redis

from indicators.memo import SizedLRU

log = logging.getLogger(__name__)


def compress(body: bytes) -> bytes:
    """A value as the caches store it: gzip, deterministic (no timestamp)."""
    return gzip.compress(body, compresslevel=6, mtime=0)


class Cache(Protocol):
    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes) -> None: ...


def _version_of(key: object) -> str | None:
    return key.split(":", 1)[0] if isinstance(key, str) else None


class MemoryCache(SizedLRU):
    """A thread-safe LRU of bytes bounded by the total size of its values."""

    def __init__(self, max_bytes: int = 256 * 2**20) -> None:
        super().__init__(max_bytes, size=len, overhead=0, token=_version_of)


class RedisCache:
    """Redis with short timeouts; while it is unreachable every call is a miss and nothing raises."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 0.25,
        retry_after: float = 5.0,
        ttl: int | None = None,
        prefix: str = "barometer:",
    ) -> None:
        self.client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        self.retry_after, self.ttl, self.prefix = retry_after, ttl, prefix
        self._down_since: float | None = None

    def get(self, key: str) -> bytes | None:
        return self._call(lambda: self.client.get(self.prefix + key))

    def set(self, key: str, value: bytes) -> None:
        self._call(lambda: self.client.set(self.prefix + key, value, ex=self.ttl))

    @property
    def available(self) -> bool:
        return self._down_since is None

    def _call(self, operation: Callable[[], bytes | None]) -> bytes | None:
        if self._down_since is not None and time.monotonic() - self._down_since < self.retry_after:
            return None
        try:
            result = operation()
        except (redis.RedisError, OSError) as error:
            if self._down_since is None:
                log.warning("Redis cache unavailable, serving without it: %s", error)
            self._down_since = time.monotonic()
            return None
        if self._down_since is not None:
            log.warning("Redis cache is back")
            self._down_since = None
        return result if isinstance(result, bytes) else None


def _ignore(*_: object) -> None:
    pass


class TieredCache:
    """A memory LRU, in front of a shared cache when there is one (hits there fill the memory one).

    ``on_hit`` hears which tier answered a lookup: ``"memory"`` or ``"redis"``.
    """

    def __init__(
        self, near: MemoryCache, far: Cache | None = None, on_hit: Callable[[str], None] = _ignore
    ) -> None:
        self.near, self.far, self.on_hit = near, far, on_hit

    def get(self, key: str) -> bytes | None:
        value = self.near.get(key)
        if value is not None:
            self.on_hit("memory")
        elif self.far is not None:
            value = self.far.get(key)
            if value is not None:
                self.on_hit("redis")
                self.near.set(key, value)
        return value

    def set(self, key: str, value: bytes) -> None:
        self.near.set(key, value)
        if self.far is not None:
            self.far.set(key, value)

    def forget(self, version: str) -> None:
        """Drop a version's entries from memory (Redis keeps them until they expire or are evicted)."""
        self.near.forget(version)


class SingleFlight:
    """Runs a cold key's producer once per process, however many threads ask for it at the same time.

    ``on_produce`` hears each produced key and the seconds its producer took (a cache miss).
    """

    def __init__(self, cache: Cache, on_produce: Callable[[str, float], None] = _ignore) -> None:
        self.cache, self.on_produce = cache, on_produce
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    def get(self, key: str) -> bytes | None:
        """The cached value, or None: never produces."""
        return self.cache.get(key)

    def forget(self, version: str) -> None:
        """Drop what this process keeps of a version no longer served: its keys can never be asked again."""
        forget = getattr(self.cache, "forget", None)
        if forget is not None:
            forget(version)

    def get_or_create(self, key: str, produce: Callable[[], bytes]) -> bytes:
        value = self.cache.get(key)
        if value is not None:
            return value
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            value = self.cache.get(key)
            if value is None:
                started = time.perf_counter()
                value = produce()
                self.on_produce(key, time.perf_counter() - started)
                self.cache.set(key, value)
        with self._guard:
            self._locks.pop(key, None)
        return value


def build_cache(
    redis_url: str | None,
    memory_bytes: int,
    *,
    on_hit: Callable[[str], None] = _ignore,
    on_produce: Callable[[str, float], None] = _ignore,
) -> SingleFlight:
    """The cache configuration asks for: memory, in front of Redis when a URL is given."""
    far = RedisCache(redis_url) if redis_url else None
    return SingleFlight(TieredCache(MemoryCache(memory_bytes), far, on_hit), on_produce)
