"""What every value reader shares: the result type, cell parsing and the one validation of every value.

Readers turn a file into batches of cells (a DataFrame per batch, :data:`CELL_COLUMNS`: raw cells plus the
row and columns they came from); :func:`finalise` checks and converts the batches into the model's value
table, column by column (codes, years and indicators once per distinct cell), so every format, small or
streamed, validates the same way and every error names file, row and column.

Markers for values that are not numbers (never read as zero):

* ``suppressed``: ``..`` (SCB: too uncertain to publish), ``x``/``X`` (confidential), ``*``, ``…``
* ``missing``: an empty cell, ``.`` (SCB: cannot occur), ``-``, ``–``, ``—`` (nothing to report)

Infinities (``1e999``, ``inf``) and ``NaN`` written as text are errors, as are shares outside 0..100 and
negative rates when the indicator's kind is known.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from indicators import dimensions
from indicators.importers.codes import (
    code_level,
    code_text,
    describe_repairs,
    excel_number,
    fits_level,
    repair_code,
)
from indicators.model import (
    STATUSES,
    TOTAL,
    VALUE_COLUMNS,
    Indicator,
    InputError,
    normalise_values,
    text_categories,
)

SUPPRESSED_MARKERS = frozenset({"..", "x", "*", "…", "...", "×"})
MISSING_MARKERS = frozenset({"", ".", "-", "–", "—"})
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f']")
_STATUS_CODES = {status: i for i, status in enumerate(STATUSES)}
RANGES: Mapping[str, tuple[float, float, str]] = {
    "share": (0.0, 100.0, "within 0..100 (percent)"),
    "rate": (0.0, math.inf, "0 or more"),
}
"""Allowed values per indicator kind (other kinds: any finite number)."""

CELL_COLUMNS: tuple[str, ...] = (
    "indicator",
    "code",
    "year",
    "value",
    "breakdown",
    "status",
    "numerator",
    "denominator",
    "_row",
    "_code_column",
    "_year_column",
    "_value_column",
)
"""Columns of a batch of cells as a reader hands them to :func:`finalise`."""

slug = dimensions.slug


class FormulaCell(str):
    """An XLSX formula saved without its result (``=B2/C2``): no value, and an error where it is used."""

    __slots__ = ()


@dataclass(frozen=True, eq=False)
class ValueImport:
    """Values of one file, metadata of the indicators found, a report, and rows naming unknown areas."""

    values: pd.DataFrame
    indicators: dict[str, Indicator]
    report: list[str]
    unmatched: tuple[tuple[int, str], ...] = ()
    """``(row, area label)`` of areas that matched no loaded area: unmatched names, and dropped codes
    (``--drop-unknown``; the first row of each code)."""
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Breakdown key → (Swedish, English) text as the file wrote it, for groups without a built-in label
    (see :func:`indicators.dimensions.breakdown_label`)."""


@dataclass(slots=True)
class Record:
    """One value as read, with the row and columns it came from (for error messages)."""

    indicator: str
    code: object
    year: object
    value: object
    row: int
    breakdown: str = TOTAL
    status: str | None = None
    numerator: object = None
    denominator: object = None
    code_column: str = "code"
    year_column: str = "year"
    value_column: str = "value"


@dataclass
class Context:
    """What a reader knows about the call: the file, the options and the report it appends to."""

    file: str
    areas: gpd.GeoDataFrame | None = None
    level: str | None = None
    indicator: str | None = None
    year_range: tuple[int, int] = (1990, 2100)
    strict: bool = False
    year: int | None = None
    sheet: str | None = None
    drop_unknown: bool = False
    title_hint: str | None = None
    kommun_names: Mapping[str, str] | None = None
    kinds: Mapping[str, str] = field(default_factory=dict)
    columns: Mapping[str, str] = field(default_factory=dict)
    report: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    units: dict[str, tuple[str, int]] = field(default_factory=dict)
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    unmatched: list[tuple[int, str]] = field(default_factory=list)
    title: str | None = None
    sheet_hint: str = ""
    _repairs: list[tuple[int, str, str]] = field(default_factory=list)
    _repaired: int = 0
    _dropped: dict[str, int] = field(default_factory=dict)
    """Codes dropped with ``--drop-unknown`` → the first row that has each."""
    _dropped_rows: int = 0
    _unchecked: set[str] = field(default_factory=set)
    _known: dict[str, frozenset[str]] | None = None
    _riket: str | None = None
    _code_infos: dict[str, tuple[str, str, bool, str | None, bool]] = field(default_factory=dict)

    def error(self, message: str, row: int | None = None, column: str | None = None) -> InputError:
        return InputError(message, file=self.file, row=row, column=column)

    def code_info(self, cell: str) -> tuple[str, str, bool, str | None, bool]:
        """:func:`_code_info` of a distinct area cell, remembered for the next batches."""
        info = self._code_infos.get(cell)
        if info is None:
            info = self._code_infos[cell] = _code_info(cell, self)
        return info

    def known_codes(self) -> dict[str, frozenset[str]]:
        """Codes of the loaded areas per level (empty without areas)."""
        if self._known is None:
            if self.areas is None:
                self._known = {}
            else:
                grouped = self.areas.groupby("level", sort=False)["code"]
                self._known = {str(level): frozenset(codes) for level, codes in grouped}
        return self._known


