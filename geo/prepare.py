"""Geometry of one level, prepared once per dataset version for tiles.

``prepare_level`` reprojects the areas to EPSG:3857 and simplifies them *as a coverage* once per zoom, so
neighbours keep one shared border at every zoom (no gaps, no slivers). Zooms whose simplification would keep
nearly every vertex of the next finer zoom share that finer geometry ("bands"), so memory stays near a small
multiple of the source. Feature ids are stable: position in the code-sorted table + 1.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import pairwise
from typing import Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.grid import Bounds, lonlat_arrays, meters_to_lonlat, pixel_size, validate_zoom, zoom_to_fit
from indicators.model import AREA_COLUMNS, InputError

log = logging.getLogger(__name__)

LEVEL_ZOOMS: dict[str, tuple[int, int]] = {
    "riket": (0, 8),
    "lan": (0, 10),
    "kommun": (3, 12),
    "regso": (6, 14),
    "deso": (8, 14),
}
"""Zoom band (minzoom, maxzoom) per level. Below minzoom an area is a few tile pixels wide (a DeSO in a town
is ~500 m: about 13 px at z8, 0.4 px at z3); past maxzoom clients overzoom the maxzoom tiles."""

TOLERANCE_PIXELS = 1.5
"""Coverage simplification tolerance in tile pixels (extent 4096, so 0.19 screen pixels at 512 px tiles):
Visvalingam-Whyatt removes vertices whose triangle is smaller than ``(tolerance × pixel size)²``. An area
test keeps more of a long, gently bent border than a distance test of the same tolerance (tippecanoe's
Douglas-Peucker at one tile unit): at 1.0 low-zoom tiles of the national demo were up to 1.53× tippecanoe's
size, at 1.5 they are 1.02–1.24× (docs/performance.md)."""

SHARE_RATIO = 0.8
"""A zoom reuses the next finer band's geometry when its own simplification keeps more than this share of
that band's vertices: at most 1/0.8 = 25 % extra vertices in a tile, instead of another copy in memory."""

PREPARED_LAYOUT = 1
"""The layout of ``level_columns``: stored levels of another layout are prepared again, not reused."""

PROPERTY_COLUMNS: tuple[str, ...] = ("code", "name", "kommun", "lan", "regso")
"""Area attributes written to every tile feature (empty ones omitted)."""


@dataclass(frozen=True, eq=False)
class Band:
    """Geometry (EPSG:3857, one area per row in table order) shared by the zooms ``minzoom..maxzoom``.

    Held as little-endian WKB back to back (``wkb[offsets[i]:offsets[i + 1]]`` is row ``i``): the bytes the
    tile encoder reads, and a layout a stored version maps from disk instead of copying into each worker.
    Shapely objects are made only for the rows that need GEOS (clipping at a tile's edge, images).
    """

    minzoom: int
    maxzoom: int
    tolerance: float
    wkb: np.ndarray
    """uint8: every row's WKB back to back."""
    offsets: np.ndarray
    """int64, one more than rows: where each row's WKB starts and the last ends."""
    vertices: int
    envelopes: np.ndarray
    """``(n, 4)`` bounds of every geometry: clipping tests them instead of asking GEOS per tile."""

    @classmethod
    def of(cls, minzoom: int, maxzoom: int, tolerance: float, geometries: np.ndarray) -> Band:
        """A band of shapely geometries."""
        wkb, offsets = pack_wkb(geometries)
        vertices = int(shapely.get_num_coordinates(geometries).sum())
        return cls(minzoom, maxzoom, tolerance, wkb, offsets, vertices, shapely.bounds(geometries))

    @cached_property
    def _views(self) -> np.ndarray:
        """One memoryview of its WKB per row (what the encoder takes), made once."""
        buffer, starts = memoryview(self.wkb), self.offsets.tolist()
        views = np.empty(len(starts) - 1, dtype=object)
        views[:] = [buffer[a:b] for a, b in pairwise(starts)]
        return views

    def wkb_of(self, rows: np.ndarray) -> np.ndarray:
        """The WKB of ``rows`` as an object array of memoryviews (no copy)."""
        return self._views[rows]

    def shapes(self, rows: np.ndarray | None = None) -> np.ndarray:
        """Shapely geometries of ``rows`` (every row by default), parsed from the WKB."""
        views = self._views if rows is None else self._views[rows]
        return shapely.from_wkb([bytes(view) for view in views])


