import mapclassify
import numpy as np
import pytest

from indicators.model import BarometerError
from styles.classify import (
    AREA_TYPES,
    JENKS_SAMPLE,
    Classification,
    ClassificationError,
    assign,
    classify,
    pooled,
)

NAN = float("nan")
RNG = np.random.default_rng(20240601)
CONTINUOUS = RNG.lognormal(mean=2.0, sigma=0.7, size=400)  # no ties: membership comparable with mapclassify


def step_index(value: float, thresholds: tuple[float, ...]) -> int:
    """Independent oracle for MapLibre's step: the index of the last stop <= value (0 below the first)."""
    index = 0
    for i, stop in enumerate(thresholds):
        if value >= stop:
            index = i + 1
    return index


# --- hand-computed breaks -------------------------------------------------------------------------------


def test_quantiles_hand_computed():
    c = classify(np.arange(1.0, 11.0), "quantiles", 2)
    assert c.breaks == (1.0, 5.5, 10.0)
    assert c.counts == (5, 5)
    assert c.k == 2 and c.missing == 0


def test_equal_interval_hand_computed_and_tie_goes_up():
    values = np.array([0.0, 1.0, 2.0, 3.9, 4.0, 10.0])
    c = classify(values, "equal_interval", 5)
    np.testing.assert_allclose(c.thresholds, [2.0, 4.0, 6.0, 8.0])
    # 2.0 and 4.0 sit exactly on breaks: they belong to the upper class, as in MapLibre's step.
    assert assign(values, c).tolist() == [0, 0, 1, 1, 2, 4]
    assert c.counts == (2, 2, 1, 0, 1)  # equal intervals keep empty classes


def test_natural_breaks_hand_computed():
    values = [1, 1, 1, 2, 2, 3, 10, 11, 12, 30, NAN]
    c = classify(values, "natural_breaks", 4)
    # Classes {1}, {2, 3}, {10, 11, 12}, {30}: each threshold is the smallest value of the next class.
    assert c.breaks == (1.0, 2.0, 10.0, 30.0, 30.0)
    assert c.counts == (3, 3, 3, 1)
    assert c.missing == 1


def test_std_mean_hand_computed():
    values = np.array([2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0])  # mean 5, sample sd sqrt(32 / 7)
    c = classify(values, "std_mean", 4)
    sd = np.sqrt(32 / 7)
    np.testing.assert_allclose(c.thresholds, [5 - sd, 5.0, 5 + sd])
    assert c.counts == (1, 3, 3, 1)


def test_manual_breaks_and_empty_classes_kept():
    c = classify([1, 2, 3, 12, NAN], "manual", breaks=[2, 10, 20])
    assert c.breaks == (1.0, 2.0, 10.0, 20.0, 20.0)
    assert c.counts == (1, 2, 1, 0)
    assert c.k == 4 and c.missing == 1


# --- mapclassify as oracle ------------------------------------------------------------------------------


@pytest.mark.parametrize("k", [3, 5, 7])
def test_quantiles_match_mapclassify(k):
    c = classify(CONTINUOUS, "quantiles", k)
    reference = mapclassify.Quantiles(CONTINUOUS, k=k)
    np.testing.assert_allclose(c.thresholds, reference.bins[:-1])
    ours = assign(CONTINUOUS, c)
    # mapclassify's classes are upper-inclusive; ours follow step: a value equal to a break goes one up.
    differ = ours != reference.yb
    on_break = np.isin(CONTINUOUS, c.thresholds)
    np.testing.assert_array_equal(differ, on_break)
    np.testing.assert_array_equal(ours[differ], reference.yb[differ] + 1)


@pytest.mark.parametrize("k", [2, 4, 6])
def test_equal_interval_matches_mapclassify(k):
    c = classify(CONTINUOUS, "equal_interval", k)
    np.testing.assert_allclose(c.thresholds, mapclassify.EqualInterval(CONTINUOUS, k=k).bins[:-1])


