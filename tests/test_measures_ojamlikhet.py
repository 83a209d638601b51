"""Ojämlikhetsindex: 100 × dissimilarity between Q1 and Q5, per region and year, and its trend."""

import numpy as np
import pandas as pd
import pytest

from indicators.measures import ojamlikhet as oj
from indicators.model import InputError


def test_index_by_hand():
    # Q1 shares 0.6, 0.4, 0; Q5 shares 0.1, 0.3, 0.6 → ½(0.5 + 0.1 + 0.6) = 0.6 → 60.
    q1 = pd.Series([60.0, 40.0, 0.0], index=["a", "b", "c"])
    q5 = pd.Series([10.0, 30.0, 60.0], index=["a", "b", "c"])
    result = oj.ojamlikhetsindex(q1, q5)
    assert result.value == pytest.approx(60.0)
    assert result.n_areas == 3


def test_even_spread_is_zero_and_full_separation_is_hundred():
    assert oj.ojamlikhetsindex([10.0, 20.0], [5.0, 10.0]).value == pytest.approx(0.0)
    assert oj.ojamlikhetsindex([10.0, 0.0], [0.0, 7.0]).value == pytest.approx(100.0)


def test_missing_quintile_is_undefined_or_left_out():
    assert np.isnan(oj.ojamlikhetsindex([0.0, 0.0], [3.0, 4.0]).value)
    partial = oj.ojamlikhetsindex(pd.Series({"a": 1.0, "b": np.nan}), pd.Series({"a": 1.0, "b": 2.0}))
    assert partial.excluded == ("b",) and partial.value == pytest.approx(0.0)


def _counts() -> pd.DataFrame:
    rows = []
    for year, s in ((2019, 0.0), (2020, 10.0), (2021, 20.0)):
        for code, q1, q5 in (
            ("0180C0001", 50 + s, 50 - s),
            ("0180C0002", 50 - s, 50 + s),
            ("0181C0001", 30, 10),
            ("0181C0002", 30, 30),
        ):
            rows.append({"code": code, "year": year, "kommun": code[:4], "lan": "01", "q1": q1, "q5": q5})
    return pd.DataFrame(rows)


def test_table_per_municipality_county_and_country():
    counts = _counts()
    kommun = oj.ojamlikhet_table(counts, "kommun").set_index(["region", "year"])
    # 0180 in 2020: Q1 60/40 of 100, Q5 40/60 → ½(0.2 + 0.2) = 0.2 → 20
    assert kommun.loc[("0180", 2020), "value"] == pytest.approx(20.0)
    assert kommun.loc[("0180", 2019), "value"] == pytest.approx(0.0)
    # 0181: Q1 30/30 of 60, Q5 10/30 of 40 → ½(|0.5 − 0.25| + |0.5 − 0.75|) = 0.25 → 25
    assert kommun.loc[("0181", 2021), "value"] == pytest.approx(25.0)
    county = oj.ojamlikhet_table(counts, "lan").set_index(["region", "year"])
    # the county is computed over its four areas, not from the municipalities' indices (2019):
    # Q1 50,50,30,30 of 160; Q5 50,50,10,30 of 140
    q1, q5 = np.array([50, 50, 30, 30]) / 160, np.array([50, 50, 10, 30]) / 140
    assert county.loc[("01", 2019), "value"] == pytest.approx(50 * np.abs(q1 - q5).sum())
    country = oj.ojamlikhet_table(counts, None)
    assert set(country["region"]) == {"SE"} and country["n_areas"].tolist() == [4, 4, 4]
    with pytest.raises(InputError):
        oj.ojamlikhet_table(counts.drop(columns="q5"))


def test_trend():
    table = oj.ojamlikhet_table(_counts(), "kommun")
    out = oj.trend(table).set_index("region")
    assert out.loc["0180", "change"] == pytest.approx(40.0)  # 0 → 20 → 40
    assert out.loc["0180", "slope_per_year"] == pytest.approx(20.0)
    assert out.loc["0181", "slope_per_year"] == pytest.approx(0.0, abs=1e-9)
    assert (out.loc["0180", "first_year"], out.loc["0180", "last_year"], out.loc["0180", "n_years"]) == (
        2019,
        2021,
        3,
    )
    single = oj.trend(pd.DataFrame({"region": ["x"], "year": [2020], "value": [3.0]}))
    assert np.isnan(single.loc[0, "slope_per_year"]) and single.loc[0, "change"] == 0.0
