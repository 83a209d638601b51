"""Tile latency while map images are rendered: ``.venv/bin/python benchmarks/slow_work.py [--areas 6000]``.

Serves the demo with ``barometer serve --production --workers 2`` on a free loopback port, warms the tile
sample (benchmarks.common.sample_tiles) and runs ``wrk`` over it twice: alone, then while ``--images`` Python
clients each keep one large map image request in flight (``paper=A3&dpi=300``, every request a different
municipality and class count, so each is a cold render; a client answered 503 asks again after ``--pause``
seconds). Prints the tile p50/p99 of both runs and their ratio, and what the image clients got (rendered,
turned away with 503, other). Bounded: ``--seconds`` per run, loopback only. Not a pass/fail test.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import sys
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import WORK, demo_folder, free_port, sample_tiles
from benchmarks.throughput import fetch_all, start_ours, stop, wait_ready, wrk


def image_paths(dataset, level: str, indicator: str, year: int) -> itertools.cycle:
    """Endless distinct large image paths: every municipality × class count, each a cold render."""
    kommuner = sorted(set(dataset.area_frame(level)["kommun"]))
    combos = [(k, c) for c in range(3, 10) for k in kommuner]
    return itertools.cycle(
        f"/maps/{level}/{indicator}/{year}.png?kommun={k}&classes={c}&paper=A3&dpi=300" for k, c in combos
    )


def image_client(port: int, paths, lock, stop_at: float, pause: float, outcome: Counter) -> None:
    """Keep one image request in flight until ``stop_at``; count the statuses."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    while time.monotonic() < stop_at:
        with lock:
            path = next(paths)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        except (OSError, http.client.HTTPException):
            connection.close()
            status = "error"
        with lock:
            outcome[status] += 1
        if status != 200:
            time.sleep(pause)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=6000, help="DeSO areas in the demo (default 6000)")
    parser.add_argument("--images", type=int, default=24, help="concurrent image clients (default 24)")
    parser.add_argument("--seconds", type=int, default=20, help="length of each wrk run (default 20)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument("--pause", type=float, default=0.2, help="an image client's wait after a 503")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    from data.store import read_version
    from data.tileset import TileSet

    data = demo_folder(args.areas)
    tileset = TileSet(read_version(data))
    dataset = tileset.dataset
    year = dataset.years_of("deso")[-1]
    paths = [tile.path(year) for tile in sample_tiles(tileset, 8)]
    paths_file = WORK / "slow_work_paths.txt"
    paths_file.parent.mkdir(parents=True, exist_ok=True)
    paths_file.write_text("\n".join(paths) + "\n")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_ours(data, port, args.workers)
    try:
        wait_ready(base + "/api/health", server)
        for _ in range(args.workers * 2):  # every worker's memory cache, whichever answers
            fetch_all(base, paths)
        wrk(base, paths_file, 3, args.connections)  # warm-up, not counted
        alone = wrk(base, paths_file, args.seconds, args.connections)

        outcome: Counter = Counter()
        lock = threading.Lock()
        images = image_paths(dataset, "deso", "median_disposable_income", year)
        stop_at = time.monotonic() + args.seconds + 10
        clients = [
            threading.Thread(
                target=image_client, args=(port, images, lock, stop_at, args.pause, outcome), daemon=True
            )
            for _ in range(args.images)
        ]
        for client in clients:
            client.start()
        time.sleep(5)  # every slot busy before wrk starts
        busy = wrk(base, paths_file, args.seconds, args.connections)
        for client in clients:
            client.join(150)
    finally:
        stop(server)

    result = {
        "areas": args.areas,
        "cpus": os.cpu_count(),
        "workers": args.workers,
        "wrk_connections": args.connections,
        "image_clients": args.images,
        "tiles_alone": alone,
        "tiles_with_images": busy,
        "p99_ratio": round(busy["p99_ms"] / alone["p99_ms"], 2),
        "images": {str(k): v for k, v in outcome.items()},
    }
    print(json.dumps(result, indent=2))
    print(
        f"tile p99: {alone['p99_ms']:.1f} ms alone, {busy['p99_ms']:.1f} ms with {args.images} image "
        f"clients (ratio {result['p99_ratio']}); p50 {alone['p50_ms']:.1f} / {busy['p50_ms']:.1f} ms; "
        f"{alone['rps']:.0f} / {busy['rps']:.0f} tiles/s; images: {dict(outcome)}"
    )


if __name__ == "__main__":
    main()
