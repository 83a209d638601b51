"""Coarser levels derived when a version is built: RegSO-only counts give kommun, län and riket values.

Areas are SCB's own RegSO 2025 (Göteborg region), kommun and län files from ../shared/data/scb where present,
otherwise a synthetic grid of three municipalities in two counties. Every derived value is checked against a
sum computed here, row by row, from the value table.
"""

from __future__ import annotations

from collections import defaultdict

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from data.store import make_dataset, read_version, write_version
from indicators.model import Indicator
from tests.conftest import SHARED

INDICATORS = {
    "population": Indicator("population", "Folkmängd", "Population", unit="personer", kind="count"),
    "employed": Indicator("employed", "Förvärvsarbetande", "Employed", unit="%", kind="share"),
    "wage": Indicator("wage", "Medellön", "Mean wage", unit="tkr", kind="mean"),
    "median_wage": Indicator("median_wage", "Medianlön", "Median wage", unit="tkr", kind="median"),
}
YEARS = (2022, 2023)
SUPPRESSED_YEAR = 2023


def real_areas() -> gpd.GeoDataFrame | None:
    from geo.read import read_areas

    files = ["regso_2025_goteborgsregionen.gpkg", "kommuner_2025.gpkg", "lan_2025.gpkg"]
    if not all((SHARED / f).exists() for f in files):
        return None
    frames = [read_areas(SHARED / f).areas for f in files]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)


def synthetic_areas() -> gpd.GeoDataFrame:
    """RegSO squares of municipalities 1401, 1402 (county 14) and 1480... and 0180 (county 01); kommun
    level for all four plus 1403 (no RegSO: county 14 is then covered in part), both counties."""
    rows = []
    for m, (kommun, n) in enumerate((("1401", 3), ("1402", 2), ("1480", 4), ("0180", 2))):
        for i in range(n):
            box = shapely.box(
                300_000 + 1000 * i, 6_400_000 + 10_000 * m, 301_000 + 1000 * i, 6_401_000 + 10_000 * m
            )
            code = f"{kommun}R{i + 1:03d}"
            rows.append((code, f"Del {code}", "regso", kommun, kommun[:2], "", box))
    for kommun in ("1401", "1402", "1403", "1480", "0180"):
        rows.append((kommun, f"Kommun {kommun}", "kommun", kommun, kommun[:2], "", shapely.box(0, 0, 1, 1)))
    for lan in ("14", "01"):
        rows.append((lan, f"Län {lan}", "lan", "", lan, "", shapely.box(0, 0, 1, 1)))
    columns = ["code", "name", "level", "kommun", "lan", "regso", "geometry"]
    return gpd.GeoDataFrame(pd.DataFrame(rows, columns=columns), crs="EPSG:3006")


@pytest.fixture(scope="module")
def areas() -> gpd.GeoDataFrame:
    found = real_areas()
    return found if found is not None else synthetic_areas()


def regso_values(regso: list[str]) -> pd.DataFrame:
    """Counts per RegSO: population by sex, employed (share with counts), mean wage with its denominator
    only, a median; the second RegSO's female population is suppressed in one year."""
    rng = np.random.default_rng(13)
    rows = []
    for year in YEARS:
        for k, code in enumerate(regso):
            female, male = (int(x) for x in rng.integers(200, 4000, size=2))
            workers = int(rng.integers(50, female + male))
            status = "suppressed" if (k == 1 and year == SUPPRESSED_YEAR) else "ok"
            rows += [
                ("population", code, year, "total", female + male, "ok", np.nan, np.nan),
                (
                    "population",
                    code,
                    year,
                    "sex=female",
                    female if status == "ok" else np.nan,
                    status,
                    np.nan,
                    np.nan,
                ),
                ("population", code, year, "sex=male", male, "ok", np.nan, np.nan),
                (
                    "employed",
                    code,
                    year,
                    "total",
                    round(100 * workers / (female + male), 1),
                    "ok",
                    workers,
                    female + male,
                ),
                ("wage", code, year, "total", float(rng.uniform(200, 600)), "ok", np.nan, workers),
                ("median_wage", code, year, "total", float(rng.uniform(200, 600)), "ok", np.nan, np.nan),
            ]
    columns = ["indicator", "code", "year", "breakdown", "value", "status", "numerator", "denominator"]
    return pd.DataFrame(rows, columns=columns).assign(level="regso")