@pytest.mark.parametrize("k", [3, 5, 8])
def test_natural_breaks_membership_matches_fisher_jenks(k):
    values = np.round(CONTINUOUS, 1)  # with ties, to check the threshold conversion
    c = classify(values, "natural_breaks", k)
    reference = mapclassify.FisherJenks(values, k=k)
    np.testing.assert_array_equal(assign(values, c), reference.yb)
    assert c.counts == tuple(reference.counts)


def test_std_mean_matches_mapclassify():
    c = classify(CONTINUOUS, "std_mean", 5)
    multiples = [-1.5, -0.5, 0.5, 1.5]
    expected = mapclassify.StdMean(CONTINUOUS, multiples=multiples).bins[:-1]
    expected = expected[(expected > CONTINUOUS.min()) & (expected <= CONTINUOUS.max())]
    np.testing.assert_allclose(c.thresholds, expected)


def test_natural_breaks_on_many_values_samples_deterministically():
    clusters = np.concatenate([RNG.normal(centre, 0.5, 3000) for centre in (10, 30, 60)])
    assert clusters.size > JENKS_SAMPLE
    first = classify(clusters, "natural_breaks", 3)
    assert first == classify(clusters, "natural_breaks", 3)
    assert first.counts == (3000, 3000, 3000)


# --- semantics and edge cases ---------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["quantiles", "equal_interval", "natural_breaks", "std_mean"])
@pytest.mark.parametrize("k", [2, 5, 9])
def test_invariants_and_step_semantics(method, k):
    values = np.concatenate([np.round(RNG.gamma(2.0, 3.0, 300), 0), [NAN, NAN]])
    c = classify(values, method, k)
    classes = assign(values, c)
    assert c.k == len(c.counts) == len(c.breaks) - 1 <= k
    assert c.missing == 2 and np.count_nonzero(classes == -1) == 2
    assert c.counts == tuple(np.bincount(classes[classes >= 0], minlength=c.k))
    assert all(b < a for b, a in zip(c.thresholds, c.thresholds[1:], strict=False))
    assert c.breaks[0] < c.breaks[1]
    expected = [step_index(v, c.thresholds) for v in values[np.isfinite(values)]]
    assert classes[classes >= 0].tolist() == expected
    if method != "equal_interval":
        assert min(c.counts) > 0


@pytest.mark.parametrize("method", ["quantiles", "equal_interval", "natural_breaks"])
def test_fewer_distinct_values_than_classes_reduces_k(method):
    c = classify([1, 1, 2, 2, 2, 3, NAN], method, 5)
    if method == "quantiles":  # the 20..80 % quantiles are 1, 2, 2, 2: only the break at 2 is left
        assert (c.breaks, c.counts) == ((1.0, 2.0, 3.0), (2, 4))
        return
    assert c.k == 3
    assert len(set(c.breaks)) == len(c.breaks) or c.breaks[-1] == c.breaks[-2]
    assert assign([1, 2, 3], c).tolist() == [0, 1, 2]


@pytest.mark.parametrize("method", ["quantiles", "equal_interval", "natural_breaks", "std_mean"])
def test_all_equal_gives_one_class(method):
    c = classify([4.2, 4.2, 4.2, NAN], method, 5)
    assert (c.k, c.breaks, c.counts, c.missing) == (1, (4.2, 4.2), (3,), 1)
    assert assign([4.2, 9.0, NAN], c).tolist() == [0, 0, -1]


@pytest.mark.parametrize("method", ["quantiles", "equal_interval", "natural_breaks", "std_mean", "diverging"])
def test_all_missing_gives_zero_classes(method):
    c = classify([NAN, NAN, None], method, 5)
    assert (c.k, c.breaks, c.counts, c.missing) == (0, (), (), 3)
    assert assign([NAN, 1.0], c).tolist() == [-1, -1]


def test_single_area():
    c = classify([17.5], "natural_breaks", 5)
    assert (c.k, c.counts) == (1, (1,))
    assert classify([], "quantiles", 5).k == 0


def test_infinite_values_are_missing():
    c = classify([1.0, 2.0, np.inf, -np.inf], "quantiles", 2)
    assert c.missing == 2 and sum(c.counts) == 2


