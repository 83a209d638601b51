"""The cache backends: the LRU, the real Redis, and Redis going away and coming back."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
import uuid

import pytest
import redis

from data.cache import MemoryCache, RedisCache, SingleFlight, TieredCache, build_cache

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_available(url: str = REDIS_URL) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not redis_available(), reason="no Redis answers at 127.0.0.1:6379")


def test_memory_cache_evicts_least_recently_used_by_size():
    cache = MemoryCache(max_bytes=10)
    cache.set("a", b"1234")
    cache.set("b", b"5678")
    assert cache.get("a") == b"1234"  # a is now the most recently used
    cache.set("c", b"90ab")  # 12 bytes > 10: b goes
    assert cache.get("b") is None
    assert cache.get("a") == b"1234" and cache.get("c") == b"90ab"
    cache.set("huge", b"x" * 11)  # larger than the whole budget: not stored, nothing evicted
    assert cache.get("huge") is None and len(cache) == 2


def test_single_flight_produces_a_cold_key_once():
    calls = []
    flight = SingleFlight(MemoryCache())
    barrier = threading.Barrier(8)

    def produce() -> bytes:
        calls.append(1)
        time.sleep(0.05)
        return b"tile"

    def worker(out: list) -> None:
        barrier.wait()
        out.append(flight.get_or_create("k", produce))

    results: list[bytes] = []
    threads = [threading.Thread(target=worker, args=(results,)) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [b"tile"] * 8
    assert len(calls) == 1


@needs_redis
def test_redis_cache_round_trip_and_tiering():
    prefix = f"test-{uuid.uuid4().hex}:"
    far = RedisCache(REDIS_URL, prefix=prefix)
    far.set("k", b"\x00\x01bytes")
    assert far.get("k") == b"\x00\x01bytes"
    assert redis.Redis.from_url(REDIS_URL).get(prefix + "k") == b"\x00\x01bytes"
    near = MemoryCache()
    tiered = TieredCache(near, far)
    assert tiered.get("k") == b"\x00\x01bytes"
    assert near.get("k") == b"\x00\x01bytes"  # a far hit fills the near cache
    assert tiered.get("missing") is None
    redis.Redis.from_url(REDIS_URL).delete(prefix + "k")


def test_build_cache_reads_the_redis_url():
    memory = build_cache(None, 1024).cache
    assert isinstance(memory, TieredCache) and isinstance(memory.near, MemoryCache) and memory.far is None
    tiered = build_cache("redis://127.0.0.1:1/0", 1024).cache
    assert isinstance(tiered, TieredCache) and isinstance(tiered.far, RedisCache)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_redis():
    """A Redis server of the test's own, so that it can be stopped without touching the shared one."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()

    def start() -> subprocess.Popen:
        proc = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            if redis_available(f"redis://127.0.0.1:{port}/0"):
                return proc
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    state = {"proc": start()}
    yield port, state, start
    state["proc"].terminate()
    state["proc"].wait()


def test_redis_going_down_and_coming_back(own_redis, caplog):
    port, state, start = own_redis
    cache = RedisCache(f"redis://127.0.0.1:{port}/0", retry_after=0.2)
    cache.set("a", b"1")
    assert cache.get("a") == b"1"
    state["proc"].terminate()
    state["proc"].wait()
    with caplog.at_level("WARNING"):
        assert cache.get("a") is None  # a miss, not an exception
        cache.set("b", b"2")
        assert cache.get("b") is None
    assert not cache.available
    assert sum("unavailable" in r.getMessage() for r in caplog.records) == 1  # warned once per outage
    state["proc"] = start()
    time.sleep(0.25)
    cache.set("c", b"3")
    assert cache.available
    assert cache.get("c") == b"3"


def test_the_app_serves_tiles_through_a_redis_outage(own_redis, data_dir):
    """Tiles go to Redis while it runs, are still served while it is down, and Redis is used again after."""
    import mercantile

    from tileserver import create_app

    port, state, start = own_redis
    url = f"redis://127.0.0.1:{port}/0"
    app = create_app({"DATA": str(data_dir), "REDIS_URL": url, "CACHE_MB": 0})
    far = app.extensions["barometer"].cache.cache.far
    far.retry_after = 0.2
    client = app.test_client()
    west, south, east, north = client.get("/tiles/deso.json").get_json()["bounds"]
    tiles = [
        f"/tiles/deso/2021/{t.z}/{t.x}/{t.y}.mvt" for t in mercantile.tiles(west, south, east, north, 12)
    ]
    first = client.get(tiles[0])
    assert first.status_code == 200
    assert redis.Redis.from_url(url).dbsize() >= 2  # the TileJSON and the tile
    state["proc"].terminate()
    state["proc"].wait()
    during = [client.get(t) for t in tiles]
    assert [r.status_code for r in during] == [200] * len(tiles)
    assert during[0].data == first.data
    state["proc"] = start()
    time.sleep(0.25)
    after = client.get(tiles[1])
    assert after.status_code == 200
    assert redis.Redis.from_url(url).dbsize() >= 1  # written again once Redis is back