def parse_number(raw: object) -> tuple[float, str] | None:
    """``(value, status)`` of one cell, or None when it is neither a number nor a known marker.

    Accepts decimal commas, spaces (also non-breaking) as thousands separators, ``1.234,5`` and ``−`` minus.
    """
    if raw is None:
        return math.nan, "missing"
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float | np.number):
        value = float(raw)
        return (math.nan, "missing") if math.isnan(value) else (value, "ok")
    text = _SPACES.sub("", str(raw)).replace("\u2212", "-")
    if text.casefold() in SUPPRESSED_MARKERS:
        return math.nan, "suppressed"
    if text in MISSING_MARKERS:
        return math.nan, "missing"
    if "," in text and "." in text:
        text = (
            text.replace(".", "").replace(",", ".")
            if text.rfind(",") > text.rfind(".")
            else text.replace(",", "")
        )
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    return (float(text), "ok") if _NUMBER.match(text) else None


def parse_year(raw: object) -> int | None:
    if isinstance(raw, int | float | np.number) and not isinstance(raw, bool):
        return int(raw) if float(raw).is_integer() else None
    text = str(raw).strip()
    if re.fullmatch(r"\d{4}(\.0+)?", text):
        return int(float(text))
    return None


def parse_values(cells: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(values, status codes, bad)`` of a column of cells: numbers, texts with decimal commas, markers.

    Plain numbers are converted in one pass; other cells once per distinct text. ``bad`` marks cells that
    are neither numbers nor markers; infinities come back as values (the caller rejects them).
    """
    n = len(cells)
    if cells.dtype.kind == "f":
        values = cells.to_numpy(dtype="float64", copy=True)
        return values, np.where(np.isnan(values), 1, 0).astype(np.int8), np.zeros(n, dtype=bool)
    values = np.array(pd.to_numeric(cells, errors="coerce").to_numpy(dtype="float64", na_value=np.nan))
    status = np.zeros(n, dtype=np.int8)
    bad = np.zeros(n, dtype=bool)
    odd = np.zeros(n, dtype=bool)
    if cells.dtype == object:  # Excel's TRUE and JSON's NaN are no numbers (pandas reads 1 and a blank)
        odd = np.fromiter((isinstance(c, bool) or c != c for c in cells), dtype=bool, count=n)
        values[odd] = np.nan
    rest = np.flatnonzero(np.isnan(values) & ~odd)
    if len(rest):
        codes, uniques = pd.factorize(cells.iloc[rest], use_na_sentinel=False)
        parsed = [parse_number(None if _is_na(u) else u) for u in uniques]
        table_value = np.array([math.nan if p is None else p[0] for p in parsed], dtype="float64")
        table_status = np.array([1 if p is None else _STATUS_CODES[p[1]] for p in parsed], dtype=np.int8)
        table_bad = np.array([p is None for p in parsed], dtype=bool)
        values[rest] = table_value[codes]
        status[rest] = table_status[codes]
        bad[rest] = table_bad[codes]
    bad |= odd
    return values, status, bad


def _is_na(cell: object) -> bool:
    return cell is None or (isinstance(cell, float) and math.isnan(cell)) or cell is pd.NA


def breakdown_of(parts: list[tuple[str, object]], labels: dict[str, tuple[str, str]] | None = None) -> str:
    """The breakdown key of some (dimension label, group label) pairs; totals drop out.

    ``[("Kön", "kvinnor")]`` → ``"sex=female"``; several non-total dimensions are joined with ``;``.
    ``labels`` collects the original text of groups without a built-in label.
    """
    keys = []
    for dimension, group in parts:
        key = dimensions.group_key(dimension, group)
        if key is None:
            continue
        keys.append(key)
        if labels is not None and key not in labels and (text := dimensions.label_of(key, dimension, group)):
            labels[key] = text
    return ";".join(keys) or TOTAL


def long_breakdown(raw: object, labels: dict[str, tuple[str, str]] | None = None) -> str:
    """A breakdown cell of a long table: ``sex=female`` as is, ``kvinnor`` → ``sex=female``,
    ``utrikes född`` → ``background=foreign``, blank → total, other text → ``group=<slug>``."""
    text = "" if _is_na(raw) else str(raw).strip()
    if not text or "=" in text or text == TOTAL:
        return text or TOTAL
    if dimensions.is_total(text):
        return TOTAL
    for dimension in dimensions.DIMENSION_LABELS:
        group = dimensions.group_of(dimension, text)
        if group is not None and dimension not in ("age", "quintile"):
            return f"{dimension}={group}"
    return breakdown_of([("group", text)], labels)


def records_frame(records: list[Record]) -> pd.DataFrame:
    """A batch of cells (:data:`CELL_COLUMNS`) from records."""

    def column(name: str) -> list:
        return [getattr(r, name) for r in records]

    return pd.DataFrame(
        {
            "indicator": pd.Categorical(column("indicator")),
            "code": pd.Categorical([code_text(r.code) for r in records]),
            "year": pd.Categorical([code_text(r.year) for r in records]),
            "value": pd.Series(column("value"), dtype=object),
            "breakdown": pd.Categorical(column("breakdown")),
            "status": pd.Categorical([str(r.status or "").strip().casefold() for r in records]),
            "numerator": pd.Series(column("numerator"), dtype=object),
            "denominator": pd.Series(column("denominator"), dtype=object),
            "_row": np.array(column("row"), dtype=np.int64),
            "_code_column": pd.Categorical(column("code_column")),
            "_year_column": pd.Categorical(column("year_column")),
            "_value_column": pd.Categorical(column("value_column")),
        }
    )


def finalise(batches: Iterable[pd.DataFrame] | list[Record], ctx: Context) -> ValueImport:
    """Check and convert batches of cells (or records): codes, years, numbers, ranges, known areas,
    duplicated keys; the model's value table with a report."""
    if isinstance(batches, list) and (not batches or isinstance(batches[0], Record)):
        batches = [records_frame(batches)]  # type: ignore[arg-type]
    parts = [_check(batch, ctx) for batch in batches if len(batch)]
    frame, rows = _concat(parts)
    del parts
    if ctx._repaired:
        ctx.report.append(describe_repairs(ctx._repairs, count=ctx._repaired))
    if ctx._riket:
        ctx.report.append(f"the whole country (riket) is written {ctx._riket!r} as in the loaded areas")
    if ctx._unchecked:
        ctx.report.append(
            f"levels {sorted(ctx._unchecked)} are not among the loaded areas: their codes were not checked"
        )
    if ctx._dropped_rows:
        examples = sorted(ctx._dropped)[:5]
        ctx.report.append(
            f"dropped {ctx._dropped_rows} rows with codes not among the loaded areas, e.g. {examples}"
        )
        ctx.unmatched.extend(sorted((row, code) for code, row in ctx._dropped.items()))
    _check_duplicates(frame, rows, ctx)
    values = normalise_values(frame)
    ctx.report.append(_summary(values))
    return ValueImport(
        values=values,
        indicators=_indicators(values, ctx),
        report=ctx.report,
        unmatched=tuple(ctx.unmatched),
        labels=dict(ctx.labels),
    )


def _check(batch: pd.DataFrame, ctx: Context) -> dict[str, object]:
    """One batch of cells checked and converted to the columns of value rows (plus ``_row``)."""
    rows = batch["_row"].to_numpy()
    code_index, infos, keep = _check_codes(batch, rows, ctx)
    year = _check_years(batch, ctx)
    value, status, counts = _check_numbers(batch, ctx)
    _check_ranges(batch, value, status, ctx)
    value[status != 0] = np.nan
    code_values, code_uniques = pd.factorize(pd.Index([info[0] for info in infos], dtype=object))
    level_values, level_uniques = pd.factorize(pd.Index([info[1] for info in infos], dtype=object))
    part: dict[str, object] = {
        "indicator": batch["indicator"].astype("category").array,
        "level": pd.Categorical.from_codes(level_values[code_index], categories=level_uniques),
        "code": pd.Categorical.from_codes(code_values[code_index], categories=code_uniques),
        "year": year,
        "breakdown": batch["breakdown"].astype("category").array,
        "value": value,
        "status": pd.Categorical.from_codes(status, categories=list(STATUSES)),
        **counts,
        "_row": rows.astype(np.int32),
    }
    return part if keep.all() else {name: column[keep] for name, column in part.items()}


def _fail(batch: pd.DataFrame, mask: np.ndarray, column: str, message: str, ctx: Context) -> InputError:
    """The error at the first cell of ``mask`` in ``column``; ``{cell}`` in the message is the cell."""
    i = int(np.argmax(mask))
    where = f"_{column}_column"
    return ctx.error(
        message.replace("{cell}", repr(batch[column].iloc[i])),
        int(batch["_row"].iloc[i]),
        str(batch[where].iloc[i]) if where in batch else column,
    )


def _check_codes(batch: pd.DataFrame, rows: np.ndarray, ctx: Context) -> tuple[np.ndarray, list, np.ndarray]:
    """``(category per row, info per category, rows kept)`` of the area codes (see :func:`_code_info`):
    malformed codes and codes of no loaded area are errors (the latter dropped with ``--drop-unknown``)."""
    codes = batch["code"].astype("category")
    code_index = codes.cat.codes.to_numpy()
    infos = [ctx.code_info(str(c)) for c in codes.cat.categories]
    problems = [i for i, info in enumerate(infos) if info[3]]
    if problems:
        mask = np.isin(code_index, problems)
        raise _fail(batch, mask, "code", infos[code_index[np.argmax(mask)]][3] or "", ctx)
    repaired = np.isin(code_index, [i for i, info in enumerate(infos) if info[2]])
    if repaired.any():
        ctx._repaired += int(repaired.sum())
        for i in np.flatnonzero(repaired)[: 5 - len(ctx._repairs)]:
            cell = str(codes.cat.categories[code_index[i]])
            ctx._repairs.append((int(rows[i]), cell, infos[code_index[i]][0]))
    unknown_cats = [i for i, info in enumerate(infos) if info[4]]
    if not unknown_cats:
        return code_index, infos, np.ones(len(batch), dtype=bool)
    unknown = np.isin(code_index, unknown_cats)
    if not ctx.drop_unknown:
        level, first = infos[code_index[np.argmax(unknown)]][1], infos[code_index[np.argmax(unknown)]][0]
        others = sorted({infos[c][0] for c in unknown_cats} - {first})
        more = f" (and {len(others)} other unknown codes: {others[:5]})" if others else ""
        raise _fail(
            batch,
            unknown,
            "code",
            f"unknown {level} code {first!r}: not among the loaded areas{more}; pass --drop-unknown to drop "
            "such rows, or import the areas first",
            ctx,
        )
    ctx._dropped_rows += int(unknown.sum())
    for cat in unknown_cats:
        ctx._dropped.setdefault(infos[cat][0], int(rows[np.argmax(code_index == cat)]))
    return code_index, infos, ~unknown


def _check_years(batch: pd.DataFrame, ctx: Context) -> np.ndarray:
    """The years as int16; cells that are no year, or outside ``ctx.year_range``, are errors."""
    years = batch["year"].astype("category")
    year_index = years.cat.codes.to_numpy()
    parsed = [parse_year(y) for y in years.cat.categories]
    bad = [i for i, y in enumerate(parsed) if y is None]
    if bad:
        raise _fail(batch, np.isin(year_index, bad), "year", "{cell} is not a year", ctx)
    low, high = ctx.year_range
    outside = np.isin(year_index, [i for i, y in enumerate(parsed) if not low <= y <= high])  # type: ignore[operator]
    if outside.any():
        year = parsed[year_index[np.argmax(outside)]]
        raise _fail(batch, outside, "year", f"year {year} is outside {low}..{high}", ctx)
    return np.array(parsed, dtype=np.int16)[year_index] if parsed else np.zeros(0, dtype=np.int16)


def _check_numbers(batch: pd.DataFrame, ctx: Context) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
    """``(values, status codes, {numerator/denominator: counts})``; cells that are no number or marker,
    infinities and XLSX formulas without a stored result are errors."""
    value, status, bad = parse_values(batch["value"])
    if bad.any():
        formula = isinstance(batch["value"].iloc[int(np.argmax(bad))], FormulaCell)
        message = (
            "{cell} is a formula without a stored result (the file was written by a program, not saved by "
            "Excel): open it in Excel or LibreOffice, save it, and import it again"
            if formula
            else "{cell} is not a number (nor a marker like '..')"
        )
        raise _fail(batch, bad, "value", message, ctx)
    if np.isinf(value).any():
        raise _fail(batch, np.isinf(value), "value", "{cell} is not a finite number", ctx)
    if "status" in batch:
        given = batch["status"].astype(str).str.strip().str.casefold().to_numpy()
        for marker in ("missing", "suppressed"):
            status[given == marker] = _STATUS_CODES[marker]
    counts = {}
    for column in ("numerator", "denominator"):
        if column not in batch:
            continue  # absent: NaN, filled in when the parts are joined
        number, _, bad = parse_values(batch[column])
        if bad.any():
            raise _fail(batch, bad, column, f"the {column} " + "{cell} is not a number", ctx)
        if np.isinf(number).any():
            raise _fail(
                batch, np.isinf(number), column, f"the {column} " + "{cell} is not a finite number", ctx
            )
        counts[column] = number
    return value, status, counts


def _code_info(cell: str, ctx: Context) -> tuple[str, str, bool, str | None, bool]:
    """``(code, level, repaired, problem, unknown)`` of one distinct area cell."""
    code, repaired = repair_code(cell, ctx.level)
    if not code:
        return cell, "", False, "empty area code", False
    level = ctx.level if ctx.level and fits_level(code, ctx.level) else code_level(code)
    if level is None or (ctx.level and level not in (ctx.level, "riket")):
        if excel_number(cell):
            return (
                cell,
                "",
                False,
                (
                    f"{cell!r} is a code Excel wrote as a number in scientific notation, so its digits are "
                    "lost: format the code column as text in Excel (or export the file again) and import it"
                ),
                False,
            )
        if ctx.level:
            other = level or code_level(repair_code(cell)[0])
            hint = f" (it is a {other} code: pass --level {other})" if other else ""
            return cell, "", False, f"{code!r} is not a {ctx.level} code{hint}", False
        return (
            cell,
            "",
            False,
            (
                f"{code!r} is not an SCB area code (DeSO 0180C1090, RegSO 0180R001, kommun 0180, län 01, "
                "riket 00); name the level with --level if the codes are short"
            ),
            False,
        )
    known = ctx.known_codes()
    if known:
        if level == "riket" and len(known.get("riket", ())) == 1 and code not in known["riket"]:
            (code,) = known["riket"]
            ctx._riket = code
        if level not in known:
            ctx._unchecked.add(level)
        elif code not in known[level]:
            return code, level, repaired, None, True
    return code, level, repaired, None, False


def _check_ranges(batch: pd.DataFrame, value: np.ndarray, status: np.ndarray, ctx: Context) -> None:
    """Shares outside 0..100 and negative rates are errors, for indicators whose kind is known."""
    if not ctx.kinds:
        return
    indicators = batch["indicator"].astype("category")
    ranged = {
        i: RANGES[kind]
        for i, ident in enumerate(indicators.cat.categories)
        if (kind := ctx.kinds.get(str(ident))) in RANGES
    }
    if not ranged:
        return
    index = indicators.cat.codes.to_numpy()
    ok = status == 0
    for i, (low, high, allowed) in ranged.items():
        outside = ok & (index == i) & ((value < low) | (value > high))
        if outside.any():
            ident = indicators.cat.categories[i]
            raise _fail(
                batch,
                outside,
                "value",
                f"{value[np.argmax(outside)]:g} is not a possible {ctx.kinds[ident]} for {ident!r}: it must "
                f"be {allowed}; fix the value, or give the indicator its real kind with --kind",
                ctx,
            )


def _concat(parts: list[dict[str, object]]) -> tuple[pd.DataFrame, np.ndarray]:
    """The parts as one value table (canonical, see :func:`normalise_values`) and the rows they came from.

    Categorical columns are joined as categories (never as strings); each part's column is released as soon
    as it is joined, so joining needs little more memory than the parts.
    """
    sizes = [len(part["_row"]) for part in parts]  # type: ignore[arg-type]
    columns: dict[str, object] = {}
    for name in (*VALUE_COLUMNS, "_row"):
        pieces = [part.pop(name, None) for part in parts]
        if name in ("indicator", "level", "code", "breakdown", "status"):
            columns[name] = (
                union_categoricals([text_categories(piece) for piece in pieces])
                if pieces
                else pd.Categorical([], categories=list(STATUSES) if name == "status" else [])
            )
        elif name in ("numerator", "denominator"):
            filled = [p if p is not None else np.full(n, np.nan) for p, n in zip(pieces, sizes, strict=True)]
            columns[name] = np.concatenate(filled) if filled else np.zeros(0)
        else:
            dtype = {"year": np.int16, "_row": np.int32}.get(name, np.float64)
            columns[name] = np.concatenate(pieces) if pieces else np.zeros(0, dtype=dtype)
        del pieces
    rows = columns.pop("_row")
    return pd.DataFrame(columns, copy=False), rows  # type: ignore[return-value]


def _check_duplicates(frame: pd.DataFrame, rows: np.ndarray, ctx: Context) -> None:
    """Two values for one (indicator, level, code, year, breakdown) are an error naming both rows.

    The key columns are packed into one integer per row (their category codes) and sorted: no hash table
    of millions of tuples.
    """
    keys = ["indicator", "level", "code", "year", "breakdown"]
    if len(frame) < 2:
        return
    packed = np.zeros(len(frame), dtype=np.int64)
    room = 1
    for name in keys:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):
            codes, width = column.cat.codes.to_numpy().astype(np.int64), len(column.cat.categories)
        else:
            low = int(column.min())
            codes, width = column.to_numpy().astype(np.int64) - low, int(column.max()) - low + 1
        room *= max(width, 1)
        packed *= max(width, 1)
        packed += codes
    if room >= 2**62:  # cannot pack (never for real tables): let pandas find them
        duplicated = frame.duplicated(keys, keep=False).to_numpy()
    else:
        packed.sort()
        if not (packed[1:] == packed[:-1]).any():
            return
        duplicated = frame.duplicated(keys, keep=False).to_numpy()
    if duplicated.any():
        dup = frame[duplicated].assign(_row=rows[duplicated]).sort_values("_row")
        first = dup.iloc[0]
        same = dup[(dup[keys] == first[keys]).all(axis=1)]
        raise ctx.error(
            f"duplicated value for indicator {first['indicator']!r}, area {first['code']}, year "
            f"{first['year']}, breakdown {first['breakdown']!r} (first in row {same['_row'].iloc[0]})",
            int(same["_row"].iloc[1]),
        )


