"""A vectorised Mapbox Vector Tile (2.1) encoder for polygon layers.

Geometry is encoded with numpy over flat coordinate arrays (as ``shapely.to_ragged_array`` gives them):
quantise to integers, drop repeated points and rings that collapse (fewer than 3 points or zero area), wind
exterior rings clockwise on screen (positive surveyor's area with y down) and holes the other way, then
delta + zigzag encode the command integers and write them as protobuf varints. The small Tile, Layer,
Feature and Value messages are written by hand. ``mapbox_vector_tile`` is the oracle in the tests.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import shapely

from geo.grid import EXTENT

PropertyValue = str | int | float | bool

MOVE_TO, LINE_TO, CLOSE_PATH = 1, 2, 7
POLYGON = 3

RaggedPolygons = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""``(coords (N, 2), ring_offsets, part_offsets, geometry_offsets)``: coords of rings, rings of polygon
parts, parts of geometries, as shapely.to_ragged_array gives a MultiPolygon array."""


def ragged_polygons(geometries: np.ndarray) -> RaggedPolygons:
    """Flat arrays of (Multi)Polygons, every geometry read as a MultiPolygon."""
    if not len(geometries):
        empty = np.zeros(1, dtype=np.int64)
        return np.zeros((0, 2)), empty, empty, empty
    kind, coords, offsets = shapely.to_ragged_array(geometries, include_z=False)
    if kind == shapely.GeometryType.POLYGON:
        ring_offsets, part_offsets = offsets
        geometry_offsets = np.arange(len(part_offsets), dtype=np.int64)
        return coords, ring_offsets, part_offsets, geometry_offsets
    if kind != shapely.GeometryType.MULTIPOLYGON:
        raise ValueError(f"only polygons can be encoded, not {kind.name}")
    return coords, *offsets


def _varint(value: int) -> bytes:
    if value < 0x80:
        return bytes((value,))
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _field(tag: int, payload: bytes) -> bytes:
    """A length-delimited field: tag byte(s), length, payload."""
    return _varint(tag) + _varint(len(payload)) + payload


