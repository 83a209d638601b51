"""Compare each area with its municipality and the country, rank it within its municipality, and measure
its change between two years. Missing values stay missing (NaN) throughout; they are never ranked."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from indicators.model import Direction, InputError, Kind

RANK_1_MEANS: dict[str, str] = {"higher_better": "best", "higher_worse": "worst", "neutral": "highest"}
"""What rank 1 (the highest value) means for an indicator of each direction."""


def _series(values: pd.Series | Mapping, name: str) -> pd.Series:
    series = pd.Series(values) if isinstance(values, Mapping) else values
    return (
        pd.to_numeric(series, errors="coerce").astype(float).set_axis(series.index.astype(str)).rename(name)
    )


def _ratio(a: pd.Series, b: pd.Series | float) -> pd.Series:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = a / b
    return out.where(np.isfinite(out))


def rank_within(
    values: pd.Series, region_of: pd.Series | Mapping[str, str], direction: Direction = "neutral"
) -> pd.DataFrame:
    """Rank per area within its region: 1 = highest value, ties share the lowest rank ('min').

    Columns ``rank`` (nullable Int64, <NA> for missing values), ``n_ranked`` (areas with a value in the
    region) and ``rank_1_is`` ("best", "worst" or "highest", from ``direction``)."""
    if direction not in RANK_1_MEANS:
        raise InputError(f"unknown direction {direction!r}")
    value = _series(values, "value")
    region = pd.Series(region_of) if isinstance(region_of, Mapping) else region_of
    region = region.set_axis(region.index.astype(str)).reindex(value.index)
    frame = pd.DataFrame({"value": value, "region": region})
    ranks = frame.groupby("region")["value"].rank(method="min", ascending=False)
    return pd.DataFrame(
        {
            "rank": ranks.round().astype("Int64"),
            "n_ranked": frame.groupby("region")["value"].transform("count").astype("Int64"),
            "rank_1_is": RANK_1_MEANS[direction],
        },
        index=value.index,
    )


def compare_with_references(
    values: pd.Series | Mapping,
    region_of: pd.Series | Mapping[str, str],
    region_values: pd.Series | Mapping,
    national_value: float,
    direction: Direction = "neutral",
) -> pd.DataFrame:
    """Per area: the value, its region's (municipality's) value and the national value, differences
    (value − reference) and ratios (value / reference; NaN when the reference is 0 or missing), and the rank
    within the region (see ``rank_within``)."""
    value = _series(values, "value")
    region = pd.Series(region_of) if isinstance(region_of, Mapping) else region_of
    region = region.set_axis(region.index.astype(str)).reindex(value.index).astype(object)
    by_region = _series(region_values, "region_value")
    region_value = pd.Series(by_region.reindex(region.astype(str)).to_numpy(), index=value.index)
    region_value[region.isna().to_numpy()] = np.nan
    national = float(national_value) if national_value is not None else np.nan
    out = pd.DataFrame(
        {
            "value": value,
            "region": region,
            "region_value": region_value,
            "diff_region": value - region_value,
            "ratio_region": _ratio(value, region_value),
            "national_value": national,
            "diff_national": value - national,
            "ratio_national": _ratio(value, national) if national else np.nan,
        },
        index=value.index,
    )
    return out.join(rank_within(value, region.dropna(), direction))


def change_between(
    start: pd.Series | Mapping, end: pd.Series | Mapping, kind: Kind = "share", share_scale: float = 100.0
) -> pd.DataFrame:
    """Change per area from a start year's values to an end year's values.

    ``absolute`` = end − start in the indicator's unit. ``relative`` is in percentage points for shares
    (``share_scale`` is 100 for shares stored as 0–100, 1 for fractions) and in percent of the start value
    for every other kind (NaN when the start is 0). ``relative_unit`` says which.
    """
    a, b = _series(start, "start"), _series(end, "end")
    frame = pd.concat([a, b], axis=1)
    absolute = frame["end"] - frame["start"]
    if kind == "share":
        relative, unit = absolute * (100.0 / share_scale), "percentage points"
    else:
        relative, unit = 100 * _ratio(absolute, frame["start"].where(frame["start"] != 0)), "percent"
    return frame.assign(absolute=absolute, relative=relative, relative_unit=unit)
