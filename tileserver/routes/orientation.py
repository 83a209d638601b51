"""What the map orients by: label glyphs (``/fonts/…``), the configured basemap (``/api/config``) and a
basemap PMTiles file the app serves itself (``/basemap/<name>``, with range requests)."""

from __future__ import annotations

import gzip
import re

from flask import Blueprint, Response, current_app, send_file

from data.cache import compress
from indicators.model import NotFoundError
from styles.glyphs import FONTSTACK, RANGES, glyph_range
from tileserver.basemap import Basemap
from tileserver.http import SHORT, json_bytes, respond
from tileserver.routes.tiles import public_base
from tileserver.routes.web import IMMUTABLE, NOT_BUILT, dist

blueprint = Blueprint("orientation", __name__)
PBF = "application/x-protobuf"
GLYPHS = "fonts/{fontstack}/{range}.pbf"
"""The glyphs URL of every style, relative to the app's public URL."""
LABEL_MINZOOM = {"deso": 11, "regso": 9.5, "kommun": 6, "lan": 4}
"""From which zoom a level's area names fit (the web page and the MapLibre styles)."""
_RANGE = re.compile(r"(\d{1,5})-(\d{1,5})")


def glyphs_url(base: str) -> str:
    return f"{base}/{GLYPHS}"


def basemap() -> Basemap:
    return current_app.extensions["basemap"]


@blueprint.get("/api/config")
def config():
    """The page's settings: the basemap, and from which zoom each level's names are shown."""
    body = {"basemap": basemap().to_json(public_base()), "label_minzoom": LABEL_MINZOOM}
    return respond(compress(json_bytes(body)), "application/json", cache_control=SHORT)


@blueprint.get("/fonts/<fontstack>/<range_name>.pbf")
def glyphs(fontstack: str, range_name: str):
    """A glyph range written at build time; a range the build did not write is served empty (no labels
    with those characters, rather than a failed request per label)."""
    if fontstack != FONTSTACK:
        raise NotFoundError("fontstack", f"only {FONTSTACK!r} is served, not {fontstack!r}")
    match = _RANGE.fullmatch(range_name)
    start = int(match.group(1)) if match else -1
    if not match or start % 256 or int(match.group(2)) != start + 255 or start > 65280:
        raise NotFoundError("range", f"{range_name!r} is not a glyph range such as 0-255")
    path = dist() / "fonts" / FONTSTACK / f"{range_name}.pbf.gz"
    if start in RANGES and not path.is_file():
        return Response(NOT_BUILT, status=503, mimetype="text/plain")
    body = path.read_bytes() if path.is_file() else gzip.compress(glyph_range(FONTSTACK, start, []), mtime=0)
    return respond(body, PBF, cache_control=IMMUTABLE)


@blueprint.get("/basemap/<name>")
def basemap_file(name: str):
    """The configured basemap PMTiles file, with range requests (PMTiles reads it in pieces)."""
    file = basemap().file
    if file is None or name != file.name:
        raise NotFoundError("name", f"no basemap file {name!r} is served")
    response = send_file(file, mimetype="application/vnd.pmtiles", conditional=True, etag=True)
    response.headers["Cache-Control"] = "public, max-age=3600"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