def encode_varints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Varint bytes of non-negative integers below 2**35, and the byte offset of each value (n + 1)."""
    values = values.astype(np.int64, copy=False)
    big = np.flatnonzero(values > 0x7F)
    if not len(big):
        return values.astype(np.uint8), np.arange(len(values) + 1)
    big_values = values[big]
    big_sizes = 2 + (big_values > 0x3FFF) + (big_values > 0x1FFFFF) + (big_values > 0xFFFFFFF)
    sizes = np.ones(len(values), dtype=np.int64)
    sizes[big] = big_sizes
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    out = np.empty(int(offsets[-1]), dtype=np.uint8)
    out[offsets[:-1]] = (values & 0x7F) | ((sizes > 1) << 7)
    big_start = offsets[big]
    for k in range(1, 5):
        more = big_sizes > k
        if not more.any():
            break
        out[big_start[more] + k] = ((big_values[more] >> (7 * k)) & 0x7F) | ((big_sizes[more] > k + 1) << 7)
    return out, offsets


def polygon_commands(ragged: RaggedPolygons) -> tuple[np.ndarray, np.ndarray]:
    """MVT geometry commands of every geometry, already varint-encoded.

    ``ragged`` holds tile coordinates (y down, floats). Returns ``(buffer, spans)``: ``spans[g]`` is the
    ``(start, stop)`` byte range of geometry ``g`` in ``buffer``, empty when it collapsed entirely.
    """
    coords, ring_off, part_off, geom_off = (np.asarray(a) for a in ragged)
    n_rings, n_parts, n_geoms = len(ring_off) - 1, len(part_off) - 1, len(geom_off) - 1
    spans = np.zeros((n_geoms, 2), dtype=np.int64)
    nothing = np.zeros(0, dtype=np.uint8), spans
    if not len(coords) or not n_rings:
        return nothing
    qx = np.rint(coords[:, 0]).astype(np.int64)
    qy = np.rint(coords[:, 1]).astype(np.int64)
    ring_len = np.diff(ring_off)
    ring_of = np.repeat(np.arange(n_rings), ring_len)

    # drop repeated points, then the closing point (the last kept point of a ring equals its first)
    keep = np.empty(len(qx), dtype=bool)
    keep[0] = True
    np.not_equal(qx[1:], qx[:-1], out=keep[1:])
    keep[1:] |= qy[1:] != qy[:-1]
    keep[ring_off[:-1][ring_len > 0]] = True
    idx = np.flatnonzero(keep)
    rid = ring_of[idx]
    opening = np.empty(len(idx), dtype=bool)
    opening[-1] = False
    np.equal(rid[1:], rid[:-1], out=opening[:-1])
    idx, rid = idx[opening], rid[opening]
    counts = np.bincount(rid, minlength=n_rings)

    # twice the signed area (surveyor's formula, y down: positive = clockwise on screen)
    starts = np.zeros(n_rings + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    nonempty = counts > 0
    nxt = np.arange(1, len(idx) + 1)
    nxt[starts[1:][nonempty] - 1] = starts[:-1][nonempty]
    x, y = qx[idx], qy[idx]
    area2 = np.bincount(rid, weights=x * y[nxt] - x[nxt] * y, minlength=n_rings)

    part_of_ring = np.repeat(np.arange(n_parts), np.diff(part_off))
    exterior = np.zeros(n_rings, dtype=bool)
    exterior[part_off[:-1][np.diff(part_off) > 0]] = True
    ring_ok = (counts >= 3) & (area2 != 0)
    part_ok = np.zeros(n_parts, dtype=bool)
    part_ok[part_of_ring[exterior]] = ring_ok[exterior]
    ring_ok &= part_ok[part_of_ring]
    reverse = np.where(exterior, area2 < 0, area2 > 0)

    # final point order: points of kept rings, reversed rings read backwards
    point_ok = ring_ok[rid]
    x, y = x[point_ok], y[point_ok]
    if not len(x):
        return nothing
    kept_rings = np.flatnonzero(ring_ok)
    length = counts[kept_rings]
    first = np.zeros(len(kept_rings), dtype=np.int64)
    np.cumsum(length[:-1], out=first[1:])
    local = np.repeat(np.arange(len(kept_rings)), length)
    order = np.arange(len(x))
    position = order - first[local]
    flipped = reverse[kept_rings]
    if flipped.any():
        flip = flipped[local]
        order[flip] = (first[local] + length[local] - 1 - position)[flip]
        x, y = x[order], y[order]

    # deltas, with the cursor reset at the first point of every geometry
    geom_of_ring = np.repeat(np.arange(n_geoms), np.diff(geom_off))[part_of_ring[kept_rings]]
    new_geom = np.empty(len(kept_rings), dtype=bool)
    new_geom[0] = True
    np.not_equal(geom_of_ring[1:], geom_of_ring[:-1], out=new_geom[1:])
    dx, dy = np.diff(x, prepend=0), np.diff(y, prepend=0)
    reset = first[new_geom]
    dx[reset], dy[reset] = x[reset], y[reset]

    # commands: MoveTo(1) x y LineTo(n-1) x y ... ClosePath, per ring
    out_first = np.zeros(len(kept_rings) + 1, dtype=np.int64)
    np.cumsum(2 * length + 3, out=out_first[1:])
    commands = np.empty(int(out_first[-1]), dtype=np.int64)
    commands[out_first[:-1]] = (1 << 3) | MOVE_TO
    commands[out_first[:-1] + 3] = ((length - 1) << 3) | LINE_TO
    commands[out_first[1:] - 1] = (1 << 3) | CLOSE_PATH
    slot = out_first[:-1][local] + 1 + 2 * position + (position > 0)
    commands[slot] = (dx << 1) ^ (dx >> 63)
    commands[slot + 1] = (dy << 1) ^ (dy >> 63)

    buffer, byte_at = encode_varints(commands)
    geom_first = np.flatnonzero(new_geom)
    geom_stop = np.append(geom_first[1:], len(kept_rings))
    geoms = geom_of_ring[geom_first]
    spans[geoms, 0] = byte_at[out_first[geom_first]]
    spans[geoms, 1] = byte_at[out_first[geom_stop]]
    return buffer, spans


_DOUBLE = struct.Struct("<d").pack


class _Values:
    """The keys and values tables of one layer, deduplicated (values per type: 1 and 1.0 stay apart)."""

    def __init__(self) -> None:
        self.keys: dict[str, int] = {}
        self.encoded: list[bytes] = []
        self._by_type: dict[type, dict[PropertyValue, int]] = {str: {}, float: {}, int: {}, bool: {}}

    def tags(self, properties: Mapping[str, object]) -> bytes:
        """Packed tag varints of one feature; registers new keys and values."""
        keys, by_type, encoded = self.keys, self._by_type, self.encoded
        tags: list[int] = []
        for key, raw in properties.items():
            kind = type(raw)
            if kind is float:
                if raw != raw:  # NaN: missing
                    continue
                value: PropertyValue | None = raw  # type: ignore[assignment]
            elif kind is str:
                value = raw  # type: ignore[assignment]
            else:
                value = _plain(raw)
                if value is None:
                    continue
                kind = type(value)
            key_index = keys.get(key)
            if key_index is None:
                key_index = keys[key] = len(keys)
            seen = by_type[kind]
            value_index = seen.get(value)  # type: ignore[arg-type]
            if value_index is None:
                value_index = seen[value] = len(encoded)  # type: ignore[index]
                encoded.append(_value_field(value))  # type: ignore[arg-type]
            tags.append(key_index)
            tags.append(value_index)
        if len(keys) < 0x80 and len(encoded) < 0x80:
            return bytes(tags)
        return b"".join(_varint(t) for t in tags)


def _plain(value: object) -> PropertyValue | None:
    """A property value as str, bool, int or float; None for missing values (None, NaN) and other types."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return str(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return None if math.isnan(number) else number
    return None


