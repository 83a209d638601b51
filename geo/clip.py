"""Clipping of area geometry to a buffered tile and the map from EPSG:3857 metres to tile coordinates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from geo.grid import EXTENT, Bounds, buffered_bounds, tile_bounds


@dataclass(frozen=True)
class TileFrame:
    """One tile's coordinate frame: EPSG:3857 metres to tile coordinates (origin top left, y down)."""

    minx: float
    maxy: float
    scale: float
    """Tile coordinate units per metre."""
    clip: Bounds
    """The tile grown by the buffer, in EPSG:3857 metres."""

    @classmethod
    def of(cls, z: int, x: int, y: int, *, buffer: int = 64, extent: int = EXTENT) -> TileFrame:
        minx, _, maxx, maxy = tile_bounds(z, x, y)
        return cls(minx, maxy, extent / (maxx - minx), buffered_bounds(z, x, y, buffer, extent))

    def to_tile(self, coords: np.ndarray) -> np.ndarray:
        """``(N, 2)`` metres to float tile coordinates."""
        out = np.empty_like(coords, dtype=np.float64)
        out[:, 0] = (coords[:, 0] - self.minx) * self.scale
        out[:, 1] = (self.maxy - coords[:, 1]) * self.scale
        return out

    def transform(self, geometries: np.ndarray) -> np.ndarray:
        """Geometries in metres to the same geometries in float tile coordinates."""
        return shapely.transform(geometries, self.to_tile)


def clip_polygons(geometries: np.ndarray, bounds: Bounds) -> tuple[np.ndarray, np.ndarray]:
    """Polygons clipped to ``bounds``: ``(positions, clipped)`` for those with a non-empty polygonal rest.

    Geometries inside the rectangle are passed through unchanged; clipping leftovers of lower dimension
    (edges touching the rectangle) are dropped.
    """
    minx, miny, maxx, maxy = bounds
    xmin, ymin, xmax, ymax = shapely.bounds(geometries).T
    inside = (xmin >= minx) & (ymin >= miny) & (xmax <= maxx) & (ymax <= maxy)
    clipped = geometries.copy()
    cut = ~inside
    if cut.any():
        clipped[cut] = shapely.clip_by_rect(geometries[cut], minx, miny, maxx, maxy)
    kinds = shapely.get_type_id(clipped)
    odd = np.flatnonzero((kinds != 3) & (kinds != 6) & ~shapely.is_empty(clipped))
    for i in odd:
        polygons = [p for p in shapely.get_parts(clipped[i]) if shapely.get_type_id(p) in (3, 6)]
        clipped[i] = shapely.multipolygons(shapely.get_parts(polygons)) if polygons else shapely.Polygon()
    keep = np.flatnonzero(~shapely.is_empty(clipped) & (shapely.area(clipped) > 0))
    return keep, clipped[keep]
