"""Read users' area files (GeoPackage, GeoJSON, Shapefile) into the model's area table.

Columns are mapped explicitly (model column → file column) or guessed from SCB's own names (``regsokod``,
``kommun_kod``, ``lanskod``, ...). The level is detected from the code shapes, parent codes are derived from
the codes (DeSO/RegSO ``0180...`` lie in kommun ``0180``, kommun ``0180`` in län ``01``). Parent columns hold
strictly coarser areas: a kommun's own ``kommun`` column is empty. Geometries stay in the source CRS.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS, Transformer
from shapely.geometry import MultiPolygon

from indicators.importers.codes import (
    AREA_LEVELS,
    describe_repairs,
    fits_level,
    normalise_column_name,
    repair_code,
)
from indicators.model import AREA_COLUMNS, LEVELS, InputError

MAPPABLE: tuple[str, ...] = ("code", "name", "kommun", "lan", "regso")
"""Model columns a mapping may name."""

CODE_NAMES: dict[str, frozenset[str]] = {
    "deso": frozenset({"deso", "desokod", "desocode", "desoid"}),
    "regso": frozenset({"regso", "regsokod", "regsocode", "regsoid"}),
    "kommun": frozenset({"kommun", "kommunkod", "kommuncode", "kommunid", "knkod", "kn", "municipality"}),
    "lan": frozenset({"lan", "lanskod", "lankod", "lancode", "lanid", "county"}),
}
NAME_NAMES: dict[str, frozenset[str]] = {
    "deso": frozenset({"desonamn", "desoname"}),
    "regso": frozenset({"regsonamn", "regsoname"}),
    "kommun": frozenset({"kommunnamn", "kommunname", "knnamn", "municipalityname"}),
    "lan": frozenset({"lansnamn", "lannamn", "lanname", "countyname"}),
}
AREA_OF_USE_MARGIN = 1.0
"""Degrees an area may reach past its CRS's area of use (coastal and border areas, generous outlines)."""
GENERIC_CODE = frozenset({"code", "kod", "areacode", "omradeskod", "regionkod"})
GENERIC_NAME = frozenset({"namn", "name", "omradesnamn", "areaname", "regionnamn"})


@dataclass(frozen=True, eq=False)
class AreaImport:
    """The areas of one file, what was repaired or guessed, and kommun names where the file had them."""

    areas: gpd.GeoDataFrame
    report: list[str]
    kommun_names: Mapping[str, str] = field(default_factory=dict)
    version: str = ""
    """The boundary version the file states in a ``version`` column (SCB's files: ``2025_v1``), or empty."""


