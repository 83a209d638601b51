"""Segregation indices: hand-computed small cases, edge cases, and PySAL `segregation` as an oracle."""

import math
import sys

import numpy as np
import pandas as pd
import pytest

from indicators.measures import indices as ix
from indicators.model import InputError

# Three areas: group 10/20, 0/20, 30/40 → P = 40/80 = 0.5, pᵢ = 0.5, 0, 0.75.
GROUP = pd.Series([10.0, 0.0, 30.0], index=["A", "B", "C"])
TOTAL = pd.Series([20.0, 20.0, 40.0], index=["A", "B", "C"])


def test_dissimilarity_by_hand():
    # Σ tᵢ|pᵢ − P| = 0 + 10 + 10 = 20; 2TP(1−P) = 40.
    result = ix.dissimilarity(GROUP, TOTAL)
    assert result.value == pytest.approx(0.5)
    assert result.n_areas == 3 and result.excluded == ()


def test_dissimilarity_between_two_groups_by_hand():
    # group shares 0.25, 0, 0.75; the rest 10, 20, 10 of 40 → 0.25, 0.5, 0.25; ½(0 + 0.5 + 0.5) = 0.5.
    assert ix.dissimilarity_between(GROUP, TOTAL - GROUP).value == pytest.approx(0.5)


def test_isolation_and_exposure_by_hand():
    assert ix.isolation(GROUP, TOTAL).value == pytest.approx(0.25 * 0.5 + 0.75 * 0.75)  # 0.6875
    assert ix.exposure(GROUP, TOTAL).value == pytest.approx(0.25 * 0.5 + 0.75 * 0.25)  # 0.3125
    # an explicit other group: half of the non-members only
    other = (TOTAL - GROUP) / 2
    assert ix.exposure(GROUP, TOTAL, other).value == pytest.approx(0.3125 / 2)


def test_theil_entropy_by_hand():
    e = math.log(2)
    e_c = 0.75 * math.log(1 / 0.75) + 0.25 * math.log(4)
    expected = (20 * (e - e) + 20 * (e - 0) + 40 * (e - e_c)) / (e * 80)
    assert ix.theil_entropy(GROUP, TOTAL).value == pytest.approx(expected)
    assert expected == pytest.approx(0.34436, abs=1e-5)


def test_gini_segregation_by_hand():
    # unordered pairs: 400·0.5 + 800·0.25 + 800·0.75 = 1000; ordered 2000; 2T²P(1−P) = 3200.
    assert ix.gini_segregation(GROUP, TOTAL).value == pytest.approx(0.625)


def test_location_quotients_by_hand():
    lq = ix.location_quotients(GROUP, TOTAL)
    assert lq.to_dict() == pytest.approx({"A": 1.0, "B": 0.0, "C": 1.5})


def test_gini_of_values_by_hand():
    assert ix.gini_of_values([1.0, 2.0, 3.0]).value == pytest.approx(8 / 36)
    # weights 3 and 1 on values 1 and 3: ordered pairs 2·3·1·2 = 12, W = 4, mean 1.5 → 12 / 48.
    assert ix.gini_of_values([1.0, 3.0], [3.0, 1.0]).value == pytest.approx(0.25)
    assert ix.gini_of_values([5.0, 5.0, 5.0]).value == 0.0


def test_segregation_gini_is_weighted_gini_of_shares_over_one_minus_p():
    plain = ix.gini_of_values(GROUP / TOTAL, TOTAL).value
    assert plain == pytest.approx(0.3125)
    assert ix.gini_segregation(GROUP, TOTAL).value == pytest.approx(plain / (1 - 0.5))


def test_zero_total_area_is_left_out_with_a_note():
    group, total = pd.concat([GROUP, pd.Series({"Z": 0.0})]), pd.concat([TOTAL, pd.Series({"Z": 0.0})])
    result = ix.dissimilarity(group, total)
    assert result.value == pytest.approx(0.5)
    assert result.excluded == ("Z",) and result.n_areas == 3
    assert "total is zero" in result.notes[0]
    assert np.isnan(ix.location_quotients(group, total)["Z"])


def test_missing_count_is_left_out_not_read_as_zero():
    group = GROUP.copy()
    group["B"] = np.nan
    result = ix.dissimilarity(group, TOTAL)
    assert result.excluded == ("B",) and "missing" in result.notes[0]
    # only A (10/20) and C (30/40) remain: P = 40/60
    p = 40 / 60
    assert result.value == pytest.approx((20 * abs(0.5 - p) + 40 * abs(0.75 - p)) / (2 * 60 * p * (1 - p)))


@pytest.mark.parametrize("fn", [ix.dissimilarity, ix.theil_entropy, ix.gini_segregation])
def test_everybody_in_group_is_undefined(fn):
    result = fn(TOTAL, TOTAL)
    assert np.isnan(result.value) and not result.defined
    assert "everybody" in result.notes[-1]


