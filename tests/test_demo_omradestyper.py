"""Områdestyper on a larger demo: the sigma bands, the shares they imply, and SCB's own 2022 shares."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from data.demo import build_demo
from tests.conftest import SHARED


@pytest.fixture(scope="module")
def regso_2022():
    dataset = build_demo(1500).dataset()
    return dataset.wide("regso", 2022)


def test_types_follow_the_sigma_bands_of_the_index(regso_2022):
    index, types = regso_2022["socioeconomic_index"], regso_2022["omradestyp"]
    z = (index - index.mean()) / index.std(ddof=1)
    expected = np.select([z >= 2, z >= 1, z >= 0, z >= -1], [1, 2, 3, 4], 5)
    np.testing.assert_array_equal(types.to_numpy(), expected)
    assert len(types) > 400 and set(types.unique()) == {1, 2, 3, 4, 5}


def test_shares_match_what_the_index_distribution_implies(regso_2022):
    """A skew-normal fitted to the demo's index implies each type's share; the computed shares agree.

    For a normal index (skew 0) the implied shares are 2.3 / 13.6 / 34.1 / 34.1 / 15.9 %; the demo's index is
    right-skewed like the real one, so the fitted distribution, not the normal, is the reference here.
    """
    index = regso_2022["socioeconomic_index"].dropna().to_numpy()
    a, loc, scale = stats.skewnorm.fit(index)
    mean, sd = index.mean(), index.std(ddof=1)
    cdf = stats.skewnorm(a, loc, scale).cdf
    edges = [mean + c * sd for c in (2, 1, 0, -1)]
    implied = np.diff([0.0, *[cdf(e) for e in reversed(edges)], 1.0])[::-1]  # types 1..5
    observed = regso_2022["omradestyp"].value_counts(normalize=True).reindex([1, 2, 3, 4, 5]).to_numpy()
    tolerance = 4 * np.sqrt(implied * (1 - implied) / len(index)) + 0.02
    assert (np.abs(observed - implied) <= tolerance).all(), (observed, implied)


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/scb (real SCB files) is absent")
def test_type_shares_are_close_to_scb_2022(regso_2022):
    export = SHARED / "regso_omradestyp_2022_statistikdatabasen.csv"
    official = pd.read_csv(export, encoding="utf-8-sig", nrows=3363, header=0, names=["area", "type"])
    real = official["type"].value_counts(normalize=True).reindex([1, 2, 3, 4, 5]).to_numpy()
    demo = regso_2022["omradestyp"].value_counts(normalize=True).reindex([1, 2, 3, 4, 5]).to_numpy()
    assert np.abs(demo - real).max() < 0.05, (demo, real)
