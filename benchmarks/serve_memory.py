"""Memory of a production server, shared or copied: ``python -m benchmarks.serve_memory DATA [--workers 4]``.

Starts ``barometer serve --production`` (gunicorn: a master and N workers) over a data folder and reports how
long it takes until it answers (``/readyz``: its version mapped, every level ready for tiles), then the
proportional set size (PSS: shared pages divided among the processes that map them) and the private memory
of the master and of every worker after a warm-up of tiles and styles, and again after each of ``--swaps``
new versions (an indicator renamed back and forth through the CLI, so every worker loads a new version in
the background). Targets: PSS per worker < 150 MiB, master + workers < 1 GiB, the same after the swaps, an
answer < 5 s after start.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from benchmarks.common import PYTHON, free_port

KIB = 1024


def memory(pid: int) -> dict[str, float]:
    """PSS, private (clean + dirty), anonymous (the heap: never shared after a write) and RSS of a process
    in MiB, from /proc/PID/smaps_rollup."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0])
    private = fields["Private_Clean"] + fields["Private_Dirty"]
    return {
        "pss": fields["Pss"] / KIB,
        "private": private / KIB,
        "anonymous": fields["Anonymous"] / KIB,
        "rss": fields["Rss"] / KIB,
    }


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(p) for p in (task / "children").read_text().split()]
    return found


def get(url: str, timeout: float = 30) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Connection": "close"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


def warm(base: str, requests: int) -> None:
    """Tiles of every level (geometry and latest year) and the default style, over fresh connections so
    that every worker gets its share."""
    catalog = json.loads(get(f"{base}/api/catalog")[1])
    levels = {lv["id"]: lv for lv in catalog["levels"]} if isinstance(catalog.get("levels"), list) else {}
    urls = [f"{base}/styles/default.json"]
    for level in levels or ("deso", "regso", "kommun", "lan"):
        tilejson = json.loads(get(f"{base}/tiles/{level}.json")[1] or b"{}")
        if "center" not in tilejson:  # a level without tiles (the country)
            continue
        lon, lat, _ = tilejson["center"]
        import mercantile

        years = (levels.get(level) or {}).get("years") or []
        for z in range(tilejson["minzoom"], min(tilejson["maxzoom"], tilejson["minzoom"] + 4) + 1):
            tile = mercantile.tile(lon, lat, z)
            urls.append(f"{base}/tiles/{level}/{z}/{tile.x}/{tile.y}.mvt")
            if years:
                urls.append(f"{base}/tiles/{level}/{years[-1]}/{z}/{tile.x}/{tile.y}.mvt")
    for i in range(requests):
        get(urls[i % len(urls)])


def snapshot(master: int) -> dict:
    workers = sorted(children(master))
    report = {"master": memory(master), "workers": [memory(w) for w in workers]}
    report["total_pss"] = report["master"]["pss"] + sum(w["pss"] for w in report["workers"])
    report["max_worker_pss"] = max((w["pss"] for w in report["workers"]), default=0.0)
    return report


def wait_for_version(base: str, version: str | None, workers: int, deadline: float) -> str:
    """Poll /readyz until ``4 × workers`` answers in a row are ready (and of ``version`` when given)."""
    streak, seen = 0, ""
    while time.monotonic() < deadline:
        status, body = get(f"{base}/readyz", timeout=5)
        answer = json.loads(body) if status == 200 else {}
        ok = status == 200 and (version is None or answer.get("version") == version)
        streak = streak + 1 if ok else 0
        seen = answer.get("version", seen)
        if streak >= 4 * workers:
            return seen
        time.sleep(0.05 if ok else 0.2)
    raise TimeoutError(f"the server did not serve version {version} in time (last seen {seen})")


BAROMETER = str(Path(PYTHON).parent / "barometer")
"""The command line the package installs next to the interpreter."""


def cli(*args: str) -> None:
    subprocess.run([BAROMETER, *args], check=True, stdout=subprocess.DEVNULL)


def renaming(data: Path) -> tuple[str, str]:
    """An indicator of the current version and a new name for it (the same name back on the next call)."""
    current = (data / "CURRENT").read_text().strip()
    manifest = json.loads((data / "versions" / current / "manifest.json").read_text())
    first = sorted(manifest["indicators"])[0]
    return (
        (first, first.removesuffix("_renamed")) if first.endswith("_renamed") else (first, f"{first}_renamed")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", type=Path, help="a data folder (e.g. written by `barometer demo --national`)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--swaps", type=int, default=3)
    parser.add_argument("--requests", type=int, default=400, help="warm-up requests per measurement")
    args = parser.parse_args()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [BAROMETER, "serve", "--production", "--workers", str(args.workers)]
    env = {**os.environ, "BAROMETER_DATA": str(args.data)}
    start = time.monotonic()
    server = subprocess.Popen(
        [*command, "--port", str(port), "--data", str(args.data)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while get(f"{base}/readyz", timeout=2)[0] != 200:  # a worker answers once its version is mapped
            if server.poll() is not None:
                sys.exit("the server exited")
            time.sleep(0.05)
        answered = time.monotonic() - start
        version = wait_for_version(base, None, args.workers, time.monotonic() + 120)
        warm(base, args.requests)
        results = {
            "answered_after_s": round(answered, 2),
            "runs": [{"version": version, **snapshot(server.pid)}],
        }
        for _ in range(args.swaps):
            cli("indicators", "rename", *renaming(args.data), "--data", str(args.data))
            wanted = (args.data / "CURRENT").read_text().strip()
            wait_for_version(base, wanted, args.workers, time.monotonic() + 300)
            warm(base, args.requests)
            time.sleep(1)
            results["runs"].append({"version": wanted, **snapshot(server.pid)})
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    print(json.dumps(results, indent=1))
    for run in results["runs"]:
        workers = ", ".join(f"{w['pss']:.0f}" for w in run["workers"])
        print(
            f"version {run['version']}: master PSS {run['master']['pss']:.0f} MiB, workers {workers} MiB, "
            f"total {run['total_pss']:.0f} MiB",
            file=sys.stderr,
        )


if __name__ == "__main__":
    main()
