"""The shipped nginx site file (deploy/nginx-barometer.conf) in Debian's nginx, in front of the app: it
caches tiles as the app sent them (gzip passed through), keeps probes uncached, hides /metrics, and skips a
replica that is down so the request still succeeds."""

from __future__ import annotations

import gzip
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import mercantile
import pytest

from benchmarks.common import free_port
from benchmarks.deployment import nginx_config
from tests.clients import live_server

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
pytestmark = pytest.mark.skipif(
    not Path(NGINX).exists(), reason="needs Debian's nginx (apt-get install nginx-light)"
)


def get(url: str, encoding: str = "gzip") -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture
def proxy(app, tmp_path):
    """nginx on a free port with the shipped site file; its upstream: a port nobody listens on, then the
    app. Yields the proxy's base URL."""
    dead = free_port()  # bound and released: connections to it are refused
    with live_server(app) as url:
        live = int(url.rsplit(":", 1)[1])
        port = free_port()
        config = nginx_config(tmp_path, port, free_port(), [dead, live], tmp_path / "static")
        check = subprocess.run([NGINX, "-t", "-c", str(config)], capture_output=True, text=True)
        assert check.returncode == 0, check.stderr
        process = subprocess.Popen([NGINX, "-c", str(config)], stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                with socket.socket() as probe:
                    if probe.connect_ex(("127.0.0.1", port)) == 0:
                        break
                time.sleep(0.05)
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            process.wait(10)


def test_tiles_are_cached_with_their_encoding_and_a_dead_replica_is_skipped(proxy, dataset, client):
    centre = dataset.area_frame("deso").to_crs("EPSG:4326").union_all().centroid
    tile = mercantile.tile(centre.x, centre.y, 12)
    path = f"/tiles/deso/{tile.z}/{tile.x}/{tile.y}.mvt"
    direct = client.get(path, headers={"Accept-Encoding": "identity"}).data

    first = get(proxy + path)  # the dead replica is tried, refused, and the live one answers
    assert first[0] == 200 and first[1]["X-Cache"] == "MISS"
    assert first[1]["Content-Encoding"] == "gzip" and gzip.decompress(first[2]) == direct
    again = get(proxy + path)
    assert again[0] == 200 and again[1]["X-Cache"] == "HIT" and again[2] == first[2]
    plain = get(proxy + path, encoding="identity")  # a client without gzip gets its own cached variant
    assert plain[0] == 200 and "Content-Encoding" not in plain[1] and plain[2] == direct
    assert plain[1]["X-Cache"] == "MISS" and get(proxy + path, "identity")[1]["X-Cache"] == "HIT"

    # Round robin sends some of these to the dead replica first: each is passed on and answered.
    assert [get(f"{proxy}/api/health?i={i}")[0] for i in range(4)] == [200] * 4
    for probe in ("/healthz", "/readyz"):
        status, headers, _ = get(proxy + probe)
        assert status in (200, 503) and "X-Cache" not in headers  # per replica, never from the cache
    assert get(proxy + "/metrics")[0] == 404
