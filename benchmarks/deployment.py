"""The deployment we ship, on loopback: nginx with deploy/nginx-barometer.conf in front of two app replicas
(``barometer serve --production``) sharing one Redis, against nginx serving the same tiles as static files.

``.venv/bin/python benchmarks/deployment.py [--areas 2000] [--seconds 10]``

1. Warm throughput: wrk over a fixed sample of geometry tiles, then of year tiles, through the proxy (after
   one pass has filled its cache), and over the same gzip bytes as files from the same nginx. Target: the
   proxy at ≥ 0.5× static.
2. A replica killed under load: wrk through the proxy on requests the proxy never caches
   (``/api/health``, answered by a replica every time) while one replica is killed (SIGKILL, master and
   workers) a third of the way through. Target: 0 failed requests (non-2xx answers and socket errors).

Everything listens on 127.0.0.1 and stops by itself; Debian's nginx, redis-server and wrk are needed. Prints
Markdown tables; nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import ROOT, demo_folder, free_port, ratio, sample_tiles, table
from benchmarks.throughput import start_ours, stop, wait_ready, wrk

SITE = ROOT / "deploy" / "nginx-barometer.conf"


def nginx_config(work: Path, proxy_port: int, static_port: int, replicas: list[int], static: Path) -> Path:
    """The shipped site file with this run's replicas, port and cache folder, inside a minimal nginx.conf
    that also serves ``static`` as pre-gzipped tiles on ``static_port``."""
    site = SITE.read_text()
    upstream = "\n".join(f"    server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in replicas)
    site, found = re.subn(r"^    server app:8000 .*;$", upstream, site, flags=re.M)
    assert found == 1, "the site file's upstream line changed: update this benchmark"
    site = site.replace("listen 80;", f"listen 127.0.0.1:{proxy_port};")
    site = site.replace("/var/cache/nginx/barometer", str(work / "cache"))
    (work / "barometer.conf").write_text(site)
    main = f"""
user root;
worker_processes 2;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
daemon off;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 100000;
    include {work}/barometer.conf;
    server {{
        listen 127.0.0.1:{static_port};
        location /tiles/ {{
            root {static};
            default_type application/vnd.mapbox-vector-tile;
            add_header Content-Encoding gzip;
        }}
    }}
}}
"""
    path = work / "nginx.conf"
    path.write_text(main)
    return path


def fetch_to(base: str, paths: list[str], root: Path) -> None:
    """Each path once through ``base`` (gzip, as browsers ask), its bytes written under ``root``."""
    for path in paths:
        request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=2000, help="DeSO areas in the demo (default 2000)")
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers per replica")
    args = parser.parse_args()
    data = demo_folder(args.areas)

    from data.store import read_version
    from data.tileset import TileSet

    tileset = TileSet(read_version(data))
    year = tileset.dataset.years_of("deso")[-1]
    sample = sample_tiles(tileset, per_zoom=8)
    geometry = [t.path(None) for t in sample]
    years = [t.path(year) for t in sample]

    processes: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="barometer-deploy-") as folder:
        work = Path(folder)
        redis_port, proxy_port, static_port = free_port(), free_port(), free_port()
        replica_ports = [free_port(), free_port()]
        try:
            processes.append(
                subprocess.Popen(
                    ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", ""],
                    stdout=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
            redis_url = f"redis://127.0.0.1:{redis_port}/0"
            replicas = [start_ours(data, port, args.workers, redis_url) for port in replica_ports]
            processes += replicas
            for port, replica in zip(replica_ports, replicas, strict=True):
                wait_ready(f"http://127.0.0.1:{port}/readyz", replica)
            config = nginx_config(work, proxy_port, static_port, replica_ports, work / "static")
            processes.append(subprocess.Popen(["nginx", "-c", str(config)], start_new_session=True))
            proxy = f"http://127.0.0.1:{proxy_port}"
            wait_ready(f"{proxy}/healthz", processes[-1], timeout=30)
            for paths in (geometry, years):
                fetch_to(proxy, paths, work / "static")  # fills the proxy's cache and the static folder
            rows, raw = [], {}
            for name, paths in (("geometry tiles", geometry), ("year tiles", years)):
                listing = work / f"{name.split()[0]}.txt"
                listing.write_text("\n".join(paths) + "\n")
                ours = wrk(proxy, listing, args.seconds)
                static = wrk(f"http://127.0.0.1:{static_port}", listing, args.seconds)
                raw[name] = {"proxy": ours, "static": static}
                rows.append(
                    [
                        name,
                        f"{ours['rps']:.0f}",
                        f"{static['rps']:.0f}",
                        ratio(ours["rps"], static["rps"]),
                        f"{ours['p99_ms']:.1f}",
                        ours["non_2xx"],
                    ]
                )
            print(f"Warm throughput on loopback ({len(geometry)} tiles each, {args.seconds} s wrk runs):\n")
            print(
                table(
                    ["", "proxy + 2 replicas (req/s)", "nginx static (req/s)", "ratio", "p99 ms", "non-2xx"],
                    rows,
                )
            )

            listing = work / "uncached.txt"
            listing.write_text("\n".join(f"/api/health?probe={i}" for i in range(997)) + "\n")
            killer = threading.Timer(args.seconds / 3, lambda: os.killpg(replicas[0].pid, signal.SIGKILL))
            killer.start()
            started = time.monotonic()
            killed = wrk(proxy, listing, args.seconds)
            killer.join()
            assert replicas[0].wait(10) == -signal.SIGKILL, "the replica was not killed"
            failed_sockets = sum(int(n) for n in re.findall(r"\d+", killed["socket_errors"]))
            print(
                f"\nA replica killed {args.seconds / 3:.1f} s into {args.seconds} s of uncached requests:\n"
            )
            print(
                table(
                    ["requests/s", "p99 ms", "non-2xx answers", "socket errors", "failed"],
                    [
                        [
                            f"{killed['rps']:.0f}",
                            f"{killed['p99_ms']:.1f}",
                            killed["non_2xx"],
                            killed["socket_errors"] or "none",
                            killed["non_2xx"] + failed_sockets,
                        ]
                    ],
                )
            )
            print(f"\n(run took {time.monotonic() - started:.0f} s; raw: {raw})")
        finally:
            for process in reversed(processes):
                stop(process)


if __name__ == "__main__":
    main()