def load_mapping(path: str | Path) -> dict[str, str]:
    """A column mapping from a JSON or TOML file: ``{"code": "Deso", "name": "Namn"}``, flat or under
    ``columns``. Keys are model columns (code, name, kommun, lan, regso), values file columns."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
        data = tomllib.loads(text) if path.suffix.lower() == ".toml" else json.loads(text)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the column mapping: {exc}", file=str(path)) from exc
    if isinstance(data, Mapping) and isinstance(data.get("columns"), Mapping):
        data = data["columns"]
    if not isinstance(data, Mapping):
        raise InputError("a column mapping must be a table of model column = file column", file=str(path))
    return _checked_mapping(data, str(path))


def _checked_mapping(data: Mapping, where: str) -> dict[str, str]:
    unknown = sorted(set(data) - set(MAPPABLE))
    if unknown:
        raise InputError(
            f"unknown model columns {unknown} in the mapping; known: {list(MAPPABLE)}", file=where
        )
    bad = [key for key, value in data.items() if not isinstance(value, str) or not value]
    if bad:
        raise InputError(f"the mapping of {bad} must name a file column", file=where)
    return dict(data)


def read_areas(
    path: str | Path,
    *,
    level: str | None = None,
    layer: str | None = None,
    columns: Mapping[str, str] | None = None,
) -> AreaImport:
    """The areas of one file as the model's area table (AREA_COLUMNS + geometry, source CRS)."""
    path = Path(path)
    where = path.name
    if level is not None and level not in AREA_LEVELS:
        raise InputError(f"unknown level {level!r}; known: {list(AREA_LEVELS)}", file=where)
    report: list[str] = []
    frame = _read_frame(path, layer, report)
    mapping = _checked_mapping(columns or {}, where)
    for key, column in mapping.items():
        if column not in frame.columns:
            raise InputError(
                f"the mapping names {column!r} for {key}, but the file has no such column "
                f"(it has {_data_columns(frame)})",
                file=where,
                column=column,
            )
    code_column, level = _code_column(frame, mapping.get("code"), level, where)
    name_column = mapping.get("name") or _find(
        frame, NAME_NAMES[level] | GENERIC_NAME, prefer=NAME_NAMES[level]
    )
    report.append(
        f"{len(frame)} areas of level {level}: code from {code_column!r}, "
        f"name from {name_column or 'the code (no name column)'!r}"
    )

    codes = _codes(frame[code_column], level, code_column, where, report)
    names = (
        frame[name_column].map(lambda v: "" if pd.isna(v) else " ".join(str(v).split()))
        if name_column
        else pd.Series(codes, index=frame.index)
    )
    names = names.where(names != "", pd.Series(codes, index=frame.index))
    rank = LEVELS.index(level)
    kommun = [c[:4] if rank < LEVELS.index("kommun") else "" for c in codes]
    lan = [c[:2] if rank < LEVELS.index("lan") else "" for c in codes]
    regso = _regso_parents(frame, mapping.get("regso"), level, where, report)
    for key, derived in (("kommun", kommun), ("lan", lan)):
        if key in mapping:
            _compare_parents(frame[mapping[key]], derived, key, mapping[key], report)
    geometry = _geometries(frame.geometry, codes, where, report)
    _check_extent(geometry, codes, frame.crs, where)
    areas = gpd.GeoDataFrame(
        {
            "code": codes,
            "name": names.astype(str).tolist(),
            "level": level,
            "kommun": kommun,
            "lan": lan,
            "regso": regso,
        },
        geometry=geometry,
        crs=frame.crs,
    )[[*AREA_COLUMNS, "geometry"]]
    for column in AREA_COLUMNS:
        areas[column] = areas[column].astype(str)
    kommun_names = _kommun_names(frame, mapping, codes, kommun, names, level)
    areas.attrs["kommun_names"] = kommun_names
    version = _file_version(frame)
    if version:
        report.append(f"boundary version {version} (column 'version')")
    return AreaImport(areas=areas, report=report, kommun_names=kommun_names, version=version)


def _file_version(frame: gpd.GeoDataFrame) -> str:
    """The most common value of a ``version`` column, as SCB's DeSO/RegSO files have one."""
    column = next((c for c in frame.columns if str(c).casefold() == "version"), None)
    if column is None:
        return ""
    counts = frame[column].dropna().astype(str).str.strip().value_counts()
    return str(counts.index[0]) if len(counts) else ""


def _read_frame(path: Path, layer: str | None, report: list[str]) -> gpd.GeoDataFrame:
    where = path.name
    if not path.exists():
        raise InputError("no such file", file=str(path))
    try:
        layers = pyogrio.list_layers(path)
        if layer is None and len(layers) > 1:
            layer = str(layers[0][0])
            report.append(f"the file has {len(layers)} layers; read {layer!r} (choose another with layer=)")
        frame = gpd.read_file(path, layer=layer, engine="pyogrio")
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError, ValueError) as exc:
        raise InputError(f"cannot read as a GeoPackage, GeoJSON or Shapefile: {exc}", file=where) from exc
    if frame.crs is None:
        if path.suffix.lower() in (".geojson", ".json"):
            frame = frame.set_crs("EPSG:4326")
            report.append("GeoJSON without a CRS read as WGS84 (EPSG:4326), as the GeoJSON standard says")
        else:
            raise InputError(
                "the file has no coordinate reference system (CRS); for a Shapefile the .prj is "
                "missing. Set the CRS (e.g. EPSG:3006, SWEREF 99 TM) in QGIS and save again",
                file=where,
            )
    return frame


def _data_columns(frame: gpd.GeoDataFrame) -> list[str]:
    return [c for c in frame.columns if c != frame.geometry.name]


