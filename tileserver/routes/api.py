"""The JSON API: the catalog, areas, values and time series."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from flask import Blueprint, request

from data import store
from data.cache import compress
from data.tileset import TileSet
from geo.labels import label_points
from indicators.dimensions import breakdown_label
from indicators.model import DERIVED_FLAG, LEVELS, Dataset
from indicators.views import first_view
from tileserver.http import SHORT, json_bytes, respond, respond_json
from tileserver.routes import params, services

blueprint = Blueprint("api", __name__, url_prefix="/api")


@blueprint.get("/health")
def health():
    dataset = services().dataset()
    return respond(
        compress(json_bytes({"status": "ok", "version": dataset.version})),
        "application/json",
        cache_control="no-store",
    )


@blueprint.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 document of every route, with this dataset's values as enums."""
    from tileserver.openapi import document

    tileset = services().tileset()
    return respond_json(services().cache, tileset.key("openapi"), lambda: document(tileset.dataset))


@blueprint.get("/catalog")
def catalog():
    tileset = services().tileset()
    return respond_json(
        services().cache, tileset.key("catalog"), lambda: describe(tileset), cache_control=SHORT
    )


@blueprint.get("/methods")
def methods():
    """How to read every measure and every indicator of the dataset, in Swedish and English."""
    tileset = services().tileset()

    def produce() -> dict:
        from indicators.methods import MEASURES, indicator_help

        return {
            "measures": [entry.to_json() for entry in MEASURES],
            "indicators": {
                key: indicator_help(ind).to_json() for key, ind in tileset.dataset.indicators.items()
            },
        }

    return respond_json(services().cache, tileset.key("methods"), produce, cache_control=SHORT)


def describe(tileset: TileSet) -> dict:
    """Levels with their area counts and years, indicators with metadata (only the breakdowns that have
    values; ``derived_levels``: the levels computed from finer areas, and how), municipalities, the view a
    page opens on, and the dataset's title and attribution."""
    dataset = tileset.dataset
    counts = dataset.areas["level"].value_counts()
    aggregated = dataset.meta.get("aggregated", {})
    return {
        "version": dataset.version,
        "title": dataset.meta.get("title", ""),
        "attribution": dataset.attribution,
        "levels": [
            {"id": level, "areas": int(counts[level]), "years": list(dataset.years_of(level))}
            for level in dataset.levels
        ],
        "years": list(dataset.years),
        "indicators": [
            {
                **ind.to_json(),
                "breakdowns": list(dataset.breakdowns.get(key, ())),
                "derived_levels": aggregated.get(key, {}),
            }
            for key, ind in dataset.indicators.items()
        ],
        "coverage": dataset.meta.get("coverage", {}),
        "breakdown_labels": breakdown_labels(dataset),
        "municipalities": municipalities_with_bounds(tileset),
        "default_view": first_view(dataset),
    }


def breakdown_labels(dataset: Dataset) -> dict[str, dict[str, str]]:
    """Swedish and English text of every breakdown with values (SCB's groups keep their å, ä and ö)."""
    imported = dataset.meta.get("breakdown_labels")
    return {
        key: {lang: breakdown_label(key, lang, imported) for lang in ("sv", "en")}
        for key in dataset.all_breakdowns
    }


def municipalities_with_bounds(tileset: TileSet) -> list[dict]:
    """Code, name, county and WGS 84 bounds [w, s, e, n] of every municipality with areas."""
    dataset = tileset.dataset
    rows = dataset.municipalities.to_dict("records")
    finest = tileset.prepared(next(lv for lv in dataset.levels if lv != "riket"))
    inside = finest.table["kommun"].where(finest.table["kommun"] != "", finest.table["code"])
    for row in rows:
        found = np.flatnonzero(inside.to_numpy() == row["code"])
        if len(found):
            row["bbox"] = [round(x, 6) for x in finest.bounds_of(found)]
    return rows


def labels(tileset: TileSet, level: str, codes: pd.Index) -> list[list[float] | None]:
    """Where the page writes each area's name: the point stored with a tiled level's prepared geometry, or
    one computed from the geometry of a level without tiles (the country)."""
    if level not in store.tiled_levels(tileset.dataset):
        geometry = tileset.dataset.area_geometry(level).geometry.reindex(codes)
        return tileset.memo(("label-points", level), lambda: label_points(geometry))
    prepared = tileset.prepared(level)
    rows = pd.Index(prepared.codes).get_indexer(codes)
    points = prepared.labels[rows].tolist()
    return [None if row < 0 else point for row, point in zip(rows.tolist(), points, strict=True)]


