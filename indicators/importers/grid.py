"""CSV and XLSX files as a grid of cells (a list of rows), before any meaning is given to the cells.

CSV: text as :mod:`sources` reads it; the separator (``;``, ``,`` or tab) is sniffed from the first lines.
XLSX: the first sheet or a named one; numbers stay numbers; formulas without a stored result are marked.
The data block ends at the first blank row or where footer lines (``Källa: SCB``, notes) begin.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

from indicators.importers.common import Context, FormulaCell

SEPARATORS = (";", "\t", ",")
FOOTER = re.compile(
    r"^\W*(källa|källor|anm|anmärkning|fotnot|not|noter|kommentar|förklaring|definition|uppdaterad|senast "
    r"uppdaterad|source|note|notes|comment)\b",
    re.IGNORECASE,
)
"""The first cell of a footer line below a table, also without a blank line above it."""


def sniff_separator(text: str) -> str:
    """The separator that splits the most of the first lines into the same number of fields.

    Scored as (lines of the commonest width) x (width - 1), so ``;`` beats the decimal commas of a ``;``
    file and a title line above the table does not decide; ``;`` wins ties.
    """
    lines = [line for line in text.splitlines()[:30] if line.strip()]

    def score(sep: str) -> int:
        widths = Counter(len(row) for row in csv.reader(io.StringIO("\n".join(lines)), delimiter=sep))
        return max((count * (width - 1) for width, count in widths.items()), default=0)

    return max(SEPARATORS, key=score)


def read_csv_grid(text: str, separator: str) -> list[list[object]]:
    """The rows of a CSV text whose line ends are ``\n`` (see :mod:`sources`)."""
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator)]


def read_xlsx_grid(data: bytes, ctx: Context) -> list[list[object]]:
    """The cells of the chosen sheet; a formula whose result the file lacks is a :class:`FormulaCell`.

    A workbook written by a program (not Excel) stores formulas without results; the values would only be
    computed when Excel opens it. Such cells are not silently missing values.
    """
    import openpyxl

    try:
        values = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types for a broken or non-xlsx file
        raise ctx.error(f"cannot read as an Excel workbook (.xlsx): {exc}") from exc
    try:
        sheet_name = ctx.sheet
        if sheet_name is not None and sheet_name not in values.sheetnames:
            raise ctx.error(
                f"no sheet {sheet_name!r}; the workbook has {values.sheetnames}: pass --sheet NAME"
            )
        name = sheet_name if sheet_name is not None else values.sheetnames[0]
        if sheet_name is None and len(values.sheetnames) > 1:
            ctx.sheet_hint = (
                f"; read the first sheet {name!r} of {values.sheetnames}: choose with --sheet NAME"
            )
            ctx.report.append(ctx.sheet_hint[2:])
        grid = []
        rows = zip(
            values[name].iter_rows(values_only=True), formulas[name].iter_rows(values_only=True), strict=False
        )
        for cached, written in rows:
            grid.append(
                [
                    FormulaCell(f)
                    if c is None and isinstance(f, str) and f.startswith("=")
                    else ("" if c is None else c)
                    for c, f in zip(cached, written, strict=False)
                ]
            )
        return grid
    finally:
        values.close()
        formulas.close()


def cell_text(cell: object) -> str:
    """A header cell as text: Excel's 2022.0 as ``2022``."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def is_blank(row: list[object]) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in row)


class _Short(list):
    """The cells of a line that had fewer cells than the header (padded with blanks)."""


def _is_footer(cells: list, width: int) -> bool:
    """A footer line: a note (``Källa: SCB``) or a line of one cell where the table has more."""
    filled = [str(c).strip() for c in cells if str(c).strip()]
    if not filled:
        return False
    return bool(FOOTER.match(filled[0])) or (isinstance(cells, _Short) and len(filled) == 1 and width > 1)


def header_index(grid: list[list[object]], ctx: Context) -> int:
    """The index of the header row: the first filled row, or the one below a title line and a blank line."""
    start = next((i for i, row in enumerate(grid) if not is_blank(row)), None)
    if start is None:
        raise ctx.error("the file has no rows")
    filled = [str(cell).strip() for cell in grid[start] if str(cell).strip()]
    if len(filled) == 1 and start + 1 < len(grid) and is_blank(grid[start + 1]):
        ctx.title = filled[0]  # a title line above a blank line, as in exports "with heading"
        ctx.report.append(f"title line {filled[0]!r} above the table")
        start = next((i for i in range(start + 1, len(grid)) if not is_blank(grid[i])), len(grid))
        if start == len(grid):
            raise ctx.error("the file has a title but no table")
    return start


def data_block(grid: list[list[object]], ctx: Context) -> tuple[int, list[object], list[tuple[int, list]]]:
    """``(header row number, header, [(row number, cells), ...])``: rows up to the first blank one.

    Row numbers are 1-based as a spreadsheet shows them (the header is usually row 1). Rows below the first
    blank row are a footer (SCB's notes) and are reported, not read.
    """
    start = header_index(grid, ctx)
    header = [cell_text(cell) for cell in grid[start]]
    rows: list[tuple[int, list]] = []
    end = len(grid)
    for i in range(start + 1, len(grid)):
        if is_blank(grid[i]):
            end = i
            break
        cells = list(grid[i]) + [""] * (len(header) - len(grid[i]))
        rows.append((i + 1, cells if len(grid[i]) >= len(header) else _Short(cells)))
    while rows and _is_footer(rows[-1][1], len(header)):
        end = rows.pop()[0] - 1
    footer = sum(not is_blank(row) for row in grid[end:])
    if footer:
        ctx.report.append(f"ignored {footer} footer lines below the data (after row {end})")
    return start + 1, header, rows