def _value_field(value: PropertyValue) -> bytes:
    """A Layer.values entry (tag 4): the Value message with its field tag and length."""
    if type(value) is float:
        return b"\x22\x09\x19" + _DOUBLE(value)  # double_value = 3
    return _field(0x22, _value_message(value))


def _value_message(value: PropertyValue) -> bytes:
    if isinstance(value, str):
        return _field(0x0A, value.encode())  # string_value = 1
    if isinstance(value, bool):
        return b"\x38" + (b"\x01" if value else b"\x00")  # bool_value = 7
    if isinstance(value, int) and -(1 << 63) <= value < (1 << 64):
        if value < 0:
            return b"\x30" + _varint((value << 1) ^ (value >> 63))  # sint_value = 6
        if value >= 1 << 63:
            return b"\x28" + _varint(value)  # uint_value = 5
        return b"\x20" + _varint(value)  # int_value = 4
    return b"\x19" + struct.pack("<d", float(value))  # double_value = 3


def encode_polygon_layer(
    name: str,
    ragged: RaggedPolygons,
    ids: Sequence[int],
    properties: Sequence[Mapping[str, object]],
    extent: int = EXTENT,
) -> bytes:
    """One Layer message (without the Tile wrapper) of polygon features; b"" when no feature survives.

    ``ragged`` holds tile coordinates (y down); ``ids`` (non-negative) and ``properties`` align with its
    geometries. Properties that are None or NaN are omitted.
    """
    buffer, spans = polygon_commands(ragged)
    table = _Values()
    features: list[bytes] = []
    raw = buffer.tobytes()
    ids = [int(i) for i in ids]
    for g, (start, stop) in enumerate(spans.tolist()):
        if start == stop:
            continue
        tags = table.tags(properties[g])
        body = b"".join(
            (
                b"\x08",
                _varint(ids[g]),  # id = 1
                b"\x12" + _varint(len(tags)) + tags if tags else b"",  # tags = 2, packed
                b"\x18\x03\x22",
                _varint(stop - start),
                raw[start:stop],  # type = 3 (polygon), geometry = 4
            )
        )
        features.append(b"\x12" + _varint(len(body)) + body)  # Layer.features = 2
    if not features:
        return b""
    head = b"\x78\x02" + _field(0x0A, name.encode())  # version = 15, name = 1
    keys = b"".join(_field(0x1A, key.encode()) for key in table.keys)  # keys = 3
    values = b"".join(table.encoded)  # values = 4
    return head + b"".join(features) + keys + values + b"\x28" + _varint(extent)  # extent = 5


def encode_tile(layers: Iterable[bytes]) -> bytes:
    """A Tile message from encoded layers; empty layers are left out, so no features gives b""."""
    return b"".join(_field(0x1A, layer) for layer in layers if layer)  # Tile.layers = 3
