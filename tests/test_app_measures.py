"""The measures API on the demo dataset, checked against direct computations from the value table."""

from __future__ import annotations

import numpy as np
import pytest

from tileserver import create_app


@pytest.fixture(scope="module")
def demo_client():
    return create_app({"TESTING": True}).test_client()


@pytest.fixture(scope="module")
def demo(demo_client):
    return demo_client.application.extensions["barometer"].dataset()


def _counts(demo, indicator, level, year, breakdowns):
    v = demo.values
    rows = v[(v["indicator"] == indicator) & (v["level"] == level) & (v["year"] == year)]
    return {b: rows[rows["breakdown"] == b].set_index("code")["value"] for b in breakdowns}


def test_ojamlikhet_is_the_q1_q5_dissimilarity_of_the_municipality(demo_client, demo):
    kommun = demo.municipalities["code"].iloc[0]
    body = demo_client.get(f"/api/measures/ojamlikhet/{kommun}").get_json()
    assert body["level"] == "deso" and "q1" in body["method"]
    codes = demo.area_frame("deso").query("kommun == @kommun").index
    for point in body["series"]["kommun"][:3]:
        c = _counts(demo, "income_quintile", "deso", point["year"], ["quintile=1", "quintile=5"])
        q1, q5 = c["quintile=1"].reindex(codes), c["quintile=5"].reindex(codes)
        expected = 100 * 0.5 * np.abs(q1 / q1.sum() - q5 / q5.sum()).sum()
        assert point["value"] == pytest.approx(expected, abs=1e-9)
    assert len(body["series"]["riket"]) == len(demo.years_of("deso"))
    assert {"first_year", "last_year", "slope_per_year"} <= set(body["trend"]["kommun"][0])


def test_indices_match_a_direct_dissimilarity(demo_client, demo):
    kommun = demo.municipalities["code"].iloc[0]
    body = demo_client.get(f"/api/measures/indices/{kommun}/2023?group=background=foreign").get_json()
    codes = demo.area_frame("deso").query("kommun == @kommun").index
    c = _counts(demo, "population", "deso", 2023, ["background=foreign", "total"])
    x, t = c["background=foreign"].reindex(codes), c["total"].reindex(codes)
    y = t - x
    expected = 0.5 * np.abs(x / x.sum() - y / y.sum()).sum()
    assert body["indices"]["dissimilarity"]["value"] == pytest.approx(expected, abs=1e-12)
    lq = body["location_quotients"]
    code = codes[0]
    assert lq[code] == pytest.approx((x[code] / t[code]) / (x.sum() / t.sum()))


def test_omradestyper_per_area_and_population_per_type(demo_client, demo):
    kommun = demo.municipalities["code"].iloc[0]
    body = demo_client.get(f"/api/measures/omradestyper/regso/2023?kommun={kommun}").get_json()
    assert "σ" in body["reference"] and body["names"]["sv"]["1"].startswith("Områden med stora")
    types = {a["code"]: a["omradestyp"] for a in body["areas"]}
    assert set(types.values()) <= {1, 2, 3, 4, 5}
    summary = body["by_municipality"]["omradestyp"][0]
    assert sum(summary[f"areas_{t}"] for t in "12345") + summary["areas_missing"] == len(types)
    assert sum(summary[f"share_{t}"] for t in "12345") + summary["share_missing"] == pytest.approx(1.0)


def test_compare_against_municipality_and_country(demo_client, demo):
    kommun = demo.municipalities["code"].iloc[0]
    url = f"/api/measures/compare/deso/employment_rate/2023?kommun={kommun}&base_year=2015"
    body = demo_client.get(url).get_json()
    wide, base = demo.wide("deso", 2023)["employment_rate"], demo.wide("deso", 2015)["employment_rate"]
    for area in body["areas"][:5]:
        value = wide[area["code"]]
        assert area["value"] == pytest.approx(value)
        assert area["diff_region"] == pytest.approx(value - body["kommun_value"])
        assert area["diff_national"] == pytest.approx(value - body["national_value"])
        assert area["change_absolute"] == pytest.approx(value - base[area["code"]])
    ranks = sorted(a["rank"] for a in body["areas"] if a["rank"] is not None)
    assert ranks[0] == 1


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/measures/ojamlikhet/9999", "kommun"),
        ("/api/measures/indices/0201/1900", "year"),
        ("/api/measures/indices/0201/2023?group=sex=other", "group"),
        ("/api/measures/compare/deso/employment_rate/2023", "kommun"),
        ("/api/measures/omradestyper/regso/2023?kommun=x", "kommun"),
    ],
)
def test_measure_errors_name_the_parameter(demo_client, url, parameter):
    response = demo_client.get(url)
    assert 400 <= response.status_code < 500
    assert response.get_json()["parameter"] == parameter
