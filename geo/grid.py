"""Tile math on the WebMercatorQuad grid (EPSG:3857), over mercantile.

Tiles are addressed ``z/x/y`` with ``y`` counted from the north, as in XYZ URLs. Bounds are in EPSG:3857
metres; a tile holds ``EXTENT`` × ``EXTENT`` tile pixels in MVT coordinates.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterator

import mercantile
import numpy as np

from indicators.model import BarometerError

EXTENT = 4096
"""MVT tile extent: integer coordinates per tile side."""

MAX_ZOOM = 24
"""Highest zoom the server accepts."""

ORIGIN = 20037508.342789244
"""Half the width of the EPSG:3857 world square, in metres (π × 6378137)."""

WORLD_SIZE = 2 * ORIGIN

Bounds = tuple[float, float, float, float]
"""``(minx, miny, maxx, maxy)``."""


class TileOutOfRange(BarometerError):
    """A tile address outside the grid; names the parameter and its valid range."""

    def __init__(self, parameter: str, value: object, low: int, high: int) -> None:
        self.parameter, self.value, self.low, self.high = parameter, value, low, high
        super().__init__(f"tile {parameter}={value!r} is out of range: valid {parameter} is {low}..{high}")


def _as_int(parameter: str, value: object, low: int, high: int) -> int:
    try:
        number = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise TileOutOfRange(parameter, value, low, high) from None
    if isinstance(value, bool) or not low <= number <= high:
        raise TileOutOfRange(parameter, value, low, high)
    return number


def validate_zoom(z: object, minzoom: int = 0, maxzoom: int = MAX_ZOOM) -> int:
    """``z`` as an int, or TileOutOfRange when it is not an integer in ``minzoom..maxzoom``."""
    return _as_int("z", z, minzoom, maxzoom)


def validate_tile(z: object, x: object, y: object) -> mercantile.Tile:
    """The tile ``z/x/y``, or TileOutOfRange naming the first bad parameter and its valid range."""
    zoom = validate_zoom(z)
    last = (1 << zoom) - 1
    return mercantile.Tile(_as_int("x", x, 0, last), _as_int("y", y, 0, last), zoom)


def tile_size(z: int) -> float:
    """Side of a tile at zoom ``z`` in EPSG:3857 metres."""
    return WORLD_SIZE / (1 << z)


def pixel_size(z: int, extent: int = EXTENT) -> float:
    """Side of one tile pixel at zoom ``z`` (``extent`` pixels per tile) in EPSG:3857 metres."""
    return tile_size(z) / extent


def tile_bounds(z: int, x: int, y: int) -> Bounds:
    """Bounds of tile ``z/x/y`` in EPSG:3857 metres (validated)."""
    x, y, z = validate_tile(z, x, y)
    n = 1 << z
    # i / n is exact, so neighbouring tiles share their edges bit for bit
    return (
        ORIGIN * (2 * x / n - 1),
        -ORIGIN * (2 * (y + 1) / n - 1),
        ORIGIN * (2 * (x + 1) / n - 1),
        -ORIGIN * (2 * y / n - 1),
    )


def grow(bounds: Bounds, z: int, buffer: int, extent: int = EXTENT) -> Bounds:
    """``bounds`` grown by ``buffer`` tile pixels of zoom ``z`` on every side."""
    minx, miny, maxx, maxy = bounds
    pad = buffer * pixel_size(z, extent)
    return (minx - pad, miny - pad, maxx + pad, maxy + pad)


def buffered_bounds(z: int, x: int, y: int, buffer: int, extent: int = EXTENT) -> Bounds:
    """Tile bounds grown by ``buffer`` tile pixels on every side, in EPSG:3857 metres."""
    return grow(tile_bounds(z, x, y), z, buffer, extent)


def tiles_covering(bounds: Bounds, minzoom: int, maxzoom: int) -> Iterator[mercantile.Tile]:
    """Every tile from ``minzoom`` to ``maxzoom`` that touches ``bounds`` (WGS84 west, south, east, north).

    Zoom by zoom, for seeding a cache or writing a tile archive.
    """
    low = validate_zoom(minzoom)
    high = validate_zoom(maxzoom, low)
    west, south, east, north = bounds
    if not (west <= east and south <= north):
        raise BarometerError(
            f"bounds {bounds!r} must be (west, south, east, north) with west<=east, south<=north"
        )
    yield from mercantile.tiles(west, south, east, north, zooms=list(range(low, high + 1)))


def zoom_to_fit(bounds: Bounds, minzoom: int = 0, maxzoom: int = MAX_ZOOM) -> int:
    """The highest zoom whose single tile holds ``bounds`` (WGS84), clamped to ``minzoom..maxzoom``."""
    west, south, east, north = bounds
    zoom = mercantile.bounding_tile(west, south, east, north).z
    return max(minzoom, min(maxzoom, zoom))


def lonlat_arrays(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``meters_to_lonlat`` of arrays."""
    return np.degrees(x / 6378137.0), np.degrees(2 * np.arctan(np.exp(y / 6378137.0)) - np.pi / 2)


def meters_to_lonlat(x: float, y: float) -> tuple[float, float]:
    """EPSG:3857 metres to WGS84 degrees."""
    lon = math.degrees(x / 6378137.0)
    lat = math.degrees(2 * math.atan(math.exp(y / 6378137.0)) - math.pi / 2)
    return lon, lat
