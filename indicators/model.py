"""The data model every part shares: areas, indicators, values, and the dataset that holds them.

A dataset is immutable. Areas of every level live in one GeoDataFrame; values of every indicator live in one
long-form DataFrame. Counts by group (residents by birth region, households by income quintile) are values
too: indicators of kind ``count`` whose breakdowns name the groups.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from indicators.memo import MEMO

LEVELS: tuple[str, ...] = ("deso", "regso", "kommun", "lan", "riket")
"""Statistical levels, finest first."""

_MEMO_TOKENS = itertools.count()

STATUSES: tuple[str, ...] = ("ok", "missing", "suppressed")
"""A value is ``ok`` (a number), ``missing`` (not published) or ``suppressed`` (too few persons)."""

AREA_COLUMNS: tuple[str, ...] = ("code", "name", "level", "kommun", "lan", "regso")
"""Columns of the area table besides ``geometry``. Parent codes are empty strings where unknown."""

VALUE_COLUMNS: tuple[str, ...] = (
    "indicator",
    "level",
    "code",
    "year",
    "breakdown",
    "value",
    "status",
    "numerator",
    "denominator",
)
"""Columns of the long value table. ``value`` is NaN unless ``status`` is ``ok``; numerator and denominator
are NaN where the source has no counts."""

DERIVED_FLAG = "derived"
"""The value table's flag column (after VALUE_COLUMNS) marking rows Barometer computed when a version was
built (coarser levels aggregated from finer ones, områdestyper) rather than imported. A dataset's table
always has it; an importer's table may leave it out (normalise_values keeps it when present)."""

TOTAL = "total"
"""The breakdown of a value for everyone; others read ``dimension=group``, e.g. ``sex=female``."""

_COUNT_CHUNK = 1 << 20
"""Rows per pass when counting over the whole value table (bounds the temporaries of a count)."""

Direction = Literal["higher_better", "higher_worse", "neutral"]
Kind = Literal["share", "median", "mean", "rate", "count", "index", "category"]

CODE_PATTERNS: dict[str, re.Pattern[str]] = {
    "deso": re.compile(r"^\d{4}[A-C]\d{4}$"),
    "regso": re.compile(r"^\d{4}R\d{3}$"),
    "kommun": re.compile(r"^\d{4}$"),
    "lan": re.compile(r"^\d{2}$"),
    "riket": re.compile(r"^(SE|00)$"),
}
"""SCB's code shapes per level: DeSO ``0180C1090``, RegSO ``0180R001``, kommun ``0180``, län ``01``."""


class BarometerError(Exception):
    """Base of every error the project raises on bad input."""


class InputError(BarometerError):
    """Bad input data: names the file and, where known, the row and column."""

    def __init__(
        self, message: str, *, file: str | None = None, row: int | None = None, column: str | None = None
    ) -> None:
        self.message, self.file, self.row, self.column = message, file, row, column
        where = ", ".join(
            part
            for part in (
                file and f"file {file}",
                row is not None and f"row {row}",
                column and f"column {column!r}",
            )
            if part
        )
        super().__init__(f"{where}: {message}" if where else message)


class ParameterError(BarometerError):
    """A request or option with a bad value; ``parameter`` names it for the client."""

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter, self.message = parameter, message
        super().__init__(f"{parameter}: {message}")


class NotFoundError(ParameterError):
    """A request for something that does not exist: an unknown level, year, indicator or tile."""


def level_of_code(code: str) -> str | None:
    """The level an SCB code belongs to, or None when it has no known shape."""
    if CODE_PATTERNS["riket"].match(code):
        return "riket"
    return next((level for level, pattern in CODE_PATTERNS.items() if pattern.match(code)), None)


def breakdown_key(dimension: str, group: str) -> str:
    """``breakdown_key("sex", "female") == "sex=female"``."""
    return f"{dimension}={group}"


def split_breakdown(breakdown: str) -> tuple[str, str]:
    """``("sex", "female")`` for ``"sex=female"``; ``("total", "total")`` for the total."""
    dimension, _, group = breakdown.partition("=")
    return (dimension, group) if group else (TOTAL, TOTAL)


