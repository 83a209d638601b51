"""Aggregation to coarser levels: counts summed, ratios from summed counts, shares alone never averaged."""

import numpy as np
import pandas as pd
import pytest

from indicators.measures import aggregate as ag
from indicators.model import VALUE_COLUMNS, Indicator, InputError, normalise_values

AREAS = pd.DataFrame(
    [
        {
            "code": "0180C0001",
            "name": "a",
            "level": "deso",
            "kommun": "0180",
            "lan": "01",
            "regso": "0180R001",
        },
        {
            "code": "0180C0002",
            "name": "b",
            "level": "deso",
            "kommun": "0180",
            "lan": "01",
            "regso": "0180R001",
        },
        {"code": "0180C0003", "name": "c", "level": "deso", "kommun": "", "lan": "", "regso": "0180R002"},
        {"code": "1480C0001", "name": "d", "level": "deso", "kommun": "1480", "lan": "14", "regso": ""},
        {"code": "0180", "name": "Stockholm", "level": "kommun", "kommun": "0180", "lan": "01", "regso": ""},
    ]
)
DESO = ["0180C0001", "0180C0002", "0180C0003", "1480C0001"]
INDICATORS = {
    "population": Indicator("population", "Folkmängd", "Population", kind="count"),
    "unemployed": Indicator("unemployed", "Arbetslösa", "Unemployed", kind="count"),
    "employed": Indicator("employed", "Förvärvsarbetande", "Employed", kind="share"),
    "low_income": Indicator("low_income", "Låg inkomst", "Low income", kind="share"),
    "median_income": Indicator("median_income", "Medianinkomst", "Median income", kind="median"),
    "mean_income": Indicator("mean_income", "Medelinkomst", "Mean income", kind="mean"),
}


def _values() -> pd.DataFrame:
    rows = []

    def add(indicator, values, numerators=None, denominators=None, statuses=None, codes=DESO):
        for i, code in enumerate(codes):
            rows.append(
                {
                    "indicator": indicator,
                    "level": "deso",
                    "code": code,
                    "year": 2022,
                    "breakdown": "total",
                    "value": values[i],
                    "numerator": numerators[i] if numerators else np.nan,
                    "denominator": denominators[i] if denominators else np.nan,
                    "status": statuses[i] if statuses else None,
                }
            )

    add("population", [100, 200, 300, 400])
    add("unemployed", [5, 10, 15, np.nan], statuses=["ok", "ok", "ok", "suppressed"])
    add("employed", [50.0, 75.0, 10.0, 50.0], [50, 150, 30, 200], [100, 200, 300, 400])
    add("low_income", [12.0, 14.0, 16.0, 18.0])
    add("median_income", [300, 310, 320, 330])
    add("mean_income", [250.0, 350.0, 300.0, 400.0], [25_000, 70_000, 90_000, 160_000], [100, 200, 300, 400])
    add("population", [1, 2], codes=DESO[:2])  # a breakdown with one area lacking its row
    rows[-2]["breakdown"] = rows[-1]["breakdown"] = "sex=female"
    return normalise_values(pd.DataFrame(rows))


@pytest.fixture(scope="module")
def result() -> ag.Aggregation:
    return ag.aggregate(_values(), AREAS, INDICATORS, "deso")


def _row(result, indicator, level, code, breakdown="total"):
    v = result.values
    found = v[
        (v["indicator"] == indicator)
        & (v["level"] == level)
        & (v["code"] == code)
        & (v["breakdown"] == breakdown)
    ]
    assert len(found) == 1, (indicator, level, code)
    return found.iloc[0]


def _note(result, indicator, level, code):
    n = result.notes
    return " ".join(n[(n["indicator"] == indicator) & (n["level"] == level) & (n["code"] == code)]["note"])


def test_output_is_a_value_table(result):
    assert list(result.values.columns) == list(VALUE_COLUMNS)
    assert set(result.values["level"]) == {"regso", "kommun", "lan", "riket"}


def test_counts_are_summed_at_every_level(result):
    assert _row(result, "population", "regso", "0180R001")["value"] == 300
    assert _row(result, "population", "kommun", "0180")["value"] == 600  # 0180C0003 via its code prefix
    assert _row(result, "population", "lan", "01")["value"] == 600
    assert _row(result, "population", "riket", "SE")["value"] == 1000


def test_shares_come_from_summed_counts_not_averaged_shares(result):
    row = _row(result, "employed", "kommun", "0180")
    assert row["value"] == pytest.approx(100 * 230 / 600)  # not mean(50, 75, 10) = 45
    assert (row["numerator"], row["denominator"]) == (230, 600)
    assert _row(result, "employed", "riket", "SE")["value"] == pytest.approx(43.0)
    assert _row(result, "mean_income", "kommun", "0180")["value"] == pytest.approx(185_000 / 600)


def test_only_shares_give_missing_with_a_note(result):
    row = _row(result, "low_income", "kommun", "0180")
    assert row["status"] == "missing" and np.isnan(row["value"])
    assert "only shares" in _note(result, "low_income", "kommun", "0180")


def test_medians_are_not_aggregated(result):
    assert _row(result, "median_income", "riket", "SE")["status"] == "missing"
    assert "median cannot be aggregated" in _note(result, "median_income", "riket", "SE")


def test_a_suppressed_or_absent_finer_value_makes_the_aggregate_missing(result):
    assert _row(result, "unemployed", "kommun", "0180")["value"] == 30
    assert _row(result, "unemployed", "kommun", "1480")["status"] == "missing"
    assert "1 of 4 finer areas" in _note(result, "unemployed", "riket", "SE")
    partial = _row(result, "population", "kommun", "0180", "sex=female")
    assert partial["status"] == "missing"  # 0180C0003 has no row for this breakdown
    assert "1 of 3" in _note(result, "population", "kommun", "0180")


def test_areas_without_parent_are_reported(result):
    note = _note(result, "*", "regso", "")
    assert "1480C0001" in note and "without a regso code" in note


def test_parent_codes_fall_back_on_code_prefixes():
    assert ag.parent_codes(AREAS, "deso", "lan")["0180C0003"] == "01"
    assert ag.parent_codes(AREAS, "kommun", "lan")["0180"] == "01"


def test_unknown_level_raises():
    with pytest.raises(InputError):
        ag.aggregate(_values(), AREAS, INDICATORS, "block")
