"""Statistics per områdestyp, by function and through the API, against sums done by hand.

Six RegSO in two municipalities of two counties. 2021 has only computed types, 2022 official ones too
(which win). Employment is a share with counts, population a count, wage a mean weighted by persons, income
a median; unemployment is published for DeSO only (two per RegSO) and added up to RegSO first.
"""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from data.store import order_areas, write_version
from indicators.measures.per_type import per_type
from indicators.model import VALUE_COLUMNS, Dataset, Indicator, NotFoundError, normalise_values

REGSO = {  # code: (kommun, lan)
    "0201R001": ("0201", "02"),
    "0201R002": ("0201", "02"),
    "0201R003": ("0201", "02"),
    "0301R001": ("0301", "03"),
    "0301R002": ("0301", "03"),
    "0301R003": ("0301", "03"),
}
COMPUTED_2021 = {"0201R001": 1, "0201R002": 1, "0201R003": 3, "0301R001": 1, "0301R002": 5, "0301R003": 3}
COMPUTED_2022 = {"0201R001": 2, "0201R002": 2, "0201R003": 2, "0301R001": 2, "0301R002": 2, "0301R003": 2}
OFFICIAL_2022 = {"0201R001": 1, "0201R002": 3, "0201R003": 3, "0301R001": 1, "0301R002": 5, "0301R003": 5}
EMPLOYED = {"0201R001": (30, 100), "0201R002": (10, 50), "0201R003": (40, 50)}  # (numerator, denominator)
EMPLOYED |= {"0301R001": (60, 100), "0301R002": (90, 100), "0301R003": (20, 40)}
WAGE = {"0201R001": (250.0, 100), "0201R002": (310.0, 300)}  # (mean, persons)
INDICATORS = {
    "employment": Indicator("employment", "Sysselsatta", "Employed", unit="%", kind="share"),
    "population": Indicator("population", "Folkmängd", "Population", unit="personer", kind="count"),
    "wage": Indicator("wage", "Medellön", "Mean wage", unit="tkr", kind="mean"),
    "income": Indicator("income", "Medianinkomst", "Median income", unit="tkr", kind="median"),
    "unemployed": Indicator("unemployed", "Arbetslösa", "Unemployed", unit="personer", kind="count"),
    "omradestyp": Indicator("omradestyp", "Områdestyp", "Area type", kind="category"),
    "omradestyp_official": Indicator(
        "omradestyp_official", "Områdestyp (SCB)", "Area type (SCB)", kind="category"
    ),
}


def make() -> Dataset:
    rows, values = [], []
    for i, (code, (kommun, lan)) in enumerate(REGSO.items()):
        box = shapely.box(i * 1000.0, 6_500_000.0, (i + 1) * 1000.0, 6_501_000.0)
        rows.append(
            dict(code=code, name=f"R {code}", level="regso", kommun=kommun, lan=lan, regso="", geometry=box)
        )
        for d in range(2):
            deso = f"{kommun}C{1000 + 10 * i + d}"
            half = shapely.box(i * 1000.0 + d * 500, 6_500_000.0, i * 1000.0 + (d + 1) * 500, 6_501_000.0)
            rows.append(
                dict(code=deso, name=deso, level="deso", kommun=kommun, lan=lan, regso=code, geometry=half)
            )
            for year in (2021, 2022):
                values.append(
                    ("unemployed", "deso", deso, year, "total", 1 + i + d, "ok", 1 + i + d, math.nan)
                )
        for year in (2021, 2022):
            num, den = EMPLOYED[code]
            values.append(("employment", "regso", code, year, "total", 100 * num / den, "ok", num, den))
            values.append(("population", "regso", code, year, "total", den, "ok", den, math.nan))
            values.append(("income", "regso", code, year, "total", 200 + i, "ok", math.nan, den))
            computed = (COMPUTED_2021 if year == 2021 else COMPUTED_2022)[code]
            values.append(("omradestyp", "regso", code, year, "total", computed, "ok", math.nan, math.nan))
        values.append(
            (
                "omradestyp_official",
                "regso",
                code,
                2022,
                "total",
                OFFICIAL_2022[code],
                "ok",
                math.nan,
                math.nan,
            )
        )
        if code in WAGE:
            mean, persons = WAGE[code]
            values.append(("wage", "regso", code, 2022, "total", mean, "ok", mean * persons, persons))
    areas = order_areas(gpd.GeoDataFrame(rows, crs="EPSG:3006"))
    frame = pd.DataFrame(values, columns=list(VALUE_COLUMNS))
    return Dataset("per-type-test", areas, normalise_values(frame), INDICATORS)


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return make()


