"""indicators.importers on SCB Statistikdatabasen's CSV export: areas named, not coded, and a footer."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import box

from indicators.importers import read_values
from indicators.importers.names import normalise_name
from indicators.model import InputError

EXPORT = (
    ",2022\r\n"
    "Göteborg (Kortedala  södra),3\r\n"
    "Sotenäs (Kungshamn–Smögen-Hovenäset),4\r\n"
    "GÖTEBORG ( centrum ),2\r\n"
    "Mölndal (Centrum),5\r\n"
    "Mölndal (Okänt område),1\r\n"
    "Kiruna (Centrum),5\r\n"
    ",\r\n"
    '"Områdestyp 1 – områden med stora socioekonomiska utmaningar\r\nOmrådestyp 5 – mycket goda",\r\n'
    "Källa:,\r\nSCB,\r\n"
)
KOMMUN_NAMES = {"1480": "Göteborg", "1481": "Mölndal", "1427": "Sotenäs"}


def regso_areas(with_names: bool = True) -> gpd.GeoDataFrame:
    codes = ["1480R001", "1480R002", "1427R001", "1481R001", "1481R002"]
    names = ["Centrum", "Kortedala södra", "Kungshamn-Smögen - Hovenäset", "Centrum", "Fässberg"]
    frame = gpd.GeoDataFrame(
        {
            "code": codes,
            "name": names,
            "level": "regso",
            "kommun": [c[:4] for c in codes],
            "lan": [c[:2] for c in codes],
            "regso": "",
        },
        geometry=[box(i, 0, i + 1, 1) for i in range(len(codes))],
        crs="EPSG:3006",
    )
    if with_names:
        frame.attrs["kommun_names"] = dict(KOMMUN_NAMES)
    return frame


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "omradestyp.csv"
    path.write_bytes(EXPORT.encode("utf-8-sig"))
    return path


def test_names_match_tolerating_spaces_case_and_dashes(export):
    result = read_values(export, areas=regso_areas(), indicator="omradestyp_official")
    values = dict(zip(result.values["code"], result.values["value"], strict=True))
    assert values == {"1480R002": 3.0, "1427R001": 4.0, "1480R001": 2.0, "1481R001": 5.0}
    assert set(result.values["year"]) == {2022}
    assert set(result.values["level"]) == {"regso"}
    assert result.unmatched == ((6, "Mölndal (Okänt område)"), (7, "Kiruna (Centrum)"))
    assert "matched 4 of 6 rows to areas by name; 2 unmatched" in result.report
    assert "1 unmatched rows name municipalities without loaded areas" in result.report
    assert any(
        line.startswith("1 unmatched rows name municipalities of the loaded areas: row 6")
        for line in result.report
    )
    assert any(
        line.startswith("ignored 3 footer lines below the data (after row 7)") for line in result.report
    )


def test_kommun_names_may_come_from_an_argument(export):
    result = read_values(
        export, areas=regso_areas(with_names=False), indicator="t", kommun_names=KOMMUN_NAMES
    )
    assert len(result.values) == 4


def test_strict_lists_unmatched_rows(export):
    with pytest.raises(
        InputError,
        match=r"file omradestyp\.csv, column '\(first column\)': 2 rows name no "
        r"loaded area: row 6: 'Mölndal \(Okänt område\)'; row 7: 'Kiruna",
    ):
        read_values(export, areas=regso_areas(), indicator="t", strict=True)


def test_names_need_areas_and_kommun_names(export):
    with pytest.raises(InputError, match=r"row 2, column '\(first column\)': areas are named, not coded"):
        read_values(export, indicator="t")
    with pytest.raises(InputError, match=r"import the kommun areas too \(barometer import areas kommuner"):
        read_values(export, areas=regso_areas(with_names=False), indicator="t")
    with pytest.raises(InputError, match="name the indicator with --indicator"):
        read_values(export, areas=regso_areas())


def test_kommun_level_names(tmp_path):
    path = tmp_path / "kommun.csv"
    path.write_text("region,Antal 2021\nStockholm,10\nGöteborg,20\nMalmö,30\n", encoding="utf-8")
    areas = gpd.GeoDataFrame(
        {
            "code": ["0180", "1480"],
            "name": ["Stockholm", "Göteborg"],
            "level": "kommun",
            "kommun": "",
            "lan": ["01", "14"],
            "regso": "",
        },
        geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1)],
        crs="EPSG:3006",
    )
    result = read_values(path, areas=areas, indicator="antal")
    assert dict(zip(result.values["code"], result.values["value"], strict=True)) == {"0180": 10, "1480": 20}
    assert result.unmatched == ((4, "Malmö"),)


def test_normalise_name():
    assert normalise_name(" Kortedala  södra ") == "kortedala södra"
    assert normalise_name("Kungshamn – Smögen—Väjern") == "kungshamn-smögen-väjern"
    assert normalise_name("Göteborg ( Centrum )") == "göteborg (centrum)"
