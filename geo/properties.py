"""Feature properties as a columnar table, encoded once and gathered per tile with numpy.

A ``PropertyTable`` holds, per row (area) and key, the index of the row's value in a table of distinct values
(-1: missing), and every distinct value already encoded as an MVT ``Layer.values`` field. Values are distinct
per type, as MVT keeps them apart: 1 (int), 1.0 (double), True (bool) and "1" (string) are four values.
``tile_tags`` turns the rows of one tile into the layer's keys and values tables and the packed tags of every
feature without a Python loop per feature or property: the tile's value indices are deduplicated (a mark per
possible value, or ``np.unique`` for few) and every tag is varint-encoded at once.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate, compress

import numpy as np

from geo.protobuf import (
    PropertyValue,
    decode_value_field,
    encode_varints,
    field,
    plain,
    value_field,
    varint,
)

Column = np.ndarray | tuple[np.ndarray, np.ndarray]
"""The values of one key per row: a float array (NaN: missing), another array (every value present; in
object arrays None and NaN are missing), or ``(values, present)`` with a boolean mask."""

_DOUBLE_PREFIX = np.frombuffer(b"\x22\x09\x19", dtype=np.uint8)  # Layer.values, length 9, double_value


@dataclass(frozen=True, eq=False)
class PropertyTable:
    """Properties of rows, by key: value indices into a table of encoded distinct values.

    Values ``0 .. len(fields) - 1`` are strings, integers and booleans (``fields``), the rest doubles
    (``doubles``); each part is ordered by how many rows use a value, so the most frequent values get the
    smallest indices in a tile (one-byte tags).
    """

    keys: tuple[str, ...]
    codes: np.ndarray
    """``(rows, keys)`` int32: the index of the row's value of that key, -1 when missing."""
    fields: tuple[bytes, ...]
    """The Layer.values field (tag, length, Value message) of every value that is not a double."""
    doubles: np.ndarray
    """``(doubles, 11)`` uint8: the Layer.values field of each double; row ``j`` is value ``n_fields + j``."""
    key_fields: tuple[bytes, ...]
    """The Layer.keys field of every key."""

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def n_fields(self) -> int:
        return len(self.fields)

    @property
    def n_values(self) -> int:
        return self.n_fields + len(self.doubles)

    @classmethod
    def from_columns(cls, columns: Mapping[str, Column], rows: int) -> PropertyTable:
        """A table of ``rows`` rows from one column per key (see ``Column``)."""
        codes = np.full((rows, len(columns)), -1, dtype=np.int32)
        doubles: list[tuple[int, np.ndarray, np.ndarray]] = []  # (column, rows, values)
        others: list[tuple[int, np.ndarray, np.ndarray]] = []  # (column, rows, indices into fields)
        interned: dict[tuple[type, PropertyValue], int] = {}
        fields: list[bytes] = []

        def intern(value: PropertyValue) -> int:
            key = (type(value), value)
            index = interned.get(key)
            if index is None:
                index = interned[key] = len(fields)
                fields.append(value_field(value))
            return index

        for j, column in enumerate(columns.values()):
            values, present = column if isinstance(column, tuple) else (column, None)
            values = np.asarray(values)
            if len(values) != rows:
                raise ValueError(f"a column has {len(values)} values for {rows} rows")
            if values.dtype.kind == "f":
                missing = np.isnan(values) if present is None else np.isnan(values) | ~present
                where = np.flatnonzero(~missing)
                doubles.append((j, where, values[where].astype(np.float64)))
            elif values.dtype.kind in "iub":
                where = np.arange(rows) if present is None else np.flatnonzero(present)
                distinct, inverse = np.unique(values[where], return_inverse=True)
                indices = np.array([intern(v) for v in distinct.tolist()], dtype=np.int64)
                others.append((j, where, indices[inverse.reshape(-1)]))
            else:
                where = range(rows) if present is None else np.flatnonzero(present).tolist()
                double_rows, double_values, other_rows, other_indices = [], [], [], []
                for i in where:
                    value = plain(values[i])
                    if value is None:
                        continue
                    if type(value) is float:
                        double_rows.append(i)
                        double_values.append(value)
                    else:
                        other_rows.append(i)
                        other_indices.append(intern(value))
                doubles.append((j, np.array(double_rows, np.int64), np.array(double_values, np.float64)))
                others.append((j, np.array(other_rows, np.int64), np.array(other_indices, np.int64)))

        n_fields = len(fields)
        pooled = np.concatenate([d[2] for d in doubles]) if doubles else np.zeros(0)
        distinct_doubles, inverse = np.unique(pooled, return_inverse=True)
        inverse = n_fields + inverse.reshape(-1)
        start = 0
        for j, where, values in doubles:
            codes[where, j] = inverse[start : start + len(values)]
            start += len(values)
        for j, where, indices in others:
            codes[where, j] = indices

        # most used first, within each part
        uses = np.bincount(codes[codes >= 0], minlength=n_fields + len(distinct_doubles))
        field_order = np.argsort(-uses[:n_fields], kind="stable")
        double_order = np.argsort(-uses[n_fields:], kind="stable")
        renumber = np.empty(len(uses) + 1, dtype=np.int32)
        renumber[field_order] = np.arange(n_fields)
        renumber[n_fields + double_order] = np.arange(n_fields, len(uses))
        renumber[-1] = -1
        codes = renumber[codes]

        double_fields = np.empty((len(distinct_doubles), 11), dtype=np.uint8)
        double_fields[:, :3] = _DOUBLE_PREFIX
        double_fields[:, 3:] = distinct_doubles[double_order].astype("<f8").view(np.uint8).reshape(-1, 8)
        ordered_fields = tuple(fields[i] for i in field_order.tolist())
        key_fields = tuple(field(0x1A, key.encode()) for key in columns)  # Layer.keys = 3
        return cls(tuple(columns), codes, ordered_fields, double_fields, key_fields)

    @classmethod
    def from_records(cls, records: Sequence[Mapping[str, object]]) -> PropertyTable:
        """A table with one row per record (None and NaN are missing values)."""
        columns: dict[str, np.ndarray] = {}
        for i, record in enumerate(records):
            for key, value in record.items():
                column = columns.get(key)
                if column is None:
                    column = columns[key] = np.full(len(records), None, dtype=object)
                column[i] = value
        return cls.from_columns(columns, len(records))

    def take(self, rows: np.ndarray) -> PropertyTable:
        """The table of ``rows`` (sharing the encoded values)."""
        codes = self.codes[np.asarray(rows, dtype=np.int64)]
        return PropertyTable(self.keys, codes, self.fields, self.doubles, self.key_fields)

    def value(self, index: int) -> PropertyValue:
        """Value ``index`` as it decodes from a tile."""
        if index >= self.n_fields:
            return decode_value_field(self.doubles[index - self.n_fields].tobytes())
        return decode_value_field(self.fields[index])

    def record(self, row: int) -> dict[str, PropertyValue]:
        """The values of one row, missing ones left out."""
        codes = self.codes[row].tolist()
        return {key: self.value(c) for key, c in zip(self.keys, codes, strict=True) if c >= 0}


