"""Feature properties as a columnar table, encoded once per level or year and gathered per tile.

A ``PropertyTable`` holds, per row (area) and key, the index of the row's value in a table of distinct values
(-1: missing), and every distinct value already encoded as an MVT ``Layer.values`` field, back to back in one
buffer. Values are distinct per type, as MVT keeps them apart: 1 (int), 1.0 (double), True (bool) and "1"
(string) are four values. A tile's encoder (geo.mvt) reads the codes of its rows and copies the fields of the
values they use.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from geo.protobuf import PropertyValue, decode_value_field, field, plain, value_field

Column = np.ndarray | tuple[np.ndarray, np.ndarray]
"""The values of one key per row: a float array (NaN: missing), another array (every value present; in
object arrays None and NaN are missing), or ``(values, present)`` with a boolean mask."""

_DOUBLE_PREFIX = np.frombuffer(b"\x22\x09\x19", dtype=np.uint8)  # Layer.values, length 9, double_value


@dataclass(frozen=True, eq=False)
class PropertyTable:
    """Properties of rows, by key: value indices into a table of encoded distinct values.

    Strings, integers and booleans come first, then doubles; each part is ordered by how many rows use a
    value, so the most frequent values get the smallest indices in a tile (one-byte tags).
    """

    keys: tuple[str, ...]
    codes: np.ndarray
    """``(rows, keys)`` int32: the index of the row's value of that key, -1 when missing."""
    values: bytes
    """The Layer.values field (tag, length, Value message) of every distinct value, back to back."""
    offsets: np.ndarray
    """int64, one more than there are values: value ``i`` is ``values[offsets[i]:offsets[i + 1]]``."""
    key_fields: tuple[bytes, ...]
    """The Layer.keys field of every key."""

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def nbytes(self) -> int:
        """The memory the table holds."""
        return self.codes.nbytes + len(self.values) + self.offsets.nbytes + sum(map(len, self.key_fields))

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
        ordered_fields = [fields[i] for i in field_order.tolist()]
        offsets = np.zeros(len(uses) + 1, dtype=np.int64)
        np.cumsum([len(f) for f in ordered_fields], out=offsets[1 : n_fields + 1])
        offsets[n_fields + 1 :] = offsets[n_fields] + 11 * np.arange(1, len(distinct_doubles) + 1)
        values = b"".join(ordered_fields) + double_fields.tobytes()
        key_fields = tuple(field(0x1A, key.encode()) for key in columns)  # Layer.keys = 3
        return cls(tuple(columns), codes, values, offsets, key_fields)

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
        return PropertyTable(self.keys, codes, self.values, self.offsets, self.key_fields)

    def value(self, index: int) -> PropertyValue:
        """Value ``index`` as it decodes from a tile."""
        start, stop = self.offsets[index : index + 2].tolist()
        return decode_value_field(self.values[start:stop])

    def record(self, row: int) -> dict[str, PropertyValue]:
        """The values of one row, missing ones left out."""
        codes = self.codes[row].tolist()
        return {key: self.value(c) for key, c in zip(self.keys, codes, strict=True) if c >= 0}