def _summary(values: pd.DataFrame) -> str:
    counts = values["status"].value_counts()
    statuses = ", ".join(f"{counts.get(s, 0)} {s}" for s in STATUSES)
    return (
        f"read {len(values)} values ({statuses}) of {values['indicator'].nunique()} indicators for "
        f"{values['code'].nunique()} areas"
    )


def _indicators(values: pd.DataFrame, ctx: Context) -> dict[str, Indicator]:
    out = {}
    present_by = values.groupby("indicator", observed=True, sort=False)["breakdown"].unique()
    for indicator_id in map(str, pd.unique(values["indicator"])):
        title = ctx.titles.get(indicator_id, indicator_id)
        unit, decimals = ctx.units.get(indicator_id, ("", 1))
        present = {str(b) for b in present_by[indicator_id]}
        breakdowns = (TOTAL, *sorted(present - {TOTAL})) if TOTAL in present else tuple(sorted(present))
        kind = ctx.kinds.get(indicator_id)
        out[indicator_id] = Indicator(
            id=indicator_id,
            title_sv=title,
            title_en=title,
            unit=unit,
            decimals=decimals,
            source=ctx.file,
            breakdowns=breakdowns,
            **({"kind": kind} if kind else {}),  # type: ignore[arg-type]
        )
    return out
