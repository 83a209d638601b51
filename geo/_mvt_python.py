"""The MVT layer kernel in Python: the rules of geo/_mvt.c, byte for byte, for where it could not be built.

Same call, same bytes, same errors as ``geo._mvt.encode_layer`` (see its comment for the rules): WKB
coordinates mapped and rounded half to even, repeated and closing points dropped, rings of fewer than 3
points or zero area dropped (an exterior with its holes), exteriors wound clockwise on screen and holes the
other way, delta + zigzag varint commands with the cursor carried over a feature's rings, and tags from
the columnar value codes with the tile's keys in order of first use and its values sorted by their index
across the tables. Small rings go point by point in Python, large ones through numpy, tags feature by
feature: a cold tile takes 2.5–17× the kernel's time (docs/performance.md), which is why the kernel is
compiled wherever it can be.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

import numpy as np

COORD_LIMIT = 2147483647.0
"""Tile coordinates must fit in 32 bits: |x|, |y| below 2**31."""


def _varints(values: Sequence[int]) -> bytes:
    out = bytearray()
    for v in values:
        while v >= 0x80:
            out.append((v & 0x7F) | 0x80)
            v >>= 7
        out.append(v)
    return bytes(out)


def _varint(v: int) -> bytes:
    return _varints((v,))


def _raw(buffer: object) -> np.ndarray:
    """The bytes of a C-contiguous buffer (a numpy array, bytes, …) without copying them."""
    view = memoryview(buffer)  # type: ignore[arg-type]
    return np.frombuffer(view.cast("B"), dtype=np.uint8) if view.nbytes else np.empty(0, dtype=np.uint8)


def _zigzag(d: np.ndarray) -> np.ndarray:
    return np.where(d >= 0, 2 * d, -2 * d - 1)


class _Reader:
    def __init__(self, wkb: memoryview) -> None:
        self.wkb, self.at = wkb, 0

    def u32(self) -> int:
        if len(self.wkb) - self.at < 4:
            raise ValueError("geometry WKB: truncated")
        (value,) = struct.unpack_from("<I", self.wkb, self.at)
        self.at += 4
        return value

    def little_endian(self) -> None:
        if len(self.wkb) - self.at < 1 or self.wkb[self.at] != 1:
            raise ValueError("geometry WKB: not little endian")
        self.at += 1


def _ring(
    coords: np.ndarray, transform: tuple[float, float, float, float], exterior: bool
) -> np.ndarray | None:
    """A ring's quantised points (n, 2) in the winding it is written in; None when it collapses."""
    ox, oy, sx, sy = transform
    with np.errstate(invalid="ignore", over="ignore"):
        q = np.rint(np.column_stack(((coords[:, 0] - ox) * sx, (coords[:, 1] - oy) * sy)))
    if not (np.abs(q) < COORD_LIMIT).all():  # NaN compares false too
        raise ValueError("a tile coordinate is not finite or beyond 2**31")
    points = q.astype(np.int64)
    if len(points):
        keep = np.ones(len(points), dtype=bool)
        keep[1:] = (points[1:] != points[:-1]).any(axis=1)
        points = points[keep][:-1]  # repeated points, then the closing point
    if len(points) < 3:
        return None
    x, y = points[:, 0], points[:, 1]
    terms = x * np.roll(y, -1) - np.roll(x, -1) * y  # each below 2**63; summed exactly as Python ints
    area2 = sum(terms.tolist())
    if area2 == 0:
        return None
    return points[::-1] if (area2 < 0 if exterior else area2 > 0) else points


SMALL = 48
"""Rings of at most this many points are done point by point in Python, larger ones with numpy (fewer
calls for the first, fewer steps per point for the second; the same result)."""