@dataclass(frozen=True)
class TileTags:
    """The property part of one layer: its keys and values tables and every feature's packed tags."""

    keys: bytes
    """Layer.keys fields."""
    values: bytes
    """Layer.values fields."""
    buffer: np.ndarray
    """uint8: the tag varints of every feature, back to back."""
    starts: np.ndarray
    stops: np.ndarray
    """Byte range of each feature's tags in ``buffer`` (empty: no properties)."""


def tile_tags(tables: Sequence[PropertyTable], rows: np.ndarray) -> TileTags:
    """Keys, values and tags of the features at ``rows`` of ``tables`` (all with the same rows).

    A key of a later table overrides the same key of an earlier one where the later has a value. Keys are
    numbered in column order, values in the order of their index (the most used first).
    """
    rows = np.asarray(rows, dtype=np.int64)
    names = [key for table in tables for key in table.keys]
    key_fields = [f for table in tables for f in table.key_fields]
    blocks, bases, base = [], [], 0
    for table in tables:
        block = table.codes[rows]
        blocks.append(np.where(block >= 0, block + base, -1) if base else block)
        bases.append(base)
        base += table.n_values
    codes = blocks[0] if len(blocks) == 1 else np.concatenate(blocks, axis=1)
    present = codes >= 0
    if len(set(names)) < len(names):
        last: dict[str, int] = {}
        for j in range(len(names) - 1, -1, -1):
            if names[j] in last:
                present[present[:, last[names[j]]], j] = False
            last.setdefault(names[j], j)
        codes = np.where(present, codes, -1)
    used = present.any(axis=0).tolist()
    key_index: dict[str, int] = {}
    local_key = [
        key_index.setdefault(name, len(key_index)) if u else -1 for name, u in zip(names, used, strict=True)
    ]
    if len(key_index) == sum(used):
        keys = b"".join(compress(key_fields, used))
    else:  # a key of two tables
        keys = b"".join(field(0x1A, key.encode()) for key in key_index)  # Layer.keys = 3
    feature, column = np.nonzero(present)  # feature by feature, keys in column order
    distinct, local_value = _distinct(codes[feature, column], base)
    key_of = np.array(local_key, dtype=np.int64)[column]
    pairs = np.zeros(len(rows) + 1, dtype=np.int64)
    np.add.accumulate(np.bincount(feature, minlength=len(rows)), out=pairs[1:])
    if len(key_index) < 0x80:  # one byte per key index
        buffer, pair_at = encode_varints(local_value, lead=key_of)
    else:
        interleaved = np.empty(2 * len(local_value), dtype=np.int64)
        interleaved[0::2], interleaved[1::2] = key_of, local_value
        buffer, byte_at = encode_varints(interleaved)
        pair_at = byte_at[0::2]
    return TileTags(
        keys=keys,
        values=_values(tables, bases, distinct),
        buffer=buffer,
        starts=pair_at[pairs[:-1]],
        stops=pair_at[pairs[1:]],
    )


