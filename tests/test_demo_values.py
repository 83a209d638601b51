import numpy as np
import pandas as pd
import pytest

from data.demo import build_demo
from data.demo_values import ELECTION_YEARS, MIN_DENOMINATOR, YEARS
from indicators.catalog import CATALOG, COMPUTED, SEI_INPUTS
from indicators.measures.omradestyper import NATIONAL_REFERENCE_2022
from indicators.model import LEVELS, TOTAL

PARENT = {"regso": ("deso", "regso"), "kommun": ("regso", "kommun"), "lan": ("kommun", "lan")}


@pytest.fixture(scope="module")
def demo():
    return build_demo()


@pytest.fixture(scope="module")
def values(demo):
    return demo.values


def pick(values, indicator, level, breakdown=TOTAL, year=None):
    rows = values[
        (values["indicator"] == indicator) & (values["level"] == level) & (values["breakdown"] == breakdown)
    ]
    return rows if year is None else rows[rows["year"] == year].set_index("code")


def dissimilarity(a: pd.Series, b: pd.Series) -> float:
    """½ Σ |aᵢ/A − bᵢ/B|, by hand."""
    return 0.5 * float((a / a.sum() - b / b.sum()).abs().sum())


def test_every_indicator_breakdown_level_and_year_is_present_once(demo, values):
    assert not values.duplicated(["indicator", "level", "code", "year", "breakdown"]).any()
    counts = demo.areas["level"].value_counts()
    for indicator in CATALOG.values():
        rows = values[values["indicator"] == indicator.id]
        if indicator.id in COMPUTED:
            assert rows.empty
            continue
        levels = ("regso",) if indicator.kind == "category" else LEVELS
        assert set(rows["level"]) == set(levels), indicator.id
        assert set(rows["breakdown"]) == set(indicator.breakdowns), indicator.id
        for level in levels:
            expected = counts[level] * len(YEARS) * len(indicator.breakdowns)
            assert (rows["level"] == level).sum() == expected, (indicator.id, level)


def test_status_keeps_missing_and_suppressed_apart_from_zero(values):
    hidden = values["status"] != "ok"
    assert values.loc[hidden, "value"].isna().all()
    assert values.loc[hidden, ["numerator", "denominator"]].isna().all().all()
    assert values.loc[~hidden, "value"].notna().all()
    assert ((values["value"] == 0) & ~hidden).any()  # a real zero stays a zero
    suppressed = values[values["status"] == "suppressed"]
    assert len(suppressed) > 0
    assert set(suppressed["level"]) <= {"deso", "regso", "kommun"}  # small groups only
    assert (suppressed["level"] == "deso").mean() > 0.8
    assert suppressed["indicator"].isin(["eligible_upper_secondary", "upper_secondary_completion"]).any()
    turnout = values[values["indicator"] == "voter_turnout"]
    assert set(turnout.loc[turnout["status"] == "missing", "year"]) == set(YEARS) - set(ELECTION_YEARS)
    assert (turnout.loc[turnout["year"].isin(ELECTION_YEARS), "status"] != "missing").all()


def test_suppression_follows_the_denominator_threshold(demo):
    # recompute the DeSO denominators of a suppressed breakdown from the RegSO total: they must be small
    values = demo.values
    eligible = values[(values["indicator"] == "eligible_upper_secondary") & (values["level"] == "deso")]
    ok = eligible[eligible["status"] == "ok"]
    assert (ok["denominator"] >= MIN_DENOMINATOR).all()
    assert (eligible["status"] == "suppressed").mean() > 0.2


@pytest.mark.parametrize("level", ["regso", "kommun", "lan", "riket"])
def test_coarser_numerators_are_sums_of_finer_numerators(demo, values, level):
    areas = demo.areas.set_index("code")
    child_level, parent_column = PARENT.get(level, ("lan", None))
    counted = [i.id for i in CATALOG.values() if i.kind in ("share", "rate", "count")]
    finer = values[(values["level"] == child_level) & values["indicator"].isin(counted)].copy()
    finer["parent"] = "SE" if parent_column is None else areas.loc[finer["code"], parent_column].to_numpy()
    finer["ok"] = finer["status"] == "ok"
    keys = ["indicator", "parent", "year", "breakdown"]
    grouped = finer.groupby(keys, observed=True).agg(
        numerator=("numerator", "sum"), denominator=("denominator", "sum"), complete=("ok", "all")
    )
    coarse = values[(values["level"] == level) & values["indicator"].isin(counted)]
    coarse = coarse.set_index(["indicator", "code", "year", "breakdown"])[["numerator", "denominator"]]
    coarse = coarse.rename_axis(keys).add_suffix("_coarse")
    joined = grouped[grouped["complete"]].join(coarse, how="inner")
    assert len(joined) > 0.8 * len(grouped)
    assert set(joined.index.get_level_values("indicator")) == set(counted)
    np.testing.assert_array_equal(joined["numerator"].to_numpy(), joined["numerator_coarse"].to_numpy())
    np.testing.assert_array_equal(joined["denominator"].to_numpy(), joined["denominator_coarse"].to_numpy())


