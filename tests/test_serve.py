"""`barometer serve --production`: gunicorn workers, forked from a master that imported the code, map the
dataset's version and answer requests."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import mercantile
import pytest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    port: int
    pid: int = 0
    """The gunicorn master's process id."""
    health: str | None = None
    """The body of /api/health once the server answered, None when it did not within 20 s."""
    output: str = ""
    """What the server printed, once it stopped."""


@contextmanager
def production_server(data_dir: Path, workers: int) -> Iterator[Served]:
    """`barometer serve --production` on a free port, stopped on exit."""
    served = Served(_free_port())
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "data.cli", "serve", "--production", "--workers", str(workers)),
            *("--port", str(served.port), "--data", str(data_dir)),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={**os.environ, "REDIS_URL": ""},
    )
    served.pid = proc.pid
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{served.port}/api/health", timeout=1) as r:
                    served.health = r.read().decode()
                break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
        yield served
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        served.output = proc.communicate(timeout=20)[0]


def test_production_server_serves_the_dataset_with_several_workers(data_dir, dataset):
    with production_server(data_dir, workers=2) as served:
        assert served.health is not None, "the server did not answer within 20 s"
        assert dataset.version in served.health
        with urllib.request.urlopen(f"http://127.0.0.1:{served.port}/tiles/deso.json", timeout=5) as response:
            assert b'"tilejson":"3.0.0"' in response.read()
    assert served.output.count("Booting worker") == 2, served.output


def test_production_server_spreads_keep_alive_clients_and_has_no_control_socket(data_dir, tmp_path):
    """A keep-alive connection is closed after REQUESTS_PER_CONNECTION answers (so its client reconnects and
    may land on another worker, e.g. the replacement of a killed one); gunicorn's control socket is off."""
    from tileserver.wsgi import REQUESTS_PER_CONNECTION

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    env.update(REDIS_URL="", HOME=str(tmp_path))
    command = [sys.executable, "-m", "data.cli", "serve", "--production", "--workers", "1"]
    command += ["--port", str(port), "--data", str(data_dir)]
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True, env=env
    )
    try:
        connection = None
        for _ in range(150):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/api/health")
                break
            except OSError:
                time.sleep(0.1)
        headers = []
        for _ in range(REQUESTS_PER_CONNECTION + 5):
            response = connection.getresponse()
            response.read()
            headers.append(response.getheader("Connection"))
            if response.will_close:
                connection.close()
            connection.request("GET", "/api/health")
        connection.getresponse().read()
        assert headers.index("close") == REQUESTS_PER_CONNECTION - 1
        assert headers.count("close") == 1 and headers[REQUESTS_PER_CONNECTION] == "keep-alive"
        assert not (tmp_path / ".gunicorn").exists()  # where gunicorn would put its control socket
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        output = proc.communicate(timeout=20)[0]
    assert "control" not in output.lower(), output


def _mapped_files(pid: int) -> set[str]:
    """The files a process has mapped."""
    return {
        line.split(maxsplit=5)[5]
        for line in Path(f"/proc/{pid}/maps").read_text().splitlines()
        if "/" in line
    }


def _workers(master: int) -> list[int]:
    return [
        int(p)
        for task in Path(f"/proc/{master}/task").iterdir()
        for p in (task / "children").read_text().split()
    ]


def _serving(port: int, version: str, workers: int) -> bool:
    """Whether answers over fresh connections (spread over the workers) all come from ``version``."""
    for _ in range(200):
        answers = []
        for _ in range(6 * workers):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as r:
                answers.append(json.loads(r.read())["version"])
        if set(answers) == {version}:
            return True
        time.sleep(0.1)
    return False


def test_workers_share_the_mapped_version_and_let_a_replaced_one_go(data_dir, dataset):
    """Every worker maps the served version's stored tables and tile geometry (one copy in the page cache for
    all of them), the master maps none, and after a new version no worker keeps the old one's files."""
    from data.cli import main

    old = data_dir / "versions" / dataset.version
    with production_server(data_dir, workers=2) as served:
        assert served.health is not None, served.output
        base = f"http://127.0.0.1:{served.port}"
        lon, lat, _ = json.loads(urllib.request.urlopen(f"{base}/tiles/deso.json").read())["center"]
        year = dataset.years_of("deso")[-1]

        def tiles() -> None:  # over fresh connections: every worker gets some
            for z in range(8, 13):
                tile = mercantile.tile(lon, lat, z)
                urllib.request.urlopen(f"{base}/tiles/deso/{year}/{z}/{tile.x}/{tile.y}.mvt").read()

        tiles()
        files = {str(old / "values.arrow"), str(old / "tiles" / "deso.arrow")}

        def mapping() -> bool:
            workers = _workers(served.pid)
            return len(workers) == 2 and all(files <= _mapped_files(w) for w in workers)

        assert _within(30, mapping), [
            sorted(f for f in _mapped_files(w) if ".arrow" in f) for w in _workers(served.pid)
        ]
        assert not any(str(old) in f for f in _mapped_files(served.pid))

        indicator = sorted(dataset.indicators)[0]
        assert main(["indicators", "rename", indicator, f"{indicator}_new", "--data", str(data_dir)]) == 0
        new = (data_dir / "CURRENT").read_text().strip()
        assert new != dataset.version and _serving(served.port, new, 2)
        tiles()
        values = str(data_dir / "versions" / new / "values.arrow")

        def swapped() -> bool:
            mapped = [_mapped_files(w) for w in _workers(served.pid)]
            return len(mapped) == 2 and all(values in f and not any(str(old) in m for m in f) for f in mapped)

        assert _within(30, swapped), [
            sorted(f for f in _mapped_files(w) if ".arrow" in f) for w in _workers(served.pid)
        ]


def _within(seconds: float, condition) -> bool:
    """Whether ``condition()`` holds within ``seconds`` (a worker may still be mapping its version)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def small_response(environ, start_response):
    """A WSGI app (served by the test below) answering a few bytes, as a health probe or a small tile."""
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "4")])
    return [b"body"]


def data_segments_received(connection: socket.socket) -> int:
    """``tcpi_data_segs_in`` of Linux's ``struct tcp_info``: segments with data this socket has received."""
    import struct

    info = connection.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 256)
    return struct.unpack_from("I", info, 152)[0]


@pytest.mark.skipif(not hasattr(socket, "TCP_INFO"), reason="TCP_INFO is Linux's")
def test_a_response_leaves_the_worker_in_one_piece():
    """gunicorn writes headers and body with separate calls; the worker sends them in one, as one segment,
    so a worker killed between the two has sent nothing that a proxy could not retry on another replica."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "gunicorn", "--worker-class", "tileserver.wsgi.Worker"),
            *("--threads", "2", "--bind", f"127.0.0.1:{port}", "tests.test_serve:small_response"),
        ],
        cwd=Path(__file__).resolve().parents[1],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        for _ in range(200):
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                assert proc.poll() is None, "gunicorn exited"
                time.sleep(0.05)
        with connection:
            for _ in range(3):  # on a new connection and on a kept-alive one
                before = data_segments_received(connection)
                connection.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
                answer = b""
                while not answer.endswith(b"\r\n\r\nbody"):
                    answer += connection.recv(65536)
                assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
                assert data_segments_received(connection) - before == 1
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