def test_value_on_a_break_goes_to_upper_class():
    c = classify([1, 2, 3], "manual", breaks=[2])
    assert assign([1.999, 2.0, 2.001], c).tolist() == [0, 1, 1]


def test_assign_clamps_values_outside_the_range():
    c = classify([10, 20, 30, 40], "quantiles", 2)
    assert assign([-100.0, 1000.0], c).tolist() == [0, 1]


@pytest.mark.parametrize("k", [0, 1, 10, 2.5, True])
def test_bad_class_count_names_option(k):
    with pytest.raises(ClassificationError) as error:
        classify([1, 2, 3], "quantiles", k)
    assert error.value.option == "classes" and "classes" in str(error.value)


@pytest.mark.parametrize("breaks", [[3, 2], [1, 1], [], None, [1, NAN], list(range(9))])
def test_bad_manual_breaks_name_option(breaks):
    with pytest.raises(ClassificationError) as error:
        classify([1, 2, 3], "manual", breaks=breaks)
    assert isinstance(error.value, ValueError) and isinstance(error.value, BarometerError)
    assert error.value.option == "breaks" and "breaks" in str(error.value)


def test_unknown_method():
    with pytest.raises(ClassificationError, match="method"):
        classify([1, 2], "jenks")


# --- diverging and categorical --------------------------------------------------------------------------


def test_diverging_is_symmetric_with_neutral_centre_class():
    values = np.array([-3.0, -1.0, 0.0, 0.4, 2.0, 6.0])
    c = classify(values, "diverging", 5)
    assert c.centre == 0.0 and c.k == 5
    # Largest deviation 6 → width 12/5 = 2.4: thresholds ±1.2, ±3.6.
    np.testing.assert_allclose(c.thresholds, [-3.6, -1.2, 1.2, 3.6])
    np.testing.assert_allclose(c.breaks[0], -c.breaks[-1])
    assert assign([0.0], c).tolist() == [2]
    assert c.counts == (0, 1, 3, 1, 1)


def test_diverging_even_k_becomes_odd_and_centre_can_be_any_value():
    c = classify([40.0, 50.0, 70.0], "diverging", 4, centre=50.0)
    assert c.k == 5
    np.testing.assert_allclose(np.array(c.thresholds) - 50.0, [-12.0, -4.0, 4.0, 12.0])
    assert assign([50.0], c).tolist() == [2]


def test_diverging_all_at_centre_is_one_class():
    c = classify([0.0, 0.0], "diverging", 5)
    assert (c.k, c.breaks, c.centre) == (1, (0.0, 0.0), 0.0)


def test_categorical_counts_fixed_classes():
    c = classify([1, 2, 2, 5, NAN, 3.0], "categorical")
    assert c.categories == (1, 2, 3, 4, 5)
    assert c.counts == (1, 2, 1, 0, 1) and c.k == 5 and c.missing == 1 and c.breaks == ()
    assert assign([5, 1, NAN], c).tolist() == [4, 0, -1]
    assert AREA_TYPES[0].name("sv") == "Områden med stora socioekonomiska utmaningar"
    assert AREA_TYPES[4].name("en") == "Areas with very good socioeconomic conditions"


def test_categorical_rejects_unknown_codes():
    with pytest.raises(ClassificationError) as error:
        classify([1, 6], "categorical")
    assert error.value.option == "values"


def test_pooled_and_json():
    values = pooled({2021: [3.0, NAN], 2020: np.array([1.0, 2.0])})
    assert np.array_equal(values, [1.0, 2.0, 3.0, NAN], equal_nan=True)
    assert pooled({}).size == 0
    c = classify(values, "manual", breaks=[2])
    assert isinstance(c, Classification)
    assert c.to_json() == {
        "method": "manual",
        "breaks": [1.0, 2.0, 3.0],
        "counts": [1, 2],
        "k": 2,
        "missing": 1,
        "categories": [],
        "centre": None,
    }
    with pytest.raises(AttributeError):
        c.k = 3  # frozen
