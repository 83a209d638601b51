"""The web map: ``/`` and ``/embed`` (the same page; the embed hides the controls) and its assets under
``/static/``, all from the built ``web/dist`` (``npm run build`` in ``web/``: bundled, content-hashed and
precompressed assets)."""

from __future__ import annotations

import functools
import json
import mimetypes
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, send_from_directory

blueprint = Blueprint("web", __name__)
DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
NOT_BUILT = "The web map is not built: run `./dev setup` (npm run build, then python -m styles.glyphs).\n"


def dist() -> Path:
    return DIST


def _page(mode: str) -> Response:
    index = dist() / "index.html"
    if not index.is_file():
        return Response(NOT_BUILT, status=503, mimetype="text/plain")
    html = index.read_text(encoding="utf-8").replace('data-mode="full"', f'data-mode="{mode}"', 1)
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    return response


@blueprint.get("/")
def index() -> Response:
    response = _page("full")
    response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@blueprint.get("/embed")
def embed() -> Response:
    response = _page("embed")
    # checked when the app starts (tileserver.config.frame_ancestors)
    response.headers["Content-Security-Policy"] = f"frame-ancestors {current_app.config['FRAME_ANCESTORS']}"
    return response


@blueprint.get("/static/<path:filename>")
def static(filename: str) -> Response:
    """A built asset, precompressed (brotli, else gzip) when the client accepts it; hashed names forever."""
    root = dist() / "static"
    if not root.is_dir():
        abort(404)
    encoding = _precompressed(root, filename)
    name = f"{filename}.{ENCODINGS[encoding]}" if encoding else filename
    response = send_from_directory(root, name, mimetype=mimetypes.guess_type(filename)[0])
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = IMMUTABLE if filename in _hashed_names() else "public, max-age=300"
    return response


ENCODINGS = {"br": "br", "gzip": "gz"}
"""Content-Encoding → suffix of the copies `npm run build` writes beside each asset, best first."""
IMMUTABLE = "public, max-age=31536000, immutable"


def _precompressed(root: Path, filename: str) -> str | None:
    accepted = request.accept_encodings
    for encoding, suffix in ENCODINGS.items():
        if accepted[encoding] > 0 and (root / f"{filename}.{suffix}").is_file():
            return encoding
    return None


def _hashed_names() -> frozenset[str]:
    """The built names that carry a content hash (dist/manifest.json, read again after a build)."""
    path = dist() / "manifest.json"
    return _manifest_names(path, path.stat().st_mtime_ns if path.is_file() else 0)


@functools.lru_cache(maxsize=1)
def _manifest_names(path: Path, stamp: int) -> frozenset[str]:
    return frozenset(json.loads(path.read_text()).values()) if stamp else frozenset()
