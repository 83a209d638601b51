"""A vectorised Mapbox Vector Tile (2.1) encoder for polygon layers.

Geometry is encoded with numpy over flat coordinate arrays (as ``shapely.to_ragged_array`` gives them):
quantise to integers, drop repeated points and rings that collapse (fewer than 3 points or zero area), wind
exterior rings clockwise on screen (positive surveyor's area with y down) and holes the other way, then
delta + zigzag encode the command integers and write them as protobuf varints. Properties come as
columnar ``PropertyTable``s (geo.properties) whose values are encoded once; a layer gathers its features'
tags from them and writes the Layer and Feature messages with numpy too. ``mapbox_vector_tile`` is the
oracle in the tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import shapely

from geo.grid import EXTENT
from geo.properties import PropertyTable, PropertyValue, TileTags, small_tile_tags, tile_tags
from geo.protobuf import encode_varints, field, take_ranges, varint, varint_sizes

__all__ = [
    "PropertyTable",
    "PropertyValue",
    "encode_commands_layer",
    "encode_layer",
    "encode_polygon_layer",
    "encode_tile",
    "encode_varints",
    "polygon_commands",
    "ragged_polygons",
]

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


SMALL_LAYER_FEATURES = 64
"""Layers of at most this many features are assembled by a Python loop (faster there than numpy)."""

_CELL_TEMPLATE = (0x12, 0, 0x08, 0, 0x12, 0, 0x18, POLYGON, 0x22, 0)
"""Integers written before and between a feature's tags and geometry: Layer.features tag (2), feature length,
id tag (1), id, tags tag (2), tags length (these two only with properties), type tag (3), POLYGON, geometry
tag (4), geometry length."""
_FEATURE_CELLS = len(_CELL_TEMPLATE)


def encode_layer(
    name: str,
    ragged: RaggedPolygons,
    ids: Sequence[int] | np.ndarray,
    tables: Sequence[PropertyTable],
    extent: int = EXTENT,
) -> bytes:
    """One Layer message (without the Tile wrapper) of polygon features; b"" when no feature survives.

    ``ragged`` holds tile coordinates (y down); ``ids`` (non-negative, below 2**63) and the rows of every
    table align with its geometries (later tables override keys of earlier ones where they have a value).
    Large layers are assembled with numpy (no loop per feature or property), small ones by a plain loop.
    """
    buffer, spans = polygon_commands(ragged)
    return _layer(name, buffer, spans, ids, tables, extent)


def encode_commands_layer(
    name: str,
    commands: Sequence[bytes],
    ids: Sequence[int] | np.ndarray,
    tables: Sequence[PropertyTable],
    extent: int = EXTENT,
) -> bytes:
    """``encode_layer`` of geometry already encoded: the varint command bytes of each feature (b"": the
    feature is left out), as geo.small gives them. Layers of few features and keys take a plain loop."""
    kept = [i for i, c in enumerate(commands) if c]
    small = small_tile_tags(tables, kept) if len(kept) <= SMALL_LAYER_FEATURES else None
    if small is not None:
        keys, values, tags = small
        features = _features_in_python(np.asarray(ids)[kept].tolist(), [commands[i] for i in kept], tags)
        return _layer_message(name, features, keys, values, extent)
    stops = np.cumsum([len(c) for c in commands], dtype=np.int64)
    spans = np.stack([stops - [len(c) for c in commands], stops], axis=1).reshape(-1, 2)
    buffer = np.frombuffer(b"".join(commands), dtype=np.uint8)
    return _layer(name, buffer, spans, ids, tables, extent)


def _layer(
    name: str,
    buffer: np.ndarray,
    spans: np.ndarray,
    ids: Sequence[int] | np.ndarray,
    tables: Sequence[PropertyTable],
    extent: int,
) -> bytes:
    """The Layer message of features whose geometry is ``buffer[start:stop]`` for each row of ``spans``."""
    kept = (spans[:, 1] > spans[:, 0]).nonzero()[0]
    if not len(kept):
        return b""
    tags = tile_tags(tables, kept)
    ids = np.asarray(ids, dtype=np.int64)[kept]
    geometry_start, geometry_stop = spans[kept, 0], spans[kept, 1]
    if len(kept) <= SMALL_LAYER_FEATURES:
        geometry, packed = buffer.tobytes(), tags.buffer.tobytes()
        features = _features_in_python(
            ids.tolist(),
            [geometry[a:b] for a, b in zip(geometry_start.tolist(), geometry_stop.tolist(), strict=True)],
            [packed[a:b] for a, b in zip(tags.starts.tolist(), tags.stops.tolist(), strict=True)],
        )
    else:
        features = _features(buffer, geometry_start, geometry_stop, ids, tags).tobytes()
    return _layer_message(name, features, tags.keys, tags.values, extent)


def _layer_message(name: str, features: bytes, keys: bytes, values: bytes, extent: int) -> bytes:
    # version = 15, name = 1, features = 2, keys = 3, values = 4, extent = 5
    return b"".join(
        (b"\x78\x02", field(0x0A, name.encode()), features, keys, values, b"\x28", varint(extent))
    )


def _features_in_python(ids: list[int], geometries: list[bytes], tags: list[bytes]) -> bytes:
    """The Layer.features fields of a few features (id, geometry commands, packed tags), one at a time."""
    out: list[bytes] = []
    for feature_id, geometry, packed in zip(ids, geometries, tags, strict=True):
        id_varint = varint(feature_id)
        tags_head = b"\x12" + varint(len(packed)) if packed else b""  # tags = 2, packed
        geometry_head = b"\x18\x03\x22" + varint(len(geometry))  # type = 3 (polygon), geometry = 4
        body_length = 1 + len(id_varint) + len(tags_head) + len(packed) + len(geometry_head) + len(geometry)
        out += (b"\x12", varint(body_length), b"\x08", id_varint, tags_head, packed, geometry_head, geometry)
    return b"".join(out)  # Layer.features = 2, each: id = 1, then tags, type and geometry


def _features(
    buffer: np.ndarray, geometry_start: np.ndarray, geometry_stop: np.ndarray, ids: np.ndarray, tags: TileTags
) -> np.ndarray:
    """The Layer.features fields of every feature, assembled with numpy."""
    geometry_length = geometry_stop - geometry_start
    tag_length = tags.stops - tags.starts
    has_tags = tag_length > 0
    body_length = (
        1 + varint_sizes(ids) + has_tags * (1 + varint_sizes(tag_length) + tag_length)
        + 3 + varint_sizes(geometry_length) + geometry_length
    )  # fmt: skip
    n = len(ids)
    cells = np.empty((n, _FEATURE_CELLS), dtype=np.int64)
    cells[:] = _CELL_TEMPLATE
    cells[:, 1], cells[:, 3], cells[:, 5], cells[:, 9] = body_length, ids, tag_length, geometry_length
    written = np.ones((n, _FEATURE_CELLS), dtype=bool)
    written[:, 4] = written[:, 5] = has_tags
    head, cell_at = encode_varints(cells[written])
    first_cell = np.zeros(n, dtype=np.int64)
    np.cumsum(np.where(has_tags, _FEATURE_CELLS, _FEATURE_CELLS - 2)[:-1], out=first_cell[1:])
    tags_at = first_cell + 4 + 2 * has_tags

    # every feature is four byte ranges of one source: head cells, tags, the last four cells, geometry
    source = np.concatenate([head, tags.buffer, buffer])
    tags_base, geometry_base = len(head), len(head) + len(tags.buffer)
    starts = (cell_at[first_cell], tags_base + tags.starts, cell_at[tags_at], geometry_base + geometry_start)
    stops = (cell_at[tags_at], tags_base + tags.stops, cell_at[tags_at + 4], geometry_base + geometry_stop)
    return take_ranges(source, np.stack(starts, axis=1).reshape(-1), np.stack(stops, axis=1).reshape(-1))


def encode_polygon_layer(
    name: str,
    ragged: RaggedPolygons,
    ids: Sequence[int],
    properties: Sequence[Mapping[str, object]],
    extent: int = EXTENT,
) -> bytes:
    """``encode_layer`` with one property dict per geometry (None and NaN values omitted)."""
    table = PropertyTable.from_records(properties)
    return encode_layer(name, ragged, ids, [table], extent)


def encode_tile(layers: Iterable[bytes]) -> bytes:
    """A Tile message from encoded layers; empty layers are left out, so no features gives b""."""
    return b"".join(field(0x1A, layer) for layer in layers if layer)  # Tile.layers = 3
