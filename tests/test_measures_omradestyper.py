"""Socioeconomic index and områdestyper: hand cases, cut-off ties, missing inputs, and a normal sample."""

import math

import numpy as np
import pandas as pd
import pytest

from indicators.measures import omradestyper as ot
from indicators.model import InputError


def _types(result: ot.OmradestypResult) -> list:
    return [None if pd.isna(v) else int(v) for v in result.types]


def test_index_is_mean_of_three_shares_and_weights_are_configurable():
    shares = pd.DataFrame(
        {
            "low_economic_standard": [10.0, 40.0],
            "education_pre_upper_secondary": [20.0, np.nan],
            "welfare_or_long_unemployment": [30.0, 5.0],
        },
        index=["a", "b"],
    )
    index = ot.socioeconomic_index(shares)
    assert index["a"] == pytest.approx(20.0)
    assert np.isnan(index["b"])  # a missing input gives a missing index, not a mean of two
    weighted = ot.socioeconomic_index(shares, weights=[1, 1, 2])
    assert weighted["a"] == pytest.approx((10 + 20 + 60) / 4)
    custom = ot.socioeconomic_index(
        shares.rename(columns={"low_economic_standard": "v1"}),
        columns=["v1", "welfare_or_long_unemployment"],
    )
    assert custom.to_dict() == pytest.approx({"a": 20.0, "b": 22.5})


def test_index_rejects_bad_weights_and_columns():
    shares = pd.DataFrame({c: [1.0] for c in ot.INDEX_INPUTS})
    with pytest.raises(InputError):
        ot.socioeconomic_index(shares, weights=[1, 1])
    with pytest.raises(InputError):
        ot.socioeconomic_index(shares.drop(columns=ot.INDEX_INPUTS[0]))


def test_cutoff_ties_go_to_the_type_above_the_boundary():
    index = pd.Series([14.0, 13.999, 12.0, 10.0, 9.999, 8.0, 7.999], index=list("abcdefg"))
    result = ot.classify(index, reference_stats=(10.0, 2.0))
    # ≥ μ+2σ → 1; [μ+σ, μ+2σ) → 2; [μ, μ+σ) → 3; [μ−σ, μ) → 4; < μ−σ → 5
    assert _types(result) == [1, 2, 2, 3, 4, 4, 5]
    assert result.thresholds() == (14.0, 12.0, 10.0, 8.0)
    assert "given statistics" in result.reference


def test_mean_and_std_come_from_the_areas_passed_in():
    index = pd.Series([8.0, 12.0, 8.0, 12.0], index=list("abcd"))
    population = pd.Series([100, 100, 100, 100], index=list("abcd"))
    result = ot.classify(index, population, ddof=0)
    assert (result.mean, result.std) == (10.0, 2.0)
    assert _types(result) == [4, 2, 4, 2]  # 12 = μ + σ exactly → type 2; 8 = μ − σ exactly → type 4
    sample = ot.classify(index, population)  # default ddof=1: σ = √(16/3)
    assert sample.std == pytest.approx(math.sqrt(16 / 3))
    assert "unweighted" in sample.reference


def test_missing_input_gives_missing_type_and_stays_out_of_the_reference():
    index = pd.Series([8.0, np.nan, 12.0, 8.0, 12.0], index=list("abcde"))
    result = ot.classify(index, ddof=0)
    assert _types(result) == [4, None, 2, 4, 2]
    assert result.mean == 10.0
    assert any("without index" in n for n in result.notes)


def test_zero_and_absent_population_are_excluded_with_a_note():
    index = pd.Series([8.0, 50.0, 12.0, 8.0, 12.0, 30.0], index=list("abcdef"))
    population = pd.Series({"a": 10, "b": 0, "c": 10, "d": 10, "e": 10})  # f absent
    result = ot.classify(index, population, ddof=0)
    assert _types(result) == [4, None, 2, 4, 2, None]
    assert (result.mean, result.std) == (10.0, 2.0)
    assert result.excluded == ("b", "f")
    assert any("zero or missing population excluded" in n for n in result.notes)