def _small_ring(
    wkb: bytes, at: int, n: int, transform: tuple[float, float, float, float], exterior: bool
) -> list[tuple[int, int]] | None:
    """``_ring`` point by point: Python's round() rounds half to even as nearbyint does."""
    ox, oy, sx, sy = transform
    values = struct.unpack_from(f"<{2 * n}d", wkb, at)
    points: list[tuple[int, int]] = []
    for i in range(0, 2 * n, 2):
        fx, fy = (values[i] - ox) * sx, (values[i + 1] - oy) * sy
        if not (abs(fx) < COORD_LIMIT and abs(fy) < COORD_LIMIT):  # NaN compares false too
            raise ValueError("a tile coordinate is not finite or beyond 2**31")
        point = (round(fx), round(fy))
        if not (abs(point[0]) < COORD_LIMIT and abs(point[1]) < COORD_LIMIT):
            raise ValueError("a tile coordinate is not finite or beyond 2**31")
        if not points or point != points[-1]:
            points.append(point)
    points = points[:-1]  # the closing point
    if len(points) < 3:
        return None
    after = points[1:] + points[:1]
    area2 = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, after, strict=True))
    if area2 == 0:
        return None
    return points[::-1] if (area2 < 0 if exterior else area2 > 0) else points


def _part(reader: _Reader, transform, cursor: list[int], out: list[int]) -> None:
    wkb = reader.wkb
    skip = False  # the exterior collapsed: the holes go with it
    for k in range(reader.u32()):
        n = reader.u32()
        if len(wkb) - reader.at < 16 * n:
            raise ValueError("geometry WKB: truncated")
        at = reader.at
        reader.at += 16 * n
        if skip:
            continue
        if n <= SMALL:
            small = _small_ring(wkb, at, n, transform, k == 0)
            if small is None:
                skip = k == 0
                continue
            cx, cy = cursor
            zz: list[int] = []
            for x, y in small:
                dx, dy = x - cx, y - cy
                zz += (2 * dx if dx >= 0 else -2 * dx - 1, 2 * dy if dy >= 0 else -2 * dy - 1)
                cx, cy = x, y
            cursor[:] = [cx, cy]
            out += ((1 << 3) | 1, zz[0], zz[1], ((len(small) - 1) << 3) | 2)  # MoveTo(1), LineTo(count - 1)
            out += zz[2:]
            out.append((1 << 3) | 7)  # ClosePath(1)
            continue
        coords = np.frombuffer(wkb, dtype="<f8", count=2 * n, offset=at).reshape(n, 2)
        points = _ring(coords, transform, k == 0)
        if points is None:
            skip = k == 0
            continue
        deltas = np.diff(points, axis=0, prepend=np.array([cursor], dtype=np.int64))
        zz = _zigzag(deltas).tolist()
        cursor[:] = points[-1].tolist()
        out += [(1 << 3) | 1, *zz[0], ((len(points) - 1) << 3) | 2]  # MoveTo(1), then LineTo(count - 1)
        for pair in zz[1:]:
            out += pair
        out.append((1 << 3) | 7)  # ClosePath(1)


def _geometry(wkb: object, transform) -> bytes:
    """The commands of one 2D little-endian (Multi)Polygon WKB in any bytes-like object (None: empty)."""
    if wkb is None:
        return b""
    try:
        wkb = memoryview(wkb).cast("B")
    except TypeError:
        raise TypeError("geometries must be WKB bytes") from None
    reader = _Reader(wkb)
    reader.little_endian()
    kind = reader.u32()
    if kind not in (3, 6):
        raise ValueError(f"only polygons can be encoded, not WKB type {kind}")
    parts = reader.u32() if kind == 6 else 1
    cursor = [0, 0]
    commands: list[int] = []
    for _ in range(parts):
        if kind == 6:
            reader.little_endian()
            if len(wkb) - reader.at < 4 or reader.u32() != 3:
                raise ValueError("geometry WKB: a part is not a polygon")
        _part(reader, transform, cursor, commands)
    return _varints(commands)