SMALL_TILE_CELLS = 128
"""Tiles of at most this many feature × key cells get their tags from ``small_tile_tags``."""


def small_tile_tags(
    tables: Sequence[PropertyTable], rows: list[int]
) -> tuple[bytes, bytes, list[bytes]] | None:
    """``tile_tags`` of a tile with few cells as ``(keys, values, tags of each feature)``, by a plain loop:
    numpy's fixed cost per call is more than the whole loop there. None when the tile has more than
    SMALL_TILE_CELLS cells or a key is in two tables (``tile_tags`` resolves those)."""
    names = [key for table in tables for key in table.keys]
    if len(rows) * len(names) > SMALL_TILE_CELLS or len(set(names)) < len(names):
        return None
    blocks = [table.codes[rows] for table in tables]
    used = [u for block in blocks for u in (block >= 0).any(axis=0).tolist()]
    key_of = list(accumulate(used, initial=-1))[1:]  # local key index of each used column, in column order
    pairs: list[list[int]] = [[] for _ in rows]  # per feature: key, value, key, value …
    values: list[bytes] = []
    n_values = first_key = 0
    for table, block in zip(tables, blocks, strict=True):
        codes = block.tolist()
        distinct = sorted(set().union(*codes))
        if distinct and distinct[0] < 0:
            del distinct[0]
        local = dict(zip(distinct, range(n_values, n_values + len(distinct)), strict=True)).__getitem__
        n_values += len(distinct)
        keys = key_of[first_key : first_key + len(table.keys)]
        first_key += len(table.keys)
        for pair, row in zip(pairs, codes, strict=True):
            present = [c >= 0 for c in row]
            ks, vs = list(compress(keys, present)), list(map(local, compress(row, present)))
            both = [0] * (2 * len(ks))
            both[0::2], both[1::2] = ks, vs
            pair += both
        split = bisect_left(distinct, table.n_fields)
        values += [table.fields[i] for i in distinct[:split]]
        if split < len(distinct):
            values.append(table.doubles[np.array(distinct[split:]) - table.n_fields].tobytes())
    if sum(used) < 0x80 and n_values < 0x80:
        tags = [bytes(pair) for pair in pairs]
    else:
        tags = [b"".join(map(varint, pair)) for pair in pairs]
    key_fields = [f for table in tables for f in table.key_fields]
    return b"".join(compress(key_fields, used)), b"".join(values), tags


def _values(tables: Sequence[PropertyTable], bases: list[int], distinct: np.ndarray) -> bytes:
    """The Layer.values fields of the sorted value indices ``distinct`` (table ``i`` from ``bases[i]`` on)."""
    limits = [limit for t, first in zip(tables, bases, strict=True) for limit in (first, first + t.n_fields)]
    cuts = np.searchsorted(distinct, [*limits, bases[-1] + tables[-1].n_values]).tolist()
    values: list[bytes] = []
    for i, (table, first) in enumerate(zip(tables, bases, strict=True)):
        low, split, high = cuts[2 * i : 2 * i + 3]
        fields = table.fields
        values += [fields[j] for j in (distinct[low:split] - first).tolist()]
        values.append(table.doubles[distinct[split:high] - (first + table.n_fields)].tobytes())
    return b"".join(values)


def _distinct(values: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` of integers in ``0..bound - 1``; with a mark per possible
    value when there are many (a tile's value indices: faster than sorting them)."""
    if len(values) * 16 < bound:
        distinct, inverse = np.unique(values, return_inverse=True)
        return distinct, inverse.reshape(-1)
    seen = np.zeros(bound, dtype=bool)
    seen[values] = True
    distinct = seen.nonzero()[0]
    local = np.empty(bound, dtype=np.int64)
    local[distinct] = np.arange(len(distinct))
    return distinct, local[values]
