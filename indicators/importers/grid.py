"""CSV and XLSX files as a grid of cells (a list of rows), before any meaning is given to the cells.

CSV: UTF-8 with or without BOM, else Windows-1252 (Latin-1, as Swedish Excel exports); the separator (``;``,
``,`` or tab) is sniffed from the first lines. XLSX: the first sheet or a named one; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from pathlib import Path

from indicators.importers.common import Context

SEPARATORS = (";", "\t", ",")


def decode(data: bytes, ctx: Context) -> str:
    """The text of a CSV file: UTF-8 (BOM or not) when it decodes, else Windows-1252, else Latin-1."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        ctx.report.append("not UTF-8: read as Windows-1252 (Latin-1)")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
        ctx.report.append("not UTF-8: read as Latin-1 (ISO-8859-1)")
    return text


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


def read_csv_grid(path: Path, ctx: Context) -> list[list[object]]:
    try:
        text = decode(path.read_bytes(), ctx)
    except OSError as exc:
        raise ctx.error(f"cannot read: {exc}") from exc
    separator = ctx.options.get("sep") or sniff_separator(text)
    ctx.report.append(f"CSV separated by {separator!r}")
    return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator)]


def read_xlsx_grid(path: Path, ctx: Context) -> list[list[object]]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken or non-xlsx file
        raise ctx.error(f"cannot read as an Excel workbook (.xlsx): {exc}") from exc
    try:
        sheet_name = ctx.options.get("sheet")
        if sheet_name is not None and sheet_name not in book.sheetnames:
            raise ctx.error(f"no sheet {sheet_name!r}; the workbook has {book.sheetnames}")
        sheet = book[sheet_name] if sheet_name is not None else book.worksheets[0]
        if sheet_name is None and len(book.sheetnames) > 1:
            ctx.report.append(
                f"read the first sheet {sheet.title!r} of {book.sheetnames} (choose with sheet=)"
            )
        return [["" if cell is None else cell for cell in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def cell_text(cell: object) -> str:
    """A header cell as text: Excel's 2022.0 as ``2022``."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def is_blank(row: list[object]) -> bool:
    return all(cell is None or str(cell).strip() == "" for cell in row)


def data_block(grid: list[list[object]], ctx: Context) -> tuple[int, list[object], list[tuple[int, list]]]:
    """``(header row number, header, [(row number, cells), ...])``: rows up to the first blank one.

    Row numbers are 1-based as a spreadsheet shows them (the header is usually row 1). Rows below the first
    blank row are a footer (SCB's notes) and are reported, not read.
    """
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
    header = [cell_text(cell) for cell in grid[start]]
    rows: list[tuple[int, list]] = []
    end = len(grid)
    for i in range(start + 1, len(grid)):
        if is_blank(grid[i]):
            end = i
            break
        cells = list(grid[i]) + [""] * (len(header) - len(grid[i]))
        rows.append((i + 1, cells))
    footer = sum(not is_blank(row) for row in grid[end:])
    if footer:
        ctx.report.append(f"ignored {footer} footer lines below the data (after row {end})")
    return start + 1, header, rows
