"""Pull group counts for the measures out of the dataset's long value table."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from indicators.model import TOTAL, split_breakdown


def group_counts(
    values: pd.DataFrame,
    indicator: str,
    level: str,
    year: int,
    dimension: str,
    codes: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Counts of one count indicator by the groups of one breakdown dimension: one row per area code, one
    column per group (e.g. ``background=foreign`` → column ``foreign``), plus ``total`` when the table has
    the indicator's total. Missing or suppressed values are NaN, never 0."""
    v = values
    rows = v[(v["indicator"] == indicator) & (v["level"] == level) & (v["year"] == int(year))]
    if codes is not None:
        rows = rows[rows["code"].isin([str(c) for c in codes])]
    parts = rows["breakdown"].map(split_breakdown)
    rows = rows.assign(dimension=parts.str[0], group=parts.str[1])
    rows = rows[(rows["dimension"] == dimension) | (rows["breakdown"] == TOTAL)]
    value = rows["value"].where(rows["status"] == "ok")
    wide = rows.assign(value=value).pivot_table(
        index="code", columns="group", values="value", aggfunc="first", dropna=False, observed=True
    )
    wide.columns.name = None
    return wide
