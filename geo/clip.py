"""Clipping of area geometry to a buffered tile and the map from EPSG:3857 metres to tile coordinates."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from geo.grid import EXTENT, Bounds, grow, tile_bounds


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


def clip_polygons(
    geometries: np.ndarray, bounds: Bounds, envelopes: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Polygons clipped to ``bounds``: ``(positions, clipped)`` for those with a non-empty polygonal rest.

    Geometries inside the rectangle are passed through unchanged (they must be non-empty polygons of positive
    area, as prepared geometry is); clipping leftovers of lower dimension (edges touching the rectangle) are
    dropped. ``envelopes`` are the geometries' ``shapely.bounds`` when known.
    """
    minx, miny, maxx, maxy = bounds
    xmin, ymin, xmax, ymax = (shapely.bounds(geometries) if envelopes is None else envelopes).T
    cut = np.flatnonzero((xmin < minx) | (ymin < miny) | (xmax > maxx) | (ymax > maxy))
    if not len(cut):
        return np.arange(len(geometries)), geometries
    clipped = geometries.copy()
    pieces = shapely.clip_by_rect(geometries[cut], minx, miny, maxx, maxy)
    kinds = shapely.get_type_id(pieces)
    for i in np.flatnonzero((kinds != 3) & (kinds != 6)).tolist():
        polygons = [p for p in shapely.get_parts(pieces[i]) if shapely.get_type_id(p) in (3, 6)]
        pieces[i] = shapely.multipolygons(shapely.get_parts(polygons)) if polygons else _EMPTY
    clipped[cut] = pieces
    keep = np.ones(len(geometries), dtype=bool)
    keep[cut] = shapely.area(pieces) > 0  # empty and collapsed pieces have none
    positions = np.flatnonzero(keep)
    return positions, clipped[positions]
