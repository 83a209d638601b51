"""Long-form CSV (an area column, a value column, maybe year, indicator and breakdown columns) in batches.

pyarrow's CSV reader parses the data block below the header in batches of about 64 000 rows; each batch
becomes cells (:data:`common.CELL_COLUMNS`, codes and labels as categories) that :func:`common.finalise`
checks like any other reader's, so a file of millions of rows never exists as Python objects per cell.
The data block ends at the first blank line; note lines at the end (``Källa: SCB``) are a footer.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from indicators.importers.common import TOTAL, Context, breakdown_of, long_breakdown
from indicators.importers.grid import FOOTER
from indicators.importers.sources import TextReader
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
    """The text of the data block in chunks: after the header, up to the first blank line; note lines at the
    very end (``Källa: SCB``) are a footer. Checks whole chunks with one regular expression, not each line."""

    def __init__(self, chunks: Iterator[str], head: Head) -> None:
        self.chunks, self.head = chunks, head
        self.blank = re.compile(rf"(?:^|\n)[ \t{re.escape(head.separator)}]*\n")
        self.starts = ("\n\n", "\n" + head.separator, "\n ", "\n\t")
        self.width = len(head.header) - 1
        self.footer = 0

    def _blank_line(self, chunk: str) -> re.Match[str] | None:
        """The first blank line of a chunk (found with fast substring searches first)."""
        edge = chunk[:1] in (" ", "\t", "\n", self.head.separator)
        found = [at for start in self.starts if (at := chunk.find(start)) >= 0]
        if not found and not edge:
            return None
        return self.blank.search(chunk, 0 if edge else min(found))

    def _is_note(self, line: str) -> bool:
        if line.lstrip('"')[:1].isdigit():
            return False
        return line.count(self.head.separator) < self.width or bool(FOOTER.match(line))

    def _skip_header(self) -> str:
        text, skip = "", self.head.row
        for chunk in self.chunks:
            text += chunk
            while skip and (cut := text.find("\n")) >= 0:
                text, skip = text[cut + 1 :], skip - 1
            if not skip:
                return text
        return ""

    def __iter__(self) -> Iterator[str]:
        text = self._skip_header()
        rest = itertools.chain([text], self.chunks)
        held = ""
        for chunk in rest:
            chunk = held + chunk
            blank = self._blank_line(chunk)
            if blank:
                data, after = chunk[: blank.start() + (chunk[blank.start()] == "\n")], chunk[blank.end() :]
                tail = after + "".join(rest)
                self.footer = sum(1 for line in tail.split("\n") if line.strip(f"{self.head.separator} \t"))
                yield from self._without_notes(data, final=True)
                return
            held = yield from self._without_notes(chunk, final=False)
        yield from self._without_notes(held, final=True)

    def _without_notes(self, text: str, final: bool) -> Iterator[str]:
        """Yields the text but its trailing partial line and trailing note lines; returns what it kept."""
        end = len(text) if final else text.rfind("\n") + 1
        keep = end
        while keep > 0:
            start = text.rfind("\n", 0, keep - 1) + 1
            if not self._is_note(text[start:keep]):
                break
            keep = start
        if final:
            self.footer += text[keep:end].count("\n") + (not text.endswith("\n") and keep < end)
        if keep:
            yield text[:keep]
        return text[keep:] if not final else ""


def stream_cells(
    chunks: Iterator[str], head: Head, ctx: Context, locate: Callable[[str], int | None] | None = None
) -> Iterator[pd.DataFrame]:
    """Batches of cells of the long table below ``head``; ``chunks`` are the file's text (``\\n`` lines).

    ``locate`` finds the row number of a line's text (pyarrow does not tell where a malformed row is).
    """
    block = _Block(chunks, head)
    names = [f"c{i}" for i in range(len(head.header))]
    bad_rows: list[pacsv.InvalidRow] = []

    def invalid(row: pacsv.InvalidRow) -> str:
        bad_rows.append(row)
        return "error"

    shape = _Shape(head, ctx)
    start = head.row + 1
    try:
        reader = pacsv.open_csv(
            TextReader(iter(block)),
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
        for batch in reader:
            if batch.num_rows:
                yield shape.cells(batch, start)
                start += batch.num_rows
    except pa.ArrowInvalid as exc:
        if bad_rows:
            row = bad_rows[0]
            raise ctx.error(
                f"{row.actual_columns} cells where the header has {row.expected_columns}: {row.text[:80]!r} "
                "(a value holding the separator needs quotes)",
                locate(row.text) if locate else None,
            ) from exc
        raise ctx.error(f"cannot read as CSV: {exc}", start) from exc
    if block.footer:
        ctx.report.append(f"ignored {block.footer} footer lines below the data (after row {start - 1})")


class NamedAreas(Exception):
    """The area column holds names, not codes: the table is read as a whole instead (names need it)."""


class _Shape:
    """How the columns of a long table turn into cells; breakdown columns are decided on the first batch.

    Text columns are dictionary-encoded by pyarrow, so each distinct cell is looked at once per batch
    (and once per file for areas and indicators: remembered in ``self.seen``).
    """

    def __init__(self, head: Head, ctx: Context) -> None:
        self.head, self.ctx = head, ctx
        self.dims: list[int] | None = None
        self.seen: dict[tuple[str, str], str] = {}

    def _numbers(self, batch: pa.RecordBatch, role: str) -> pd.Series:
        """A column of numbers as floats when every cell is a plain number, else as text to be parsed."""
        column = batch.column(self.head.roles[role])
        try:
            numbers = pc.cast(column, pa.float64())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            return column.to_pandas()
        if numbers.null_count or not pc.all(pc.is_finite(numbers)).as_py():
            return column.to_pandas()  # "nan", "inf", "1e999": refused cell by cell, quoting the cell
        return numbers.to_pandas()

    def _categories(
        self, batch: pa.RecordBatch, index: int, label: Callable[[str], str] | None = None
    ) -> pd.Categorical:
        """A text column as categories, each distinct cell stripped (and relabelled by ``label``)."""
        encoded = pc.dictionary_encode(batch.column(index))
        texts = [str(text).strip() for text in encoded.dictionary.to_pylist()]
        if label is not None:
            texts = [self._seen(index, text, label) for text in texts]
        codes, uniques = pd.factorize(pd.Index(texts, dtype=object))
        return pd.Categorical.from_codes(codes[encoded.indices.to_numpy()], categories=uniques)

    def _seen(self, index: int, text: str, label: Callable[[str], str]) -> str:
        key = (str(index), text)
        if key not in self.seen:
            self.seen[key] = label(text)
        return self.seen[key]

    def cells(self, batch: pa.RecordBatch, start: int) -> pd.DataFrame:
        roles, header, ctx, n = self.head.roles, self.head.header, self.ctx, batch.num_rows
        if self.dims is None:
            if not _mostly_codes(list(self._categories(batch, roles["area"]).categories), ctx):
                raise NamedAreas
            taken = set(roles.values())
            rest = [i for i in range(len(header)) if i not in taken and header[i] != ""]
            self.dims = [
                i for i in rest if is_breakdown(self._categories(batch, i).categories, header[i], ctx)
            ]
            if self.dims:
                ctx.report.append(f"breakdowns from columns {[header[i] for i in self.dims]}")
        areas = self._categories(batch, roles["area"], lambda cell: _area_cell(cell, ctx))
        if "indicator" in roles:
            indicator = self._categories(batch, roles["indicator"], lambda cell: _indicator_id(cell, ctx))
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
            "value": self._numbers(batch, "value"),
            "breakdown": self._breakdown(batch, n),
            "_row": np.arange(start, start + n, dtype=np.int64),
            "_code_column": _constant(header[roles["area"]], n),
            "_year_column": _constant(header[roles["year"]] if "year" in roles else "year", n),
            "_value_column": _constant(header[roles["value"]], n),
        }
        if "status" in roles:
            cells["status"] = self._categories(batch, roles["status"])
        for role in ("numerator", "denominator"):
            if role in roles:
                cells[role] = self._numbers(batch, role)
        return pd.DataFrame(cells)

    def _breakdown(self, batch: pa.RecordBatch, n: int) -> pd.Categorical:
        if "breakdown" in self.head.roles:
            index = self.head.roles["breakdown"]
            return self._categories(batch, index, lambda cell: long_breakdown(cell, self.ctx.labels))
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


def _constant(text: str, n: int) -> pd.Categorical:
    return pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[text])
