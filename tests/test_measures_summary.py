"""The summary measures as kommun, län and riket indicators, against sums and indices done by hand, on the
six-RegSO dataset of test_measures_per_type (population = the employment denominators)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from indicators.measures.summary import summary_measures
from indicators.model import Dataset, normalise_values
from tests.test_measures_per_type import INDICATORS, make

Q1 = {"0201R001": 10, "0201R002": 0, "0201R003": 10, "0301R001": 5, "0301R002": 5, "0301R003": 0}
Q5 = {"0201R001": 0, "0201R002": 10, "0201R003": 10, "0301R001": 5, "0301R002": 5, "0301R003": 10}


def with_quintiles(base: Dataset) -> Dataset:
    rows = [
        ("income_quintile", "regso", code, 2022, f"quintile={q}", n, "ok", n, math.nan)
        for code in Q1
        for q, n in (("1", Q1[code]), ("5", Q5[code]), ("3", 7))
    ]
    extra = pd.DataFrame(rows, columns=list(base.values.columns))
    values = normalise_values(pd.concat([base.values.astype({"status": str}), extra], ignore_index=True))
    return Dataset("summary-test", base.areas, values, INDICATORS)


@pytest.fixture(scope="module")
def summary():
    dataset = with_quintiles(make())
    rows, indicators = summary_measures(dataset.values, dataset.areas)
    return rows.set_index(["indicator", "level", "code", "year"]), indicators


def test_population_shares_by_type_follow_the_official_types_where_imported(summary):
    rows, indicators = summary
    share = rows["value"]
    assert indicators["population_types_1_2"].kind == "share"
    # 2022 (official): 0201 = R001 type 1 (100), R002 and R003 type 3 (50 + 50).
    assert share[("population_types_1_2", "kommun", "0201", 2022)] == pytest.approx(100 * 100 / 200)
    assert share[("population_types_4_5", "kommun", "0201", 2022)] == 0
    # 0301 = R001 type 1 (100), R002 and R003 type 5 (100 + 40).
    assert share[("population_types_4_5", "kommun", "0301", 2022)] == pytest.approx(100 * 140 / 240)
    assert share[("population_types_1_2", "lan", "02", 2022)] == pytest.approx(50.0)
    assert share[("population_types_1_2", "riket", "SE", 2022)] == pytest.approx(100 * 200 / 440)
    assert rows.loc[("population_types_1_2", "riket", "SE", 2022), "denominator"] == 440
    # 2021 has computed types only: 0201 = R001 and R002 type 1 (100 + 50), R003 type 3 (50).
    assert share[("population_types_1_2", "kommun", "0201", 2021)] == pytest.approx(100 * 150 / 200)


def test_the_ojamlikhetsindex_of_each_region_by_hand(summary):
    rows, indicators = summary
    index = rows["value"]
    assert indicators["ojamlikhetsindex"].kind == "index"
    # 0201: q1 = 10, 0, 10 (of 20), q5 = 0, 10, 10 (of 20): ½ (0.5 + 0.5 + 0) = 0.5 → 50.
    assert index[("ojamlikhetsindex", "kommun", "0201", 2022)] == pytest.approx(50.0)
    # 0301: q1 = 5, 5, 0 (of 10), q5 = 5, 5, 10 (of 20): ½ (0.25 + 0.25 + 0.5) = 0.5 → 50.
    assert index[("ojamlikhetsindex", "kommun", "0301", 2022)] == pytest.approx(50.0)
    # Sweden over all six (Q1 = 30, Q5 = 40), never averaged from the municipalities.
    shares1 = [n / 30 for n in Q1.values()]
    shares5 = [n / 40 for n in Q5.values()]
    expected = 50 * sum(abs(a - b) for a, b in zip(shares1, shares5, strict=True))
    assert index[("ojamlikhetsindex", "riket", "SE", 2022)] == pytest.approx(expected)
    assert ("ojamlikhetsindex", "kommun", "0201", 2021) not in index.index  # no 2021 counts


def test_a_region_with_a_regso_lacking_population_is_missing():
    base = make()
    values = base.values[
        ~((base.values["indicator"] == "population") & (base.values["code"] == "0301R003"))
    ].reset_index(drop=True)
    rows, _ = summary_measures(values, base.areas)
    rows = rows.set_index(["indicator", "level", "code", "year"])
    assert rows.loc[("population_types_1_2", "kommun", "0301", 2022), "status"] == "missing"
    assert math.isnan(rows.loc[("population_types_1_2", "kommun", "0301", 2022), "value"])
    assert rows.loc[("population_types_1_2", "kommun", "0201", 2022), "status"] == "ok"


def test_nothing_without_inputs():
    base = make()
    only_employment = base.values[base.values["indicator"] == "employment"].reset_index(drop=True)
    rows, indicators = summary_measures(only_employment, base.areas)
    assert rows.empty and indicators == {}


def test_a_built_version_maps_them_at_kommun_and_lan_like_any_indicator():
    """The demo, built as a version: the kommun layer's ojämlikhetsindex is the municipality page's, and the
    shares are served as map layers with legends."""
    from tileserver import create_app

    client = create_app({"TESTING": True}).test_client()
    catalog = client.get("/api/catalog").get_json()
    entries = {i["id"]: i for i in catalog["indicators"]}
    assert {"ojamlikhetsindex", "population_types_1_2", "population_types_4_5"} <= set(entries)
    kommun = catalog["municipalities"][0]["code"]
    page = client.get(f"/api/measures/ojamlikhet/{kommun}").get_json()["series"]
    for level, code in (("kommun", kommun), ("lan", kommun[:2])):
        for point in page[level]:
            values = client.get(f"/api/values/{level}/{point['year']}").get_json()["values"]
            assert values[code]["ojamlikhetsindex"] == pytest.approx(point["value"])
    year = max(next(lv for lv in catalog["levels"] if lv["id"] == "kommun")["years"])
    legend = client.get(f"/api/legend/kommun/population_types_1_2/{year}").get_json()
    assert legend["unit"] == "%" and all(0 <= a["value"] <= 100 for a in legend["areas"].values())
