"""One entry point for every value format: :func:`read_values` picks the reader and validates the result."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd

from indicators.importers.common import Context, ValueImport, finalise
from indicators.importers.grid import read_csv_grid, read_xlsx_grid
from indicators.importers.kolada import is_kolada, records_from_kolada
from indicators.importers.pxweb import is_jsonstat, records_from_jsonstat
from indicators.importers.tabular import records_from_grid
from indicators.model import LEVELS, InputError

FORMATS: tuple[str, ...] = ("csv", "xlsx", "pxweb", "kolada")
"""Value formats: CSV (also SCB Statistikdatabasen's export), Excel, PxWeb JSON-stat2, Kolada JSON."""
ALIASES = {
    "jsonstat": "pxweb",
    "json-stat2": "pxweb",
    "jsonstat2": "pxweb",
    "xls": "xlsx",
    "txt": "csv",
    "tsv": "csv",
    "xlsm": "xlsx",
}


def _load_json(path: Path, where: str) -> object:
    try:
        return json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"cannot read as JSON: {exc}", file=where) from exc


def guess_format(path: str | Path) -> str:
    """The format of a file from its extension, and for JSON from its content (JSON-stat2 or Kolada)."""
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "txt", "tsv"):
        return "csv"
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("json", "jsonstat"):
        doc = _load_json(path, path.name)
        if is_jsonstat(doc):
            return "pxweb"
        if is_kolada(doc):
            return "kolada"
        raise InputError("JSON that is neither PxWeb JSON-stat2 nor a Kolada answer", file=path.name)
    if path.exists() and path.read_bytes()[:4] == b"PK\x03\x04":
        return "xlsx"
    raise InputError(f"unknown format {path.suffix!r}: give --format, one of {list(FORMATS)}", file=path.name)


def read_values(
    path: str | Path,
    *,
    fmt: str | None = None,
    areas: gpd.GeoDataFrame | None = None,
    level: str | None = None,
    indicator: str | None = None,
    year_range: tuple[int, int] = (1990, 2100),
    strict: bool = False,
    **options,
) -> ValueImport:
    """The values of one file as the model's value table, with indicator metadata and a report.

    ``areas`` checks codes (unknown codes of a loaded level are errors unless ``drop_unknown=True``) and
    matches named areas. ``level`` forces the codes' level. ``indicator`` names the indicator of a file that
    does not (or renames a file's only indicator). ``strict`` makes unmatched area names an error.
    Options: ``sheet`` (xlsx), ``sep`` (csv), ``year`` (files without years), ``title``,
    ``kommun_names`` (code → name, for name matching), ``drop_unknown``, ``columns`` (csv/xlsx: field → the
    file's column, fields ``code``, ``year``, ``value``, ``indicator``, ``breakdown``, ``status``,
    ``numerator``, ``denominator``), ``kinds`` (indicator id → kind, as the user defined them before reading).
    """
    path = Path(path)
    where = path.name
    if not path.exists():
        raise InputError("no such file", file=str(path))
    if level is not None and level not in LEVELS:
        raise InputError(f"unknown level {level!r}; known: {list(LEVELS)}", file=where)
    fmt = ALIASES.get(fmt, fmt) if fmt else guess_format(path)
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; known: {list(FORMATS)}", file=where)
    ctx = Context(
        file=where,
        areas=areas,
        level=level,
        indicator=indicator,
        year_range=year_range,
        strict=strict,
        options=options,
    )
    if fmt == "csv":
        records = records_from_grid(read_csv_grid(path, ctx), ctx)
    elif fmt == "xlsx":
        records = records_from_grid(read_xlsx_grid(path, ctx), ctx)
    elif fmt == "pxweb":
        doc = _load_json(path, where)
        if not is_jsonstat(doc):
            raise InputError("not a JSON-stat2 dataset (class 'dataset' with dimensions)", file=where)
        records = records_from_jsonstat(doc, ctx)
    else:
        records = records_from_kolada(_load_json(path, where), ctx)
    return finalise(records, ctx)
