"""What operators see: health and readiness probes, Prometheus metrics summed over every gunicorn worker,
and JSON access logs, through a real ``barometer serve --production``."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

SERVE = (sys.executable, "-m", "data.cli", "serve", "--production", "--workers", "2")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def samples(text: str, name: str) -> dict[str, float]:
    """``{labels: value}`` of one metric in the Prometheus text format."""
    found = {}
    for line in text.splitlines():
        match = re.fullmatch(rf"{name}(\{{.*\}})? (\S+)", line)
        if match:
            found[match.group(1) or ""] = float(match.group(2))
    return found


def test_probes_in_process(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    first = client.get("/readyz")  # nothing loaded yet: not ready, and loading starts in the background
    assert first.status_code == 503 and first.headers["Cache-Control"] == "no-store"
    assert first.get_json()["status"] == "not ready"
    for _ in range(100):
        answer = client.get("/readyz")
        if answer.status_code == 200:
            break
        time.sleep(0.05)
    assert answer.status_code == 200 and answer.get_json()["status"] == "ready"
    assert answer.get_json()["version"] == client.get("/api/health").get_json()["version"]


def test_metrics_count_routes_cache_tiers_and_render_time(client, dataset):
    import mercantile

    from tileserver import metrics

    centre = dataset.area_frame("deso").to_crs("EPSG:4326").union_all().centroid
    z, x, y = 12, *mercantile.tile(centre.x, centre.y, 12)[:2]

    def value(name: str, labels: str) -> float:
        return samples(metrics.exposition().decode(), name).get(labels, 0.0)

    tile = '{route="/tiles/<level>/<z>/<x>/<y>.mvt"}'
    before = {
        "requests": value(
            "barometer_requests_total", '{method="GET",route="/tiles/<level>/<z>/<x>/<y>.mvt",status="200"}'
        ),
        "memory": value("barometer_cache_lookups_total", '{tier="memory"}'),
        "miss": value("barometer_cache_lookups_total", '{tier="miss"}'),
        "latency": value("barometer_request_duration_seconds_count", tile),
        "produced": value("barometer_produce_duration_seconds_count", '{kind="mvt"}'),
    }
    for _ in range(3):
        assert client.get(f"/tiles/deso/{z}/{x}/{y}.mvt").status_code == 200
    assert client.get("/tiles/deso/99/0/0.mvt").status_code == 404
    text = client.get("/metrics")
    assert text.status_code == 200 and text.mimetype == "text/plain"
    body = text.data.decode()
    tile_requests = samples(body, "barometer_requests_total")
    route = 'method="GET",route="/tiles/<level>/<z>/<x>/<y>.mvt"'
    assert tile_requests[f'{{{route},status="200"}}'] - before["requests"] == 3
    assert tile_requests[f'{{{route},status="404"}}'] >= 1
    lookups = samples(body, "barometer_cache_lookups_total")
    assert lookups['{tier="miss"}'] - before["miss"] == 1  # the tile was made once ...
    assert lookups['{tier="memory"}'] - before["memory"] == 2  # ... and answered from memory twice
    assert samples(body, "barometer_request_duration_seconds_count")[tile] - before["latency"] == 4
    assert samples(body, "barometer_produce_duration_seconds_count")['{kind="mvt"}'] - before["produced"] == 1
    version = client.get("/api/health").get_json()["version"]
    assert samples(body, "barometer_dataset_info")[f'{{version="{version}"}}'] == 1
    # Client-chosen paths never become label values: only the app's URL rules do.
    client.get("/no/such/path/12345")
    assert "12345" not in metrics.exposition().decode()


@pytest.fixture
def production(data_dir, tmp_path):
    """``barometer serve --production`` with two workers; yields (base URL, process)."""
    port = _free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "REDIS_URL": "", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics")}
    with log.open("w") as out:
        proc = subprocess.Popen(
            [*SERVE, "--port", str(port), "--data", str(data_dir)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=env,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if _get(f"{base}/readyz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the production server was not ready within 30 s")
        yield base, tmp_path / "metrics", log
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(20)


def test_production_metrics_add_up_every_worker_and_logs_are_json(production):
    base, metrics_dir, log = production

    def worker_pids() -> set[str]:
        return {path.stem.rsplit("_", 1)[-1] for path in metrics_dir.glob("counter_*.db")}

    sent = 0
    with ThreadPoolExecutor(8) as pool:  # concurrent connections: both workers take some
        while sent < 800 and len(worker_pids()) < 2:
            answers = pool.map(lambda i: _get(f"{base}/api/health?probe={i}")[0], range(sent, sent + 40))
            assert set(answers) == {200}
            sent += 40
    assert len(worker_pids()) == 2, "the requests did not reach both workers"
    status, body = _get(f"{base}/metrics")  # answered by one worker ...
    assert status == 200
    requests = samples(body.decode(), "barometer_requests_total")
    assert requests['{method="GET",route="/api/health",status="200"}'] == sent  # ... counting both
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    probes = [
        r for r in records if r["path"] == "/api/health" and r["query"] and r["query"].startswith("probe=")
    ]
    assert len(probes) == sent
    assert all(r["status"] == 200 and r["method"] == "GET" and r["duration_ms"] >= 0 for r in probes)