def test_population_weighted_reference():
    index = pd.Series([0.0, 10.0], index=["a", "b"])
    result = ot.classify(index, pd.Series([3, 1], index=["a", "b"]), population_weighted=True)
    assert result.mean == pytest.approx(2.5)
    assert result.std == pytest.approx(math.sqrt((3 * 2.5**2 + 7.5**2) / 4))
    assert "population-weighted" in result.reference
    with pytest.raises(InputError):
        ot.classify(index, population_weighted=True)


def test_reference_codes_restrict_the_reference_population():
    index = pd.Series([8.0, 12.0, 30.0], index=["x", "y", "z"])
    result = ot.classify(index, reference_codes=["x", "y"], ddof=0)
    assert (result.mean, result.std) == (10.0, 2.0)
    assert _types(result) == [4, 2, 1]


def test_custom_cutoffs_and_validation():
    index = pd.Series([11.0, 10.5, 9.0], index=list("abc"))
    result = ot.classify(index, reference_stats=(10.0, 1.0), cutoffs=(1.0, 0.5, 0.0, -0.5))
    assert _types(result) == [1, 2, 5]
    with pytest.raises(InputError):
        ot.classify(index, cutoffs=(1.0, 2.0, 0.0, -1.0))


def test_zero_spread_leaves_types_missing():
    result = ot.classify(pd.Series([5.0, 5.0], index=["a", "b"]))
    assert _types(result) == [None, None]
    assert any("standard deviation" in n for n in result.notes)


def test_normal_index_gives_the_normal_shares():
    """With a normal index, the type shares approach Φ's: 2.3, 13.6, 34.1, 34.1, 15.9 %.

    Tolerance: four standard deviations of the share estimate, bounded by the binomial SD √(p(1−p)/n)
    plus, for each finite boundary a (in σ units), φ(a)·√((1 + a²/2)/n): the SD of the estimated
    boundary μ̂ + aσ̂ in σ units for normal data, times the density there.
    """
    n = 50_000
    rng = np.random.default_rng(7)
    index = pd.Series(rng.normal(9.1, 5.47, n), index=[f"r{i}" for i in range(n)])
    result = ot.classify(index)
    shares = result.types.value_counts(normalize=True).sort_index()
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    pdf = lambda z: math.exp(-z * z / 2) / math.sqrt(2 * math.pi)  # noqa: E731
    bounds = [(2.0, math.inf), (1.0, 2.0), (0.0, 1.0), (-1.0, 0.0), (-math.inf, -1.0)]
    for kind, (low, high) in enumerate(bounds, start=1):
        p = cdf(high) - cdf(low)
        sd = math.sqrt(p * (1 - p) / n) + sum(
            pdf(a) * math.sqrt((1 + a * a / 2) / n) for a in (low, high) if math.isfinite(a)
        )
        assert shares[kind] == pytest.approx(p, abs=4 * sd), kind
    assert [round(cdf(h) - cdf(lo), 3) for lo, h in bounds] == [0.023, 0.136, 0.341, 0.341, 0.159]


def test_population_by_type_per_municipality():
    types = pd.Series([1, 3, 3, pd.NA, 5], index=list("abcde"), dtype="Int64")
    population = pd.Series([100, 200, 100, 50, 400], index=list("abcde"))
    municipality = pd.Series(["0180", "0180", "0180", "0180", "1480"], index=list("abcde"))
    out = ot.population_by_type(types, population, municipality)
    assert out.loc["0180", "population_3"] == 300
    assert out.loc["0180", "share_1"] == pytest.approx(100 / 450)
    assert out.loc["0180", "share_missing"] == pytest.approx(50 / 450)
    assert out.loc["0180", "areas_3"] == 2 and out.loc["0180", "areas_missing"] == 1
    assert out.loc["1480", "share_5"] == 1.0
    shares = out[[c for c in out.columns if c.startswith("share_")]].sum(axis=1)
    assert shares.to_list() == pytest.approx([1.0, 1.0])


def test_type_names_cover_all_five_types():
    assert set(ot.TYPE_NAMES_SV) == set(ot.TYPE_NAMES_EN) == {1, 2, 3, 4, 5}
    assert ot.TYPE_NAMES_SV[1] == "Områden med stora socioekonomiska utmaningar"
