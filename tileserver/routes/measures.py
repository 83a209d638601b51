"""Segregation measures as JSON: områdestyper, ojämlikhetsindex, indices and comparisons."""

from __future__ import annotations

from flask import Blueprint, request

from indicators import analysis
from indicators.model import TOTAL
from tileserver.http import SHORT, cached_bytes, respond, respond_json
from tileserver.routes import params, services
from tileserver.routes.exports import EXPORT_TYPES

blueprint = Blueprint("measures", __name__, url_prefix="/api/measures")


@blueprint.get("/omradestyper/<level>/<year>")
def omradestyper(level: str, year: str):
    tileset = services().tileset()
    dataset = tileset.dataset
    level = params.level(dataset, level)
    year_value = params.year(dataset, level, year)
    kommun = request.args.get("kommun") or None
    if kommun:
        kommun = params.kommun(dataset, kommun)
    key = tileset.key("omradestyper", level, year_value, kommun)
    return respond_json(
        services().cache,
        key,
        lambda: analysis.omradestyper(dataset, year_value, kommun, level),
        cache_control=SHORT,
    )


@blueprint.get("/ojamlikhet/<kommun>")
def ojamlikhet(kommun: str):
    tileset = services().tileset()
    kommun = params.kommun(tileset.dataset, kommun)
    return respond_json(
        services().cache,
        tileset.key("ojamlikhet", kommun),
        lambda: analysis.ojamlikhet(tileset.dataset, kommun),
        cache_control=SHORT,
    )


@blueprint.get("/indices/<kommun>/<year>")
def indices(kommun: str, year: str):
    tileset = services().tileset()
    dataset = tileset.dataset
    kommun = params.kommun(dataset, kommun)
    indicator = params.indicator(dataset, request.args.get("indicator", "population"))
    year_value = params.year(dataset, analysis.finest_level(dataset, indicator), year)
    groups = [b for b in dataset.all_breakdowns if b != TOTAL]
    group = params.choice("group", request.args.get("group", "background=foreign"), groups)
    key = tileset.key("indices", kommun, year_value, indicator, group)
    return respond_json(
        services().cache,
        key,
        lambda: analysis.indices(dataset, kommun, year_value, indicator, group),
        cache_control=SHORT,
    )


@blueprint.get("/compare/<level>/<indicator>/<year>")
def compare(level: str, indicator: str, year: str):
    tileset = services().tileset()
    dataset = tileset.dataset
    level = params.level(dataset, level)
    indicator = params.indicator(dataset, indicator)
    year_value = params.year(dataset, level, year)
    kommun = params.kommun(dataset, request.args.get("kommun"))
    base_raw = request.args.get("base_year")
    base_year = params.year(dataset, level, base_raw) if base_raw else None
    key = tileset.key("compare", level, indicator, year_value, kommun, base_year)
    return respond_json(
        services().cache,
        key,
        lambda: analysis.compare(dataset, level, indicator, year_value, kommun, base_year),
        cache_control=SHORT,
    )


@blueprint.get("/per_type/<indicator>")
def per_type(indicator: str):
    """An indicator per områdestyp: ``scope=riket`` (default), ``lan&code=14`` or ``kommun&code=1480``."""
    tileset = services().tileset()
    dataset = tileset.dataset
    indicator, scope, code, breakdown = _per_type_options(dataset, indicator)
    key = tileset.key("per_type", indicator, scope, code, breakdown)
    return respond_json(
        services().cache,
        key,
        lambda: analysis.by_type(dataset, indicator, scope, code, breakdown),
        cache_control=SHORT,
    )


@blueprint.get("/per_type/<indicator>.<any(csv, xlsx):fmt>")
def per_type_table(indicator: str, fmt: str):
    """The same as a table: one row per year and type (CSV with ``decimal=comma`` for Swedish Excel)."""
    tileset = services().tileset()
    dataset = tileset.dataset
    indicator, scope, code, breakdown = _per_type_options(dataset, indicator)
    decimal = params.choice("decimal", request.args.get("decimal", "point"), ("point", "comma"))
    lang = params.choice("lang", request.args.get("lang", "sv"), ("sv", "en"))
    key = tileset.key("per_type_table", fmt, indicator, scope, code, breakdown, decimal, lang)

    def produce() -> bytes:
        from data import export  # pyogrio and openpyxl load on the first download

        answer = analysis.by_type(dataset, indicator, scope, code, breakdown)
        header, rows, about = analysis.by_type_rows(answer, lang)
        if fmt == "xlsx":
            return export.workbook({"Data": [header, *rows], "Definitions": about})
        return export.rows_csv([[header, *rows], about], decimal_comma=decimal == "comma")

    response = respond(cached_bytes(services().cache, key, produce), EXPORT_TYPES[fmt], cache_control=SHORT)
    name = f"barometer_{indicator}_per_omradestyp_{code or scope}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _per_type_options(dataset, indicator: str) -> tuple[str, str, str | None, str]:
    indicator = params.indicator(dataset, indicator)
    scope = params.choice("scope", request.args.get("scope", "riket"), ("riket", "lan", "kommun"))
    code = None
    if scope == "kommun":
        code = params.kommun(dataset, request.args.get("code"))
    elif scope == "lan":
        counties = sorted(set(dataset.municipalities["lan"]))
        code = params.choice("code", request.args.get("code", ""), counties, not_found=True)
    return indicator, scope, code, params.breakdown(dataset)