@pytest.mark.parametrize(
    "fn", [ix.dissimilarity, ix.isolation, ix.exposure, ix.theil_entropy, ix.gini_segregation]
)
def test_nobody_in_group_is_undefined(fn):
    result = fn(TOTAL * 0, TOTAL)
    assert np.isnan(result.value) and "nobody" in result.notes[-1]


def test_isolation_when_everybody_is_in_group_is_one():
    assert ix.isolation(TOTAL, TOTAL).value == pytest.approx(1.0)
    assert ix.exposure(TOTAL, TOTAL).value == pytest.approx(0.0)


def test_no_areas_is_undefined():
    result = ix.dissimilarity(pd.Series([0.0]), pd.Series([0.0]))
    assert np.isnan(result.value) and result.n_areas == 0 and "no area" in result.notes[-1]


def test_bad_counts_raise():
    with pytest.raises(InputError, match="exceeds"):
        ix.dissimilarity([5.0], [4.0])
    with pytest.raises(InputError, match="negative"):
        ix.dissimilarity([-1.0], [4.0])


def test_gini_of_values_undefined_cases():
    assert "negative" in ix.gini_of_values([-1.0, 2.0]).notes[-1]
    assert "zero" in ix.gini_of_values([0.0, 0.0]).notes[-1]
    weightless = ix.gini_of_values(
        pd.Series({"a": 1.0, "b": 3.0, "c": 9.0}), pd.Series({"a": 1, "b": 1, "c": 0})
    )
    assert weightless.excluded == ("c",) and weightless.value == pytest.approx(0.25)
    assert "weight is zero" in weightless.notes[0]
    partial = ix.gini_of_values(pd.Series({"a": 1.0, "b": np.nan, "c": 3.0}))
    assert partial.excluded == ("b",) and partial.value == pytest.approx(ix.gini_of_values([1.0, 3.0]).value)


def test_segregation_indices_bundle():
    bundle = ix.segregation_indices(GROUP, TOTAL)
    assert set(bundle) == {"dissimilarity", "isolation", "exposure", "theil_entropy", "gini"}
    assert bundle["isolation"].value + bundle["exposure"].value == pytest.approx(1.0)


@pytest.fixture(scope="module")
def synthetic_areas() -> pd.DataFrame:
    """~100 areas with varied sizes and group shares, two of them empty, from a seeded RNG."""
    rng = np.random.default_rng(20240611)
    total = rng.integers(300, 3000, size=100).astype(float)
    share = rng.beta(1.5, 4.0, size=100)
    group = np.round(total * share)
    total[[7, 42]] = 0.0
    group[[7, 42]] = 0.0
    return pd.DataFrame(
        {"group": group, "total": total, "rest": total - group}, index=[f"0180C{i:04d}" for i in range(100)]
    )


def _import_segregation_without_jit(monkeypatch):
    """PySAL's Gini is a numba kernel whose compilation takes ~15 s; interpreted, 100 areas take ms.

    Numba reads NUMBA_DISABLE_JIT when imported (or on reload_config); decorators apply it at import of
    `segregation`. The variable is unset again afterwards so later tests keep their JIT."""
    if "segregation.singlegroup" in sys.modules:
        return
    monkeypatch.setenv("NUMBA_DISABLE_JIT", "1")
    numba = sys.modules.get("numba")
    if numba is not None:
        numba.core.config.reload_config()
    try:
        import segregation.local
        import segregation.singlegroup  # noqa: F401
    except ImportError:
        pass
    finally:
        monkeypatch.delenv("NUMBA_DISABLE_JIT")
        if "numba" in sys.modules:
            sys.modules["numba"].core.config.reload_config()


def test_against_pysal_segregation(synthetic_areas, monkeypatch):
    _import_segregation_without_jit(monkeypatch)
    sg = pytest.importorskip("segregation.singlegroup")
    local = pytest.importorskip("segregation.local")
    data = synthetic_areas
    pairs = {
        ix.dissimilarity: sg.Dissim,
        ix.isolation: sg.Isolation,
        ix.exposure: sg.Interaction,
        ix.theil_entropy: sg.Entropy,
        ix.gini_segregation: sg.Gini,
    }
    for ours, theirs in pairs.items():
        expected = theirs(data, "group", "total").statistic
        result = ours(data["group"], data["total"])
        assert result.value == pytest.approx(expected, abs=1e-9), ours.__name__
        assert result.excluded == ("0180C0007", "0180C0042")
    populated = data[data["total"] > 0]
    lq = local.MultiLocationQuotient(populated, groups=["group", "rest"]).statistics[:, 0]
    ours = ix.location_quotients(data["group"], data["total"])
    np.testing.assert_allclose(ours[populated.index].to_numpy(), lq, rtol=0, atol=1e-9)
    assert ours.drop(populated.index).isna().all()
