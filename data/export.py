"""Downloads of one municipality's areas with their values: styled GeoPackage, GeoJSON, CSV and XLSX.

The table has one row per area of a level and one column per indicator and year, ``<indicator>_<year>``
(the total breakdown), plus ``<indicator>_<year>_status`` = ``suppressed`` where SCB suppressed values, and
for a change or deviation map the mapped column ``<indicator>_<since>_<year>_change`` /
``<indicator>_<year>_diff_<kommun|riket>``. The GeoPackage (SWEREF 99 TM, or the data's own CRS) carries a
QGIS style for every value column in its ``layer_styles`` table, as QGIS writes it, the chosen one as the
default, so the layer opens styled. CSV: the data rows, an empty line, then the definitions table (skip it
with ``definitions=False``); ``decimal_comma`` gives ``;``-separated values with decimal commas (Swedish
Excel). XLSX: sheets ``Data`` and ``Definitions``.
"""

from __future__ import annotations

import csv
import io
import logging
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from indicators.model import BarometerError, Dataset, Indicator, NotFoundError, ParameterError
from indicators.views import suppressed_codes
from styles.choropleth import MapClasses, MapOptions, classes_for
from styles.classify import ClassificationError
from styles.qgis import to_qml, to_sld

AREA_FIELDS: tuple[str, ...] = ("code", "name", "kommun", "lan", "regso")
EXPORT_CRS = "EPSG:3006"


@dataclass(frozen=True)
class Column:
    """One value column of the export and what it holds."""

    name: str
    indicator: Indicator
    year: int
    view: str = ""
    """Empty for the values; ``change since YYYY`` or ``difference from kommun|riket`` for a map's view."""
    status: str | None = None
    """The column that marks suppressed values, if any are suppressed."""


@dataclass(frozen=True, eq=False)
class ExportTable:
    frame: gpd.GeoDataFrame
    columns: tuple[Column, ...]
    level: str
    kommun: str
    name: str
    """The municipality's name."""


def value_column(options: MapOptions) -> str:
    """The column a map colours: ``income_2021``, ``income_2018_2021_change``, ``income_2021_diff_riket``."""
    if options.since is not None:
        return f"{options.indicator}_{options.since}_{options.year}_change"
    if options.deviation is not None:
        return f"{options.indicator}_{options.year}_diff_{options.deviation}"
    return f"{options.indicator}_{options.year}"


def export_table(
    dataset: Dataset,
    kommun: str,
    level: str,
    years: Sequence[int],
    indicators: Sequence[str] | None = None,
    mapped: MapClasses | None = None,
) -> ExportTable:
    """The areas of ``level`` in ``kommun`` with every indicator (or ``indicators``) for ``years``; with
    ``mapped`` also the column of a change or deviation map."""
    if level not in dataset.levels:
        raise NotFoundError("level", f"unknown level {level!r}; this dataset has {', '.join(dataset.levels)}")
    areas = dataset.area_geometry(level)
    areas = areas[areas["kommun"] == kommun] if level not in ("lan", "riket") else areas.iloc[0:0]
    if not len(areas):
        raise NotFoundError("kommun", f"no {level} areas in municipality {kommun!r}")
    codes = areas.index
    frame = pd.DataFrame({f: areas[f].astype(str).to_numpy() for f in AREA_FIELDS}, index=codes)
    if level != "deso":
        frame = frame.drop(columns="regso")
    chosen = list(indicators) if indicators is not None else list(dataset.indicators)
    columns: list[Column] = []
    for indicator_id in chosen:
        indicator = dataset.indicators[indicator_id]
        for year in years:
            wide = dataset.wide(level, year)
            name = f"{indicator_id}_{year}"
            values = wide[indicator_id].reindex(codes) if indicator_id in wide.columns else np.nan
            frame[name] = pd.Series(values, index=codes, dtype=float)
            suppressed = set(suppressed_codes(dataset, level, year).get(indicator_id, [])) & set(codes)
            status = None
            if suppressed:
                status = f"{name}_status"
                frame[status] = [("suppressed" if c in suppressed else None) for c in codes]
            columns.append(Column(name, indicator, year, status=status))
    if mapped is not None and mapped.options.diverging:
        options = mapped.options
        name = value_column(options)
        frame[name] = [mapped.values.get(c, np.nan) for c in codes]
        view = (
            f"change since {options.since}"
            if options.since is not None
            else f"difference from {options.deviation}"
        )
        columns.append(Column(name, mapped.indicator, options.year, view=view))
    crs = areas.crs or EXPORT_CRS
    table = gpd.GeoDataFrame(frame.reset_index(drop=True), geometry=areas.geometry.to_numpy(), crs=crs)
    if not table.crs.is_projected:
        table = table.to_crs(EXPORT_CRS)
    names = dataset.municipalities.set_index("code")["name"]
    return ExportTable(table, tuple(columns), level, kommun, str(names.get(kommun, kommun)))