def value(result, year: int, type_: int) -> float:
    row = result.rows[(result.rows["year"] == year) & (result.rows["type"] == type_)]
    assert len(row) == 1, (year, type_)
    return float(row["value"].iloc[0])


def test_shares_come_from_summed_counts_and_official_types_win(dataset):
    result = per_type(dataset, "employment", "riket")
    assert result.type_source == {2021: "computed", 2022: "official"}
    # 2021, computed: type 1 = 0201R001, 0201R002, 0301R001; type 3 = 0201R003, 0301R003; type 5 = 0301R002.
    assert value(result, 2021, 1) == pytest.approx(100 * (30 + 10 + 60) / (100 + 50 + 100))
    assert value(result, 2021, 3) == pytest.approx(100 * (40 + 20) / (50 + 40))
    assert value(result, 2021, 5) == pytest.approx(90.0)
    # 2022, official: type 1 = 0201R001, 0301R001; type 3 = 0201R002, 0201R003; type 5 = 0301R002, 0301R003.
    assert value(result, 2022, 1) == pytest.approx(100 * 90 / 200)
    assert value(result, 2022, 3) == pytest.approx(100 * 50 / 100)
    assert value(result, 2022, 5) == pytest.approx(100 * 110 / 140)
    assert set(result.rows.loc[result.rows["year"] == 2022, "type"]) == {1, 3, 5}  # never the computed 2
    counted = result.rows.set_index(["year", "type"])["n_areas"]
    assert counted[(2022, 5)] == 2 and counted[(2021, 5)] == 1


def test_scopes_county_and_municipality(dataset):
    county = per_type(dataset, "population", "lan", "03")
    assert value(county, 2022, 1) == 100 and value(county, 2022, 5) == 100 + 40
    assert set(county.rows.loc[county.rows["year"] == 2022, "type"]) == {1, 5}
    kommun = per_type(dataset, "employment", "kommun", "0201")
    assert value(kommun, 2022, 3) == pytest.approx(100 * (10 + 40) / (50 + 50))
    with pytest.raises(NotFoundError) as error:
        per_type(dataset, "employment", "kommun", "9999")
    assert error.value.parameter == "code"


def test_means_are_weighted_and_incomplete_types_are_missing_with_a_note(dataset):
    result = per_type(dataset, "wage", "kommun", "0201")
    # Type 1 is 0201R001 alone; type 3 holds 0201R002 (wage known) and 0201R003 (no wage): missing.
    assert value(result, 2022, 1) == pytest.approx(250.0)
    row = result.rows[(result.rows["year"] == 2022) & (result.rows["type"] == 3)].iloc[0]
    assert row["status"] == "missing" and math.isnan(row["value"])
    assert any("2022 type 3" in note for note in result.notes)
    both = per_type(make_with_wage_everywhere(), "wage", "kommun", "0201")
    assert value(both, 2022, 3) == pytest.approx((310.0 * 300 + 100.0 * 50) / (300 + 50))


def make_with_wage_everywhere() -> Dataset:
    base = make()
    extra = pd.DataFrame(
        [("wage", "regso", "0201R003", 2022, "total", 100.0, "ok", 100.0 * 50, 50)],
        columns=list(base.values.columns),
    )
    values = normalise_values(pd.concat([base.values.astype({"status": str}), extra], ignore_index=True))
    return Dataset("per-type-test-2", base.areas, values, INDICATORS)