def test_values_follow_from_their_counts(values):
    ok = values[values["status"] == "ok"]
    kind = ok["indicator"].map({k: v.kind for k, v in CATALOG.items()})
    shares = ok[kind == "share"]
    np.testing.assert_allclose(shares["value"], 100 * shares["numerator"] / shares["denominator"])
    rates = ok[kind == "rate"]
    np.testing.assert_allclose(rates["value"], rates["numerator"] / rates["denominator"])
    counts = ok[kind == "count"]
    np.testing.assert_array_equal(counts["value"], counts["numerator"])
    medians = ok[kind == "median"]
    assert medians["numerator"].isna().all() and (medians["denominator"] > 0).all()


def test_population_groups_add_up(values):
    def population(breakdown):
        return pick(values, "population", "deso", breakdown)["value"].to_numpy()

    total = population(TOTAL)
    np.testing.assert_array_equal(population("sex=female") + population("sex=male"), total)
    np.testing.assert_array_equal(population("background=swedish") + population("background=foreign"), total)
    assert total.min() >= 600 and total.max() <= 3000
    quintiles = sum(
        pick(values, "income_quintile", "deso", f"quintile={q}")["value"].to_numpy() for q in range(1, 6)
    )
    np.testing.assert_array_equal(quintiles, pick(values, "income_quintile", "deso")["value"].to_numpy())
    foreign = pick(values, "foreign_born_share", "kommun")["numerator"].to_numpy()
    np.testing.assert_array_equal(
        foreign, pick(values, "population", "kommun", "background=foreign")["value"]
    )


def test_national_quintiles_hold_a_fifth_each(values):
    total = pick(values, "income_quintile", "riket", year=2023)["value"].iloc[0]
    for q in range(1, 6):
        share = pick(values, "income_quintile", "riket", f"quintile={q}", year=2023)["value"].iloc[0] / total
        assert share == pytest.approx(0.2, abs=0.02)


def test_city_segregation_is_meaningful_and_grows(demo, values):
    city = next(m.code for m in demo.geography.municipalities if m.character == "city")

    def city_rows(indicator, breakdown, year):
        rows = pick(values, indicator, "deso", breakdown, year)
        return rows.loc[rows.index.str.startswith(city), "value"]

    foreign = dissimilarity(
        city_rows("population", "background=foreign", 2023),
        city_rows("population", "background=swedish", 2023),
    )
    assert 0.3 <= foreign <= 0.5
    inequality = [
        dissimilarity(
            city_rows("income_quintile", "quintile=1", year), city_rows("income_quintile", "quintile=5", year)
        )
        for year in (2011, 2017, 2023)
    ]
    assert inequality == sorted(inequality) and inequality[-1] - inequality[0] > 0.03


def test_indicators_are_spatially_correlated_and_diverge(values):
    wide = pick(values, "low_economic_standard", "deso", year=2023)[["value"]].rename(
        columns={"value": "les"}
    )
    for indicator in ("employment_rate", "foreign_born_share", "median_disposable_income"):
        wide[indicator] = pick(values, indicator, "deso", year=2023)["value"]
    correlation = wide.corr()["les"]
    assert correlation["employment_rate"] < -0.6
    assert correlation["foreign_born_share"] > 0.6
    assert correlation["median_disposable_income"] < -0.5
    spread = [pick(values, "low_economic_standard", "regso", year=y)["value"].std() for y in (2011, 2023)]
    assert spread[1] > spread[0]


def test_official_area_types_are_typed_against_the_national_reference(values):
    types = values[values["indicator"] == "omradestyp_official"]
    assert (types["status"] == "ok").all()
    assert sorted(types["value"].unique()) == [1, 2, 3, 4, 5]
    for year, rows in types.groupby("year", observed=True):
        assert set(rows["value"].unique()) <= {1, 2, 3, 4, 5}, year
    year = 2023
    shares = pd.DataFrame({name: pick(values, name, "regso", year=year)["value"] for name in SEI_INPUTS})
    index = shares.mean(axis=1)  # equal weights; the official types count σ from SCB's national mean
    mean, sd = NATIONAL_REFERENCE_2022
    z = (index - mean) / sd
    expected = np.select([z >= 2, z >= 1, z >= 0, z >= -1], [1, 2, 3, 4], 5)
    got = types[types["year"] == year].set_index("code")["value"]
    np.testing.assert_array_equal(got.loc[index.index].to_numpy(), expected)


def test_median_income_of_a_municipality_is_the_weighted_mean_of_its_deso(demo, values):
    deso = pick(values, "median_disposable_income", "deso", year=2020)
    deso = deso.assign(kommun=deso.index.str[:4])
    weighted = (deso["value"] * deso["denominator"]).groupby(deso["kommun"]).sum() / deso.groupby("kommun")[
        "denominator"
    ].sum()
    kommun = pick(values, "median_disposable_income", "kommun", year=2020)["value"]
    np.testing.assert_allclose(kommun.loc[weighted.index].to_numpy(), weighted.to_numpy(), rtol=1e-9)