def _find(frame: gpd.GeoDataFrame, names: frozenset[str], prefer: frozenset[str] = frozenset()) -> str | None:
    hits = [c for c in _data_columns(frame) if normalise_column_name(c) in names]
    preferred = [c for c in hits if normalise_column_name(c) in prefer]
    return (preferred or hits or [None])[0]


def _share_fitting(series: pd.Series, level: str) -> float:
    codes = [repair_code(v, level)[0] for v in series]
    codes = [c for c in codes if c]
    return sum(fits_level(c, level) for c in codes) / len(codes) if codes else 0.0


def _code_column(
    frame: gpd.GeoDataFrame, mapped: str | None, level: str | None, where: str
) -> tuple[str, str]:
    """The code column and the level: mapped or guessed by name, the level by the code shapes."""
    levels = (level,) if level else AREA_LEVELS
    if mapped is None:
        for lv in levels:
            for column in _data_columns(frame):
                if (
                    normalise_column_name(column) in CODE_NAMES[lv]
                    and _share_fitting(frame[column], lv) > 0.5
                ):
                    return column, lv
        mapped = _find(frame, GENERIC_CODE | frozenset().union(*(CODE_NAMES[lv] for lv in levels)))
        if mapped is None:
            raise InputError(
                f"no area code column found among {_data_columns(frame)}; name it with "
                "columns={'code': ...} or a mapping file",
                file=where,
            )
    shares = {lv: _share_fitting(frame[mapped], lv) for lv in levels}
    best = max(shares, key=lambda lv: shares[lv])
    if shares[best] <= 0.5 and level is None:
        raise InputError(
            f"the codes in {mapped!r} do not look like DeSO, RegSO, kommun or län codes; give the level",
            file=where,
            column=mapped,
        )
    return mapped, level or best


def _codes(series: pd.Series, level: str, column: str, where: str, report: list[str]) -> list[str]:
    codes: list[str] = []
    repairs: list[tuple[int, str, str]] = []
    first_row: dict[str, int] = {}
    for row, raw in enumerate(series, start=1):
        code, repaired = repair_code(raw, level)
        if not code:
            raise InputError("empty area code", file=where, row=row, column=column)
        if repaired:
            repairs.append((row, str(raw), code))
        if not fits_level(code, level):
            raise InputError(f"{code!r} is not a {level} code", file=where, row=row, column=column)
        if code in first_row:
            raise InputError(
                f"duplicated code {code!r} (first in row {first_row[code]})",
                file=where,
                row=row,
                column=column,
            )
        first_row[code] = row
        codes.append(code)
    if repairs:
        report.append(describe_repairs(repairs, f"{level} codes"))
    return codes


def _regso_parents(
    frame: gpd.GeoDataFrame, mapped: str | None, level: str, where: str, report: list[str]
) -> list[str]:
    if level != "deso":
        return [""] * len(frame)
    column = mapped or _find(frame, CODE_NAMES["regso"])
    if column is None:
        return [""] * len(frame)
    parents = [repair_code(v, "regso")[0] for v in frame[column]]
    if mapped is None and _share_fitting(frame[column], "regso") <= 0.5:
        report.append(f"column {column!r} does not hold RegSO codes; RegSO parents left empty")
        return [""] * len(frame)
    for row, code in enumerate(parents, start=1):
        if code and not fits_level(code, "regso"):
            raise InputError(f"{code!r} is not a RegSO code", file=where, row=row, column=column)
    return parents


def _compare_parents(series: pd.Series, derived: list[str], key: str, column: str, report: list[str]) -> None:
    level = "kommun" if key == "kommun" else "lan"
    given = [repair_code(v, level)[0] for v in series]
    differing = [row for row, (a, b) in enumerate(zip(given, derived, strict=True), start=1) if b and a != b]
    if differing:
        report.append(
            f"{len(differing)} rows have a {key} in {column!r} other than the one their code names "
            f"(first row {differing[0]}); the code's was kept"
        )


