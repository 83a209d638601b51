"""Long-form CSV (an area column, a value column, maybe year, indicator and breakdown columns) in batches.

pyarrow's CSV reader parses the data block below the header in batches of about 64 000 rows; each batch
becomes cells (:data:`common.CELL_COLUMNS`, codes and labels as categories) that :func:`common.finalise`
checks like any other reader's, so a file of millions of rows never exists as Python objects per cell.
The data block ends at the first blank line; note lines at the end (``Källa: SCB``) are a footer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from indicators.importers.common import TOTAL, Context, breakdown_of, long_breakdown
from indicators.importers.grid import FOOTER
from indicators.importers.sources import LineReader
from indicators.importers.tabular import _as_code, _indicator_id, _mostly_codes, is_breakdown

BLOCK_SIZE = 4 << 20
"""Bytes of CSV per batch (tens of thousands of rows)."""


@dataclass(frozen=True)
class Head:
    """The header of a long table: its row number (1-based), cells, separator and column roles."""

    row: int
    header: list[str]
    separator: str
    roles: dict[str, int]


class _Block:
    """The lines of the data block: stops at the first blank line, keeps trailing note lines as footer."""

    def __init__(self, lines: Iterator[str], head: Head) -> None:
        self.lines, self.head = lines, head
        self.width = len(head.header) - 1
        self.footer = 0

    def _is_note(self, line: str) -> bool:
        first = line.lstrip('"')[:1]
        if first.isdigit():
            return False
        return line.count(self.head.separator) < self.width or bool(FOOTER.match(line))

    def __iter__(self) -> Iterator[str]:
        held: list[str] = []
        quoted = False
        for line in self.lines:
            if not quoted and not line.strip().strip(self.head.separator).strip():
                self.footer = len(held) + sum(
                    1 for rest in self.lines if rest.strip(f"\n{self.head.separator} ")
                )
                return
            if line.count('"') % 2:
                quoted = not quoted
            if not quoted and self._is_note(line):
                held.append(line)
                continue
            yield from held
            held.clear()
            yield line
        self.footer = len(held)


def stream_cells(lines: Iterator[str], head: Head, ctx: Context) -> Iterator[pd.DataFrame]:
    """Batches of cells of the long table below ``head``; ``lines`` are the lines after the header."""
    block = _Block(lines, head)
    names = [f"c{i}" for i in range(len(head.header))]
    bad_rows: list[pacsv.InvalidRow] = []

    def invalid(row: pacsv.InvalidRow) -> str:
        bad_rows.append(row)
        return "error"

    reader = pacsv.open_csv(
        LineReader(iter(block)),
        read_options=pacsv.ReadOptions(column_names=names, block_size=BLOCK_SIZE),
        parse_options=pacsv.ParseOptions(
            delimiter=head.separator, newlines_in_values=True, invalid_row_handler=invalid
        ),
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in names},
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    shape = _Shape(head, ctx)
    start = head.row + 1
    try:
        for batch in reader:
            if batch.num_rows:
                yield shape.cells(batch, start)
                start += batch.num_rows
    except pa.ArrowInvalid as exc:
        if bad_rows:
            row = bad_rows[0]
            line = start + (row.number or 1) - 1 if row.number else None
            raise ctx.error(
                f"{row.actual_columns} cells where the header has {row.expected_columns}: {row.text[:80]!r}",
                line,
            ) from exc
        raise ctx.error(f"cannot read as CSV: {exc}", start) from exc
    if block.footer:
        ctx.report.append(f"ignored {block.footer} footer lines below the data (after row {start - 1})")


class NamedAreas(Exception):
    """The area column holds names, not codes: the table is read as a whole instead (names need it)."""


class _Shape:
    """How the columns of a long table turn into cells; breakdown columns are decided on the first batch."""

    def __init__(self, head: Head, ctx: Context) -> None:
        self.head, self.ctx = head, ctx
        self.dims: list[int] | None = None

    def _column(self, batch: pa.RecordBatch, role: str) -> pd.Series:
        return batch.column(self.head.roles[role]).to_pandas()

    def _categories(self, batch: pa.RecordBatch, index: int) -> pd.Categorical:
        return pc.dictionary_encode(pc.utf8_trim_whitespace(batch.column(index))).to_pandas().array

    def cells(self, batch: pa.RecordBatch, start: int) -> pd.DataFrame:
        roles, header, ctx, n = self.head.roles, self.head.header, self.ctx, batch.num_rows
        areas = self._categories(batch, roles["area"])
        if self.dims is None:
            if not _mostly_codes(list(areas.categories), ctx):
                raise NamedAreas
            taken = set(roles.values())
            rest = [i for i in range(len(header)) if i not in taken and header[i] != ""]
            self.dims = [i for i in rest if is_breakdown(self._categories(batch, i), header[i], ctx)]
            if self.dims:
                ctx.report.append(f"breakdowns from columns {[header[i] for i in self.dims]}")
        areas = _relabel(areas, [_area_cell(c, ctx) for c in areas.categories])
        if "indicator" in roles:
            indicator = self._categories(batch, roles["indicator"])
            indicator = _relabel(indicator, [_indicator_id(c, ctx) for c in indicator.categories])
        elif ctx.indicator:
            indicator = _constant(ctx.indicator, n)
        else:
            raise ctx.error("no indicator column: pass --indicator NAME", start)
        if "year" in roles:
            year = self._categories(batch, roles["year"])
        elif ctx.year is not None:
            year = _constant(str(ctx.year), n)
        else:
            raise ctx.error("no year column (år, year, tid): pass --year YEAR", start)
        cells = {
            "indicator": indicator,
            "code": areas,
            "year": year,
            "value": self._column(batch, "value"),
            "breakdown": self._breakdown(batch, n),
            "_row": np.arange(start, start + n, dtype=np.int64),
            "_code_column": _constant(header[roles["area"]], n),
            "_year_column": _constant(header[roles["year"]] if "year" in roles else "year", n),
            "_value_column": _constant(header[roles["value"]], n),
        }
        for role in ("status", "numerator", "denominator"):
            if role in roles:
                cells[role] = self._column(batch, role)
        return pd.DataFrame(cells)

    def _breakdown(self, batch: pa.RecordBatch, n: int) -> pd.Categorical:
        if "breakdown" in self.head.roles:
            given = self._categories(batch, self.head.roles["breakdown"])
            keys = [long_breakdown(c, self.ctx.labels) for c in given.categories]
            return _relabel(given, keys)
        if not self.dims:
            return _constant(TOTAL, n)
        columns = [self._categories(batch, i) for i in self.dims]
        combined, uniques = pd.factorize(pd.MultiIndex.from_arrays([c.codes for c in columns]))
        keys = [
            breakdown_of(
                [
                    (self.head.header[i], col.categories[code])
                    for i, col, code in zip(self.dims, columns, codes, strict=True)
                ],
                self.ctx.labels,
            )
            for codes in uniques
        ]
        return pd.Categorical(np.asarray(keys, dtype=object)[combined])


def _area_cell(cell: str, ctx: Context) -> str:
    code = _as_code(cell, ctx)
    return str(code) if code is not None else cell


def _relabel(cells: pd.Categorical, labels: list[str]) -> pd.Categorical:
    """The categorical with each category replaced by its label (labels may repeat)."""
    codes, uniques = pd.factorize(pd.Index(labels, dtype=object))
    return pd.Categorical.from_codes(codes[cells.codes], categories=uniques)


def _constant(text: str, n: int) -> pd.Categorical:
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[text])
