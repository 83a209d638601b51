"""Ojämlikhetsindex: how unevenly the lowest and highest income quintiles live across a region's areas.

Computed here as the dissimilarity index between the lowest (Q1) and highest (Q5) income quintile, on a
0–100 scale: 100 × ½ Σᵢ |q1ᵢ/Q1 − q5ᵢ/Q5| over the areas i (DeSO or RegSO) of the municipality, county or
country. Read it as the share (%) of the low-income group that would have to move for both groups to be
spread alike. What is and is not verified about Segregationsbarometern's own definition: docs/measures.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.measures.counts import group_counts
from indicators.measures.indices import Counts, IndexResult, dissimilarity_between
from indicators.model import LEVELS, InputError

COUNTRY_CODE = "SE"
QUINTILES = "income_quintile"
"""The count indicator whose ``quintile=1..5`` breakdowns the index reads."""


def ojamlikhetsindex(q1: Counts, q5: Counts) -> IndexResult:
    """The index (0–100) for one region and year from Q1 and Q5 counts per area (persons or households)."""
    result = dissimilarity_between(q1, q5)
    return IndexResult(100 * result.value, result.n_areas, result.excluded, result.notes)


def quintile_counts(values: pd.DataFrame, areas: pd.DataFrame) -> tuple[str, pd.DataFrame] | None:
    """The finest level with quintile counts, and its Q1 and Q5 counts per area and year with the areas'
    kommun and län (the input of :func:`ojamlikhet_table`); None when the dataset has no such counts."""
    present = set(values.loc[values["indicator"] == QUINTILES, "level"].astype(str))
    level = next((lv for lv in LEVELS if lv in present), None)
    if level is None:
        return None
    years = sorted(set(values.loc[(values["indicator"] == QUINTILES) & (values["level"] == level), "year"]))
    frames = []
    for year in years:
        counts = group_counts(values, QUINTILES, level, int(year), "quintile")
        if {"1", "5"} <= set(counts.columns):
            frames.append(
                pd.DataFrame(
                    {
                        "code": counts.index,
                        "year": int(year),
                        "q1": counts["1"].to_numpy(),
                        "q5": counts["5"].to_numpy(),
                    }
                )
            )
    if not frames:
        return None
    counts = pd.concat(frames, ignore_index=True)
    parents = areas[areas["level"] == level].set_index("code")
    counts["kommun"] = parents["kommun"].reindex(counts["code"]).to_numpy()
    counts["lan"] = parents["lan"].reindex(counts["code"]).to_numpy()
    return level, counts


def ojamlikhet_table(
    counts: pd.DataFrame,
    by: str | None = "kommun",
    *,
    q1: str = "q1",
    q5: str = "q5",
    code: str = "code",
    year: str = "year",
) -> pd.DataFrame:
    """The index per region (``by``, e.g. ``kommun`` or ``lan``; None = the whole country) and year.

    ``counts`` has one row per fine area and year with the area code, year, Q1 and Q5 counts and the region
    column. Regions are computed over their own fine areas, never from the indices of their parts.
    Returns columns region, year, value, n_areas, excluded, note.
    """
    needed = [code, year, q1, q5] + ([by] if by else [])
    absent = [c for c in needed if c not in counts.columns]
    if absent:
        raise InputError(f"ojämlikhetsindex needs columns {absent}", column=absent[0])
    frame = counts.assign(_region=counts[by].astype(str) if by else COUNTRY_CODE)
    rows = []
    for (region, yr), part in frame.groupby(["_region", year], sort=True):
        part = part.set_index(part[code].astype(str))
        result = ojamlikhetsindex(part[q1], part[q5])
        rows.append(
            {
                "region": region,
                "year": int(yr),
                "value": result.value,
                "n_areas": result.n_areas,
                "excluded": len(result.excluded),
                "note": "; ".join(result.notes),
            }
        )
    columns = ["region", "year", "value", "n_areas", "excluded", "note"]
    return pd.DataFrame(rows, columns=columns)


def trend(
    table: pd.DataFrame, *, region: str = "region", year: str = "year", value: str = "value"
) -> pd.DataFrame:
    """Per region: first and last year with a value, their values, the change, and the least-squares slope
    per year (NaN with fewer than two years). Works on ``ojamlikhet_table`` output or any such table."""
    rows = []
    for name, part in table.dropna(subset=[value]).sort_values(year).groupby(region, sort=True):
        years, values = part[year].to_numpy(dtype=float), part[value].to_numpy(dtype=float)
        slope = float(np.polyfit(years, values, 1)[0]) if len(np.unique(years)) >= 2 else np.nan
        rows.append(
            {
                "region": name,
                "first_year": int(years[0]),
                "last_year": int(years[-1]),
                "first_value": values[0],
                "last_value": values[-1],
                "change": values[-1] - values[0],
                "slope_per_year": slope,
                "n_years": len(years),
            }
        )
    columns = [
        "region",
        "first_year",
        "last_year",
        "first_value",
        "last_value",
        "change",
        "slope_per_year",
        "n_years",
    ]
    return pd.DataFrame(rows, columns=columns)
