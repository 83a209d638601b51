"""The web map: ``/`` and ``/embed`` (the same page; the embed hides the controls) and its assets under
``/static/``, all from the built ``web/dist`` (``npm run build`` in ``web/``)."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, send_from_directory

blueprint = Blueprint("web", __name__)
DIST = Path(__file__).resolve().parents[2] / "web" / "dist"
NOT_BUILT = "The web map is not built: run `npm ci && npm run build` in web/.\n"


def dist() -> Path:
    return DIST


def _page(mode: str) -> Response:
    index = dist() / "index.html"
    if not index.is_file():
        return Response(NOT_BUILT, status=503, mimetype="text/plain")
    html = index.read_text(encoding="utf-8").replace('data-mode="full"', f'data-mode="{mode}"', 1)
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Content-Type-Options"] = "nosniff"
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
    response.headers["Content-Security-Policy"] = f"frame-ancestors {frame_ancestors()}"
    return response


def frame_ancestors() -> str:
    """The CSP source list of who may frame /embed: ``*``, or origins separated by spaces or commas."""
    raw = str(current_app.config.get("FRAME_ANCESTORS") or "*")
    sources = [part for part in raw.replace(",", " ").split() if part and ";" not in part]
    return " ".join(sources) or "'none'"


@blueprint.get("/static/<path:filename>")
def static(filename: str) -> Response:
    root = dist()
    if not root.is_dir():
        abort(404)
    response = send_from_directory(root, filename, max_age=300)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