def test_deso_counts_are_added_up_to_regso_first(dataset):
    result = per_type(dataset, "unemployed", "riket")
    deso = dataset.values[(dataset.values["indicator"] == "unemployed") & (dataset.values["year"] == 2022)]
    regso_of = dataset.area_frame("deso")["regso"]
    by_regso = deso.assign(regso=deso["code"].map(regso_of).to_numpy()).groupby("regso")["value"].sum()
    expected = sum(by_regso[code] for code, t in OFFICIAL_2022.items() if t == 5)
    assert value(result, 2022, 5) == expected


def test_medians_and_unknown_breakdowns_are_refused(dataset):
    with pytest.raises(NotFoundError) as error:
        per_type(dataset, "income", "riket")
    assert error.value.parameter == "indicator" and "median" in error.value.message
    with pytest.raises(NotFoundError) as error:
        per_type(dataset, "employment", "riket", breakdown="sex=female")
    assert error.value.parameter == "breakdown"


def test_the_api_answers_per_type_series(tmp_path, dataset):
    from tileserver import create_app

    write_version(tmp_path / "data", dataset)
    client = create_app({"DATA": str(tmp_path / "data"), "TESTING": True}).test_client()
    answer = client.get("/api/measures/per_type/employment?scope=lan&code=02")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["type_source"] == {"2021": "computed", "2022": "official"}
    assert body["unit"] == "%" and body["kind"] == "share" and body["types"]["1"]["sv"].startswith("Områden")
    type1 = {row["year"]: row for row in body["series"]["1"]}
    assert type1[2021]["value"] == pytest.approx(100 * 40 / 150) and type1[2021]["n_areas"] == 2
    assert type1[2022]["value"] == pytest.approx(30.0) and type1[2022]["numerator"] == 30
    for url, parameter in (
        ("/api/measures/per_type/employment?scope=lan&code=99", "code"),
        ("/api/measures/per_type/employment?scope=world", "scope"),
        ("/api/measures/per_type/income", "indicator"),
        ("/api/measures/per_type/nothing", "indicator"),
        ("/api/measures/per_type/employment?breakdown=sex=female", "breakdown"),
    ):
        response = client.get(url)
        assert 400 <= response.status_code < 500 and response.get_json()["parameter"] == parameter, url


def test_the_per_type_table_downloads_as_csv_and_xlsx(tmp_path, dataset):
    import csv
    import io

    import openpyxl

    from tileserver import create_app

    write_version(tmp_path / "data", dataset)
    client = create_app({"DATA": str(tmp_path / "data"), "TESTING": True}).test_client()
    answer = client.get("/api/measures/per_type/employment?scope=lan&code=02").get_json()
    expected = sorted(
        (p["year"], int(t), p["value"], p["n_areas"])
        for t, series in answer["series"].items()
        for p in series
    )
    response = client.get("/api/measures/per_type/employment.csv?scope=lan&code=02&decimal=comma")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].endswith('_per_omradestyp_02.csv"')
    lines = response.data.decode("utf-8-sig").split("\r\n\r\n")[0].splitlines()
    rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=";"))
    assert rows[0][:4] == ["year", "type", "type_name", "value"]
    got = [(int(r[0]), int(r[1]), float(r[3].replace(",", ".")), int(r[7])) for r in rows[1:]]
    assert got == [(y, t, pytest.approx(v), n) for y, t, v, n in expected]
    assert [r[8] for r in rows[1:]] == [answer["type_source"][r[0]] for r in rows[1:]]
    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/api/measures/per_type/employment.xlsx?scope=lan&code=02").data)
    )
    sheet = list(book["Data"].iter_rows(values_only=True))
    assert [(r[0], r[1], r[3], r[7]) for r in sheet[1:]] == [
        (y, t, pytest.approx(v), n) for y, t, v, n in expected
    ]
    assert ("indicator", "employment") in list(book["Definitions"].iter_rows(values_only=True))
    assert client.get("/api/measures/per_type/employment.csv?scope=lan&code=99").status_code == 404
