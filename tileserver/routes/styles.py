"""Per-year styles: MapLibre style JSON (also in the form QGIS converts), QML, SLD, and legends."""

from __future__ import annotations

import numpy as np
from flask import Blueprint, Response, current_app, request

from data.tileset import TileSet, attribution, status_property
from indicators.model import Dataset, ParameterError
from styles.choropleth import MapClasses, MapOptions, classes_for
from styles.classify import assign
from styles.maplibre import build_style
from styles.qgis import to_qml, to_sld
from tileserver.http import cached_bytes, respond, respond_json, versioned, with_version
from tileserver.routes import params, services
from tileserver.routes.orientation import LABEL_MINZOOM, glyphs_url
from tileserver.routes.tiles import archive_tiles, public_base

blueprint = Blueprint("styles", __name__)


def map_options(
    dataset: Dataset, level: str, indicator: str, year: str, *, scope: tuple[str, ...] = ()
) -> MapOptions:
    """MapOptions from the path and the query string; every bad option is a 4xx naming it.

    ``scope`` is the classes' municipalities when the query names none (a download for one municipality
    is classed within it, like the page)."""
    level = params.level(dataset, level)
    indicator = params.indicator(dataset, indicator)
    year_value = params.year(dataset, level, year)
    args = request.args
    kommun = params.kommun_list(dataset) or scope
    if kommun:
        _check_scope(dataset, level, kommun)
    breaks = params.numbers("breaks", args["breaks"]) if args.get("breaks") else None
    view = params.tile_view(dataset, level) or ("total", None, None)
    breakdown = view[0] if args.get("breakdown") else dataset.default_breakdown(indicator)
    return MapOptions(
        level=level,
        indicator=indicator,
        year=year_value,
        method=args.get("method", "manual" if breaks else "quantiles"),
        classes=params.query_int("classes", 5, 2, 9),
        palette=args.get("palette") or None,
        kommun=kommun,
        pooled=params.flag("pooled"),
        breakdown=breakdown,
        since=view[1],
        deviation=view[2],  # type: ignore[arg-type]
        breaks=breaks,
        lang=params.choice("lang", args.get("lang", "sv"), ("sv", "en")),
    )


def _check_scope(dataset: Dataset, level: str, kommun: tuple[str, ...]) -> None:
    """A map scoped to municipalities must hold areas: kommun and län areas lie in no municipality."""
    areas = dataset.area_frame(level)
    if not areas["kommun"].isin(kommun).any():
        scoped = [lv for lv in dataset.levels if (dataset.area_frame(lv)["kommun"] != "").any()]
        raise ParameterError(
            "kommun",
            f"no {level} areas lie within {', '.join(kommun)}; kommun= scopes maps of the levels "
            f"{', '.join(scoped) or 'with parent municipalities'}, or leave it out for all {level} areas",
        )


def _classes(tileset: TileSet, options: MapOptions) -> MapClasses:
    return tileset.memo(("classes", options), lambda: classes_for(tileset.dataset, options))


@blueprint.get("/styles/<level>/<indicator>/<year>.json")
def style(level: str, indicator: str, year: str):
    tileset = services().tileset()
    cache_control = versioned(tileset.dataset.version)
    options = map_options(tileset.dataset, level, indicator, year)
    client = params.choice("client", request.args.get("client", "maplibre"), ("maplibre", "qgis"))
    mode = params.choice("mode", request.args.get("mode", "fade"), ("fade", "filter"))
    base = public_base()
    key = tileset.key("style", options.cache_key(), client, mode, base, current_app.config["PMTILES_URL"])
    return respond_json(
        services().cache,
        key,
        lambda: _style(tileset, options, client, mode, base),
        cache_control=cache_control,
    )


