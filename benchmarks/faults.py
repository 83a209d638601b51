"""Faults under load: ``.venv/bin/python benchmarks/faults.py [--areas 6000] [--seconds 120]``.

Serves a copy of the demo with ``barometer serve --production --workers 2`` and a private Redis (a
``redis-server`` of its own on a free loopback port; the shared one is never touched), and runs one ``wrk``
over the tile sample for ``--seconds`` while, at fixed fractions of the run:

- 10 %: Redis is stopped (SIGTERM); 20 %: started again on the same port;
- 30 %: one worker is killed (SIGKILL; gunicorn forks a replacement);
- 40 %: a new version is published: ``barometer import values`` (one more indicator for every DeSO area)
  ran before the run into a staging copy of the folder (1–3 minutes on this shared machine, longer than a
  run), and its version folder is copied in and ``CURRENT`` moved, the atomic last step of every import; the
  workers load and prepare it in the background;
- 80 %: the CPU time of each worker is counted from here to the end.

With ``--proxy`` the same runs against the deployment we ship: nginx with deploy/nginx-barometer.conf in
front of two replicas sharing the Redis; the worker killed is one of the first replica's, and nginx passes
the requests it loses on to the other replica.

Reports wrk's failed requests (non-2xx/3xx answers and socket errors), p50/p99 latency and throughput, the
CPU time each worker spent in the last quarter of the run (keep-alive clients spread over the replacement
worker too), and the workers' memory (RSS, PSS) before and after. Loopback only, bounded by --seconds.
Not a pass/fail test.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import PYTHON, ROOT, WORK, demo_folder, free_port, sample_tiles
from benchmarks.deployment import nginx_config
from benchmarks.throughput import children, fetch_all, process_rss_mib, start_ours, stop, wait_ready, wrk

TICKS = os.sysconf("SC_CLK_TCK")


def start_redis(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(100):
        if (
            subprocess.run(["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True).stdout
            == "PONG\n"
        ):
            return process
        time.sleep(0.05)
    raise RuntimeError(f"redis-server on port {port} did not start")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def memory(master: int) -> list[dict]:
    return [{"pid": pid, **process_rss_mib(pid)} for pid in children(master)]


def new_values_file(dataset, folder: Path) -> Path:
    """A CSV of one new indicator for every DeSO area in the latest year: importing it makes a new version."""
    year = dataset.years_of("deso")[-1]
    codes = dataset.area_frame("deso").index
    path = folder / "extra.csv"
    lines = ["code,year,value"] + [f"{code},{year},{i % 97}" for i, code in enumerate(codes)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=6000, help="DeSO areas in the demo (default 6000)")
    parser.add_argument("--seconds", type=int, default=120, help="length of the wrk run (default 120)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--faults", default="redis,kill,publish", help="which faults to cause (default: all three)"
    )
    parser.add_argument("--proxy", action="store_true", help="nginx in front of two replicas (see above)")
    args = parser.parse_args()

    from data.store import VERSIONS, _point_current, current_version, read_version
    from data.tileset import TileSet

    source = demo_folder(args.areas)
    data = WORK / f"faults-{args.areas}"
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(source, data, symlinks=True)
    tileset = TileSet(read_version(data))
    year = tileset.dataset.years_of("deso")[-1]
    paths = [t.path(None) for t in sample_tiles(tileset, 8)] + [
        t.path(year) for t in sample_tiles(tileset, 8)
    ]
    paths_file = WORK / "faults_paths.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    staging = WORK / f"faults-{args.areas}-staging"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging, symlinks=True)
    extra = new_values_file(tileset.dataset, WORK)
    command = [PYTHON, "-m", "data.cli", "import", "values", str(extra), "--data", str(staging)]
    command += ["--indicator", "benchmark_extra", "--level", "deso", "--kind", "count"]
    print("importing the new version into a staging copy …", flush=True)
    import_started = time.monotonic()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    import_seconds = round(time.monotonic() - import_started, 1)
    new_version = current_version(staging)

    redis_port, port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    redis = start_redis(redis_port)
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    server = start_ours(data, port, args.workers, redis_url=redis_url)
    others: list[subprocess.Popen] = []  # the second replica and nginx, with --proxy
    events: list[str] = []
    try:
        wait_ready(base + "/api/health", server)
        if args.proxy:
            second, proxy_port = free_port(), free_port()
            others.append(start_ours(data, second, args.workers, redis_url=redis_url))
            wait_ready(f"http://127.0.0.1:{second}/api/health", others[0])
            config = nginx_config(WORK, proxy_port, free_port(), [port, second], WORK / "faults-static")
            others.append(subprocess.Popen(["nginx", "-c", str(config)], start_new_session=True))
            base = f"http://127.0.0.1:{proxy_port}"
            wait_ready(base + "/healthz", others[-1], timeout=30)
        for _ in range(args.workers * 2):
            fetch_all(base, paths)
        before = memory(server.pid)
        started = time.monotonic()

        def at(fraction: float) -> None:
            time.sleep(max(0.0, started + fraction * args.seconds - time.monotonic()))

        def note(text: str) -> None:
            events.append(f"{time.monotonic() - started:5.1f} s: {text}")

        def redis_down_and_up() -> None:
            nonlocal redis
            at(0.10)
            redis.send_signal(signal.SIGTERM)
            redis.wait(10)
            note("Redis stopped")
            at(0.20)
            redis = start_redis(redis_port)
            note("Redis started again")

        def kill_worker() -> None:
            at(0.30)
            victim = children(server.pid)[0]
            os.kill(victim, signal.SIGKILL)
            note(f"worker {victim} killed (SIGKILL)")

        def publish_version() -> None:
            at(0.40)
            shutil.copytree(staging / VERSIONS / new_version, data / VERSIONS / new_version)
            _point_current(data, new_version)  # the atomic last step of every import
            note(f"new version {new_version} published")
            deadline = time.monotonic() + args.seconds
            while time.monotonic() < deadline:
                with urllib.request.urlopen(base + "/api/health", timeout=5) as response:
                    if json.loads(response.read())["version"] == new_version:
                        note("health names the new version")
                        return
                time.sleep(0.5)

        def measure_cpu() -> None:
            at(0.80)
            workers = children(server.pid)
            cpu_start.update({pid: cpu_seconds(pid) for pid in workers})
            note(f"workers now {workers}")

        cpu_start: dict[int, float] = {}
        chosen = {"redis": redis_down_and_up, "kill": kill_worker, "publish": publish_version}
        actions = [chosen[name] for name in args.faults.split(",") if name]
        threads = [threading.Thread(target=f) for f in (*actions, measure_cpu)]
        for thread in threads:
            thread.start()
        result = wrk(base, paths_file, args.seconds, args.connections)
        cpu_last_fifth = {pid: round(cpu_seconds(pid) - start, 2) for pid, start in cpu_start.items()}
        for thread in threads:
            thread.join()
        time.sleep(2)
        after = memory(server.pid)
    finally:
        for process in (*reversed(others), server):
            stop(process)
        if redis.poll() is None:
            redis.terminate()
            redis.wait(10)
    report = {
        "areas": args.areas,
        "seconds": args.seconds,
        "connections": args.connections,
        "faults": args.faults,
        "proxy": args.proxy,
        "wrk": result,
        "failed_requests": result["non_2xx"] + sum(map(int, re.findall(r"\d+", result["socket_errors"]))),
        "import_seconds_before_the_run": import_seconds,
        "events": events,
        "worker_cpu_seconds_last_fifth": cpu_last_fifth,
        "memory_before_mib": before,
        "memory_after_mib": after,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
