"""MVT geometry commands of a tile with few rings: numpy for the points, a plain loop over the rings.

``small_polygon_commands`` gives the same bytes as ``geo.mvt.polygon_commands`` (quantise with round half to
even, drop repeated points and collapsed rings, exterior rings clockwise on screen and holes the other way,
delta + zigzag varints), one ``bytes`` per geometry, with a fixed cost a fraction of that function's: a few
numpy calls over all points of the tile, then per ring only slices of precomputed arrays.

Why it works per ring: dropping repeated points drops exactly the zero steps between consecutive points, and
they add nothing to the shoelace sum, so a ring's command steps are its non-zero steps and its winding is the
sign of the sum over all of its steps. The moving steps of all rings are listed once forwards and, for rings
that must be reversed, once backwards and negated; a ring's steps are then one slice of either list, written
as zigzag varints from a table.
"""

from __future__ import annotations

import struct

import numpy as np
import shapely

from geo.protobuf import varint

SMALL_TILE_RINGS = 160
SMALL_TILE_POINTS = 1200
"""Tiles of at most this many rings and points take this path (above, geo.mvt's fully vectorised one is
faster: measured on tiles of the 6000-area demo)."""

DELTA_LIMIT = 1 << 13
"""Coordinates must stay below this in absolute value and spread (a buffered tile spans 4224): the MoveTo
varints come from a table. Tiles with larger ones take the numpy path."""
_DELTAS = [varint((d << 1) ^ (d >> 63)) for d in range(DELTA_LIMIT)] + [
    varint((d << 1) ^ -1) for d in range(-DELTA_LIMIT, 0)
]
"""``_DELTAS[d]`` is the zigzag varint of ``d`` for ``-DELTA_LIMIT <= d < DELTA_LIMIT`` (negative d index
from the end)."""
_MOVE_TO, _CLOSE_PATH = b"\x09", b"\x0f"  # MoveTo(1), ClosePath(1)
_UINT32 = struct.Struct("<I")
_POLYGON, _MULTIPOLYGON = 3, 6


def _wkb_rings(wkb: bytes) -> list[list[int]]:
    """Point count of every ring of every polygon part of a 2D little-endian (Multi)Polygon WKB."""
    kind = _UINT32.unpack_from(wkb, 1)[0]
    at, polygons = (5, 1) if kind == _POLYGON else (9, _UINT32.unpack_from(wkb, 5)[0])
    parts = []
    for _ in range(polygons):
        if kind == _MULTIPOLYGON:
            at += 5  # the part's byte order and type
        n_rings = _UINT32.unpack_from(wkb, at)[0]
        at += 4
        rings = []
        for _ in range(n_rings):
            n = _UINT32.unpack_from(wkb, at)[0]
            rings.append(n)
            at += 4 + 16 * n
        parts.append(rings)
    return parts


def ring_structure(geometries: np.ndarray) -> list[list[list[int]]]:
    """Per (Multi)Polygon: per polygon part, the point count of each ring (exterior first)."""
    kinds = shapely.get_type_id(geometries).tolist()
    holes = shapely.get_num_interior_rings(geometries).tolist()
    counts = shapely.get_num_coordinates(geometries).tolist()
    out = []
    for geometry, kind, n_holes, n in zip(geometries.tolist(), kinds, holes, counts, strict=True):
        if kind == _POLYGON and n_holes == 0:
            out.append([[n]] if n else [])
        elif kind in (_POLYGON, _MULTIPOLYGON):
            out.append(_wkb_rings(shapely.to_wkb(geometry, output_dimension=2, byte_order=1)))
        else:
            raise ValueError(f"only polygons can be encoded, not type {kind}")
    return out


def small_polygon_commands(
    geometries: np.ndarray, origin: tuple[float, float], scale: float
) -> list[bytes] | None:
    """The varint-encoded commands of each geometry (b"" when it collapsed), ``geo.mvt.polygon_commands``
    byte for byte; None when the tile has more than SMALL_TILE_RINGS rings or SMALL_TILE_POINTS points, or a
    coordinate beyond DELTA_LIMIT (the caller takes the numpy path then).

    Geometry is in metres: tile coordinates are ``rint((x - origin_x) * scale)``, ``rint((origin_y - y) *
    scale)``.
    """
    structure = ring_structure(geometries)
    if sum(len(rings) for parts in structure for rings in parts) > SMALL_TILE_RINGS:
        return None
    coords = shapely.get_coordinates(geometries)
    if len(coords) > SMALL_TILE_POINTS:
        return None
    if not len(coords):
        return [b""] * len(geometries)
    points = np.rint((coords - origin) * (scale, -scale)).astype(np.int64)
    low, high = int(np.minimum.reduce(points, axis=None)), int(np.maximum.reduce(points, axis=None))
    if max(-low, high, high - low) >= DELTA_LIMIT:
        return None

    # every step between consecutive points; those between two rings are never read
    steps = points[1:] - points[:-1]
    moving = np.logical_or.reduce(steps, axis=1)
    # per point i: twice the signed area of the steps before it, and how many of them move
    area = np.zeros(len(points), dtype=np.int64)
    np.add.accumulate(points[:-1, 0] * points[1:, 1] - points[1:, 0] * points[:-1, 1], out=area[1:])
    moved = np.zeros(len(points), dtype=np.int64)
    np.add.accumulate(moving, dtype=np.int64, out=moved[1:])
    # the moving steps, flat (x, y, x, y …) forwards and, negated, backwards
    kept = steps[moving]
    forward, backward = kept.reshape(-1).tolist(), (-kept[::-1]).reshape(-1).tolist()
    xs, ys = points[:, 0].tolist(), points[:, 1].tolist()
    area, moved = area.tolist(), moved.tolist()
    n_kept = len(kept)

    delta = _DELTAS.__getitem__
    out = []
    at = 0
    for parts in structure:
        encoded: list[bytes] = []
        cx = cy = 0
        for rings in parts:
            for k, n in enumerate(rings):
                first, last = at, at + n - 1
                at += n
                count = moved[last] - moved[first]  # distinct points of the closed ring
                area2 = area[last] - area[first]
                if count < 3 or not area2:  # collapsed: dropped, an exterior with its whole part
                    if k == 0:
                        at += sum(rings[1:])
                        break
                    continue
                # the ring's moving steps are s .. e - 1; the last one closes the ring and is not written
                s, e = moved[first], moved[last]
                x0, y0 = xs[first], ys[first]
                before_x, before_y = (
                    x0 - forward[2 * e - 2],
                    y0 - forward[2 * e - 1],
                )  # the last before closing
                if (area2 < 0) if k == 0 else (area2 > 0):  # reversed: from that point back to the first
                    start_x, start_y, end_x, end_y = before_x, before_y, x0, y0
                    body = backward[2 * (n_kept - e + 1) : 2 * (n_kept - s)]
                else:
                    start_x, start_y, end_x, end_y = x0, y0, before_x, before_y
                    body = forward[2 * s : 2 * (e - 1)]
                encoded += (
                    _MOVE_TO,
                    delta(start_x - cx),
                    delta(start_y - cy),
                    varint(((count - 1) << 3) | 2),
                    *map(delta, body),
                    _CLOSE_PATH,
                )
                cx, cy = end_x, end_y
        out.append(b"".join(encoded))
    return out