@blueprint.get("/areas/<level>")
def areas(level: str):
    dataset = services().dataset()
    level = params.level(dataset, level, tiled=False)
    frame = dataset.area_frame(level).drop(columns="geometry")
    frame["label"] = labels(services().tileset(), level, frame.index)  # where the page writes each name
    kommun = request.args.get("kommun")
    if kommun:
        frame = frame[in_municipality(frame, params.kommun(dataset, kommun))]
    return respond(compress(json_bytes(frame.to_dict("records"))), "application/json", cache_control=SHORT)


@blueprint.get("/values/<level>/<year>")
def values(level: str, year: str):
    """Every indicator's value for one level and year, optionally one municipality's areas only; values
    left out are listed under ``status`` as suppressed or missing, values Barometer computed from finer areas
    (not imported) under ``derived``. Levels without areas (the country, say) answer from their values."""
    dataset = services().dataset()
    level = value_level(dataset, level)
    year_value = params.year(dataset, level, year)
    breakdown = params.breakdown(dataset)
    wide = dataset.wide(level, year_value, breakdown)
    kommun = request.args.get("kommun")
    if kommun and level in dataset.levels:
        areas = dataset.area_frame(level)
        wide = wide[wide.index.isin(areas.index[in_municipality(areas, params.kommun(dataset, kommun))])]
    rows = {str(code): _clean(row) for code, row in zip(wide.index, wide.to_dict("records"), strict=True)}
    v = dataset.values
    here = v[(v["level"] == level) & (v["year"] == year_value) & (v["breakdown"] == breakdown)]  # one map's
    here = here[((here["status"] != "ok") | here[DERIVED_FLAG]) & here["code"].isin(list(rows))]
    status: dict[str, dict[str, str]] = {}
    derived: dict[str, list[str]] = {}
    for code, indicator, state, computed in here[["code", "indicator", "status", DERIVED_FLAG]].itertuples(
        index=False
    ):
        if state != "ok":
            status.setdefault(str(code), {})[str(indicator)] = str(state)
        elif computed:
            derived.setdefault(str(code), []).append(str(indicator))
    answer = {"level": level, "year": year_value, "values": rows, "status": status, "derived": derived}
    return respond(compress(json_bytes(answer)), "application/json", cache_control=SHORT)


@blueprint.get("/series/<level>/<indicator>")
def series(level: str, indicator: str):
    """One indicator over all years for some areas (``codes=a,b``), with status kept apart from values."""
    dataset = services().dataset()
    level = value_level(dataset, level)
    indicator = params.indicator(dataset, indicator)
    codes = [c for c in request.args.get("codes", "").split(",") if c] or None
    if level in dataset.levels:  # the country may have values without an area to check codes against
        known = dataset.area_frame(level).index
        for code in codes or ():
            if code not in known:
                params.choice("codes", code, known, not_found=True)
    breakdown = params.breakdown(dataset, default=dataset.default_breakdown(indicator))
    rows = dataset.series(indicator, level, codes, breakdown)
    out: dict[str, list] = {}
    for code, year, value, status in rows[["code", "year", "value", "status"]].itertuples(index=False):
        out.setdefault(code, []).append(
            {"year": int(year), "value": None if math.isnan(value) else value, "status": status}
        )
    return respond(
        compress(json_bytes({"indicator": indicator, "level": level, "series": out})),
        "application/json",
        cache_control=SHORT,
    )


def value_level(dataset: Dataset, raw: str) -> str:
    """A level with areas or with values: the country has values (imported or derived) without an area."""
    return params.choice(
        "level", raw, [lv for lv in LEVELS if lv in dataset.levels or dataset.years_of(lv)], not_found=True
    )


def in_municipality(areas, kommun: str):
    """Rows of an area table inside a municipality: its areas, or the municipality itself."""
    return (areas["kommun"] == kommun) | ((areas["level"] == "kommun") & (areas["code"] == kommun))


def _clean(row: dict) -> dict:
    return {k: v for k, v in row.items() if v is not None and not math.isnan(v)}
