"""Per-area tables of one level and year as maps show them: values, changes since a year, or deviations.

One table serves the tiles (every indicator as a property) and the classification of a map (one column of
it), so that a map's classes and its tiles always agree.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

from indicators.memo import MEMO
from indicators.model import TOTAL, Dataset, NotFoundError, ParameterError

Deviation = Literal["kommun", "riket"]


def map_table(
    dataset: Dataset,
    level: str,
    year: int,
    breakdown: str = TOTAL,
    *,
    since: int | None = None,
    deviation: Deviation | None = None,
) -> pd.DataFrame:
    """Code × indicator: the values, or ``value − value in since``, or ``value − reference value``."""
    if since is not None and deviation is not None:
        raise ParameterError("deviation", "a map shows a change or a deviation, not both")
    table = dataset.wide(level, year, breakdown)
    if since is not None:
        if since not in dataset.years_of(level):
            raise NotFoundError("since", f"no values for {since} at level {level}")
        base = dataset.wide(level, since, breakdown)
        return table.sub(base.reindex(index=table.index, columns=table.columns))
    if deviation is not None:
        return table.sub(_reference(dataset, level, year, breakdown, deviation, table.index))
    return table


def _reference(
    dataset: Dataset, level: str, year: int, breakdown: str, deviation: str, codes: pd.Index
) -> pd.DataFrame:
    if deviation not in ("kommun", "riket"):
        raise ParameterError("deviation", f"is 'kommun' or 'riket', not {deviation!r}")
    if not dataset.years_of(deviation):
        raise NotFoundError("deviation", f"this dataset has no {deviation} level values")
    reference = dataset.wide(deviation, year, breakdown)
    if deviation == "riket":
        row = reference.iloc[0] if len(reference) else pd.Series(dtype=float)
        return pd.DataFrame([row] * len(codes), index=codes)
    parents = dataset.area_frame(level)["kommun"].reindex(codes)
    return reference.reindex(parents.to_numpy()).set_axis(codes)


def suppressed_codes(
    dataset: Dataset, level: str, year: int, breakdown: str = TOTAL
) -> dict[str, tuple[str, ...]]:
    """Per indicator, the area codes whose value is suppressed (too few persons) in that level and year
    (kept in the worker's memo: every legend and map image asks)."""
    return MEMO.get_or_create(
        (dataset.memo_token, "suppressed", level, int(year), breakdown),
        lambda: _suppressed_codes(dataset, level, int(year), breakdown),
    )


def _suppressed_codes(dataset: Dataset, level: str, year: int, breakdown: str) -> dict[str, tuple[str, ...]]:
    v = dataset.values
    rows = v[
        (v["level"] == level)
        & (v["year"] == year)
        & (v["breakdown"] == breakdown)
        & (v["status"] == "suppressed")
    ]
    return {str(k): tuple(g["code"]) for k, g in rows.groupby("indicator", observed=True)}


MAPPED_LEVELS: tuple[str, ...] = ("deso", "regso")
"""Levels the web page maps (the coarser ones are its references)."""


def first_view(dataset: Dataset) -> dict | None:
    """What a map opens on (kommun, level, indicator, year): the dataset's ``default_view`` (meta) as far as
    it has values, the rest filled in with the finest mapped level, the first indicator in catalog order, its
    latest year and the municipality with most areas that have values there (in the indicator's default
    breakdown, which the page picks itself); a category (the områdestyper) only when no other indicator
    has values. None when no mapped level has a value at all."""
    given = dict(dataset.meta.get("default_view") or {})
    levels = [lv for lv in MAPPED_LEVELS if lv in dataset.levels and dataset.years_of(lv)]
    kinds = {key: ind.kind for key, ind in dataset.indicators.items()}
    indicators = sorted(kinds, key=lambda key: kinds[key] == "category")  # types only when nothing else
    for options, key in ((levels, "level"), (indicators, "indicator")):
        if given.get(key) in options:
            options.insert(0, options.pop(options.index(given[key])))
    v = dataset.values
    for level in levels:
        parents = dataset.area_frame(level)["kommun"]
        at_level = (v["level"] == level) & (v["status"] == "ok")  # masks only: no copy of the table
        for indicator in indicators:
            breakdown = dataset.default_breakdown(indicator)
            mask = at_level & (v["indicator"] == indicator) & (v["breakdown"] == breakdown)
            rows = v.loc[mask, ["code", "year"]]
            kommun = parents.reindex(rows["code"].astype(str)).to_numpy()
            counts = pd.Series(1, index=pd.MultiIndex.from_arrays([rows["year"].to_numpy(), kommun]))
            counts = counts[pd.notna(kommun)].groupby(level=[0, 1]).size()
            if counts.empty:
                continue
            years = sorted(set(counts.index.get_level_values(0)))
            year = int(given["year"]) if given.get("year") in years else int(years[-1])
            in_year = counts.xs(year, level=0).sort_index()
            kommun_code = given.get("kommun") if given.get("kommun") in in_year.index else in_year.idxmax()
            return {"kommun": str(kommun_code), "level": level, "indicator": indicator, "year": year}
    return None