def _style(tileset: TileSet, options: MapOptions, client: str, mode: str, base: str) -> dict:
    classes = _classes(tileset, options)
    prepared = tileset.prepared(options.level)
    query = tile_query(options)
    version = tileset.dataset.version
    # MapLibre reads a tileset's seeded archive where there is one (QGIS and variants like breakdown=
    # or since=, which are not seeded, keep the app's tiles)
    seeded = client == "maplibre" and not query
    archive = archive_tiles(options.level, options.year, version, base) if seeded else None
    return build_style(
        tiles_url=archive
        or with_version(f"{base}/tiles/{options.level}/{options.year}/{{z}}/{{x}}/{{y}}.mvt{query}", version),
        source_layer=options.level,
        property=options.indicator,
        classification=classes.classification,
        colors=classes.colors,
        indicator=classes.indicator,
        year=options.year,
        legend=classes.legend,
        minzoom=prepared.minzoom,
        maxzoom=prepared.maxzoom,
        bounds=_bounds(tileset, options),
        client=client,  # type: ignore[arg-type]
        filter_municipality=options.kommun[0] if len(options.kommun) == 1 else None,
        municipality_mode=mode,  # type: ignore[arg-type]
        status_property=status_property(options.indicator),
        attribution=attribution(current_app.config["ATTRIBUTION"], tileset.dataset),
        glyphs=glyphs_url(base),
        label_minzoom=LABEL_MINZOOM.get(options.level, prepared.minzoom),
    )


def tile_query(options: MapOptions) -> str:
    parts = []
    if options.breakdown != "total":
        parts.append(f"breakdown={options.breakdown}")
    if options.since is not None:
        parts.append(f"since={options.since}")
    if options.deviation is not None:
        parts.append(f"deviation={options.deviation}")
    return "?" + "&".join(parts) if parts else ""


def _bounds(tileset: TileSet, options: MapOptions) -> list[float]:
    """WGS 84 bounds of the municipalities in scope, or of the whole level."""
    prepared = tileset.prepared(options.level)
    if not options.kommun:
        return list(prepared.bounds)
    return list(prepared.bounds_of(np.flatnonzero(prepared.table["kommun"].isin(options.kommun))))


@blueprint.get("/api/legend/<level>/<indicator>/<year>")
def legend(level: str, indicator: str, year: str):
    """The legend of a map, and each area in scope with its mapped value and class (index into colors)."""
    tileset = services().tileset()
    cache_control = versioned(tileset.dataset.version)
    options = map_options(tileset.dataset, level, indicator, year)
    key = tileset.key("legend", options.cache_key())

    def produce() -> dict:
        classes = _classes(tileset, options)
        codes = list(classes.values)
        values = np.fromiter(classes.values.values(), dtype=float, count=len(codes))
        assigned = assign(values, classes.classification)
        areas = {
            code: {"value": None if np.isnan(v) else float(v), "class": int(k) if k >= 0 else None}
            for code, v, k in zip(codes, values, assigned, strict=True)
        }
        return {
            "areas": areas,
            **classes.legend.to_json(),
            "classification": classes.classification.to_json(),
            "colors": list(classes.colors),
            "colorblind_safe": classes.colorblind_safe,
            "options": _options_json(options),
        }

    return respond_json(services().cache, key, produce, cache_control=cache_control)


@blueprint.get("/styles/<level>/<indicator>/<year>.qml")
def qml(level: str, indicator: str, year: str):
    return _xml(level, indicator, year, "qml")


@blueprint.get("/styles/<level>/<indicator>/<year>.sld")
def sld(level: str, indicator: str, year: str):
    return _xml(level, indicator, year, "sld")


def _xml(level: str, indicator: str, year: str, kind: str) -> Response:
    tileset = services().tileset()
    cache_control = versioned(tileset.dataset.version)
    options = map_options(tileset.dataset, level, indicator, year)
    key = tileset.key(kind, options.cache_key())

    def produce() -> bytes:
        classes = _classes(tileset, options)
        common = dict(
            legend=classes.legend, status_attribute=status_property(options.indicator), lang=options.lang
        )
        if kind == "qml":
            return to_qml(options.indicator, classes.classification, classes.colors, **common).encode()
        return to_sld(
            options.indicator, classes.classification, classes.colors, layer_name=options.level, **common
        ).encode()

    mimetype = "application/vnd.ogc.sld+xml" if kind == "sld" else "application/xml"
    return respond(cached_bytes(services().cache, key, produce), mimetype, cache_control=cache_control)


def _options_json(options: MapOptions) -> dict:
    return {
        "level": options.level,
        "indicator": options.indicator,
        "year": options.year,
        "method": options.method,
        "classes": options.classes,
        "palette": options.palette,
        "kommun": list(options.kommun),
        "pooled": options.pooled,
        "since": options.since,
        "deviation": options.deviation,
        "breakdown": options.breakdown,
        "lang": options.lang,
    }