def layer_styles(
    dataset: Dataset, table: ExportTable, default: MapOptions, layer: str, *, limit: int = 120
) -> pd.DataFrame:
    """QGIS ``layer_styles`` rows: a QML and SLD style per value column (at most ``limit``), classed like
    ``default`` (method, classes, scope, language); the column ``default`` maps is the default style."""
    target = value_column(default)
    rows = []
    ordered = sorted(table.columns, key=lambda c: c.name != target)
    for column in ordered[:limit]:
        is_default = column.name == target
        if is_default:
            options = default
        elif column.view:
            continue
        else:
            options = replace(
                default,
                indicator=column.indicator.id,
                year=column.year,
                since=None,
                deviation=None,
                palette=None,
                method="quantiles" if default.method == "manual" else default.method,
                breaks=None,
            )
        try:
            classes = classes_for(dataset, options)
        except (ClassificationError, KeyError):
            continue
        common = dict(legend=classes.legend, status_attribute=column.status, lang=options.lang)
        rows.append(
            {
                "f_table_catalog": "",
                "f_table_schema": "",
                "f_table_name": layer,
                "f_geometry_column": "geom",
                "styleName": column.name,
                "styleQML": to_qml(column.name, classes.classification, classes.colors, **common),
                "styleSLD": to_sld(
                    column.name, classes.classification, classes.colors, layer_name=layer, **common
                ),
                "useAsDefault": is_default,
                "description": classes.legend.title,
                "owner": "",
                "ui": "",
                "update_time": datetime.now(UTC).replace(tzinfo=None, microsecond=0),
            }
        )
    if rows and not any(row["useAsDefault"] for row in rows):
        rows[0]["useAsDefault"] = True
    return pd.DataFrame(rows)


def layer_name(table: ExportTable) -> str:
    return f"{table.level}_{table.kommun}"


def geopackage_bytes(dataset: Dataset, table: ExportTable, default: MapOptions) -> bytes:
    """The table as a GeoPackage layer ``<level>_<kommun>`` with its styles in ``layer_styles``."""
    layer = layer_name(table)
    styles = layer_styles(dataset, table, default, layer)
    with tempfile.TemporaryDirectory(prefix="barometer-export-") as folder:
        path = Path(folder) / "export.gpkg"
        pyogrio.write_dataframe(table.frame, path, layer=layer, driver="GPKG", geometry_type="MultiPolygon")
        if len(styles):
            pyogrio.write_dataframe(
                styles, path, layer="layer_styles", driver="GPKG", layer_options={"FID": "id"}
            )
        return path.read_bytes()


def geojson_bytes(table: ExportTable) -> bytes:
    """The table as GeoJSON in WGS 84 (RFC 7946), coordinates to 6 decimals."""
    with tempfile.TemporaryDirectory(prefix="barometer-export-") as folder:
        path = Path(folder) / "export.geojson"
        pyogrio.write_dataframe(
            table.frame.to_crs("EPSG:4326"),
            path,
            driver="GeoJSON",
            layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": "6"},
        )
        return path.read_bytes()


