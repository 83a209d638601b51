"""Warm-cache throughput: our app under gunicorn against tileserver-gl-light serving static MBTiles.

Both answer the same tiles (same bytes: the MBTiles are seeded from the same dataset) under the same ``wrk``
load (benchmarks/cycle.lua cycles through the sample URLs), on loopback. Our caches are warmed by a first
``wrk`` run that is not counted; tileserver-gl reads from SQLite and has no warm-up to speak of, it gets the
same warm-up run anyway (the OS page cache holds its file afterwards).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from benchmarks.common import BENCH, PYTHON, ROOT

TILESERVER_GL = BENCH / "node_modules" / "tileserver-gl-light" / "src" / "main.js"
STYLES = BENCH / "node_modules" / "tileserver-gl-light" / "node_modules" / "tileserver-gl-styles"


def ensure_tileserver_gl() -> None:
    """``npm ci`` from benchmarks/package-lock.json when needed, and the styles folder it cannot download."""
    if not TILESERVER_GL.exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH, check=True)
    STYLES.mkdir(parents=True, exist_ok=True)


def start_ours(data: Path, port: int, workers: int = 2, redis_url: str | None = None) -> subprocess.Popen:
    """``barometer serve --production`` over ``data``, with the in-process cache only or ``redis_url``."""
    command = [PYTHON, "-m", "data.cli", "serve", "--production", "--workers", str(workers)]
    command += ["--data", str(data), "--port", str(port)]
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "BAROMETER_REDIS_URL")}
    if redis_url:
        env["REDIS_URL"] = redis_url
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def start_tileserver_gl(folder: Path, sources: dict[str, str], port: int) -> subprocess.Popen:
    """tileserver-gl-light over the MBTiles ``sources`` (data id → file name in ``folder``)."""
    config = {
        "options": {"paths": {"root": "", "mbtiles": str(folder)}},
        "data": {name: {"mbtiles": file} for name, file in sources.items()},
    }
    path = folder / "tileserver-gl.json"
    path.write_text(json.dumps(config))
    return subprocess.Popen(
        ["node", str(TILESERVER_GL), "-c", str(path), "-p", str(port)],
        cwd=BENCH,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    """Stop a server this module started (its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_ready(url: str, process: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited ({process.returncode}) before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"no answer from {url} within {timeout} s")


def fetch_all(base: str, paths: list[str]) -> dict[str, bytes]:
    """Every path once (gzip bytes as served); raises on any status but 200."""
    out = {}
    for path in paths:
        request = urllib.request.Request(base + path, headers={"Accept-Encoding": "gzip"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                out[path] = response.read()
        except urllib.error.HTTPError as error:
            raise RuntimeError(f"{base + path}: HTTP {error.code} {error.read()[:200]!r}") from None
    return out


def wrk(base: str, paths_file: Path, seconds: int, connections: int = 32, threads: int = 2) -> dict:
    """One wrk run: requests/s, latency percentiles (ms) and the count of non-2xx/3xx answers."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["-s", str(BENCH / "cycle.lua"), base]
    result = subprocess.run(
        command, env={**os.environ, "WRK_PATHS": str(paths_file)}, capture_output=True, text=True, check=True
    )
    text = result.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))  # type: ignore[union-attr]
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    socket_errors = re.search(r"Socket errors:.*", text)
    latency = {
        p: _ms(m.group(1)) for p, m in ((p, re.search(rf"\s{p}%\s+([\d.]+\w+)", text)) for p in (50, 99)) if m
    }
    return {
        "rps": rps,
        "p50_ms": latency.get(50),
        "p99_ms": latency.get(99),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(0) if socket_errors else "",
    }


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def process_rss_mib(pid: int) -> dict[str, float]:
    """VmRSS, its peak VmHWM, and Pss (shared pages divided among the processes sharing them), in MiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines())
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    pss = next(int(line.split()[1]) for line in rollup if line.startswith("Pss:"))
    return {
        "rss": int(fields["VmRSS"].split()[0]) / 1024,
        "peak": int(fields["VmHWM"].split()[0]) / 1024,
        "pss": pss / 1024,
    }


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(p) for p in text.split()]
