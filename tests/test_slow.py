"""Slow work (map images, downloads) runs in a bounded pool: when it is full they answer 503 at once, with
Retry-After and a JSON body, while tiles are answered as usual."""

from __future__ import annotations

import os
import threading
import time

import mapbox_vector_tile
import mercantile
import pytest

from indicators.model import ParameterError
from tileserver import create_app
from tileserver.slow import Busy, SlowPool

IMAGE = "/maps/deso/income/2021.png?kommun=0201&width=400&height=300"
EXPORT = "/api/export/0201.csv"


@pytest.fixture
def full_app(data_dir):
    """An app whose one slot and one queue place are taken by work the test releases."""
    app = create_app({"DATA": str(data_dir), "TESTING": True, "SLOW_SLOTS": 1, "SLOW_QUEUE": 1})
    pool: SlowPool = app.extensions["barometer.slow"]
    release, started = threading.Event(), threading.Event()

    def hold() -> None:
        started.set()
        release.wait(30)

    holders = [threading.Thread(target=pool.run, args=(hold,)) for _ in range(2)]
    for thread in holders:
        thread.start()
    assert started.wait(10)
    while pool.admitted < 2:
        threading.Event().wait(0.01)
    yield app, release
    release.set()
    for thread in holders:
        thread.join(10)


@pytest.mark.parametrize("path", [IMAGE, EXPORT])
def test_full_pool_answers_503_with_retry_after_and_json_naming_the_wait(full_app, path):
    app, _ = full_app
    response = app.test_client().get(path)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    body = response.get_json()
    assert body["error"] == "service unavailable"
    assert "2 slow requests" in body["detail"]


def test_tiles_and_cached_images_are_answered_while_the_pool_is_full(full_app, data_dir):
    app, release = full_app
    client = app.test_client()
    tile = mercantile.bounding_tile(*client.get("/tiles/deso.json").get_json()["bounds"])
    response = client.get(f"/tiles/deso/2021/{tile.z}/{tile.x}/{tile.y}.mvt")
    assert len(mapbox_vector_tile.decode(response.data)["deso"]["features"]) == 16
    assert client.get(IMAGE).status_code == 503
    release.set()
    pool = app.extensions["barometer.slow"]
    while pool.admitted:
        threading.Event().wait(0.01)
    first = client.get(IMAGE)
    assert first.status_code == 200 and first.data.startswith(b"\x89PNG")
    # a cached image needs no slot: it is answered even when the pool is full again
    hold = threading.Event()
    threads = [threading.Thread(target=pool.run, args=(lambda: hold.wait(30),)) for _ in range(2)]
    for thread in threads:
        thread.start()
    while pool.admitted < 2:
        threading.Event().wait(0.01)
    try:
        assert client.get(IMAGE).status_code == 200
        assert client.get(IMAGE.replace("width=400", "width=401")).status_code == 503
    finally:
        hold.set()
        for thread in threads:
            thread.join(10)


def test_pool_runs_at_most_slots_at_once_and_rejects_past_slots_plus_queue():
    pool = SlowPool(2, 3)
    running, peak, lock = 0, 0, threading.Lock()
    release = threading.Event()

    def work() -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        release.wait(30)
        with lock:
            running -= 1
        return threading.get_native_id()

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(pool.run(work))) for _ in range(5)]
    for thread in threads:
        thread.start()
    while pool.admitted < 5 or running < 2:
        threading.Event().wait(0.01)
    with pytest.raises(Busy):
        pool.run(lambda: 0)
    threading.Event().wait(0.2)
    assert running == 2  # the other three wait in the queue
    release.set()
    for thread in threads:
        thread.join(10)
    assert peak == 2 and len(results) == 5 and pool.admitted == 0
    assert threading.get_native_id() not in results  # the work ran on the pool's threads
    assert pool.run(lambda: 7) == 7


def test_slots_run_at_a_lower_cpu_priority():
    pool = SlowPool(1, 0, nice=7)
    base = os.getpriority(os.PRIO_PROCESS, 0)
    priority = pool.run(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
    assert priority == min(base + 7, 19)
    assert os.getpriority(os.PRIO_PROCESS, 0) == base  # the request threads keep theirs


def test_a_pool_without_slots_is_refused():
    with pytest.raises(ValueError, match="at least one slot"):
        SlowPool(0, 2)


def test_renders_run_in_a_child_process_at_a_lower_priority_and_errors_come_back():
    pool = SlowPool(1, 0, nice=5)
    base = os.getpriority(os.PRIO_PROCESS, 0)
    answer = pool.forked(lambda: f"{os.getpid()} {os.getpriority(os.PRIO_PROCESS, 0)}".encode())
    pid, priority = map(int, answer.split())
    assert pid != os.getpid() and priority == min(base + 5, 19)
    with pytest.raises(ParameterError, match="decimal: one of point, comma") as caught:
        pool.forked(lambda: (_ for _ in ()).throw(ParameterError("decimal", "one of point, comma")))
    assert caught.value.parameter == "decimal"
    with pytest.raises(RuntimeError, match="ZeroDivisionError"):
        pool.forked(lambda: bytes(1 // 0))
    with pytest.raises(RuntimeError, match="ended without an answer"):
        pool.forked(lambda: os._exit(3))
    pool.timeout = 0.5
    started = time.monotonic()
    with pytest.raises(Busy, match=r"longer than 0\.5 s"):
        pool.forked(lambda: time.sleep(30) or b"")
    assert time.monotonic() - started < 10
