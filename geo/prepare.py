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

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.grid import Bounds, meters_to_lonlat, pixel_size, validate_zoom, zoom_to_fit
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

TOLERANCE_PIXELS = 1.0
"""Coverage simplification tolerance in tile pixels (extent 4096, so 1/8 of a screen pixel at 512 px tiles):
Visvalingam-Whyatt removes vertices whose triangle is smaller than ``(tolerance × pixel size)²``."""

SHARE_RATIO = 0.8
"""A zoom reuses the next finer band's geometry when its own simplification keeps more than this share of
that band's vertices: at most 1/0.8 = 25 % extra vertices in a tile, instead of another copy in memory."""

PROPERTY_COLUMNS: tuple[str, ...] = ("code", "name", "kommun", "lan", "regso")
"""Area attributes written to every tile feature (empty ones omitted)."""


@dataclass(frozen=True, eq=False)
class Band:
    """Geometry (EPSG:3857, one per area in table order) shared by the zooms ``minzoom..maxzoom``."""

    minzoom: int
    maxzoom: int
    tolerance: float
    geometries: np.ndarray
    vertices: int
    envelopes: np.ndarray
    """``(n, 4)`` bounds of every geometry: clipping tests them instead of asking GEOS per tile."""


@dataclass(frozen=True, eq=False)
class PreparedLevel:
    """Everything tile rendering needs for one level, immutable and shared by all requests."""

    level: str
    minzoom: int
    maxzoom: int
    table: pd.DataFrame
    """Columns ``id`` and AREA_COLUMNS, sorted by code; row ``i`` has ``id == i + 1``."""
    properties: tuple[dict[str, str], ...]
    """Tile properties per row: PROPERTY_COLUMNS that are not empty."""
    bands: tuple[Band, ...]
    """Finest first."""
    tree: shapely.STRtree
    """Index over the envelopes of the unsimplified EPSG:3857 geometry (simplified ones lie inside them)."""
    bounds: Bounds
    """WGS84 (west, south, east, north)."""
    center: tuple[float, float, int]
    """WGS84 (lon, lat, zoom) as in TileJSON."""
    repairs: dict[int, int] = field(default_factory=dict)
    """Per band (keyed by its maxzoom): areas whose coverage simplification came out invalid, empty or of zero
    area and were repaired (make_valid, else plain simplify, else unsimplified)."""

    @cached_property
    def codes(self) -> np.ndarray:
        """Area codes in table order (sorted), as a numpy array of str."""
        return self.table["code"].to_numpy(dtype=object)

    @cached_property
    def ids(self) -> np.ndarray:
        """Feature ids in table order: 1..n."""
        return self.table["id"].to_numpy(dtype=np.int64)

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
) -> PreparedLevel:
    """Prepare the areas of one level (any CRS, columns AREA_COLUMNS + geometry) for tile rendering."""
    minzoom, maxzoom = zooms or LEVEL_ZOOMS.get(level, (0, 14))
    minzoom, maxzoom = validate_zoom(minzoom), validate_zoom(maxzoom, minzoom)
    table, current = _clean_source(areas, level)
    envelopes = shapely.envelope(current)
    minx, miny, maxx, maxy = shapely.total_bounds(current)

    bands: list[Band] = []
    repairs: dict[int, int] = {}
    for z in range(maxzoom, minzoom - 1, -1):
        tolerance = tolerance_pixels * pixel_size(z)
        simplified, repaired = _repair(_simplify(current, tolerance, level), current, tolerance)
        vertices = int(shapely.get_num_coordinates(simplified).sum())
        if bands and vertices > SHARE_RATIO * bands[-1].vertices:
            bands[-1] = replace(bands[-1], minzoom=z)
            continue
        bands.append(Band(z, z, tolerance, simplified, vertices, shapely.bounds(simplified)))
        if repaired:
            repairs[z] = repaired
        current = simplified  # coarser zooms simplify this band; the unsimplified geometry is freed

    table.insert(0, "id", np.arange(1, len(table) + 1, dtype=np.int64))
    properties = tuple(
        {column: value for column, value in zip(PROPERTY_COLUMNS, row, strict=True) if value}
        for row in table[list(PROPERTY_COLUMNS)].itertuples(index=False, name=None)
    )
    west, south = meters_to_lonlat(minx, miny)
    east, north = meters_to_lonlat(maxx, maxy)
    bounds = (west, south, east, north)
    lon, lat = meters_to_lonlat((minx + maxx) / 2, (miny + maxy) / 2)
    return PreparedLevel(
        level=level,
        minzoom=minzoom,
        maxzoom=maxzoom,
        table=table,
        properties=properties,
        bands=tuple(bands),
        tree=shapely.STRtree(envelopes),
        bounds=bounds,
        center=(lon, lat, zoom_to_fit(bounds, minzoom, maxzoom)),
        repairs=repairs,
    )
