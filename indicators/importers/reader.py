"""One entry point for every value format: :func:`read_values` picks the reader and validates the result."""

from __future__ import annotations

import json
from collections.abc import Mapping
from itertools import islice
from pathlib import Path

import geopandas as gpd

from indicators.importers.common import Context, ValueImport, finalise
from indicators.importers.grid import header_index, read_csv_grid, read_xlsx_grid, sniff_separator
from indicators.importers.kolada import is_kolada, records_from_kolada
from indicators.importers.pxweb import is_jsonstat, records_from_jsonstat
from indicators.importers.sources import (
    Source,
    describe_encoding,
    encoding_of,
    lines_of,
    read_text,
    source_of,
    text_chunks,
)
from indicators.importers.stream import Head, NamedAreas, stream_cells
from indicators.importers.tabular import records_from_grid, roles_of
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
HEAD_LINES = 40
"""Lines read to find the header and the separator before the table is read."""


def _load_json(source: Source) -> object:
    try:
        return json.loads(source.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"cannot read as JSON: {exc}", file=source.where) from exc


def guess_format(path: str | Path | Source) -> str:
    """The format of a file from its extension (inside ``.gz``/``.zip``), and for JSON from its content."""
    source = path if isinstance(path, Source) else source_of(Path(path))
    suffix = source.suffix.lstrip(".")
    if suffix in ("csv", "txt", "tsv"):
        return "csv"
    if suffix in ("xlsx", "xlsm"):
        return "xlsx"
    if suffix in ("json", "jsonstat"):
        doc = _load_json(source)
        if is_jsonstat(doc):
            return "pxweb"
        if is_kolada(doc):
            return "kolada"
        raise InputError("JSON that is neither PxWeb JSON-stat2 nor a Kolada answer", file=source.where)
    if source.path.exists() and source.read_bytes()[:4] == b"PK\x03\x04":
        return "xlsx"
    raise InputError(
        f"unknown format {source.suffix!r}: pass --format, one of {', '.join(FORMATS)}", file=source.where
    )


def default_kinds(given: Mapping[str, str] | None = None) -> dict[str, str]:
    """Indicator id → kind: the built-in catalog's, overridden by ``given``."""
    from indicators.catalog import CATALOG

    return {**{ident: entry.kind for ident, entry in CATALOG.items()}, **(given or {})}


