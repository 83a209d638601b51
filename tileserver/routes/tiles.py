"""Vector tiles and their TileJSON: geometry tiles, and year tiles with every indicator's value."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from data.tileset import attribution
from geo.archive import tileset_name
from indicators.model import NotFoundError
from tileserver.http import cached_bytes, respond, respond_json, vary_on_host, versioned, with_version
from tileserver.routes import params, services

blueprint = Blueprint("tiles", __name__)
MVT = "application/vnd.mapbox-vector-tile"


@blueprint.get("/tiles/<level>/<z>/<x>/<y>.mvt")
def geometry_tile(level: str, z: str, x: str, y: str):
    return _tile(level, None, z, x, y)


@blueprint.get("/tiles/<level>/<year>/<z>/<x>/<y>.mvt")
def year_tile(level: str, year: str, z: str, x: str, y: str):
    return _tile(level, year, z, x, y)


@blueprint.get("/tiles/<level>.json")
def geometry_tilejson(level: str):
    return _tilejson(level, None)


@blueprint.get("/tiles/<level>/<year>.json")
def year_tilejson(level: str, year: str):
    return _tilejson(level, year)


def _tile(level_raw: str, year_raw: str | None, z_raw: str, x_raw: str, y_raw: str):
    tileset = services().tileset()
    dataset = tileset.dataset
    cache_control = versioned(dataset.version)
    level = params.level(dataset, level_raw)
    year = None if year_raw is None else params.year(dataset, level, year_raw)
    view = params.tile_view(dataset, level)
    prepared = tileset.prepared(level)
    z = params.integer("z", z_raw)
    if not prepared.minzoom <= z <= prepared.maxzoom:
        raise NotFoundError(
            "z", f"zoom {z} is outside {prepared.minzoom}..{prepared.maxzoom} for level {level}"
        )
    x = params.integer("x", x_raw, low=0, high=2**z - 1)
    y = params.integer("y", y_raw, low=0, high=2**z - 1)
    key = tileset.key("mvt", level, year, view, z, x, y)
    body = cached_bytes(services().cache, key, lambda: tileset.tile(level, z, x, y, year, view))
    return respond(body, MVT, cache_control=cache_control)


def _tilejson(level_raw: str, year_raw: str | None):
    tileset = services().tileset()
    dataset = tileset.dataset
    cache_control = versioned(dataset.version)
    level = params.level(dataset, level_raw)
    year = None if year_raw is None else params.year(dataset, level, year_raw)
    base = public_base()
    key = tileset.key("tilejson", level, year, base, current_app.config["PMTILES_URL"])
    return respond_json(
        services().cache, key, lambda: tilejson(tileset, level, year, base), cache_control=cache_control
    )


def public_base() -> str:
    """The URL prefix clients reach this service at: the configured public URL, or the request's own."""
    configured = current_app.config["PUBLIC_URL"]
    if configured:
        return str(configured).rstrip("/")
    vary_on_host()
    return request.host_url.rstrip("/")


def archive_tiles(level: str, year: int | None, version: str, base: str) -> str | None:
    """The tile URL template in the seeded PMTiles archive of a tileset (``pmtiles://…/deso.pmtiles/{z}/{x}/{y}``,
    which MapLibre reads through the pmtiles protocol), when ``BAROMETER_PMTILES_URL`` says where the
    archives are; else None (the app serves the tiles)."""
    configured = current_app.config["PMTILES_URL"]
    if not configured:
        return None
    root = configured.replace("{version}", version).rstrip("/")
    if root.startswith("/") or not root:
        root = base + root
    return f"pmtiles://{root}/{tileset_name(level, year)}.pmtiles/{{z}}/{{x}}/{{y}}"


def tilejson(tileset, level: str, year: int | None, base: str) -> dict:
    dataset = tileset.dataset
    prepared = tileset.prepared(level)
    path = f"{level}/{year}" if year is not None else level
    fields = tileset.fields(level, year)
    west, south, east, north = prepared.bounds
    return {
        "tilejson": "3.0.0",
        "name": f"Barometer {level}" + (f" {year}" if year is not None else ""),
        "version": dataset.version,
        "scheme": "xyz",
        "tiles": [
            archive_tiles(level, year, dataset.version, base)
            or with_version(f"{base}/tiles/{path}/{{z}}/{{x}}/{{y}}.mvt", dataset.version)
        ],
        "minzoom": prepared.minzoom,
        "maxzoom": prepared.maxzoom,
        "bounds": [west, south, east, north],
        "center": [round((west + east) / 2, 5), round((south + north) / 2, 5), prepared.minzoom + 2],
        "attribution": attribution(current_app.config["ATTRIBUTION"], dataset),
        "vector_layers": [
            {"id": level, "fields": fields, "minzoom": prepared.minzoom, "maxzoom": prepared.maxzoom},
        ],
    }