def by_hand(values: pd.DataFrame, parent: dict[str, str]) -> dict[tuple, float]:
    """Coarse values computed row by row: counts summed, the share from summed counts, the mean weighted by
    its denominators; a coarse value is left out when one of its RegSO lacks what it needs."""
    children: dict[str, int] = defaultdict(int)
    for code in parent:
        children[parent[code]] += 1
    sums: dict[tuple, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for row in values.itertuples():
        key = (row.indicator, parent[row.code], row.year, row.breakdown)
        if row.status != "ok":
            continue
        entry = sums[key]
        if row.indicator == "population":
            entry[0] += row.value
        elif row.indicator == "employed":
            entry[0] += row.numerator
            entry[1] += row.denominator
        elif row.indicator == "wage":
            entry[0] += row.value * row.denominator
            entry[1] += row.denominator
        entry[2] += 1
    out = {}
    for key, (a, b, n) in sums.items():
        if key[0] == "median_wage" or n < children[key[1]]:
            continue
        out[key] = a if key[0] == "population" else (100 * a / b if key[0] == "employed" else a / b)
    return out


@pytest.fixture(scope="module")
def built(areas):
    regso = areas[areas["level"] == "regso"]
    values = regso_values(list(regso["code"]))
    return values, make_dataset(areas, values, INDICATORS, {"title": "RegSO only"})


def derived_rows(dataset, level: str) -> pd.DataFrame:
    v = dataset.values
    return v[(v["level"] == level) & v["derived"]]


@pytest.mark.parametrize("level", ["kommun", "lan", "riket"])
def test_derived_values_equal_a_hand_computation(areas, built, level):
    values, dataset = built
    regso = areas[areas["level"] == "regso"].set_index("code")
    parent = {
        "kommun": regso["kommun"].to_dict(),
        "lan": regso["lan"].to_dict(),
        "riket": dict.fromkeys(regso.index, "SE"),
    }[level]
    expected = by_hand(values, parent)
    got = derived_rows(dataset, level)
    assert len(got) == len(expected) > 0
    for row in got.itertuples():
        key = (row.indicator, row.code, row.year, row.breakdown)
        assert row.value == pytest.approx(expected[key], rel=1e-12), key
    assert set(got["indicator"]) == {"population", "employed", "wage"}  # never the median


def test_a_suppressed_finer_value_leaves_its_coarser_areas_without_a_derived_value(areas, built):
    _, dataset = built
    regso = areas[areas["level"] == "regso"]
    hidden = regso["code"].iloc[1]  # the order regso_values numbers them in
    kommun = regso.set_index("code").loc[hidden, "kommun"]
    v = dataset.values
    female = v[(v["indicator"] == "population") & (v["breakdown"] == "sex=female") & (v["code"] == kommun)]
    assert set(female["year"]) == set(YEARS) - {SUPPRESSED_YEAR}
    assert not (female["status"] != "ok").any()  # nothing invented: the row is simply not there


def test_meta_says_what_was_derived_and_how_much_of_a_county_it_covers(areas, built):
    _, dataset = built
    aggregated = dataset.meta["aggregated"]
    assert set(aggregated) == {"population", "employed", "wage"}
    assert set(aggregated["population"]) == {"kommun", "lan", "riket"}
    assert "sum" in aggregated["population"]["kommun"]
    assert "weighted" in aggregated["wage"]["riket"]
    kommuner = areas[areas["level"] == "kommun"]
    covered = set(areas.loc[areas["level"] == "regso", "kommun"])
    assert dataset.meta["coverage"]["riket"]["SE"] == [len(covered), len(kommuner)]
    in_14 = kommuner[kommuner["code"].str[:2] == "14"]
    assert dataset.meta["coverage"]["lan"]["14"] == [len(covered & set(in_14["code"])), len(in_14)]


def test_imported_coarser_values_win_and_a_new_build_leaves_no_stale_aggregate(tmp_path, areas, built):
    _, dataset = built
    regso = areas[areas["level"] == "regso"].sort_values("code")
    first, kommun = regso["code"].iloc[0], regso["kommun"].iloc[0]
    imported = pd.DataFrame(
        [("population", "kommun", kommun, YEARS[0], "total", 123.0, "ok")],
        columns=["indicator", "level", "code", "year", "breakdown", "value", "status"],
    )
    changed = dataset.values.copy()
    hit = (
        (changed["code"] == first)
        & (changed["indicator"] == "population")
        & (changed["breakdown"] == "total")
    )
    changed.loc[hit, "value"] += 1000
    rebuilt = make_dataset(
        areas, pd.concat([changed, imported], ignore_index=True), dataset.indicators, dataset.meta
    )
    write_version(tmp_path, rebuilt)
    back = read_version(tmp_path)
    v = back.values
    pop = v[(v["indicator"] == "population") & (v["breakdown"] == "total") & (v["code"] == kommun)]
    by_year = pop.set_index("year")
    assert by_year.loc[YEARS[0], "value"] == 123.0 and not by_year.loc[YEARS[0], "derived"]
    before = dataset.values
    old = before[
        (before["indicator"] == "population") & (before["breakdown"] == "total") & (before["code"] == kommun)
    ]
    assert by_year.loc[YEARS[1], "value"] == old.set_index("year").loc[YEARS[1], "value"] + 1000
    assert by_year.loc[YEARS[1], "derived"]
    assert len(v) == len(before) + 0  # one derived row replaced by an imported one, nothing duplicated


def test_a_dataset_with_every_level_imported_derives_nothing(dataset):
    assert not dataset.values["derived"].any()
    assert "aggregated" not in dataset.meta


def test_municipal_values_alone_give_county_and_country_without_a_coverage_note():
    areas = synthetic_areas()
    areas = areas[areas["level"].isin(["kommun", "lan"])]
    kommuner = {"1401": 10.0, "1402": 20.0, "1403": 30.0, "1480": 40.0, "0180": 50.0}
    values = pd.DataFrame(
        [("population", "kommun", code, 2023, "total", n) for code, n in kommuner.items()],
        columns=["indicator", "level", "code", "year", "breakdown", "value"],
    )
    dataset = make_dataset(areas, values, INDICATORS, {})
    derived = derived_rows(dataset, "lan").set_index("code")["value"].to_dict()
    assert derived == {"14": 100.0, "01": 50.0}
    assert derived_rows(dataset, "riket")["value"].tolist() == [150.0]
    assert dataset.meta["aggregated"]["population"]["riket"] == "sum of the kommun values"
    assert "coverage" not in dataset.meta
