"""The built page's assets: bundled, content-hashed, precompressed once at build time, and served with
headers that let browsers and proxies keep them (immutable) and pick the smallest encoding they accept."""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.clients import chromium_page, live_server

DIST = Path(__file__).resolve().parents[1] / "web" / "dist"
pytestmark = pytest.mark.skipif(
    not (DIST / "manifest.json").exists(), reason="web map not built: run `npm ci && npm run build` in web/"
)


@pytest.fixture(scope="module")
def client():
    from tileserver import create_app

    return create_app({"TESTING": True}).test_client()


@pytest.fixture(scope="module")
def manifest() -> dict[str, str]:
    return json.loads((DIST / "manifest.json").read_text())


def brotli_decompress(body: bytes) -> bytes:
    """Decoded by Node's zlib (Python's standard library has no brotli)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = "process.stdout.write(require('zlib').brotliDecompressSync(require('fs').readFileSync(0)))"
    return subprocess.run([node, "-e", script], input=body, capture_output=True, check=True).stdout


def test_the_page_names_only_built_hashed_assets(client, manifest):
    html = client.get("/").get_data(as_text=True)
    named = re.findall(r'(?:src|href)="static/([^"]+)"', html)
    chunks = {built for source, built in manifest.items() if source.startswith("chunks/")}
    assert set(named) <= set(manifest.values())
    assert set(manifest.values()) - chunks <= set(named)  # every entry and vendor file
    bundles = " ".join(p.read_text() for p in (DIST / "static").glob("*.js"))
    assert all(f"./{chunk}" in bundles for chunk in chunks)  # the bundle loads its chunks itself
    for source, built in manifest.items():
        stem = Path(source).stem
        assert (DIST / "static" / built).is_file()
        assert re.fullmatch(r"[\w.-]+-[0-9A-Za-z]{8,}\.(js|css)", built), built
        if source.startswith("vendor/"):  # copied: the hash in the name is the content's
            digest = hashlib.sha256((DIST / "static" / built).read_bytes()).hexdigest()[:10]
            assert built == f"{stem}-{digest}{Path(source).suffix}"


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [
        ("gzip, deflate, br", "br"),
        ("gzip", "gzip"),
        ("br;q=0, gzip", "gzip"),
        ("identity", None),
        ("", None),
        ("br;q=0, gzip;q=0", None),
    ],
)
def test_assets_come_precompressed_in_the_best_accepted_encoding(client, manifest, accept, encoding):
    for built in manifest.values():
        raw = (DIST / "static" / built).read_bytes()
        response = client.get(f"/static/{built}", headers={"Accept-Encoding": accept})
        assert response.status_code == 200
        assert response.headers.get("Content-Encoding") == encoding
        assert response.headers["Vary"] == "Accept-Encoding"
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.mimetype == ("text/css" if built.endswith(".css") else "text/javascript")
        body = response.get_data()
        response.close()
        decoded = {"br": brotli_decompress, "gzip": gzip.decompress, None: bytes}[encoding](body)
        assert decoded == raw
        if encoding:
            assert len(body) < len(raw) / 2


def test_unhashed_and_missing_assets(client):
    response = client.get("/static/maplibre-gl.LICENSE.txt")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "public, max-age=300"
    response.close()
    assert client.get("/static/nothing-here.js").status_code == 404
    assert client.get("/static/../manifest.json").status_code == 404
    assert client.get("/static/%2e%2e/index.html").status_code == 404


def test_the_browser_receives_brotli_and_runs_the_bundle(client):
    """Chromium decodes what it is sent (brotli over http://127.0.0.1) and the bundled app starts."""
    from tileserver import create_app

    app = create_app({"TESTING": True})
    with live_server(app) as url, chromium_page(900, 700) as page:
        encodings: dict[str, str | None] = {}
        page.on(
            "response",
            lambda r: encodings.__setitem__(r.url.rsplit("/", 1)[-1], r.headers.get("content-encoding")),
        )
        page.goto(url + "/")
        page.wait_for_selector("body[data-ready='1']", timeout=20_000)
        errors = list(page.errors)
    assert errors == []
    scripts = {name: enc for name, enc in encodings.items() if name.endswith((".js", ".css"))}
    assert scripts and set(scripts.values()) == {"br"}, scripts
