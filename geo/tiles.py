"""Rendering one vector tile of a prepared level: geometry only, or with a year's values as properties.

``render_tile`` uses the encoder of geo.mvt with columnar property tables: the area attributes
once per level (``level_properties``), extra values as an ``AreaProperties`` built once per year (or, slower,
any mapping of code to values). ``render_tile_reference`` does the same with mapbox_vector_tile (the oracle in
tests and the baseline in benchmarks).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator, Mapping
from functools import cached_property

import mapbox_vector_tile
import numpy as np
import shapely

from geo.clip import TileFrame, clip_wkb
from geo.grid import EXTENT
from geo.mvt import encode_layer, encode_tile
from geo.prepare import PROPERTY_COLUMNS, PreparedLevel
from geo.properties import Column, PropertyTable, PropertyValue

Extra = Mapping[str, Mapping[str, float | int | str]]
"""Extra properties per area code, e.g. every indicator's value of one year."""

_LEVEL_TABLES: weakref.WeakKeyDictionary[PreparedLevel, PropertyTable] = weakref.WeakKeyDictionary()
_LEVEL_LOCK = threading.Lock()


def level_properties(prepared: PreparedLevel) -> PropertyTable:
    """The area attributes (PROPERTY_COLUMNS, empty ones missing) of every row, built once per level."""
    table = _LEVEL_TABLES.get(prepared)
    if table is None:
        with _LEVEL_LOCK:
            table = _LEVEL_TABLES.get(prepared)
            if table is None:
                columns: dict[str, Column] = {}
                for column in PROPERTY_COLUMNS:
                    values = prepared.table[column].to_numpy(dtype=object)
                    columns[column] = (values, values != "")
                table = _LEVEL_TABLES[prepared] = PropertyTable.from_columns(columns, len(prepared.table))
    return table


class AreaProperties(Mapping[str, Mapping[str, PropertyValue]]):
    """Extra properties of a prepared level's areas, columnar: ``table`` row ``i`` is the area with id
    ``i + 1``. As a mapping: area code to its values (areas without any value left out)."""

    def __init__(self, prepared: PreparedLevel, table: PropertyTable) -> None:
        if len(table) != len(prepared.table):
            raise ValueError(f"{len(table)} property rows for {len(prepared.table)} areas")
        self.prepared, self.table = prepared, table

    @classmethod
    def from_columns(cls, prepared: PreparedLevel, columns: Mapping[str, Column]) -> AreaProperties:
        """From one column per key, aligned with the level's rows (see ``geo.properties.Column``)."""
        return cls(prepared, PropertyTable.from_columns(columns, len(prepared.table)))

    @property
    def nbytes(self) -> int:
        """The memory of the properties (the prepared level they refer to is shared and not counted)."""
        return self.table.nbytes

    @cached_property
    def _rows(self) -> np.ndarray:
        """Rows with at least one value."""
        return np.flatnonzero((self.table.codes >= 0).any(axis=1))

    def __getitem__(self, code: str) -> dict[str, PropertyValue]:
        record = self.table.record(self.prepared.id_of(code) - 1)
        if not record:
            raise KeyError(code)
        return record

    def __iter__(self) -> Iterator[str]:
        return iter(self.prepared.codes[self._rows].tolist())

    def __len__(self) -> int:
        return len(self._rows)


def _extra_table(prepared: PreparedLevel, rows: np.ndarray, extra: Extra) -> PropertyTable:
    """``extra`` of ``rows`` as a table aligned with them."""
    if isinstance(extra, AreaProperties) and extra.prepared is prepared:
        return extra.table.take(rows)
    return PropertyTable.from_records([extra.get(code) or {} for code in prepared.codes[rows].tolist()])


DEFAULT_BUFFER = 64
"""Tile coordinate units around the tile kept when clipping (64/4096 of a tile)."""


def tile_properties(
    prepared: PreparedLevel, rows: np.ndarray, extra: Extra | None
) -> list[dict[str, object]]:
    """Feature properties of ``rows``: the area attributes, then ``extra[code]`` (None/NaN left in, the
    encoders omit them). Extra values override attributes of the same name."""
    base = prepared.properties
    if not extra:
        return [base[r] for r in rows]
    out = []
    for r in rows:
        values = extra.get(base[r]["code"])
        present = {k: v for k, v in values.items() if v is not None and v == v} if values else None
        out.append({**base[r], **present} if present else base[r])
    return out


def tile_content(
    prepared: PreparedLevel, z: int, x: int, y: int, buffer: int = DEFAULT_BUFFER, extent: int = EXTENT
) -> tuple[np.ndarray, np.ndarray, TileFrame]:
    """``(rows, clipped geometry in metres as WKB, frame)`` of the areas in the buffered tile, rows sorted.

    Nothing below the level's minzoom: the layer is not meant to be shown there.
    """
    frame = TileFrame.of(z, x, y, buffer=buffer, extent=extent)  # validates the address
    if z < prepared.minzoom:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=object), frame
    rows = prepared.query(frame.clip)
    band = prepared.band(z)
    positions, clipped = clip_wkb(
        band.wkb_of(rows), frame.clip, band.envelopes[rows], lambda cut: band.shapes(rows[cut])
    )
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
    ``extra[code]`` (missing values omitted, never written as zero). ``extra`` is fastest as an
    ``AreaProperties`` of this very level: nothing is then converted per tile.
    """
    rows, clipped, frame = tile_content(prepared, z, x, y, buffer, extent)
    if not len(rows):
        return b""
    tables = [level_properties(prepared).take(rows)]
    if extra:
        tables.append(_extra_table(prepared, rows, extra))
    transform = (frame.minx, frame.maxy, frame.scale, -frame.scale)
    return encode_tile([encode_layer(layer, clipped, prepared.ids[rows], tables, extent, transform)])


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
            rows,
            frame.transform(shapely.from_wkb([bytes(g) for g in clipped])),
            tile_properties(prepared, rows, extra),
            strict=True,
        )
    ]
    return mapbox_vector_tile.encode(
        {"name": layer, "features": features},
        default_options={"y_coord_down": True, "extents": extent},
    )
