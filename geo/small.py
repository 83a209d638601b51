"""MVT geometry commands of a tile with few features, in plain Python (no per-call numpy overhead).

``small_polygon_commands`` gives the same bytes as ``geo.mvt.polygon_commands`` (quantise with round half to
even, drop repeated points and collapsed rings, exterior rings clockwise on screen and holes the other way,
delta + zigzag varints), one ``bytes`` per geometry. Coordinates are read with one ``shapely.get_coordinates``
call and quantised with numpy; the ring structure comes from cheap counts for Polygons without holes, from
the WKB header counts otherwise; everything else is a loop over a few hundred points.
"""

from __future__ import annotations

import struct
from itertools import chain, pairwise
from operator import mul, sub

import numpy as np
import shapely

from geo.protobuf import varint

DELTA_LIMIT = 1 << 13
"""Deltas of absolute value below this come from a table; tiles with larger ones take the numpy path."""
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
    byte for byte; None when a delta would leave the table (the caller takes the numpy path then).

    Geometry is in metres: tile coordinates are ``rint((x - origin_x) * scale)``, ``rint((origin_y - y) *
    scale)``.
    """
    structure = ring_structure(geometries)
    coords = shapely.get_coordinates(geometries)
    if not len(coords):
        return [b""] * len(geometries)
    quantised = np.rint((coords - origin) * (scale, -scale)).astype(np.int64)
    low, high = int(quantised.min()), int(quantised.max())
    if max(-low, high, high - low) >= DELTA_LIMIT:
        return None
    points = list(zip(*quantised.T.tolist(), strict=True))
    delta = _DELTAS.__getitem__
    out = []
    at = 0
    for parts in structure:
        encoded: list[bytes] = []
        cx = cy = 0
        for rings in parts:
            for k, n in enumerate(rings):
                ring = points[at : at + n]
                at += n
                # the points that differ from their predecessor: the ring without repeated points, from its
                # second point on, ending with the closing point (equal to the first)
                kept = [p for previous, p in pairwise(ring) if p != previous]
                area2 = 0
                if len(kept) >= 3:
                    xs, ys = zip(kept[-1], *kept[:-1], strict=True)
                    area2 = sum(map(mul, xs, ys[1:] + ys[:1])) - sum(map(mul, xs[1:] + xs[:1], ys))
                if not area2:  # fewer than 3 points or no area: dropped, an exterior with its part
                    if k == 0:
                        at += sum(rings[1:])
                        break
                    continue
                if (area2 < 0) if k == 0 else (area2 > 0):
                    xs, ys = xs[::-1], ys[::-1]
                steps = chain.from_iterable(zip(map(sub, xs[1:], xs), map(sub, ys[1:], ys), strict=False))
                encoded += (_MOVE_TO, delta(xs[0] - cx), delta(ys[0] - cy), varint(((len(xs) - 1) << 3) | 2))
                encoded += map(delta, steps)
                encoded.append(_CLOSE_PATH)
                cx, cy = xs[-1], ys[-1]
        out.append(b"".join(encoded))
    return out
