"""The JSON API: the catalog, areas, values and time series."""

from __future__ import annotations

import math

import geopandas as gpd
import shapely
from flask import Blueprint, request

from indicators.model import TOTAL, Dataset
from tileserver.http import SHORT, compress, json_bytes, respond, respond_json
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


@blueprint.get("/catalog")
def catalog():
    tileset = services().tileset()
    return respond_json(
        services().cache, tileset.key("catalog"), lambda: describe(tileset.dataset), cache_control=SHORT
    )


def describe(dataset: Dataset) -> dict:
    """Levels with their area counts and years, indicators with metadata, municipalities."""
    counts = dataset.areas["level"].value_counts()
    return {
        "version": dataset.version,
        "title": dataset.meta.get("title", ""),
        "attribution": dataset.attribution,
        "default_view": dataset.meta.get("default_view"),
        "levels": [
            {"id": level, "areas": int(counts[level]), "years": list(dataset.years_of(level))}
            for level in dataset.levels
        ],
        "years": list(dataset.years),
        "indicators": [ind.to_json() for ind in dataset.indicators.values()],
        "municipalities": municipalities_with_bounds(dataset),
    }


def municipalities_with_bounds(dataset: Dataset) -> list[dict]:
    """Code, name, county and WGS 84 bounds [w, s, e, n] of every municipality with areas."""
    rows = dataset.municipalities.to_dict("records")
    areas = dataset.areas
    finest = areas[areas["level"] == next(lv for lv in dataset.levels if lv != "riket")]
    inside = finest["kommun"].where(finest["kommun"] != "", finest["code"])
    bounds = finest.geometry.groupby(inside.to_numpy()).agg(lambda g: g.total_bounds)
    bounds = (
        gpd.GeoSeries([shapely.box(*b) for b in bounds], index=bounds.index, crs=areas.crs)
        .to_crs("EPSG:4326")
        .bounds
    )
    for row in rows:
        if row["code"] in bounds.index:
            row["bbox"] = [round(float(x), 6) for x in bounds.loc[row["code"]]]
    return rows


@blueprint.get("/areas/<level>")
def areas(level: str):
    dataset = services().dataset()
    level = params.level(dataset, level, tiled=False)
    frame = dataset.area_frame(level).drop(columns="geometry")
    kommun = request.args.get("kommun")
    if kommun:
        frame = frame[in_municipality(frame, kommun)]
    return respond(compress(json_bytes(frame.to_dict("records"))), "application/json", cache_control=SHORT)


@blueprint.get("/values/<level>/<year>")
def values(level: str, year: str):
    """Every indicator's value for one level and year, optionally one municipality's areas only; values
    left out are listed under ``status`` as suppressed or missing."""
    dataset = services().dataset()
    level = params.level(dataset, level, tiled=False)
    year_value = params.year(dataset, level, year)
    breakdown = params.breakdown()
    wide = dataset.wide(level, year_value, breakdown)
    kommun = request.args.get("kommun")
    if kommun:
        areas = dataset.area_frame(level)
        wide = wide[wide.index.isin(areas.index[in_municipality(areas, kommun)])]
    rows = {str(code): _clean(row) for code, row in zip(wide.index, wide.to_dict("records"), strict=True)}
    v = dataset.values
    left_out = v[
        (v["level"] == level)
        & (v["year"] == year_value)
        & (v["breakdown"] == breakdown)
        & (v["status"] != "ok")
        & v["code"].isin(list(rows))
    ]
    status: dict[str, dict[str, str]] = {}
    for code, indicator, state in left_out[["code", "indicator", "status"]].itertuples(index=False):
        status.setdefault(str(code), {})[str(indicator)] = str(state)
    return respond(
        compress(json_bytes({"level": level, "year": year_value, "values": rows, "status": status})),
        "application/json",
        cache_control=SHORT,
    )


@blueprint.get("/series/<level>/<indicator>")
def series(level: str, indicator: str):
    """One indicator over all years for some areas (``codes=a,b``), with status kept apart from values."""
    dataset = services().dataset()
    level = params.level(dataset, level, tiled=False)
    indicator = params.indicator(dataset, indicator)
    codes = [c for c in request.args.get("codes", "").split(",") if c] or None
    rows = dataset.series(indicator, level, codes, request.args.get("breakdown", TOTAL))
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


def in_municipality(areas, kommun: str):
    """Rows of an area table inside a municipality: its areas, or the municipality itself."""
    return (areas["kommun"] == kommun) | ((areas["level"] == "kommun") & (areas["code"] == kommun))


def _clean(row: dict) -> dict:
    return {k: v for k, v in row.items() if v is not None and not math.isnan(v)}