def _tables(tables: object, key_ids: object, n: int):
    """Each table's codes (n, keys), keys, values, offsets and base, and every column's table and key id."""
    read = []
    base = 0
    for i, table in enumerate(tables):  # type: ignore[arg-type]
        codes, keys, values, offsets = table
        if not isinstance(keys, tuple) or not isinstance(values, bytes):
            raise TypeError(f"table {i}: keys must be a tuple, values bytes")
        codes, offsets = _raw(codes), _raw(offsets)
        n_values = len(offsets) // 8 - 1
        if len(codes) != n * len(keys) * 4 or n_values < 0:
            raise ValueError(f"table {i}: codes must be int32 (geometries, keys)")
        if not all(isinstance(k, bytes) for k in keys):
            raise TypeError(f"table {i}: keys must be bytes")
        matrix = codes.view(np.int32).reshape(n, len(keys))
        read.append((matrix, keys, values, offsets[: 8 * (n_values + 1)].view(np.int64), base, n_values))
        base += n_values
    if base >= 2**32 - 1:
        raise ValueError("too many property values")
    ids = list(key_ids)  # type: ignore[call-overload]
    columns = sum(len(t[1]) for t in read)
    if len(ids) != columns:
        raise ValueError("key_ids: one per column of the tables")
    key_field: dict[int, bytes] = {}
    column_table: list[int] = []
    for i, t in enumerate(read):
        for key in t[1]:
            j = len(column_table)
            if not 0 <= ids[j] < columns:
                raise ValueError("key_ids must be in 0 .. columns - 1")
            column_table.append(i)
            key_field[ids[j]] = key
    return read, column_table, ids, key_field


def _value_field(table, index: int, i: int) -> bytes:
    _, _, values, offsets, _, _ = table
    start, stop = int(offsets[index]), int(offsets[index + 1])
    if start < 0 or stop < start or stop > len(values):
        raise ValueError(f"table {i}: value offsets outside its values")
    return values[start:stop]


def encode_layer(
    name: bytes,
    extent: int,
    geometries: list,
    transform: tuple[float, float, float, float],
    ids: object,
    tables: object,
    key_ids: object,
) -> bytes:
    """The Layer message of polygon features; b"" when no feature has geometry left (as geo._mvt)."""
    name = bytes(memoryview(name))
    if not isinstance(geometries, list):
        raise TypeError("geometries must be a list")
    transform = tuple(float(v) for v in transform)  # type: ignore[assignment]
    raw_ids = _raw(ids)
    if len(raw_ids) != 8 * len(geometries):
        raise ValueError("ids: one int64 per geometry")
    feature_ids = [i % 2**64 for i in raw_ids.view(np.int64).tolist()]  # as uint64
    commands = [_geometry(wkb, transform) for wkb in geometries]
    kept = [g for g, c in enumerate(commands) if c]
    if not kept:
        return b""
    read, column_table, column_key, key_field = _tables(tables, key_ids, len(geometries))

    later_same = [
        [later for later in range(j + 1, len(column_key)) if column_key[later] == column_key[j]]
        for j in range(len(column_key))
    ]
    local_key: dict[int, int] = {}
    keys: list[bytes] = []
    cells: list[list[tuple[int, int]]] = []  # per feature: (key in the tile, value across the tables)
    for g in kept:
        row: list[int] = []
        for i, (matrix, _, _, _, _, n_values) in enumerate(read):
            codes = matrix[g].tolist()
            if any(code >= n_values for code in codes):
                raise ValueError(f"table {i}: a value code beyond its values")
            row += codes
        feature: list[tuple[int, int]] = []
        for j, code in enumerate(row):
            if code < 0 or any(row[later] >= 0 for later in later_same[j]):
                continue  # missing, or a later column of the same key has a value
            key = column_key[j]
            if key not in local_key:
                local_key[key] = len(keys)
                keys.append(key_field[key])
            feature.append((local_key[key], read[column_table[j]][4] + code))
        cells.append(feature)
    values = sorted({value for feature in cells for _, value in feature})
    rank = {value: r for r, value in enumerate(values)}

    out = bytearray(b"\x78\x02\x0a")  # version = 2, name
    out += _varint(len(name)) + name
    for g, feature in zip(kept, cells, strict=True):
        tags = _varints([n for key, value in feature for n in (key, rank[value])])
        body = b"\x08" + _varint(feature_ids[g])  # id
        if tags:
            body += b"\x12" + _varint(len(tags)) + tags  # tags, packed
        body += b"\x18\x03\x22" + _varint(len(commands[g])) + commands[g]  # type = POLYGON, geometry
        out += b"\x12" + _varint(len(body)) + body  # Layer.features
    for key in keys:
        out += key
    i = 0
    for value in values:
        while value >= read[i][4] + read[i][5]:
            i += 1
        out += _value_field(read[i], value - read[i][4], i)
    out += b"\x28" + _varint(extent % 2**64)  # extent
    return bytes(out)
