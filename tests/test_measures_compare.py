"""Comparison with municipality and country, ranks within the municipality, change between years."""

import numpy as np
import pandas as pd
import pytest

from indicators.measures import compare as cmp
from indicators.model import InputError

VALUES = pd.Series({"a": 10.0, "b": 20.0, "c": 20.0, "d": np.nan, "e": 5.0})
KOMMUN = pd.Series({"a": "0180", "b": "0180", "c": "0180", "d": "0180", "e": "1480"})


def test_rank_within_municipality_min_ties_and_missing():
    ranks = cmp.rank_within(VALUES, KOMMUN, "higher_worse")
    assert ranks["rank"].tolist() == [3, 1, 1, pd.NA, 1]
    assert ranks.loc["a", "n_ranked"] == 3 and ranks.loc["e", "n_ranked"] == 1
    assert set(ranks["rank_1_is"]) == {"worst"}
    assert cmp.rank_within(VALUES, KOMMUN, "higher_better")["rank_1_is"].iloc[0] == "best"
    with pytest.raises(InputError):
        cmp.rank_within(VALUES, KOMMUN, "up")


def test_compare_with_municipality_and_country():
    out = cmp.compare_with_references(VALUES, KOMMUN, {"0180": 16.0, "1480": 0.0}, 8.0, "higher_better")
    assert out.loc["a", "diff_region"] == pytest.approx(-6.0)
    assert out.loc["a", "ratio_region"] == pytest.approx(10 / 16)
    assert out.loc["b", "diff_national"] == pytest.approx(12.0)
    assert out.loc["b", "ratio_national"] == pytest.approx(2.5)
    assert np.isnan(out.loc["e", "ratio_region"])  # reference 0: no ratio, not infinity
    assert np.isnan(out.loc["d", "diff_region"]) and pd.isna(out.loc["d", "rank"])
    assert out.loc["a", "rank"] == 3 and out.loc["a", "rank_1_is"] == "best"


def test_change_between_years_share_is_percentage_points():
    out = cmp.change_between({"a": 10.0, "b": 0.0, "c": np.nan}, {"a": 15.0, "b": 3.0, "c": 4.0}, "share")
    assert out.loc["a", "absolute"] == 5.0 and out.loc["a", "relative"] == 5.0
    assert set(out["relative_unit"]) == {"percentage points"}
    assert np.isnan(out.loc["c", "absolute"])
    fractions = cmp.change_between({"a": 0.10}, {"a": 0.15}, "share", share_scale=1.0)
    assert fractions.loc["a", "relative"] == pytest.approx(5.0)


def test_change_between_years_other_kinds_is_percent():
    out = cmp.change_between({"a": 200.0, "b": 0.0}, {"a": 250.0, "b": 10.0}, "median")
    assert out.loc["a", "absolute"] == 50.0 and out.loc["a", "relative"] == pytest.approx(25.0)
    assert np.isnan(out.loc["b", "relative"]) and set(out["relative_unit"]) == {"percent"}
