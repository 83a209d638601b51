"""Mapbox Vector Tile (2.1) encoding of polygon layers.

One call of the compiled kernel ``geo._mvt`` encodes a whole layer: quantise (round half to even), drop
repeated points and rings that collapse (fewer than 3 points or zero area; an exterior with its holes),
wind exterior rings clockwise on screen (positive surveyor's area with y down) and holes the other way,
delta + zigzag varint commands, the features' tags from columnar ``PropertyTable``s (geo.properties) whose
values are encoded once, and the Layer message around them. A cold tile of a few areas costs a handful of
Python-level calls this way, not one per ring, feature or property. ``mapbox_vector_tile`` is the oracle in
the tests.

Where the kernel could not be compiled (no C compiler or no Python headers when the package was installed),
``geo._mvt_python`` encodes the same bytes by the same rules, more slowly, and a warning says so once.
``KERNEL`` is the one in use.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from types import ModuleType

import numpy as np
import shapely

from geo.grid import EXTENT
from geo.properties import PropertyTable, PropertyValue
from geo.protobuf import field

__all__ = [
    "IDENTITY",
    "PropertyTable",
    "PropertyValue",
    "encode_layer",
    "encode_polygon_layer",
    "encode_tile",
]

Transform = tuple[float, float, float, float]
"""``(ox, oy, sx, sy)``: tile coordinates are ``((x - ox) * sx, (y - oy) * sy)`` before rounding."""
IDENTITY: Transform = (0.0, 0.0, 1.0, 1.0)


def _kernel() -> ModuleType:
    try:
        from geo import _mvt
    except ImportError as error:
        from geo import _mvt_python

        logging.getLogger(__name__).warning(
            "the compiled MVT encoder geo._mvt is missing (%s): tiles are encoded in Python, up to 17 times "
            "slower; install with a C compiler and Python's headers (Debian: gcc python3-dev) to build it",
            error,
        )
        return _mvt_python
    return _mvt


KERNEL = _kernel()
"""``encode_layer(name, extent, wkb, transform, ids, tables, key_ids)``: geo._mvt, or its Python port."""

_KEY_IDS: dict[tuple[tuple[str, ...], ...], list[int]] = {}


def _key_ids(tables: Sequence[PropertyTable]) -> list[int]:
    """One id per column of ``tables``, the same for columns of the same key name (memoised per layout)."""
    layout = tuple(table.keys for table in tables)
    ids = _KEY_IDS.get(layout)
    if ids is None:
        numbering: dict[str, int] = {}
        ids = [numbering.setdefault(key, len(numbering)) for keys in layout for key in keys]
        if len(_KEY_IDS) < 1024:  # a few layouts per dataset; the bound only guards against misuse
            _KEY_IDS[layout] = ids
    return ids


def encode_layer(
    name: str,
    geometries: np.ndarray,
    ids: Sequence[int] | np.ndarray,
    tables: Sequence[PropertyTable],
    extent: int = EXTENT,
    transform: Transform = IDENTITY,
) -> bytes:
    """One Layer message (without the Tile wrapper) of (Multi)Polygon features; b"" when none survives.

    ``geometries`` are shapely geometries or their 2D little-endian WKB (any bytes-like object: views of
    a stored band are encoded without a copy). ``transform`` maps the geometries to tile coordinates (y down);
    ``ids`` (non-negative, below 2**63) and the rows of every table align with the geometries. A key of a
    later table overrides the same key of an earlier one where the later has a value. Features whose geometry
    collapses are left out.
    """
    wkb = list(geometries)
    if isinstance(next((g for g in wkb if g is not None), None), shapely.Geometry):
        wkb = shapely.to_wkb(geometries, output_dimension=2, byte_order=1).tolist()
    if len(ids) != len(wkb):
        raise ValueError(f"{len(ids)} ids for {len(wkb)} geometries")
    for table in tables:
        if len(table) != len(wkb):
            raise ValueError(f"a property table has {len(table)} rows for {len(wkb)} geometries")
    columns = [
        (np.ascontiguousarray(t.codes, dtype=np.int32), t.key_fields, t.values, t.offsets) for t in tables
    ]
    return KERNEL.encode_layer(
        name.encode(),
        extent,
        wkb,
        transform,
        np.ascontiguousarray(ids, dtype=np.int64),
        columns,
        _key_ids(tables),
    )


def encode_polygon_layer(
    name: str,
    geometries: np.ndarray,
    ids: Sequence[int],
    properties: Sequence[Mapping[str, object]],
    extent: int = EXTENT,
) -> bytes:
    """``encode_layer`` of geometries in tile coordinates with one property dict each (None, NaN omitted)."""
    return encode_layer(name, geometries, ids, [PropertyTable.from_records(properties)], extent)


def encode_tile(layers: Iterable[bytes]) -> bytes:
    """A Tile message from encoded layers; empty layers are left out, so no features gives b""."""
    return b"".join(field(0x1A, layer) for layer in layers if layer)  # Tile.layers = 3
