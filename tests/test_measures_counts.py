"""Extracting group counts from the long value table."""

import numpy as np
import pandas as pd

from indicators.measures.counts import group_counts
from indicators.model import normalise_values


def test_group_counts_pivot_by_dimension_with_missing_kept_missing():
    rows = [
        ("population", "deso", "A", 2022, "total", 100.0, None),
        ("population", "deso", "A", 2022, "background=foreign", 30.0, None),
        ("population", "deso", "A", 2022, "background=swedish", 70.0, None),
        ("population", "deso", "B", 2022, "total", 50.0, None),
        ("population", "deso", "B", 2022, "background=foreign", np.nan, "suppressed"),
        ("population", "deso", "B", 2022, "sex=female", 25.0, None),
        ("population", "deso", "B", 2021, "background=foreign", 9.0, None),
    ]
    values = normalise_values(
        pd.DataFrame(rows, columns=["indicator", "level", "code", "year", "breakdown", "value", "status"])
    )
    out = group_counts(values, "population", "deso", 2022, "background")
    assert sorted(out.columns) == ["foreign", "swedish", "total"]
    assert out.loc["A", "foreign"] == 30 and out.loc["A", "total"] == 100
    assert np.isnan(out.loc["B", "foreign"]) and np.isnan(out.loc["B", "swedish"])
    assert list(group_counts(values, "population", "deso", 2022, "background", codes=["B"]).index) == ["B"]
