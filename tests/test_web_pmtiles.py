"""Tiles from object storage: the demo seeded to PMTiles by ``barometer seed``, the archives on a static
server of another origin that answers HTTP range requests (as a bucket or CDN does), and the app started
with ``PMTILES_URL`` naming them. The page, in Debian's Chromium, draws the municipality's areas from the
archives and asks the app for no tile; the styles and TileJSON point MapLibre at the archives and stay
valid MapLibre styles, while QGIS styles and unseeded variants keep the app's tiles."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from tests import test_web_map as web
from tests.clients import live_server
from tests.test_styles_maplibre import validate
from tests.test_web_map import CHROMIUM, DIST, KOMMUN, Page

browser = web.browser  # the same Chromium as the demo's tests

pytest.importorskip("playwright.sync_api")
BAROMETER = Path(sys.executable).parent / "barometer"
RANGE = re.compile(r"bytes=(\d+)-(\d*)$")


class RangeHandler(SimpleHTTPRequestHandler):
    """Static files with single byte ranges and CORS, as object storage serves archives to a page."""

    ranged: ClassVar[list[str]] = []  # paths asked for in ranges

    def log_message(self, *args) -> None:  # quiet
        pass

    def end_headers(self) -> None:
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Headers", "Range, If-Match")
        self.send_header("Access-Control-Expose-Headers", "ETag, Content-Range, Content-Length")
        super().end_headers()

    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self.end_headers()

    def do_GET(self) -> None:
        match = RANGE.match(self.headers.get("Range", ""))
        path = Path(self.translate_path(self.path))
        if not match or not path.is_file():
            super().do_GET()
            return
        body = path.read_bytes()
        start = int(match[1])
        end = min(int(match[2]) if match[2] else len(body) - 1, len(body) - 1)
        RangeHandler.ranged.append(self.path)
        self.send_response(206)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Range", f"bytes {start}-{end}/{len(body)}")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("ETag", f'"{path.stat().st_mtime_ns}"')
        self.end_headers()
        self.wfile.write(body[start : end + 1])


@pytest.fixture(scope="module")
def archives(tmp_path_factory) -> Path:
    """The demo and its archives, written by the commands a deployment runs: every level's geometry tiles
    and the latest year's tiles (``--years all`` would add every year)."""
    folder = tmp_path_factory.mktemp("pmtiles")
    data, out = folder / "data", folder / "tiles"
    for command in (
        ["demo", "--data", str(data)],
        ["seed", "--data", str(data), "--pmtiles", str(out), "--workers", "1"],
    ):
        subprocess.run([str(BAROMETER), *command], check=True, capture_output=True, timeout=600)
    return folder


@pytest.fixture(scope="module")
def static_url(archives) -> Iterator[str]:
    folder = str(archives / "tiles")
    server = ThreadingHTTPServer(("127.0.0.1", 0), lambda *a: RangeHandler(*a, directory=folder))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def app(archives, static_url):
    from tileserver import create_app

    return create_app(
        {"DATA": str(archives / "data"), "PMTILES_URL": static_url, "TESTING": True, "CHECK_EVERY": 0.0}
    )


def test_seed_writes_one_archive_per_tileset_named_as_the_app_reads_them(archives, app):
    names = {p.name for p in (archives / "tiles").iterdir()}
    catalog = app.test_client().get("/api/catalog").get_json()
    for level in (lv["id"] for lv in catalog["levels"] if lv["id"] != "riket"):
        assert f"{level}.pmtiles" in names
        latest = max(next(lv for lv in catalog["levels"] if lv["id"] == level)["years"])
        assert f"{level}-{latest}.pmtiles" in names


def test_tilejson_and_styles_point_maplibre_at_the_archives(app, static_url, tmp_path):
    client = app.test_client()
    tilejson = client.get("/tiles/deso.json").get_json()
    assert tilejson["tiles"] == [f"pmtiles://{static_url}/deso.pmtiles/{{z}}/{{x}}/{{y}}"]
    year = client.get("/api/catalog").get_json()["default_view"]["year"]
    styles = {
        "maplibre": client.get(f"/styles/deso/employment_rate/{year}.json").get_json(),
        "qgis": client.get(f"/styles/deso/employment_rate/{year}.json?client=qgis").get_json(),
        "since": client.get(f"/styles/deso/employment_rate/{year}.json?since={year - 1}").get_json(),
    }
    tiles = {name: style["sources"]["barometer"]["tiles"][0] for name, style in styles.items()}
    assert tiles["maplibre"] == f"pmtiles://{static_url}/deso-{year}.pmtiles/{{z}}/{{x}}/{{y}}"
    assert tiles["qgis"].startswith("http://localhost/tiles/deso/")  # QGIS reads no pmtiles://
    assert tiles["since"].startswith("http://localhost/tiles/deso/")  # a variant that is not seeded
    paths = []
    for name, style in styles.items():
        paths.append(tmp_path / f"{name}.json")
        paths[-1].write_text(json.dumps(style))
    done = validate(paths)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium")
@pytest.mark.skipif(not DIST.exists(), reason="web map not built: run `npm ci && npm run build` in web/")
def test_the_page_draws_the_areas_from_the_archives_without_asking_the_app_for_tiles(
    app, browser, static_url
):
    RangeHandler.ranged.clear()
    with live_server(app) as url:
        page = Page(browser)
        requests: list[str] = []
        page.page.on("request", lambda r: requests.append(r.url))
        page.open(f"{url}/?kommun={KOMMUN}")
        page.page.wait_for_selector("body[data-drawn-at]", timeout=30_000)
        source = page.page.evaluate("window.barometer.ctx.maps[0].map.getStyle().sources.areas.tiles[0]")
        drawn = page.page.evaluate(
            "window.barometer.ctx.maps[0].map.queryRenderedFeatures({layers: ['fill']})"
            ".map((f) => f.properties.code)"
        )
        areas = app.test_client().get(f"/api/areas/deso?kommun={KOMMUN}").get_json()
        page.context.close()
    assert source.startswith(f"pmtiles://{static_url}/deso.pmtiles/")
    assert {a["code"] for a in areas} <= set(drawn)  # every area of the municipality drawn
    app_tiles = [u for u in requests if u.startswith(url) and re.search(r"/tiles/.*\.mvt", u)]
    assert app_tiles == []
    served = {p.split("?")[0] for p in RangeHandler.ranged}
    assert {"/deso.pmtiles", "/kommun.pmtiles"} <= served
    assert page.errors == []