@dataclass(frozen=True)
class Indicator:
    """Metadata of one indicator. ``id`` is a stable slug used in URLs, tile properties and files."""

    id: str
    title_sv: str
    title_en: str
    unit: str = ""
    domain: str = "other"
    direction: Direction = "neutral"
    decimals: int = 1
    kind: Kind = "share"
    source: str = ""
    description_sv: str = ""
    description_en: str = ""
    breakdowns: tuple[str, ...] = (TOTAL,)

    def title(self, lang: str = "sv") -> str:
        return self.title_en if lang == "en" else self.title_sv

    def to_json(self) -> dict:
        return {**asdict(self), "breakdowns": list(self.breakdowns)}

    @classmethod
    def from_json(cls, data: Mapping) -> Indicator:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: (tuple(v) if k == "breakdowns" else v) for k, v in data.items() if k in known})


def empty_values() -> pd.DataFrame:
    """A value table with no rows and the right dtypes."""
    return normalise_values(pd.DataFrame({c: [] for c in VALUE_COLUMNS}))


def normalise_values(frame: pd.DataFrame) -> pd.DataFrame:
    """The value table with canonical dtypes, column order and the ok/NaN invariant enforced.

    A table that already is canonical (as a stored version is) comes back as it is, without a copy. The
    ``derived`` flag is kept (False where unset) when the frame has it.
    """
    if _is_canonical(frame):
        return frame
    out = frame.reindex(columns=_columns(frame))
    if DERIVED_FLAG in out.columns:
        out[DERIVED_FLAG] = out[DERIVED_FLAG].astype("boolean").fillna(False).astype(bool)
    for column in ("indicator", "level", "code", "breakdown"):
        out[column] = _category(out[column])  # a few bytes a row instead of a string: tables run to millions
    if out["breakdown"].cat.categories.isin(["", "nan"]).any():
        out["breakdown"] = _category(out["breakdown"].astype(str).replace({"": TOTAL, "nan": TOTAL}))
    out["year"] = pd.to_numeric(out["year"]).astype("int16")
    for column in ("value", "numerator", "denominator"):
        out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
    # Status codes: 0 ok, 1 missing, 2 suppressed. Absent: by the value; ok without a value: missing.
    status = out["status"]
    if not (isinstance(status.dtype, pd.CategoricalDtype) and list(status.cat.categories) == list(STATUSES)):
        status = pd.Categorical(status, categories=list(STATUSES))
    codes = np.array(pd.Categorical(status).codes, dtype=np.int8)
    has_value = out["value"].notna().to_numpy()
    codes[codes < 0] = np.where(has_value[codes < 0], 0, 1)
    codes[(codes == 0) & ~has_value] = 1
    out["status"] = pd.Categorical.from_codes(codes, categories=list(STATUSES))
    out["value"] = out["value"].where(codes == 0)
    return out.reset_index(drop=True)


def text_categories(values: pd.Categorical) -> pd.Categorical:
    """The categorical with its categories as the ``str`` dtype (what joining categoricals needs)."""
    if values.categories.dtype == "str":
        return values
    return pd.Categorical.from_codes(values.codes, categories=values.categories.astype("str"))


