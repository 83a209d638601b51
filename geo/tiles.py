"""Rendering one vector tile of a prepared level: geometry only, or with a year's values as properties.

``render_tile`` uses the vectorised encoder in geo.mvt; ``render_tile_reference`` does the same with
mapbox_vector_tile (the oracle in tests and the baseline in benchmarks).
"""

from __future__ import annotations

from collections.abc import Mapping

import mapbox_vector_tile
import numpy as np

from geo.clip import TileFrame, clip_polygons
from geo.grid import EXTENT, validate_tile
from geo.mvt import encode_polygon_layer, encode_tile, ragged_polygons
from geo.prepare import PreparedLevel

Extra = Mapping[str, Mapping[str, float | int | str]]
"""Extra properties per area code, e.g. every indicator's value of one year."""

DEFAULT_BUFFER = 64
"""Tile coordinate units around the tile kept when clipping (64/4096 of a tile)."""


def tile_properties(
    prepared: PreparedLevel, rows: np.ndarray, extra: Extra | None
) -> list[dict[str, object]]:
    """Feature properties of ``rows``: the area attributes, then ``extra[code]`` (None/NaN left in, the
    encoders omit them). Extra keys override attributes of the same name."""
    base = prepared.properties
    if not extra:
        return [base[r] for r in rows]
    out = []
    for r in rows:
        values = extra.get(base[r]["code"])
        out.append({**base[r], **values} if values else base[r])
    return out


def tile_content(
    prepared: PreparedLevel, z: int, x: int, y: int, buffer: int = DEFAULT_BUFFER, extent: int = EXTENT
) -> tuple[np.ndarray, np.ndarray, TileFrame]:
    """``(rows, clipped geometry in metres, frame)`` of the areas in the buffered tile, rows sorted.

    Nothing below the level's minzoom: the layer is not meant to be shown there.
    """
    tile = validate_tile(z, x, y)
    frame = TileFrame.of(tile.z, tile.x, tile.y, buffer=buffer, extent=extent)
    if tile.z < prepared.minzoom:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object), frame
    rows = prepared.query(frame.clip)
    positions, clipped = clip_polygons(prepared.band(tile.z).geometries[rows], frame.clip)
    return rows[positions], clipped, frame


def render_tile(
    prepared: PreparedLevel,
    z: int,
    x: int,
    y: int,
    *,
    layer: str,
    extra: Extra | None = None,
    buffer: int = DEFAULT_BUFFER,
    extent: int = EXTENT,
) -> bytes:
    """Uncompressed MVT bytes of tile ``z/x/y``: one polygon layer, b"" when the tile has no feature.

    Features have the stable area id, the attributes code, name, kommun, lan, regso (empty ones omitted) and
    ``extra[code]`` (missing values omitted, never written as zero).
    """
    rows, clipped, frame = tile_content(prepared, z, x, y, buffer, extent)
    if not len(rows):
        return b""
    coords, *offsets = ragged_polygons(clipped)
    ragged = (frame.to_tile(coords), *offsets)
    layer_bytes = encode_polygon_layer(
        layer,
        ragged,
        prepared.ids[rows],
        tile_properties(prepared, rows, extra),
        extent,
    )
    return encode_tile([layer_bytes])


def render_tile_reference(
    prepared: PreparedLevel,
    z: int,
    x: int,
    y: int,
    *,
    layer: str,
    extra: Extra | None = None,
    buffer: int = DEFAULT_BUFFER,
    extent: int = EXTENT,
) -> bytes:
    """``render_tile`` with mapbox_vector_tile as the encoder (same selection, clipping and properties)."""
    rows, clipped, frame = tile_content(prepared, z, x, y, buffer, extent)
    if not len(rows):
        return b""
    features = [
        {
            "geometry": geometry,
            "id": int(prepared.ids[row]),
            "properties": {k: v for k, v in props.items() if v is not None and v == v},
        }
        for row, geometry, props in zip(
            rows, frame.transform(clipped), tile_properties(prepared, rows, extra), strict=True
        )
    ]
    return mapbox_vector_tile.encode(
        {"name": layer, "features": features},
        default_options={"y_coord_down": True, "extents": extent},
    )