def definitions(dataset: Dataset, table: ExportTable, lang: str = "sv") -> list[list[object]]:
    """Rows of the definitions table: a header, then one row per value column."""
    rows: list[list[object]] = [
        ["column", "indicator", "title", "unit", "year", "view", "kind", "source", "description"]
    ]
    for column in table.columns:
        ind = column.indicator
        description = ind.description_en if lang == "en" else ind.description_sv
        rows.append(
            [
                column.name,
                ind.id,
                ind.title(lang),
                ind.unit,
                column.year,
                column.view,
                ind.kind,
                ind.source,
                description,
            ]
        )
    return rows


def about(dataset: Dataset, table: ExportTable) -> list[list[object]]:
    """Where the table comes from: dataset, version, level, municipality and the licence line."""
    return [
        ["dataset", dataset.meta.get("title", "")],
        ["version", dataset.version],
        ["level", table.level],
        ["kommun", f"{table.kommun} {table.name}"],
        ["source", dataset.attribution],
        ["status", "a <column>_status column says 'suppressed' where SCB suppressed the value"],
    ]


def _data_rows(table: ExportTable) -> tuple[list[str], list[list[object]]]:
    frame = pd.DataFrame(table.frame.drop(columns="geometry"))
    rows = [[None if _missing(v) else v for v in row] for row in frame.itertuples(index=False, name=None)]
    return list(frame.columns), rows


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def csv_bytes(
    dataset: Dataset,
    table: ExportTable,
    *,
    decimal_comma: bool = False,
    definitions_section: bool = True,
    lang: str = "sv",
) -> bytes:
    """CSV (UTF-8 with BOM): data rows, then an empty line and the definitions and source rows."""
    header, rows = _data_rows(table)
    sections = [[header, *rows]]
    if definitions_section:
        sections += [definitions(dataset, table, lang), about(dataset, table)]
    return rows_csv(sections, decimal_comma=decimal_comma)


def rows_csv(sections: Sequence[Sequence[Sequence[object]]], *, decimal_comma: bool = False) -> bytes:
    """CSV (UTF-8 with BOM) of row sections separated by an empty line: numbers as numbers (decimal comma
    and ``;`` on request), missing values empty, text that starts like a formula neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if decimal_comma else ",", lineterminator="\r\n")

    def cell(value: object) -> object:
        if _missing(value):
            return ""
        if isinstance(value, float):
            text = repr(round(value, 10)).removesuffix(".0") if value.is_integer() else repr(round(value, 10))
            return text.replace(".", ",") if decimal_comma else text
        return neutralised(value) if isinstance(value, str) else value

    for i, section in enumerate(sections):
        if i:
            writer.writerow([])
        writer.writerows([cell(v) for v in row] for row in section)
    return out.getvalue().encode("utf-8-sig")


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet read a text cell as a formula (OWASP's CSV injection list)."""


def neutralised(text: str) -> str:
    """Text that no spreadsheet runs as a formula: a leading ``'`` where it starts like one. Numbers are
    written from floats, so negative values stay numbers."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def xlsx_bytes(dataset: Dataset, table: ExportTable, lang: str = "sv") -> bytes:
    """A workbook with the sheets ``Data`` (one row per area) and ``Definitions`` (columns, units, source)."""
    header, rows = _data_rows(table)
    definition_rows = [*definitions(dataset, table, lang), [], *about(dataset, table)]
    return workbook({"Data": [header, *rows], "Definitions": definition_rows})


def workbook(sheets: Mapping[str, Sequence[Sequence[object]]]) -> bytes:
    """An XLSX workbook of named sheets of rows, the first row of each bold and frozen; text is never
    written as a formula."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for name, lines in sheets.items():
        sheet = book.create_sheet(name)
        for line in lines:
            sheet.append(list(line))
            for column, value in enumerate(line, start=1):
                if isinstance(value, str) and value.startswith("="):  # openpyxl would write a formula
                    sheet.cell(sheet.max_row, column).data_type = "s"
        for c in sheet[1]:
            c.font = Font(bold=True)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXPORT_FORMATS = ("png", "svg", "gpkg", "xlsx", "csv", "geojson")