def _polygonal(geom: shapely.Geometry, multi: bool) -> shapely.Geometry | None:
    fixed = shapely.make_valid(geom)
    parts: list[shapely.Geometry] = []
    stack = [fixed]
    while stack:
        item = stack.pop()
        if item.geom_type == "Polygon" and not item.is_empty:
            parts.append(item)
        elif item.geom_type in ("MultiPolygon", "GeometryCollection"):
            stack.extend(shapely.get_parts(item))
    if not parts:
        return None
    return MultiPolygon(parts) if multi or len(parts) > 1 else parts[0]


def _geometries(series: gpd.GeoSeries, codes: list[str], where: str, report: list[str]) -> list:
    out = []
    for row, (geom, code) in enumerate(zip(series, codes, strict=True), start=1):
        if geom is None:
            raise InputError(f"area {code} has no geometry", file=where, row=row, column="geometry")
        if geom.is_empty:
            raise InputError(f"area {code} has an empty geometry", file=where, row=row, column="geometry")
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise InputError(
                f"area {code} is a {geom.geom_type}, not a polygon", file=where, row=row, column="geometry"
            )
        geom = shapely.force_2d(geom)
        if not np.isfinite(shapely.get_coordinates(geom)).all():
            raise InputError(
                f"area {code} has a coordinate that is not a finite number (NaN or infinite)",
                file=where,
                row=row,
                column="geometry",
            )
        if not geom.is_valid:
            reason = shapely.is_valid_reason(geom)
            fixed = _polygonal(geom, geom.geom_type == "MultiPolygon")
            if fixed is None:
                raise InputError(
                    f"area {code} has an invalid geometry ({reason}) with no polygonal part left "
                    "after repair",
                    file=where,
                    row=row,
                    column="geometry",
                )
            report.append(f"row {row} (area {code}): invalid geometry repaired ({reason})")
            geom = fixed
        if not geom.is_valid:
            raise InputError(
                f"area {code} has an invalid geometry even after repair ({shapely.is_valid_reason(geom)})",
                file=where,
                row=row,
                column="geometry",
            )
        out.append(geom)
    return out


def _check_extent(geometries: list, codes: list[str], crs: CRS, where: str) -> None:
    """Every area lies inside the CRS's area of use (AREA_OF_USE_MARGIN degrees wider, in the CRS's own
    coordinates): a coordinate of 1e308, or degrees in a file that says metres, is refused, not served."""
    use = crs.area_of_use
    if use is None:
        return
    m = AREA_OF_USE_MARGIN
    to_crs = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    west, south = max(use.west - m, -180), max(use.south - m, -90)
    east, north = min(use.east + m, 180), min(use.north + m, 90)
    minx, miny, maxx, maxy = to_crs.transform_bounds(west, south, east, north, densify_pts=21)
    bounds = shapely.bounds(np.asarray(geometries, dtype=object))
    inside = (bounds[:, 0] >= minx) & (bounds[:, 1] >= miny) & (bounds[:, 2] <= maxx) & (bounds[:, 3] <= maxy)
    if not inside.all():
        row = int(np.flatnonzero(~inside)[0])
        x0, y0, x1, y1 = bounds[row]
        raise InputError(
            f"area {codes[row]} reaches ({x0:g}, {y0:g}, {x1:g}, {y1:g}), outside the area of use of "
            f"{crs.name} ({use.name.rstrip('.')}: {use.west:g}..{use.east:g}° E, "
            f"{use.south:g}..{use.north:g}° N); is a coordinate wrong, or is the file in another CRS than "
            "it says?",
            file=where,
            row=row + 1,
            column="geometry",
        )


def _kommun_names(
    frame: gpd.GeoDataFrame,
    mapping: Mapping[str, str],
    codes: list[str],
    kommun: list[str],
    names: pd.Series,
    level: str,
) -> dict[str, str]:
    if level == "kommun":
        return dict(zip(codes, names, strict=True))
    column = _find(frame, NAME_NAMES["kommun"]) if level in ("deso", "regso") else None
    if column is None or column == mapping.get("name"):
        return {}
    return {
        k: " ".join(str(n).split()) for k, n in zip(kommun, frame[column], strict=True) if k and pd.notna(n)
    }
