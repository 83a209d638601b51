"""The JSON API: the catalog, areas, values and time series."""

from __future__ import annotations

import math

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
        "title": dataset.meta.get("title", "Barometer"),
        "levels": [
            {"id": level, "areas": int(counts[level]), "years": list(dataset.years_of(level))}
            for level in dataset.levels
        ],
        "years": list(dataset.years),
        "indicators": [ind.to_json() for ind in dataset.indicators.values()],
        "municipalities": dataset.municipalities.to_dict("records"),
    }


@blueprint.get("/areas/<level>")
def areas(level: str):
    dataset = services().dataset()
    level = params.level(dataset, level)
    frame = dataset.area_frame(level).drop(columns="geometry")
    kommun = request.args.get("kommun")
    if kommun:
        frame = frame[frame["kommun"] == kommun]
    return respond(compress(json_bytes(frame.to_dict("records"))), "application/json", cache_control=SHORT)


@blueprint.get("/values/<level>/<year>")
def values(level: str, year: str):
    """Every indicator's value for one level and year, optionally one municipality's areas only."""
    dataset = services().dataset()
    level = params.level(dataset, level)
    year_value = params.year(dataset, level, year)
    wide = dataset.wide(level, year_value, params.breakdown())
    kommun = request.args.get("kommun")
    if kommun:
        codes = dataset.area_frame(level).query("kommun == @kommun").index
        wide = wide[wide.index.isin(codes)]
    rows = {str(code): _clean(row) for code, row in zip(wide.index, wide.to_dict("records"), strict=True)}
    return respond(
        compress(json_bytes({"level": level, "year": year_value, "values": rows})),
        "application/json",
        cache_control=SHORT,
    )


@blueprint.get("/series/<level>/<indicator>")
def series(level: str, indicator: str):
    """One indicator over all years for some areas (``codes=a,b``), with status kept apart from values."""
    dataset = services().dataset()
    level = params.level(dataset, level)
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


def _clean(row: dict) -> dict:
    return {k: v for k, v in row.items() if v is not None and not math.isnan(v)}
