"""indicators.importers on API answers: SCB PxWeb JSON-stat2 and Kolada JSON."""

from __future__ import annotations

import json
import math

import geopandas as gpd
import pytest
from shapely.geometry import box

from indicators.importers import guess_format, read_values
from indicators.model import InputError


def pxweb_answer() -> dict:
    """Shaped like SCB's API answer for BE0101N1 by region, kön and år (values made up)."""
    return {
        "class": "dataset",
        "label": "Folkmängden efter region, kön, tabellinnehåll och år",
        "source": "SCB",
        "updated": "2024-02-21T06:00:00Z",
        "id": ["Region", "Kon", "ContentsCode", "Tid"],
        "size": [3, 2, 1, 2],
        "dimension": {
            "Region": {
                "label": "region",
                "category": {
                    "index": {"0180": 0, "1480": 1, "0180R001": 2},
                    "label": {"0180": "Stockholm", "1480": "Göteborg", "0180R001": "Stockholm (Akalla)"},
                },
            },
            "Kon": {
                "label": "kön",
                "category": {"index": {"1": 0, "2": 1}, "label": {"1": "män", "2": "kvinnor"}},
            },
            "ContentsCode": {
                "label": "tabellinnehåll",
                "category": {
                    "index": {"BE0101N1": 0},
                    "label": {"BE0101N1": "Folkmängd"},
                    "unit": {"BE0101N1": {"base": "antal", "decimals": 0}},
                },
            },
            "Tid": {
                "label": "år",
                "category": {"index": {"2021": 0, "2022": 1}, "label": {"2021": "2021", "2022": "2022"}},
            },
        },
        # Region slowest, Tid fastest: (0180, män, 2021), (0180, män, 2022), (0180, kvinnor, 2021), ...
        "value": [480000, 482000, 495000, 497000, 290000, 291000, 295000, None, 4000, 4100, 4200, 4300],
        "status": {"7": ".."},
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "version": "2.0",
        "extension": {"px": {"tableid": "BE0101N1", "language": "sv"}},
    }


def kolada_answer() -> dict:
    return {
        "count": 4,
        "values": [
            {
                "kpi": "N00945",
                "municipality": "0180",
                "period": 2021,
                "values": [
                    {"gender": "T", "count": 1, "status": "", "value": 12.3},
                    {"gender": "K", "count": 1, "status": "", "value": 13.1},
                    {"gender": "M", "count": 1, "status": "", "value": None},
                ],
            },
            {
                "kpi": "N00945",
                "municipality": "0000",
                "period": 2021,
                "values": [{"gender": "T", "count": 1, "status": "", "value": 10.0}],
            },
            {
                "kpi": "N00945",
                "municipality": "0014",
                "period": 2021,
                "values": [{"gender": "T", "count": 1, "status": "", "value": 11.0}],
            },
            {
                "kpi": "N00945",
                "ou": "V15E018000101",
                "period": 2021,
                "values": [{"gender": "T", "count": 1, "status": "", "value": 9.0}],
            },
        ],
    }


def write_json(tmp_path, name, doc):
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def lookup(result, code, year, breakdown="total"):
    v = result.values
    (row,) = v[(v["code"] == code) & (v["year"] == year) & (v["breakdown"] == breakdown)].itertuples()
    return row


def test_pxweb_jsonstat2(tmp_path):
    path = write_json(tmp_path, "BE0101N1.json", pxweb_answer())
    assert guess_format(path) == "pxweb"
    result = read_values(path)
    assert len(result.values) == 12
    assert set(result.values["indicator"]) == {"BE0101N1"}
    assert lookup(result, "0180", 2022, "sex=male").value == 482000
    assert lookup(result, "0180", 2021, "sex=female").value == 495000
    assert lookup(result, "1480", 2022, "sex=male").value == 291000
    suppressed = lookup(result, "1480", 2022, "sex=female")
    assert suppressed.status == "suppressed" and math.isnan(suppressed.value)
    assert lookup(result, "0180R001", 2022, "sex=female").value == 4300
    assert lookup(result, "0180R001", 2022, "sex=female").level == "regso"
    indicator = result.indicators["BE0101N1"]
    assert (indicator.title_sv, indicator.unit, indicator.decimals) == ("Folkmängd", "antal", 0)
    assert indicator.breakdowns == ("sex=female", "sex=male")


