"""`barometer serve --production`: gunicorn workers, forked after the dataset is loaded, answer requests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_production_server_serves_the_dataset_with_several_workers(data_dir, dataset):
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tileserver.cli",
            "serve",
            "--production",
            "--workers",
            "2",
            "--port",
            str(port),
            "--data",
            str(data_dir),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
        env={**os.environ, "REDIS_URL": ""},
    )
    try:
        body = None
        for _ in range(150):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=1) as response:
                    body = response.read().decode()
                break
            except OSError:
                time.sleep(0.1)
        assert body is not None, "the server did not answer within 15 s"
        assert dataset.version in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/tiles/deso.json", timeout=5) as response:
            assert b'"tilejson":"3.0.0"' in response.read()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        output = proc.communicate(timeout=20)[0]
    assert output.count("Booting worker") == 2, output