"""What ``export_folder`` writes: map images (one per indicator) and tables (one per format)."""


def export_folder(
    dataset: Dataset,
    out: Path,
    *,
    kommun: str,
    level: str = "deso",
    year: int | None = None,
    indicators: Sequence[str] | None = None,
    formats: Sequence[str] = EXPORT_FORMATS,
    paper: str = "A4",
    dpi: int = 300,
    orientation: str = "portrait",
    lang: str = "sv",
    progress: Callable[[list[tuple[str, str | None]]], Iterable[tuple[str, str | None]]] = iter,
) -> tuple[int, list[str]]:
    """A municipality's map images (one per indicator and image format) and tables (one per table format)
    written into ``out``, for ``year`` (default: the level's latest). Returns the number of files written
    and what was skipped and why (a map that cannot be drawn, e.g. an indicator without values there);
    ``progress`` wraps the list of jobs (a progress bar)."""
    from styles.render import map_sheet, page_size, render_png, render_svg  # rasterio and Pillow: here only

    if kommun not in set(dataset.municipalities["code"]):
        raise ParameterError("kommun", f"no municipality {kommun!r} in this dataset")
    if level not in dataset.levels:
        raise ParameterError("level", f"this dataset has no {level} areas")
    years = dataset.years_of(level)
    year = year or years[-1]
    if year not in years:
        raise ParameterError("year", f"no values for {year} at level {level}")
    unknown = sorted(set(formats) - set(EXPORT_FORMATS))
    if unknown:
        raise ParameterError("formats", f"unknown {unknown}; known: {', '.join(EXPORT_FORMATS)}")
    chosen = list(dataset.indicators) if indicators is None else list(indicators)
    for indicator in chosen:
        if indicator not in dataset.indicators:
            raise ParameterError("indicators", f"unknown indicator {indicator!r}")
    page = page_size(paper=paper, dpi=dpi, orientation=orientation)
    images = [f for f in formats if f in ("png", "svg")]
    tables = [f for f in formats if f not in ("png", "svg")]
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{kommun}_{level}_{year}"

    def options(indicator: str) -> MapOptions:
        return MapOptions(level, indicator, year, kommun=(kommun,), lang=lang)

    def table_bytes(fmt: str) -> bytes:
        table = export_table(dataset, kommun, level, [year], chosen)
        if fmt == "gpkg":
            return geopackage_bytes(dataset, table, options(chosen[0]))
        if fmt == "geojson":
            return geojson_bytes(table)
        if fmt == "xlsx":
            return xlsx_bytes(dataset, table, lang)
        return csv_bytes(dataset, table, decimal_comma=lang == "sv", lang=lang)

    logging.getLogger("pyogrio").setLevel(logging.WARNING)
    jobs: list[tuple[str, str | None]] = [(f, i) for i in chosen for f in images]
    jobs += [(f, None) for f in tables]
    written, skipped = 0, []
    for fmt, indicator in progress(jobs):
        try:
            if indicator is not None:
                sheet = map_sheet(dataset, classes_for(dataset, options(indicator)))
                body = render_png(sheet, page) if fmt == "png" else render_svg(sheet, page).encode()
                path = out / f"{indicator}_{stem}.{fmt}"
            else:
                body, path = table_bytes(fmt), out / f"barometer_{stem}.{fmt}"
        except BarometerError as error:
            skipped.append(f"{indicator or 'table'} {fmt}: {error}")
            continue
        path.write_bytes(body)
        written += 1
    return written, skipped
