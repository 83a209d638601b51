"""The readers on real SCB files in ../shared/data/scb (skipped when absent, e.g. in a fresh clone)."""

from __future__ import annotations

import csv
from pathlib import Path

import geopandas as gpd
import pytest

from geo.read import read_areas
from indicators.importers import read_values
from indicators.model import AREA_COLUMNS

SCB = Path(__file__).resolve().parents[2] / "shared" / "data" / "scb"
pytestmark = pytest.mark.shared


def real(name: str) -> Path:
    path = SCB / name
    if not path.exists():
        pytest.skip(f"real SCB file {path} absent (../shared/data is not part of the repository)")
    return path


@pytest.fixture(scope="module")
def regso():
    return read_areas(real("regso_2025_goteborgsregionen.gpkg"))


def test_regso_2025_reads_without_mapping(regso):
    areas = regso.areas
    assert len(areas) == 300
    assert set(areas["level"]) == {"regso"}
    assert list(areas.columns) == [*AREA_COLUMNS, "geometry"]
    assert areas.crs.to_epsg() == 3006
    assert areas["code"].is_unique
    assert (areas["kommun"] == areas["code"].str[:4]).all()
    raw = gpd.read_file(real("regso_2025_goteborgsregionen.gpkg")).set_index("regsokod")
    assert (areas["lan"].to_numpy() == raw.loc[areas["code"], "lanskod"].to_numpy()).all()
    assert set(areas["lan"]) == {"13", "14"}  # Kungsbacka lies in Hallands län
    assert len(regso.kommun_names) == 13
    assert regso.kommun_names["1480"] == "Göteborg"


@pytest.mark.parametrize(
    ("name", "level", "count"), [("kommuner_2025.gpkg", "kommun", 290), ("lan_2025.gpkg", "lan", 21)]
)
def test_kommun_and_lan_files(name, level, count):
    areas = read_areas(real(name)).areas
    assert len(areas) == count
    assert set(areas["level"]) == {level}
    assert areas["code"].is_unique
    assert areas.geometry.is_valid.all()


def oracle_types(export: Path, gpkg: Path) -> tuple[int, dict[str, int]]:
    """Independently: data rows of the export, and the type per RegSO joined on 'kommunnamn (regsonamn)'."""
    with export.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    data = []
    for row in rows[1:]:
        if not any(cell.strip() for cell in row):
            break
        data.append(row)
    raw = gpd.read_file(gpkg)
    key = {
        " ".join(f"{k} ({n})".split()).casefold(): c
        for k, n, c in zip(raw["kommunnamn"], raw["regsonamn"], raw["regsokod"], strict=True)
    }
    joined = {
        key[" ".join(label.split()).casefold()]: int(value)
        for label, value in data
        if " ".join(label.split()).casefold() in key
    }
    return len(data), joined


def test_official_omradestyp_joined_by_name(regso):
    export = real("regso_omradestyp_2022_statistikdatabasen.csv")
    rows, expected = oracle_types(export, real("regso_2025_goteborgsregionen.gpkg"))
    assert rows == 3363 and len(expected) == 300
    result = read_values(export, areas=regso.areas, indicator="omradestyp_official")
    values = result.values
    assert len(values) == 300
    assert set(values["code"]) == set(regso.areas["code"])
    assert dict(zip(values["code"], values["value"].astype(int), strict=True)) == expected
    assert set(values["value"]) <= {1.0, 2.0, 3.0, 4.0, 5.0}
    assert set(values["year"]) == {2022}
    assert len(result.unmatched) == 3363 - 300 == 3063
    assert "matched 300 of 3363 rows to areas by name; 3063 unmatched" in result.report
    assert "3063 unmatched rows name municipalities without loaded areas" in result.report