def test_pxweb_renamed_indicator_total_and_suffixed_deso_codes(tmp_path):
    doc = pxweb_answer()
    doc["dimension"]["Kon"]["category"] = {
        "index": {"1+2": 0, "2": 1},
        "label": {"1+2": "totalt", "2": "kvinnor"},
    }
    doc["dimension"]["Region"]["category"]["index"] = {"0180": 0, "1480": 1, "0114A0010_DeSO2025": 2}
    path = write_json(tmp_path, "px.json", doc)
    result = read_values(path, fmt="jsonstat", indicator="folkmangd")
    assert set(result.values["indicator"]) == {"folkmangd"}
    assert lookup(result, "0180", 2021).value == 480000
    assert lookup(result, "0114A0010", 2022, "sex=female").value == 4300
    assert result.indicators["folkmangd"].title_sv == "Folkmängd"


def test_pxweb_errors_count_values(tmp_path):
    doc = pxweb_answer()
    doc["dimension"]["Tid"]["category"]["index"] = {"2021": 0, "2022M01": 1}
    with pytest.raises(InputError, match=r"file px\.json, row 2, column 'Tid': '2022M01' is not a year"):
        read_values(write_json(tmp_path, "px.json", doc))
    doc = pxweb_answer()
    doc["value"][3] = "n/a"
    with pytest.raises(InputError, match=r"row 4, column 'value': 'n/a' is not a number"):
        read_values(write_json(tmp_path, "px.json", doc))
    doc = pxweb_answer()
    doc["size"] = [3, 2, 1, 3]
    with pytest.raises(InputError, match="'size' does not match"):
        read_values(write_json(tmp_path, "px.json", doc))


def test_kolada(tmp_path):
    path = write_json(tmp_path, "kolada.json", kolada_answer())
    assert guess_format(path) == "kolada"
    result = read_values(path)
    assert lookup(result, "0180", 2021).value == 12.3
    assert lookup(result, "0180", 2021, "sex=female").value == 13.1
    male = lookup(result, "0180", 2021, "sex=male")
    assert male.status == "missing" and math.isnan(male.value)
    assert (lookup(result, "00", 2021).level, lookup(result, "00", 2021).value) == ("riket", 10.0)
    assert (lookup(result, "14", 2021).level, lookup(result, "14", 2021).value) == ("lan", 11.0)
    assert len(result.values) == 5
    assert "skipped 1 entries for organisational units (ou), not areas" in result.report
    assert set(result.indicators) == {"N00945"}


def test_kolada_errors(tmp_path):
    doc = kolada_answer()
    doc["values"][1]["values"][0]["gender"] = "X"
    with pytest.raises(InputError, match=r"file k\.json, row 2, column 'gender': unknown gender 'X'"):
        read_values(write_json(tmp_path, "k.json", doc))
    doc = kolada_answer()
    doc["values"][2]["period"] = 2200
    with pytest.raises(InputError, match=r"row 3, column 'period': year 2200 is outside"):
        read_values(write_json(tmp_path, "k.json", doc))


def test_unrecognised_json(tmp_path):
    with pytest.raises(InputError, match="neither PxWeb JSON-stat2 nor a Kolada answer"):
        read_values(write_json(tmp_path, "other.json", {"hello": 1}))


def test_riket_code_follows_the_loaded_areas(tmp_path):
    areas = gpd.GeoDataFrame(
        {
            "code": ["SE", "14"],
            "name": ["Riket", "VG"],
            "level": ["riket", "lan"],
            "kommun": "",
            "lan": "",
            "regso": "",
        },
        geometry=[box(0, 0, 2, 2), box(0, 0, 1, 1)],
        crs="EPSG:3006",
    )
    doc = kolada_answer()
    del doc["values"][0]
    result = read_values(write_json(tmp_path, "kolada.json", doc), areas=areas)
    assert sorted(result.values["code"]) == ["14", "SE"]
    assert "the whole country (riket) is written 'SE' as in the loaded areas" in result.report
