"""Tables every process maps instead of copying: Arrow IPC files, uncompressed, read through ``mmap``.

A served version's large tables (the value table, each level's prepared tile geometry) are written once when
the version is built. Every worker then maps the same file, so their columns are the operating system's page
cache, counted once however many processes read them, and a new version replaces the mapping instead of
growing each worker's heap. Columns come back as read-only numpy views of the mapping:

- numbers as they are (NaN stays NaN: no validity bitmap to consult);
- booleans as one byte each (Arrow's bit-packed booleans could not be viewed);
- pandas categoricals as their integer codes, the categories in the file's metadata;
- ``bytes`` columns (e.g. WKB) as one data buffer and its int64 offsets;
- strings as Python objects: a private copy, meant for small columns.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.ipc as ipc

_META = b"barometer"
"""Schema metadata key: JSON with the caller's metadata and the categories of categorical columns."""

Column = np.ndarray | pd.Categorical | Sequence[bytes]


def _arrow(values: Column) -> tuple[pa.Array, list | None]:
    """An Arrow array with the physical layout ``read`` views, and the categories of a categorical."""
    if isinstance(values, pd.Categorical):
        return pa.array(values.codes), values.categories.tolist()
    if isinstance(values, np.ndarray) and values.dtype.kind in "iuf":
        return pa.array(values, from_pandas=False), None  # NaN is a value, not a null
    if isinstance(values, np.ndarray) and values.dtype == bool:
        return pa.array(values.view(np.uint8)), None
    if len(values) and isinstance(values[0], bytes | bytearray | memoryview):
        return pa.array(values, type=pa.large_binary()), None
    return pa.array(values, type=pa.large_string()), None


def write_table(path: Path, columns: Mapping[str, Column], metadata: Mapping | None = None) -> None:
    """Write ``columns`` (all of one length) to ``path`` atomically: a reader sees the whole file or none."""
    arrays, categories = {}, {}
    for name, values in columns.items():
        arrays[name], cats = _arrow(values)
        if cats is not None:
            categories[name] = cats
    flags = [n for n, values in columns.items() if isinstance(values, np.ndarray) and values.dtype == bool]
    meta = {"meta": dict(metadata or {}), "categories": categories, "bool": flags}
    table = pa.table(arrays).replace_schema_metadata({_META: json.dumps(meta, ensure_ascii=False)})
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}-", dir=path.parent)
    os.close(handle)
    try:
        with pa.OSFile(tmp, "wb") as sink, ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table, max_chunksize=max(len(table), 1))  # one batch: contiguous columns
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class MappedTable:
    """The columns of a file written by ``write_table``, as views of its memory mapping."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._table = ipc.open_file(pa.memory_map(str(path))).read_all()
        if self._table.num_rows and any(c.num_chunks != 1 for c in self._table.columns):
            raise ValueError(f"{path}: a column in several chunks cannot be mapped")
        meta = json.loads((self._table.schema.metadata or {}).get(_META, b"{}"))
        self.meta: dict = meta.get("meta", {})
        self._categories: dict[str, list] = meta.get("categories", {})
        self._bool = set(meta.get("bool", []))

    def __len__(self) -> int:
        return self._table.num_rows

    @property
    def names(self) -> list[str]:
        return self._table.column_names

    def _chunk(self, name: str) -> pa.Array:
        column = self._table.column(name)
        return column.chunk(0) if column.num_chunks else pa.array([], type=column.type)

    def array(self, name: str) -> np.ndarray:
        """A numeric or boolean column: a read-only view, no copy."""
        chunk = self._chunk(name)
        if chunk.null_count:
            raise ValueError(f"{self.path}: column {name!r} has nulls")
        values = chunk.to_numpy(zero_copy_only=True)
        return values.view(bool) if name in self._bool else values

    def categorical(self, name: str) -> pd.Categorical:
        """A categorical column: its codes a view of the mapping."""
        return pd.Categorical.from_codes(self.array(name), categories=self._categories[name], validate=False)

    def binary(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """A bytes column as ``(data, offsets)``: row ``i`` is ``data[offsets[i]:offsets[i + 1]]``."""
        chunk = self._chunk(name)
        offsets_buffer, data_buffer = chunk.buffers()[1:3]
        offsets = np.frombuffer(offsets_buffer, dtype=np.int64)[chunk.offset : chunk.offset + len(chunk) + 1]
        data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer else np.zeros(0, np.uint8)
        return data, offsets

    def strings(self, name: str) -> np.ndarray:
        """A string (or bytes) column as an object array: a private copy."""
        return self._chunk(name).to_numpy(zero_copy_only=False).astype(object)

    def frame(self) -> pd.DataFrame:
        """Every column in a DataFrame that keeps the views (one block per column, nothing consolidated)."""
        columns: dict[str, object] = {}
        for name in self.names:
            if name in self._categories:
                columns[name] = self.categorical(name)
            elif pa.types.is_large_string(self._table.schema.field(name).type) or pa.types.is_large_binary(
                self._table.schema.field(name).type
            ):
                columns[name] = self.strings(name)
            else:
                columns[name] = self.array(name)
        return pd.DataFrame(columns, copy=False)
