"""What every value reader shares: the result type, cell parsing, breakdown labels and the final validation.

Readers turn a file into :class:`Record` rows (raw cells plus where they came from); :func:`finalise` checks
and converts them into the model's value table, so every format validates the same way.

Markers for values that are not numbers (never read as zero):

* ``suppressed``: ``..`` (SCB: too uncertain to publish), ``x``/``X`` (confidential), ``*``, ``…``
* ``missing``: an empty cell, ``.`` (SCB: cannot occur), ``-``, ``–``, ``—`` (nothing to report)
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd

from indicators.importers.codes import code_level, describe_repairs, fits_level, repair_code
from indicators.model import STATUSES, TOTAL, VALUE_COLUMNS, Indicator, InputError, normalise_values

SUPPRESSED_MARKERS = frozenset({"..", "x", "*", "…", "...", "×"})
MISSING_MARKERS = frozenset({"", ".", "-", "–", "—"})
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f']")

DIMENSIONS = {"kon": "sex", "sex": "sex", "gender": "sex", "alder": "age", "age": "age"}
TOTAL_LABELS = frozenset(
    {
        "total",
        "totalt",
        "samtliga",
        "alla",
        "båda könen",
        "män och kvinnor",
        "kvinnor och män",
        "1+2",
        "t",
        "tot",
        "totalt ålder",
        "totalt, samtliga",
        "all",
    }
)
GROUPS = {
    "sex": {
        "män": "male",
        "man": "male",
        "male": "male",
        "m": "male",
        "1": "male",
        "kvinnor": "female",
        "kvinna": "female",
        "female": "female",
        "k": "female",
        "2": "female",
    }
}


@dataclass(frozen=True, eq=False)
class ValueImport:
    """Values of one file, metadata of the indicators found, a report, and rows naming unknown areas."""

    values: pd.DataFrame
    indicators: dict[str, Indicator]
    report: list[str]
    unmatched: tuple[tuple[int, str], ...] = ()
    """``(row, area label)`` of rows whose area matched no loaded area: unmatched names, dropped codes."""


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
    options: Mapping = field(default_factory=dict)
    report: list[str] = field(default_factory=list)
    titles: dict[str, str] = field(default_factory=dict)
    units: dict[str, tuple[str, int]] = field(default_factory=dict)
    unmatched: list[tuple[int, str]] = field(default_factory=list)
    title: str | None = None

    def error(self, message: str, row: int | None = None, column: str | None = None) -> InputError:
        return InputError(message, file=self.file, row=row, column=column)


def slug(text: object) -> str:
    """``"Andel förvärvsarbetande (%)"`` → ``"andel_forvarvsarbetande"``."""
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9-]+", "_", ascii_text.casefold()).strip("_-") or "x"


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
    return int(text) if re.fullmatch(r"\d{4}", text) else None


def group_key(dimension_label: object, group_label: object, group_code: object = None) -> str | None:
    """``dimension=group`` of one group, or None for a total. Known labels (kön: män/kvinnor) are
    translated; other groups are slugs of their code (when given) or label."""
    dimension = DIMENSIONS.get(slug(dimension_label).replace("_", ""), slug(dimension_label))
    texts = [" ".join(str(t).split()).casefold() for t in (group_label, group_code) if t is not None]
    if any(t in TOTAL_LABELS or t.startswith("totalt") for t in texts):
        return None
    known = next((GROUPS[dimension][t] for t in texts if t in GROUPS.get(dimension, {})), None)
    return f"{dimension}={known or slug(group_code if group_code is not None else group_label)}"


def breakdown_of(parts: list[tuple[str, str]]) -> str:
    """The breakdown key of some (dimension label, group label) pairs; totals drop out.

    ``[("Kön", "kvinnor")]`` → ``"sex=female"``; several non-total dimensions are joined with ``;``.
    """
    keys = [key for dimension, group in parts if (key := group_key(dimension, group)) is not None]
    return ";".join(keys) or TOTAL


def long_breakdown(raw: object) -> str:
    """A breakdown cell of a long table: ``sex=female`` as is, ``kvinnor`` → ``sex=female``, blank → total."""
    text = "" if raw is None or (isinstance(raw, float) and math.isnan(raw)) else str(raw).strip()
    if not text or "=" in text or text == TOTAL:
        return text or TOTAL
    for dimension, groups in GROUPS.items():
        if text.casefold() in groups:
            return breakdown_of([(dimension, text)])
    return breakdown_of([("group", text)])


def finalise(records: list[Record], ctx: Context) -> ValueImport:
    """Check and convert the records: codes, years, numbers, known areas, duplicated keys."""
    rows: list[tuple] = []
    repairs: list[tuple[int, str, str]] = []
    low, high = ctx.year_range
    for rec in records:
        code, repaired = repair_code(rec.code, ctx.level)
        if not code:
            raise ctx.error("empty area code", rec.row, rec.code_column)
        level = ctx.level if ctx.level and fits_level(code, ctx.level) else code_level(code)
        if level is None or (ctx.level and level not in (ctx.level, "riket")):
            expected = f"a {ctx.level}" if ctx.level else "an SCB area"
            raise ctx.error(f"{code!r} is not {expected} code", rec.row, rec.code_column)
        if repaired:
            repairs.append((rec.row, str(rec.code), code))
        year = parse_year(rec.year)
        if year is None:
            raise ctx.error(f"{rec.year!r} is not a year", rec.row, rec.year_column)
        if not low <= year <= high:
            raise ctx.error(f"year {year} is outside {low}..{high}", rec.row, rec.year_column)
        parsed = parse_number(rec.value)
        if parsed is None:
            raise ctx.error(
                f"{rec.value!r} is not a number (nor a marker like '..')", rec.row, rec.value_column
            )
        value, status = parsed
        if rec.status in STATUSES and rec.status != "ok":
            status = rec.status
        counts = [parse_number(v) for v in (rec.numerator, rec.denominator)]
        for column, count in zip(("numerator", "denominator"), counts, strict=True):
            if count is None:
                raise ctx.error(f"the {column} is not a number", rec.row, column)
        rows.append(
            (
                rec.indicator,
                level,
                code,
                year,
                rec.breakdown,
                value,
                status,
                counts[0][0],
                counts[1][0],
                rec.row,
            )
        )
    if repairs:
        ctx.report.append(describe_repairs(repairs))
    frame = pd.DataFrame(
        rows,
        columns=[*VALUE_COLUMNS, "_row"],
    )
    frame = _check_known_areas(frame, ctx, records)
    _check_duplicates(frame, ctx)
    values = normalise_values(frame.drop(columns="_row"))
    ctx.report.append(_summary(values))
    return ValueImport(
        values=values, indicators=_indicators(values, ctx), report=ctx.report, unmatched=tuple(ctx.unmatched)
    )


def _check_known_areas(frame: pd.DataFrame, ctx: Context, records: list[Record]) -> pd.DataFrame:
    if ctx.areas is None or frame.empty:
        return frame
    riket = sorted(set(ctx.areas.loc[ctx.areas["level"] == "riket", "code"]))
    is_riket = frame["level"] == "riket"
    if len(riket) == 1 and (frame.loc[is_riket, "code"] != riket[0]).any():
        ctx.report.append(f"the whole country (riket) is written {riket[0]!r} as in the loaded areas")
        frame.loc[is_riket, "code"] = riket[0]
    known = set(zip(ctx.areas["level"], ctx.areas["code"], strict=True))
    present_levels = set(ctx.areas["level"])
    checked = frame["level"].isin(present_levels)
    unchecked = sorted(set(frame.loc[~checked, "level"]))
    if unchecked:
        ctx.report.append(f"levels {unchecked} are not among the loaded areas: their codes were not checked")
    unknown = checked & ~pd.Series(
        [(lv, c) in known for lv, c in zip(frame["level"], frame["code"], strict=True)], index=frame.index
    )
    if not unknown.any():
        return frame
    bad = frame[unknown]
    if ctx.options.get("drop_unknown"):
        ctx.unmatched.extend(
            (int(row), str(code)) for row, code in zip(bad["_row"], bad["code"], strict=True)
        )
        ctx.report.append(
            f"dropped {len(bad)} rows with {bad['code'].nunique()} codes not among the loaded "
            f"areas, e.g. {sorted(set(bad['code']))[:5]}"
        )
        return frame[~unknown]
    first = bad.iloc[0]
    column = next(r.code_column for r in records if r.row == first["_row"])
    others = sorted(set(bad["code"]) - {first["code"]})
    more = f" (and {len(others)} other unknown codes: {others[:5]})" if others else ""
    raise ctx.error(
        f"unknown {first['level']} code {first['code']!r}: not among the loaded areas{more}; "
        "pass --drop-unknown to drop such rows",
        int(first["_row"]),
        column,
    )


def _check_duplicates(frame: pd.DataFrame, ctx: Context) -> None:
    keys = ["indicator", "level", "code", "year", "breakdown"]
    duplicated = frame.duplicated(keys, keep=False)
    if duplicated.any():
        dup = frame[duplicated].sort_values("_row")
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
    for indicator_id in dict.fromkeys(values["indicator"]):
        title = ctx.titles.get(indicator_id, indicator_id)
        unit, decimals = ctx.units.get(indicator_id, ("", 1))
        present = set(values.loc[values["indicator"] == indicator_id, "breakdown"])
        breakdowns = (TOTAL, *sorted(present - {TOTAL})) if TOTAL in present else tuple(sorted(present))
        out[indicator_id] = Indicator(
            id=indicator_id,
            title_sv=title,
            title_en=title,
            unit=unit,
            decimals=decimals,
            source=ctx.file,
            breakdowns=breakdowns,
        )
    return out
