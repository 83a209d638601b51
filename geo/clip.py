"""Clipping of area geometry to a buffered tile and the map from EPSG:3857 metres to tile coordinates."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import shapely

from geo.grid import EXTENT, Bounds, grow, tile_bounds


class TileFrame(NamedTuple):
    """One tile's coordinate frame: EPSG:3857 metres to tile coordinates (origin top left, y down)."""

    minx: float
    maxy: float
    scale: float
    """Tile coordinate units per metre."""
    clip: Bounds
    """The tile grown by the buffer, in EPSG:3857 metres."""

    @classmethod
    def of(cls, z: int, x: int, y: int, *, buffer: int = 64, extent: int = EXTENT) -> TileFrame:
        bounds = tile_bounds(z, x, y)
        minx, _, maxx, maxy = bounds
        return cls(minx, maxy, extent / (maxx - minx), grow(bounds, z, buffer, extent))

    def to_tile(self, coords: np.ndarray) -> np.ndarray:
        """``(N, 2)`` metres to float tile coordinates."""
        out = np.empty_like(coords, dtype=np.float64)
        out[:, 0] = (coords[:, 0] - self.minx) * self.scale
        out[:, 1] = (self.maxy - coords[:, 1]) * self.scale
        return out

    def transform(self, geometries: np.ndarray) -> np.ndarray:
        """Geometries in metres to the same geometries in float tile coordinates."""
        return shapely.transform(geometries, self.to_tile)


_EMPTY = shapely.Polygon()
_POLYGONAL = (3, 6)  # Polygon, MultiPolygon
SMALL_CLIP = 48
"""Up to this many geometries, which ones cross the rectangle is decided by a loop over a list (cheaper
there than numpy's calls; measured on the tiles of the 6000-area demo)."""


def crossing(envelopes: np.ndarray, bounds: Bounds) -> np.ndarray:
    """Positions of the ``(n, 4)`` envelopes that reach outside the rectangle ``bounds``."""
    minx, miny, maxx, maxy = bounds
    if len(envelopes) <= SMALL_CLIP:
        boxes = envelopes.tolist()
        return np.array(
            [i for i, (a, b, c, d) in enumerate(boxes) if a < minx or b < miny or c > maxx or d > maxy],
            dtype=np.int64,
        )
    xmin, ymin, xmax, ymax = envelopes.T
    return np.flatnonzero((xmin < minx) | (ymin < miny) | (xmax > maxx) | (ymax > maxy))


def clip_to_rect(geometries: np.ndarray, bounds: Bounds) -> np.ndarray:
    """The polygonal rest of each geometry inside ``bounds``: leftovers of lower dimension (edges touching
    the rectangle) dropped, an empty polygon where nothing polygonal is left."""
    pieces = shapely.clip_by_rect(geometries, *bounds)
    for i, kind in enumerate(shapely.get_type_id(pieces).tolist()):
        if kind not in _POLYGONAL:
            polygons = [p for p in shapely.get_parts(pieces[i]) if shapely.get_type_id(p) in _POLYGONAL]
            pieces[i] = shapely.multipolygons(shapely.get_parts(polygons)) if polygons else _EMPTY
    return pieces


def clip_polygons(
    geometries: np.ndarray, bounds: Bounds, envelopes: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Polygons clipped to ``bounds``: ``(positions, clipped)`` for those with a non-empty polygonal rest.

    Geometries inside the rectangle are passed through unchanged (they must be non-empty polygons of positive
    area, as prepared geometry is). ``envelopes`` are the geometries' ``shapely.bounds`` when known.
    """
    cut = crossing(shapely.bounds(geometries) if envelopes is None else envelopes, bounds)
    if not len(cut):
        return np.arange(len(geometries)), geometries
    pieces = clip_to_rect(geometries[cut], bounds)
    clipped = geometries.copy()
    clipped[cut] = pieces
    kept = _kept(len(geometries), cut, pieces)
    return kept, clipped[kept]


def _kept(n: int, cut: np.ndarray, pieces: np.ndarray) -> np.ndarray:
    """Positions of ``n`` geometries without those of ``cut`` whose clipped piece has no area."""
    areas = shapely.area(pieces)
    if areas.all():  # empty and collapsed pieces have no area
        return np.arange(n)
    keep = np.ones(n, dtype=bool)
    keep[cut[areas <= 0]] = False
    return keep.nonzero()[0]


def clip_wkb(
    wkb: np.ndarray, bounds: Bounds, envelopes: np.ndarray, parse: Callable[[np.ndarray], np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    """``clip_polygons`` for geometry held as WKB (an object array of bytes-like rows): only the rows that
    cross the rectangle are parsed (``parse(positions)`` gives their shapely geometries) and re-encoded."""
    cut = crossing(envelopes, bounds)
    if not len(cut):
        return np.arange(len(wkb)), wkb
    pieces = clip_to_rect(parse(cut), bounds)
    clipped = wkb.copy()
    clipped[cut] = shapely.to_wkb(pieces, output_dimension=2, byte_order=1)
    kept = _kept(len(wkb), cut, pieces)
    return kept, clipped[kept]