def read_values(
    path: str | Path,
    *,
    fmt: str | None = None,
    areas: gpd.GeoDataFrame | None = None,
    level: str | None = None,
    indicator: str | None = None,
    year: int | None = None,
    sheet: str | None = None,
    drop_unknown: bool = False,
    strict: bool = False,
    kinds: Mapping[str, str] | None = None,
    columns: Mapping[str, str] | None = None,
    sep: str | None = None,
    title: str | None = None,
    kommun_names: Mapping[str, str] | None = None,
    year_range: tuple[int, int] = (1990, 2100),
    progress: bool | None = None,
) -> ValueImport:
    """The values of one file as the model's value table, with indicator metadata and a report.

    Every keyword is one option of ``barometer import values``:

    * ``fmt`` (``--format``): csv, xlsx, pxweb or kolada; guessed from the name and content by default.
      The file may be ``.gz`` or a ``.zip`` holding one data file.
    * ``areas``: the loaded areas; codes not among them are errors unless ``drop_unknown``
      (``--drop-unknown``), and named areas (Statistikdatabasen's ``Kommun (RegSO)``) are matched to them.
    * ``level`` (``--level``): the level of the file's codes (needed for short codes that fit several).
    * ``indicator`` (``--indicator``): the id of a file's only indicator, or the prefix of wide files'.
    * ``year`` (``--year``): the year of a file without years.  ``sheet`` (``--sheet``): the XLSX sheet.
    * ``strict`` (``--strict``): area names that match no loaded area are an error, not a report line.
    * ``kinds`` (``--kind``): indicator id → kind; built-in ids default to the catalog's kind. Shares must
      be within 0..100 and rates 0 or more; other kinds and unknown ids are not range-checked.
    * ``columns`` (``--map role=column``): roles (code, name, year, indicator, value, breakdown, status,
      numerator, denominator) of columns whose headers are not recognised.
    * ``sep`` (CSV separator; sniffed by default), ``title`` (title of wide files' indicators),
      ``kommun_names`` (code → name for name matching; default: the areas'), ``year_range``.
    * ``progress``: a progress bar for long CSV files (default: when stderr is a terminal).
    """
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", file=str(path))
    source = source_of(path)
    if level is not None and level not in LEVELS:
        raise InputError(
            f"unknown level {level!r}: pass --level, one of {', '.join(LEVELS)}", file=source.where
        )
    fmt = ALIASES.get(fmt, fmt) if fmt else guess_format(source)
    if fmt not in FORMATS:
        raise InputError(
            f"unknown format {fmt!r}: pass --format, one of {', '.join(FORMATS)}", file=source.where
        )
    ctx = Context(
        file=source.where,
        areas=areas,
        level=level,
        indicator=indicator,
        year_range=year_range,
        strict=strict,
        year=year,
        sheet=sheet,
        drop_unknown=drop_unknown,
        title_hint=title,
        kommun_names=kommun_names,
        kinds=default_kinds(kinds),
        columns=dict(columns or {}),
    )
    if fmt == "csv":
        return _read_csv(source, ctx, sep, progress)
    if fmt == "xlsx":
        return finalise(records_from_grid(read_xlsx_grid(source.read_bytes(), ctx), ctx), ctx)
    doc = _load_json(source)
    if fmt == "pxweb":
        if not is_jsonstat(doc):
            raise ctx.error("not a JSON-stat2 dataset (class 'dataset' with dimensions)")
        return finalise(records_from_jsonstat(doc, ctx), ctx)
    return finalise(records_from_kolada(doc, ctx), ctx)


def _read_csv(source: Source, ctx: Context, sep: str | None, progress: bool | None) -> ValueImport:
    """Long tables stream through pyarrow; wide tables and named areas are read whole (they are small)."""
    encoding = encoding_of(source)
    if note := describe_encoding(encoding):
        ctx.report.append(note)
    head_text = "".join(islice(lines_of(text_chunks(source, encoding)), HEAD_LINES))
    separator = sep or sniff_separator(head_text)
    ctx.report.append(f"CSV separated by {separator!r}")
    head = read_csv_grid(head_text, separator)
    if head:
        start = header_index(head, ctx)
        header = [str(cell).strip() for cell in head[start]]
        roles, candidates = roles_of(header, ctx)
        if "value" in roles and len(candidates) == 1 and start + 1 < len(head):
            long = Head(start + 1, header, separator, {**roles, "area": candidates[0]})
            try:
                return _stream(source, encoding, long, ctx, progress)
            except NamedAreas:
                pass
        ctx.report[:] = [line for line in ctx.report if not line.startswith("title line")]
    return finalise(records_from_grid(read_csv_grid(read_text(source, encoding), separator), ctx), ctx)


def _stream(source: Source, encoding: str, head: Head, ctx: Context, progress: bool | None) -> ValueImport:
    from tqdm import tqdm

    def locate(text: str) -> int | None:
        """The row of the first line below the header that reads ``text`` (for an error message)."""
        lines = enumerate(lines_of(text_chunks(source, encoding)), start=1)
        return next((n for n, line in lines if n > head.row and line.rstrip("\n") == text), None)

    compressed = source.member is not None or source.path.suffix.lower() == ".gz"
    with tqdm(
        total=None if compressed else source.path.stat().st_size,
        unit="B",
        unit_scale=True,
        desc=f"reading {source.name}",
        disable=None if progress is None else not progress,
    ) as bar:
        return finalise(stream_cells(text_chunks(source, encoding, bar), head, ctx, locate), ctx)