def pack_wkb(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Geometries as ``(wkb, offsets)``: 2D little-endian WKB back to back and where each starts."""
    pieces = shapely.to_wkb(geometries, output_dimension=2, byte_order=1)
    offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum([len(piece) for piece in pieces], out=offsets[1:])
    return np.frombuffer(b"".join(pieces), dtype=np.uint8), offsets


@dataclass(frozen=True, eq=False)
class PreparedLevel:
    """Everything tile rendering needs for one level, immutable and shared by all requests."""

    level: str
    minzoom: int
    maxzoom: int
    table: pd.DataFrame
    """Columns ``id`` and AREA_COLUMNS, sorted by code; row ``i`` has ``id == i + 1``."""
    bands: tuple[Band, ...]
    """Finest first."""
    envelopes: np.ndarray
    """``(n, 4)`` bounds of the unsimplified EPSG:3857 geometry (simplified geometry lies inside them)."""
    labels: np.ndarray
    """``(n, 2)`` WGS84 lon, lat of a point inside each area (on its surface), rounded to about a metre:
    where a map writes its name once, however many tiles it spans."""
    bounds: Bounds
    """WGS84 (west, south, east, north)."""
    center: tuple[float, float, int]
    """WGS84 (lon, lat, zoom) as in TileJSON."""
    repairs: dict[int, int] = field(default_factory=dict)
    """Per band (keyed by its maxzoom): areas whose coverage simplification came out invalid, empty or of zero
    area and were repaired (make_valid, else plain simplify, else unsimplified)."""

    @cached_property
    def tree(self) -> shapely.STRtree:
        """Index over ``envelopes``."""
        return shapely.STRtree(shapely.box(*self.envelopes.T))

    @cached_property
    def properties(self) -> tuple[dict[str, str], ...]:
        """Tile properties per row: PROPERTY_COLUMNS that are not empty."""
        return tuple(
            {column: value for column, value in zip(PROPERTY_COLUMNS, row, strict=True) if value}
            for row in self.table[list(PROPERTY_COLUMNS)].itertuples(index=False, name=None)
        )

    @cached_property
    def codes(self) -> np.ndarray:
        """Area codes in table order (sorted), as a numpy array of str."""
        return self.table["code"].to_numpy(dtype=object)

    @cached_property
    def ids(self) -> np.ndarray:
        """Feature ids in table order: 1..n."""
        return self.table["id"].to_numpy(dtype=np.int64)

    def bounds_of(self, rows: np.ndarray) -> Bounds:
        """WGS84 (west, south, east, north) of the areas in ``rows``."""
        boxes = self.envelopes[rows]
        (west, east), (south, north) = lonlat_arrays(
            np.array([boxes[:, 0].min(), boxes[:, 2].max()]), np.array([boxes[:, 1].min(), boxes[:, 3].max()])
        )
        return float(west), float(south), float(east), float(north)

    def id_of(self, code: str) -> int:
        """The feature id of an area code (KeyError when unknown)."""
        position = int(np.searchsorted(self.codes, code))
        if position >= len(self.table) or self.codes[position] != code:
            raise KeyError(code)
        return position + 1

    def band(self, z: int) -> Band:
        """The band serving zoom ``z``; zooms past maxzoom get the finest band, below minzoom the coarsest."""
        z = validate_zoom(z)
        for band in self.bands:
            if z >= band.minzoom:
                return band
        return self.bands[-1]

    def query(self, bounds: Bounds) -> np.ndarray:
        """Sorted row positions of the areas whose envelope meets ``bounds`` (EPSG:3857)."""
        box = np.empty(1, dtype=object)  # an array of one: STRtree.query's scalar path costs more
        box[0] = shapely.box(*bounds)
        return np.sort(self.tree.query(box)[1])


def _polygonal(geometry: shapely.Geometry) -> shapely.Geometry:
    """The polygons of any geometry as one (Multi)Polygon; empty Polygon when it has none."""
    parts = shapely.get_parts(shapely.get_parts(geometry))
    polygons = [p for p in parts if shapely.get_type_id(p) == 3 and not p.is_empty]
    if not polygons:
        return shapely.Polygon()
    return polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(polygons)


def _is_bad(geometries: np.ndarray) -> np.ndarray:
    polygonal = np.isin(shapely.get_type_id(geometries), (3, 6))
    return (
        ~polygonal
        | shapely.is_empty(geometries)
        | ~shapely.is_valid(geometries)
        | (shapely.area(geometries) <= 0)
    )


def _repair(simplified: np.ndarray, source: np.ndarray, tolerance: float) -> tuple[np.ndarray, int]:
    """Replace empty, invalid or zero-area results: make_valid, else plain simplify, else the source."""
    bad = np.flatnonzero(_is_bad(simplified))
    if not len(bad):
        return simplified, 0
    out = simplified.copy()
    for i in bad:
        candidate = _polygonal(shapely.make_valid(simplified[i]))
        if _is_bad(np.array([candidate]))[0]:
            candidate = shapely.simplify(source[i], tolerance, preserve_topology=True)
        if _is_bad(np.array([candidate]))[0]:
            candidate = source[i]
        out[i] = candidate
    return out, len(bad)


def _clean_source(
    areas: gpd.GeoDataFrame, level: str, *, strict: bool = False
) -> tuple[pd.DataFrame, np.ndarray]:
    """The attribute table sorted by code, and its geometry valid, 2D and in EPSG:3857.

    An area whose geometry cannot be tiled (a coordinate that is not finite in EPSG:3857, nothing polygonal
    left after repair) is dropped with a warning, or refused when ``strict`` (checking a version before it
    is written or served); a level left without areas is refused either way.
    """
    if areas.crs is None:
        raise InputError(f"areas of level {level!r} have no CRS")
    missing = [c for c in (*AREA_COLUMNS, "geometry") if c not in areas.columns]
    if missing:
        raise InputError(f"areas of level {level!r} lack columns {missing}")
    if not len(areas):
        raise InputError(f"no areas of level {level!r}")
    frame = areas[[*AREA_COLUMNS, "geometry"]].copy()
    for column in AREA_COLUMNS:
        frame[column] = frame[column].fillna("").astype(str)
    duplicated = frame["code"][frame["code"].duplicated()].unique()
    if len(duplicated):
        raise InputError(f"duplicate area codes in level {level!r}: {', '.join(sorted(duplicated)[:5])}")
    frame = frame.sort_values("code", kind="stable").reset_index(drop=True)
    with np.errstate(all="ignore"):
        frame = frame.to_crs("EPSG:3857")
    geometries = frame.geometry.to_numpy()
    if shapely.has_z(geometries).any():
        geometries = shapely.force_2d(geometries)
    bad = ~_finite(geometries)
    finite = np.flatnonzero(~bad)
    invalid = finite[~shapely.is_valid(geometries[finite])]
    geometries[invalid] = [_polygonal(g) for g in shapely.make_valid(geometries[invalid])]
    bad[finite] = _is_bad(geometries[finite])
    if bad.any():
        codes = ", ".join(frame["code"][bad][:5]) + (" …" if bad.sum() > 5 else "")
        problem = f"{int(bad.sum())} areas of level {level!r} without a finite, valid polygon: {codes}"
        if strict or bad.all():
            raise InputError(problem)
        log.warning("%s; left out of the tiles", problem)
        frame, geometries = frame[~bad].reset_index(drop=True), geometries[~bad]
    return pd.DataFrame(frame[list(AREA_COLUMNS)]), geometries


def _finite(geometries: np.ndarray) -> np.ndarray:
    """Per geometry: every coordinate is a finite number (None counts as not finite)."""
    coordinates, index = shapely.get_coordinates(geometries, return_index=True)
    broken = np.zeros(len(geometries), dtype=bool)
    broken[index[~np.isfinite(coordinates).all(axis=1)]] = True
    return ~broken & ~shapely.is_missing(geometries)


def check_level(areas: gpd.GeoDataFrame, level: str) -> None:
    """Raise InputError unless every area of the level can be prepared for tiles (``prepare_level``
    without its simplification, which repairs or keeps each area's own geometry when it fails)."""
    _clean_source(areas, level, strict=True)


def _simplify(geometries: np.ndarray, tolerance: float, level: str) -> np.ndarray:
    """Coverage simplification (shared borders stay shared); each area on its own where GEOS refuses."""
    try:
        return shapely.coverage_simplify(geometries, tolerance)
    except shapely.errors.GEOSException as error:
        log.warning(
            "coverage simplification of level %r failed (%s); areas simplified one by one", level, error
        )
        return shapely.simplify(geometries, tolerance, preserve_topology=True)


def prepare_level(
    areas: gpd.GeoDataFrame,
    level: str,
    *,
    zooms: tuple[int, int] | None = None,
    tolerance_pixels: float = TOLERANCE_PIXELS,
    strict: bool = False,
) -> PreparedLevel:
    """Prepare the areas of one level (any CRS, columns AREA_COLUMNS + geometry) for tile rendering; with
    ``strict`` an area that cannot be tiled is refused instead of left out (see ``_clean_source``)."""
    minzoom, maxzoom = zooms or LEVEL_ZOOMS.get(level, (0, 14))
    minzoom, maxzoom = validate_zoom(minzoom), validate_zoom(maxzoom, minzoom)
    table, current = _clean_source(areas, level, strict=strict)
    envelopes = shapely.bounds(current)
    minx, miny, maxx, maxy = shapely.total_bounds(current)
    points = shapely.point_on_surface(current)
    labels = np.round(np.column_stack(lonlat_arrays(shapely.get_x(points), shapely.get_y(points))), 5)

    bands: list[Band] = []
    repairs: dict[int, int] = {}
    for z in range(maxzoom, minzoom - 1, -1):
        tolerance = tolerance_pixels * pixel_size(z)
        simplified, repaired = _repair(_simplify(current, tolerance, level), current, tolerance)
        vertices = int(shapely.get_num_coordinates(simplified).sum())
        if bands and vertices > SHARE_RATIO * bands[-1].vertices:
            bands[-1] = replace(bands[-1], minzoom=z)
            continue
        bands.append(Band.of(z, z, tolerance, simplified))
        if repaired:
            repairs[z] = repaired
        current = simplified  # coarser zooms simplify this band; the unsimplified geometry is freed

    table.insert(0, "id", np.arange(1, len(table) + 1, dtype=np.int64))
    west, south = meters_to_lonlat(minx, miny)
    east, north = meters_to_lonlat(maxx, maxy)
    bounds = (west, south, east, north)
    lon, lat = meters_to_lonlat((minx + maxx) / 2, (miny + maxy) / 2)
    return PreparedLevel(
        level=level,
        minzoom=minzoom,
        maxzoom=maxzoom,
        table=table,
        bands=tuple(bands),
        envelopes=envelopes,
        labels=labels,
        bounds=bounds,
        center=(lon, lat, zoom_to_fit(bounds, minzoom, maxzoom)),
        repairs=repairs,
    )


class ColumnReader(Protocol):
    """What ``PreparedLevel.from_columns`` reads: a table of named columns (data.mapped.MappedTable)."""

    meta: dict

    def array(self, name: str) -> np.ndarray: ...

    def binary(self, name: str) -> tuple[np.ndarray, np.ndarray]: ...

    def strings(self, name: str) -> np.ndarray: ...


def level_columns(prepared: PreparedLevel) -> tuple[dict[str, object], dict]:
    """A prepared level as named columns and metadata, to store with its version (``level_from_columns``
    reads them back): the attribute table, the envelopes, and per band its WKB and envelopes."""
    columns: dict[str, object] = {c: prepared.table[c].to_numpy(dtype=object) for c in AREA_COLUMNS}
    columns |= {f"envelope_{i}": prepared.envelopes[:, i].copy() for i in range(4)}
    columns |= {"label_lon": prepared.labels[:, 0].copy(), "label_lat": prepared.labels[:, 1].copy()}
    bands = []
    for k, band in enumerate(prepared.bands):
        columns[f"band{k}_wkb"] = band.wkb_of(np.arange(len(prepared.table))).tolist()
        columns |= {f"band{k}_envelope_{i}": band.envelopes[:, i].copy() for i in range(4)}
        bands.append([band.minzoom, band.maxzoom, band.tolerance, band.vertices])
    meta = {
        "level": prepared.level,
        "zooms": [prepared.minzoom, prepared.maxzoom],
        "bands": bands,
        "bounds": list(prepared.bounds),
        "center": list(prepared.center),
        "repairs": {str(z): n for z, n in prepared.repairs.items()},
    }
    return columns, meta


def level_from_columns(reader: ColumnReader) -> PreparedLevel:
    """The prepared level that ``level_columns`` stored; geometry and envelopes stay views of ``reader``."""
    meta = reader.meta
    table = pd.DataFrame({c: reader.strings(c) for c in AREA_COLUMNS})
    table.insert(0, "id", np.arange(1, len(table) + 1, dtype=np.int64))

    def envelopes(prefix: str) -> np.ndarray:
        return np.column_stack([reader.array(f"{prefix}envelope_{i}") for i in range(4)])

    bands = []
    for k, (minzoom, maxzoom, tolerance, vertices) in enumerate(meta["bands"]):
        wkb, offsets = reader.binary(f"band{k}_wkb")
        bands.append(Band(minzoom, maxzoom, tolerance, wkb, offsets, vertices, envelopes(f"band{k}_")))
    lon, lat, zoom = meta["center"]
    return PreparedLevel(
        level=meta["level"],
        minzoom=meta["zooms"][0],
        maxzoom=meta["zooms"][1],
        table=table,
        bands=tuple(bands),
        envelopes=envelopes(""),
        labels=np.column_stack([reader.array("label_lon"), reader.array("label_lat")]),
        bounds=tuple(meta["bounds"]),
        center=(lon, lat, int(zoom)),
        repairs={int(z): n for z, n in meta["repairs"].items()},
    )
