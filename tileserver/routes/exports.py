"""Exports: map images for reports, raster XYZ tiles, per-municipality downloads (GPKG, GeoJSON, CSV, XLSX).

Every route takes the style route's query options (method, classes, palette, kommun, pooled, since,
deviation, breaks, breakdown, lang), so an image, a raster tile and a downloaded style show the same classes
in the same colours as the web map. Images and downloads are slow work: the size limits of styles.render, and
a cold one runs in the bounded pool of tileserver/slow.py (503 when it is full) and renders in a child
process, so tiles keep their threads and the GIL. Raster tiles are tile-sized (256 px, at most a tile's
areas) and run on the request thread like vector tiles.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, current_app, request

from data.cache import compress
from data.tileset import TileSet
from indicators.model import NotFoundError, ParameterError
from styles.choropleth import MapClasses, MapOptions, classes_for
from tileserver.http import cached_bytes, respond, versioned
from tileserver.routes import params, services
from tileserver.routes.styles import map_options

blueprint = Blueprint("exports", __name__)

MAX_RASTER_ZOOM = 20
EXPORT_TYPES = {
    "gpkg": "application/geopackage+sqlite3",
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def classes(tileset: TileSet, options: MapOptions) -> MapClasses:
    """The classes of the options, shared with the style and legend routes (same memo key)."""
    return tileset.memo(("classes", options), lambda: classes_for(tileset.dataset, options))


def slow_bytes(key: str, produce: Callable[[], bytes]) -> bytes:
    """Cached gzip bytes of slow work: a hit at once, a miss produced in the slow pool (503 when full)."""
    cache = services().cache
    hit = cache.get(key)
    if hit is not None:
        return hit
    pool = current_app.extensions["barometer.slow"]
    # compressed in the child too: gzip of a large image is CPU work the worker should not do
    return pool.run(lambda: cache.get_or_create(key, lambda: pool.forked(lambda: compress(produce()))))


@blueprint.get("/maps/<level>/<indicator>/<year>.<any(png, svg):fmt>")
def map_image(level: str, indicator: str, year: str, fmt: str):
    from styles import render  # rasterio and Pillow load on the first image, not in every worker

    tileset = services().tileset()
    options = map_options(tileset.dataset, level, indicator, year)
    args = request.args
    bbox = None
    if args.get("bbox"):
        params.numbers("bbox", args["bbox"])  # ASCII digits only, before the limits of parse_bbox
        bbox = render.parse_bbox(args["bbox"])
    page = render.page_size(
        _optional_int("width"),
        _optional_int("height"),
        paper=args.get("paper") or None,
        dpi=_optional_int("dpi"),
        orientation=args.get("orientation", "portrait"),
    )
    key = tileset.key("map", fmt, options.cache_key(), bbox, page)

    def produce() -> bytes:
        sheet = render.map_sheet(tileset.dataset, classes(tileset, options), bbox)
        return render.render_png(sheet, page) if fmt == "png" else render.render_svg(sheet, page).encode()

    body = slow_bytes(key, produce)
    response = respond(body, "image/png" if fmt == "png" else "image/svg+xml")
    name = f"{options.indicator}_{options.level}_{'-'.join(options.kommun) or 'karta'}_{options.year}.{fmt}"
    _disposition(response, name)
    return response


@blueprint.get("/raster/<level>/<indicator>/<year>/<z>/<x>/<y>.png")
def raster(level: str, indicator: str, year: str, z: str, x: str, y: str):
    from styles import render

    tileset = services().tileset()
    cache_control = versioned(tileset.dataset.version)
    options = map_options(tileset.dataset, level, indicator, year)
    zoom = params.integer("z", z, low=0, high=MAX_RASTER_ZOOM)
    column = params.integer("x", x, low=0, high=2**zoom - 1)
    row = params.integer("y", y, low=0, high=2**zoom - 1)
    key = tileset.key("raster", options.cache_key(), zoom, column, row)

    def produce() -> bytes:
        fills = tileset.memo(
            ("fills", options), lambda: render.scope_fills(tileset.dataset, classes(tileset, options))
        )
        return render.raster_tile(tileset.prepared(options.level), fills, zoom, column, row)

    body = cached_bytes(services().cache, key, produce)
    return respond(body, "image/png", cache_control=cache_control)


@blueprint.get("/api/export/<kommun>.<any(gpkg, geojson, csv, xlsx):fmt>")
def export(kommun: str, fmt: str):
    from data import export as export_files  # pyogrio and openpyxl load on the first download

    tileset = services().tileset()
    dataset = tileset.dataset
    args = request.args
    params.choice("kommun", kommun, dataset.municipalities["code"], not_found=True)
    level = params.choice(
        "level", args.get("level", "deso"), [lv for lv in ("deso", "regso") if lv in dataset.levels]
    )
    years = _years(dataset, level)
    indicators = _indicators(dataset)
    styled = args.get("indicator") or (indicators[0] if indicators else next(iter(dataset.indicators)))
    options = map_options(dataset, level, styled, args.get("year") or str(years[-1]), scope=(kommun,))
    if options.indicator not in indicators:  # the default style needs its column
        indicators = [*indicators, options.indicator]
    if options.year not in years:
        years = sorted([*years, options.year])
    decimal = params.choice("decimal", args.get("decimal") or "point", ("point", "comma"))
    definitions = params.flag("definitions", default=True)
    key = tileset.key(
        "export",
        fmt,
        kommun,
        level,
        years,
        indicators,
        options.cache_key(),
        decimal,
        definitions,
    )

    def produce() -> bytes:
        mapped = classes(tileset, options) if options.diverging else None
        table = export_files.export_table(dataset, kommun, level, years, indicators, mapped)
        if fmt == "gpkg":
            return export_files.geopackage_bytes(dataset, table, options)
        if fmt == "geojson":
            return export_files.geojson_bytes(table)
        if fmt == "xlsx":
            return export_files.xlsx_bytes(dataset, table, options.lang)
        return export_files.csv_bytes(
            dataset,
            table,
            decimal_comma=decimal == "comma",
            definitions_section=definitions,
            lang=options.lang,
        )

    response = respond(slow_bytes(key, produce), EXPORT_TYPES[fmt])
    span = f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])
    _disposition(response, f"barometer_{kommun}_{level}_{span}.{fmt}", attachment=True)
    return response


def _optional_int(name: str) -> int | None:
    raw = request.args.get(name)
    return None if raw in (None, "") else params.integer(name, raw)


def _years(dataset, level: str) -> list[int]:
    raw = request.args.get("years", "")
    available = dataset.years_of(level)
    if not available:
        raise NotFoundError("years", f"no values at level {level}")
    if not raw:
        return [available[-1]]
    years = sorted({params.integer("years", part) for part in raw.split(",") if part})
    missing = [y for y in years if y not in available]
    if missing:
        raise NotFoundError(
            "years", f"no values for {missing} at level {level}; years: {available[0]}..{available[-1]}"
        )
    if not years:
        raise ParameterError("years", "name at least one year")
    return years


def _indicators(dataset) -> list[str]:
    raw = request.args.get("indicators", "all")
    if raw in ("", "all"):
        return list(dataset.indicators)
    named = dict.fromkeys(part for part in raw.split(",") if part)  # each once: one cache key per table
    return [params.choice("indicators", part, dataset.indicators, not_found=True) for part in named]


def _disposition(response: Response, filename: str, *, attachment: bool = False) -> None:
    if response.status_code == 200:
        kind = "attachment" if attachment or request.args.get("download") else "inline"
        response.headers["Content-Disposition"] = f'{kind}; filename="{filename}"'
