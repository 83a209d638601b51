"""Clipping of area geometry to a buffered tile and the map from EPSG:3857 metres to tile coordinates."""

from __future__ import annotations

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


def clip_polygons(
    geometries: np.ndarray, bounds: Bounds, envelopes: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Polygons clipped to ``bounds``: ``(positions, clipped)`` for those with a non-empty polygonal rest.

    Geometries inside the rectangle are passed through unchanged (they must be non-empty polygons of positive
    area, as prepared geometry is); clipping leftovers of lower dimension (edges touching the rectangle) are
    dropped. ``envelopes`` are the geometries' ``shapely.bounds`` when known.
    """
    minx, miny, maxx, maxy = bounds
    if envelopes is None:
        envelopes = shapely.bounds(geometries)
    if len(envelopes) <= SMALL_CLIP:
        boxes = envelopes.tolist()
        cut = [i for i, (a, b, c, d) in enumerate(boxes) if a < minx or b < miny or c > maxx or d > maxy]
    else:
        xmin, ymin, xmax, ymax = envelopes.T
        cut = np.flatnonzero((xmin < minx) | (ymin < miny) | (xmax > maxx) | (ymax > maxy))
    if not len(cut):
        return np.arange(len(geometries)), geometries
    pieces = shapely.clip_by_rect(geometries[cut], minx, miny, maxx, maxy)
    for i, kind in enumerate(shapely.get_type_id(pieces).tolist()):
        if kind not in _POLYGONAL:
            polygons = [p for p in shapely.get_parts(pieces[i]) if shapely.get_type_id(p) in _POLYGONAL]
            pieces[i] = shapely.multipolygons(shapely.get_parts(polygons)) if polygons else _EMPTY
    clipped = geometries.copy()
    clipped[cut] = pieces
    areas = shapely.area(pieces)
    if areas.all():  # empty and collapsed pieces have no area
        return np.arange(len(geometries)), clipped
    keep = np.ones(len(geometries), dtype=bool)
    keep[np.asarray(cut)[areas <= 0]] = False
    positions = keep.nonzero()[0]
    return positions, clipped[positions]