def concat_values(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Value tables stacked into one normalised table, their categories united: a big table and a few new
    rows are joined without turning millions of category codes back into strings (a Python object per row
    of tables that run to millions)."""
    tables = [normalise_values(frame) for frame in frames if len(frame)]
    if not tables:
        return empty_values()
    if any(DERIVED_FLAG in t.columns for t in tables):
        tables = [t if DERIVED_FLAG in t.columns else t.assign(**{DERIVED_FLAG: False}) for t in tables]
    if len(tables) == 1:
        return tables[0]
    columns = {}
    for column in tables[0].columns:
        parts = [t[column] for t in tables]
        if isinstance(parts[0].dtype, pd.CategoricalDtype):
            columns[column] = union_categoricals([text_categories(p.array) for p in parts], ignore_order=True)
        else:
            columns[column] = np.concatenate([p.to_numpy() for p in parts])
    return normalise_values(pd.DataFrame(columns, copy=False))


def _columns(frame: pd.DataFrame) -> list[str]:
    return [*VALUE_COLUMNS, DERIVED_FLAG] if DERIVED_FLAG in frame.columns else list(VALUE_COLUMNS)


def _is_canonical(frame: pd.DataFrame) -> bool:
    if list(frame.columns) != _columns(frame) or not isinstance(frame.index, pd.RangeIndex):
        return False
    if DERIVED_FLAG in frame.columns and frame[DERIVED_FLAG].dtype != bool:
        return False
    dtypes = frame.dtypes
    keys = ("indicator", "level", "code", "breakdown", "status")
    if not all(isinstance(dtypes[c], pd.CategoricalDtype) for c in keys):
        return False
    if (
        list(frame["status"].cat.categories) != list(STATUSES)
        or frame["breakdown"].cat.categories.isin(["", "nan"]).any()
    ):
        return False
    if dtypes["year"] != np.int16 or any(
        dtypes[c] != np.float64 for c in ("value", "numerator", "denominator")
    ):
        return False
    codes = frame["status"].cat.codes.to_numpy()
    has_value = frame["value"].notna().to_numpy()
    return bool(((codes == 0) == has_value).all())


def _category(series: pd.Series) -> pd.Series:
    """Strings as a categorical column; one that already is (read from Parquet, say) stays as it is."""
    if isinstance(series.dtype, pd.CategoricalDtype) and series.cat.categories.dtype != object:
        return series
    return series.astype(str).astype("category")


def empty_areas(crs: str = "EPSG:3006") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: pd.Series([], dtype=str) for c in AREA_COLUMNS}, geometry=[], crs=crs)


@dataclass(frozen=True, eq=False)
class Dataset:
    """One immutable dataset version: areas of every level, the indicator catalog and the values."""

    version: str
    areas: gpd.GeoDataFrame
    values: pd.DataFrame
    indicators: Mapping[str, Indicator]
    meta: Mapping = field(default_factory=dict)
    folder: Path | None = None
    """Where a stored version's files are (data.store); None for a dataset made in memory."""
    geometry_source: Callable[[str], gpd.GeoSeries] | None = None
    """For a version read to be served: ``areas`` has no geometry (tiles come from the prepared geometry
    stored with it) and this reads a level's from its file when an export or image needs it."""

    @property
    def attribution(self) -> str:
        """The line that credits the data: the dataset's own (a recipe's, the demo's), else ``Barometer``."""
        return str(self.meta.get("attribution") or "Barometer")

    @cached_property
    def levels(self) -> tuple[str, ...]:
        present = set(self.areas["level"])
        return tuple(level for level in LEVELS if level in present)

    def area_frame(self, level: str) -> gpd.GeoDataFrame:
        """The areas of one level, indexed by code; their geometry where the dataset holds it (a version
        read to be served does not: ``area_geometry`` reads it)."""
        return self._areas_by_level[level]

    def area_geometry(self, level: str) -> gpd.GeoDataFrame:
        """The areas of one level with their geometry in the source CRS, indexed by code."""
        frame = self.area_frame(level)
        if self.geometry_source is None:
            return frame
        return frame.set_geometry(self.geometry_source(level).reindex(frame.index))

    @cached_property
    def _areas_by_level(self) -> dict[str, gpd.GeoDataFrame]:
        return {
            level: frame.set_index("code", drop=False).sort_index()
            for level, frame in self.areas.groupby("level", sort=False)
        }

    @cached_property
    def years(self) -> tuple[int, ...]:
        return tuple(sorted(int(y) for y in self.values["year"].unique()))

    def years_of(self, level: str) -> tuple[int, ...]:
        """The years with values at a level (asked on every request: answered from an index)."""
        return self._years_by_level.get(level, ())

    @cached_property
    def _years_by_level(self) -> dict[str, tuple[int, ...]]:
        """(level, year) pairs counted in one pass over the table; no index of row positions is kept."""
        if self.values.empty:
            return {}
        levels = self.values["level"].cat
        codes, year = levels.codes.to_numpy(), self.values["year"].to_numpy()
        first = int(year.min())
        span = int(year.max()) - first + 1
        pairs = np.zeros(len(levels.categories) * span, dtype=np.int64)
        for start in range(0, len(year), _COUNT_CHUNK):  # in chunks: no table-sized int64 temporaries
            chunk = slice(start, start + _COUNT_CHUNK)
            key = codes[chunk].astype(np.int64) * span + (year[chunk].astype(np.int64) - first)
            pairs += np.bincount(key, minlength=len(pairs))
        found: dict[str, tuple[int, ...]] = {}
        for pair in np.flatnonzero(pairs).tolist():
            level = str(levels.categories[pair // span])
            found[level] = (*found.get(level, ()), first + pair % span)
        return found

    @cached_property
    def municipalities(self) -> pd.DataFrame:
        """Code and name of every municipality that has areas, from the kommun level or the parent codes."""
        if "kommun" in self.levels:
            frame = self.area_frame("kommun")[["code", "name", "lan"]]
            return frame.reset_index(drop=True)
        codes = sorted({c for c in self.areas["kommun"] if c})
        names = self.meta.get("kommun_names", {})
        return pd.DataFrame(
            {"code": codes, "name": [names.get(c, c) for c in codes], "lan": [c[:2] for c in codes]}
        )

    @cached_property
    def breakdowns(self) -> dict[str, tuple[str, ...]]:
        """Per indicator, the breakdowns that have at least one value: total first, then in the order the
        indicator lists them, then any other sorted (counted over category codes, no copy of the table)."""
        v = self.values
        if v.empty:
            return {}
        indicators, breakdowns = v["indicator"].cat.categories, v["breakdown"].cat.categories
        status, ind_codes, bd_codes = (
            v[c].cat.codes.to_numpy() for c in ("status", "indicator", "breakdown")
        )
        present = np.zeros(len(indicators) * len(breakdowns), dtype=bool)
        for start in range(0, len(v), _COUNT_CHUNK):  # in chunks: no table-sized int64 temporaries
            chunk = slice(start, start + _COUNT_CHUNK)
            ok = status[chunk] == 0
            key = ind_codes[chunk][ok].astype(np.int64) * len(breakdowns) + bd_codes[chunk][ok]
            present |= np.bincount(key, minlength=len(present)) > 0
        found: dict[str, tuple[str, ...]] = {}
        for pair in np.flatnonzero(present).tolist():
            ind = str(indicators[pair // len(breakdowns)])
            found[ind] = (*found.get(ind, ()), str(breakdowns[pair % len(breakdowns)]))
        for ind, names in found.items():
            listed = self.indicators[ind].breakdowns if ind in self.indicators else ()
            order = {b: i for i, b in enumerate((TOTAL, *listed))}
            found[ind] = tuple(sorted(names, key=lambda b: (order.get(b, len(order)), b)))
        return found

    def default_breakdown(self, indicator: str) -> str:
        """``total`` where the indicator has it, else its first breakdown with data."""
        return next(iter(self.breakdowns.get(indicator, ())), TOTAL)

    def wide(self, level: str, year: int, breakdown: str = TOTAL) -> pd.DataFrame:
        """Values of one level, year and breakdown: one row per area code, one column per indicator
        (kept in the worker's memo, bounded by its byte budget)."""
        return MEMO.get_or_create(
            (self.memo_token, "wide", level, int(year), breakdown),
            lambda: self._wide(level, int(year), breakdown),
        )

    def _wide(self, level: str, year: int, breakdown: str) -> pd.DataFrame:
        if year not in self.years_of(level):
            return pd.DataFrame(index=pd.Index([], name="code"))
        v = self.values
        rows = v[(v["level"] == level) & (v["year"] == year) & (v["breakdown"] == breakdown)]
        return rows.pivot_table(
            index="code", columns="indicator", values="value", aggfunc="first", dropna=False, observed=True
        )

    @cached_property
    def memo_token(self) -> int:
        """This object's prefix of memo keys (not the version: two objects may share one in tests, and a key
        must not keep a dataset alive)."""
        return next(_MEMO_TOKENS)

    @cached_property
    def all_breakdowns(self) -> tuple[str, ...]:
        """Every breakdown with values of any indicator, ``total`` first."""
        found = {b for names in self.breakdowns.values() for b in names}
        return (TOTAL, *sorted(found - {TOTAL}))

    def series(
        self, indicator: str, level: str, codes: list[str] | None = None, breakdown: str = TOTAL
    ) -> pd.DataFrame:
        """Long rows of one indicator over all years, optionally for some areas only."""
        v = self.values
        mask = (v["indicator"] == indicator) & (v["level"] == level) & (v["breakdown"] == breakdown)
        if codes is not None:
            mask &= v["code"].isin(codes)
        return v[mask].sort_values(["code", "year"])
