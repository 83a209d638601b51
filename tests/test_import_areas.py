"""geo.read: area files in GeoPackage, GeoJSON and Shapefile, guessed and mapped columns, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import MultiPolygon, Polygon, box

from geo.read import load_mapping, read_areas
from indicators.model import AREA_COLUMNS, InputError

X0, Y0 = 320_000, 6_400_000  # SWEREF 99 TM, near Göteborg


def square(i: int, size: float = 1000) -> Polygon:
    return box(X0 + i * size, Y0, X0 + (i + 1) * size, Y0 + size)


def regso_frame(**overrides) -> gpd.GeoDataFrame:
    data = {
        "regsokod": ["1480R001", "1480R002", "1481R001"],
        "regsonamn": ["Centrum", " Kortedala  södra ", "Centrum"],
        "kommunkod": ["1480", "1480", "1481"],
        "kommunnamn": ["Göteborg", "Göteborg", "Mölndal"],
        "lanskod": ["14", "14", "14"],
    }
    data.update(overrides)
    return gpd.GeoDataFrame(data, geometry=[square(i) for i in range(3)], crs="EPSG:3006")


def write(frame: gpd.GeoDataFrame, path: Path, **kwargs) -> Path:
    frame.to_file(path, engine="pyogrio", **kwargs)
    return path


def test_geopackage_in_sweref_reads_without_mapping(tmp_path):
    result = read_areas(write(regso_frame(), tmp_path / "regso.gpkg"))
    areas = result.areas
    assert list(areas.columns) == [*AREA_COLUMNS, "geometry"]
    assert areas.crs.to_epsg() == 3006
    assert areas["code"].tolist() == ["1480R001", "1480R002", "1481R001"]
    assert set(areas["level"]) == {"regso"}
    assert areas["kommun"].tolist() == ["1480", "1480", "1481"]
    assert areas["lan"].tolist() == ["14", "14", "14"]
    assert areas["regso"].tolist() == ["", "", ""]
    assert areas["name"].tolist() == ["Centrum", "Kortedala södra", "Centrum"]
    assert dict(result.kommun_names) == {"1480": "Göteborg", "1481": "Mölndal"}
    assert areas.attrs["kommun_names"] == {"1480": "Göteborg", "1481": "Mölndal"}
    assert areas.geometry.iloc[0].area == pytest.approx(1_000_000)
    assert "level regso" in result.report[0]


def test_geojson_without_crs_is_wgs84_and_deso_parents_come_from_codes(tmp_path):
    features = [
        {
            "type": "Feature",
            "properties": {"desokod": code, "regsokod": regso},
            "geometry": {
                "type": "Polygon",
                "coordinates": [
                    [
                        [11.9 + i / 100, 57.7],
                        [11.91 + i / 100, 57.7],
                        [11.91 + i / 100, 57.71],
                        [11.9 + i / 100, 57.7],
                    ]
                ],
            },
        }
        for i, (code, regso) in enumerate([("1480C1010", "1480R001"), ("180C1090", "180R001")])
    ]
    path = tmp_path / "deso.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    result = read_areas(path)
    areas = result.areas
    assert areas.crs.to_epsg() == 4326
    assert areas["code"].tolist() == ["1480C1010", "0180C1090"]
    assert areas["level"].tolist() == ["deso", "deso"]
    assert areas["kommun"].tolist() == ["1480", "0180"]
    assert areas["lan"].tolist() == ["14", "01"]
    assert areas["regso"].tolist() == ["1480R001", "0180R001"]
    assert areas["name"].tolist() == ["1480C1010", "0180C1090"]  # no name column: the code
    assert any("row 2: 180C1090 → 0180C1090" in line for line in result.report)


def test_shapefile_with_excel_mangled_kommun_codes(tmp_path):
    frame = gpd.GeoDataFrame(
        {"kommunkod": [180, 1480], "kommunnamn": ["Stockholm", "Göteborg"]},
        geometry=[square(0), MultiPolygon([square(1), square(3)])],
        crs="EPSG:3006",
    )
    result = read_areas(write(frame, tmp_path / "kommuner.shp"))
    areas = result.areas
    assert areas["code"].tolist() == ["0180", "1480"]
    assert areas["level"].tolist() == ["kommun", "kommun"]
    assert areas["lan"].tolist() == ["01", "14"]
    assert areas["kommun"].tolist() == ["", ""]  # parents are strictly coarser
    assert areas.geometry.iloc[1].geom_type == "MultiPolygon"
    assert len(areas.geometry.iloc[1].geoms) == 2
    assert areas.crs.to_epsg() == 3006
    assert any("repaired 1 kommun codes" in line and "180 → 0180" in line for line in result.report)


def test_lan_level_from_a_generic_code_column(tmp_path):
    frame = gpd.GeoDataFrame(
        {"kod": ["1", "14"], "namn": ["Stockholms län", "Västra Götalands län"]},
        geometry=[square(0), square(1)],
        crs="EPSG:3006",
    )
    areas = read_areas(write(frame, tmp_path / "lan.gpkg")).areas
    assert areas["code"].tolist() == ["01", "14"]
    assert areas["level"].tolist() == ["lan", "lan"]
    assert areas["lan"].tolist() == ["", ""]


def test_shapefile_without_prj_is_rejected(tmp_path):
    path = write(regso_frame(), tmp_path / "noprj.shp")
    path.with_suffix(".prj").unlink()
    with pytest.raises(InputError, match=r"file noprj\.shp: the file has no coordinate reference system"):
        read_areas(path)


def test_explicit_mapping_and_mapping_files(tmp_path):
    frame = gpd.GeoDataFrame(
        {"AreaId": ["0180R001", "0180R002"], "Label": ["A", "B"], "Muni": ["x", "y"]},
        geometry=[square(0), square(1)],
        crs="EPSG:3006",
    )
    path = write(frame, tmp_path / "custom.gpkg")
    areas = read_areas(path, columns={"code": "AreaId", "name": "Label"}).areas
    assert areas["name"].tolist() == ["A", "B"]
    assert areas["level"].tolist() == ["regso", "regso"]
    toml_path = tmp_path / "mapping.toml"
    toml_path.write_text('[columns]\ncode = "AreaId"\nname = "Label"\n', encoding="utf-8")
    json_path = tmp_path / "mapping.json"
    json_path.write_text('{"code": "AreaId", "name": "Label"}', encoding="utf-8")
    assert load_mapping(toml_path) == load_mapping(json_path) == {"code": "AreaId", "name": "Label"}
    with pytest.raises(InputError, match=r"column 'Namn'.*no such column"):
        read_areas(path, columns={"code": "AreaId", "name": "Namn"})
    bad = tmp_path / "bad.json"
    bad.write_text('{"kod": "AreaId"}', encoding="utf-8")
    with pytest.raises(InputError, match=r"file .*bad\.json: unknown model columns \['kod'\]"):
        load_mapping(bad)


@pytest.mark.parametrize(
    ("codes", "message"),
    [
        (["1480R001", "", "1481R001"], r"file bad\.gpkg, row 2, column 'regsokod': empty area code"),
        (
            ["1480R001", "1481R001", "1480R001"],
            r"row 3, column 'regsokod': duplicated code '1480R001' \(first in row 1\)",
        ),
        (["1480R001", "1480R002", "1480X01"], r"row 3, column 'regsokod': '1480X01' is not a regso code"),
    ],
)
def test_bad_codes_name_file_row_and_column(tmp_path, codes, message):
    path = write(regso_frame(regsokod=codes), tmp_path / "bad.gpkg")
    with pytest.raises(InputError, match=message):
        read_areas(path)


def test_null_geometry_is_an_error(tmp_path):
    frame = regso_frame()
    frame.loc[1, "geometry"] = None
    path = write(frame, tmp_path / "null.gpkg")
    with pytest.raises(InputError, match=r"row 2, column 'geometry': area 1480R002 has no geometry"):
        read_areas(path)


def test_empty_geometry_is_an_error(tmp_path):
    frame = regso_frame()
    frame.loc[2, "geometry"] = Polygon()
    path = write(frame, tmp_path / "empty.gpkg")
    with pytest.raises(InputError, match=r"row 3, column 'geometry': area 1481R001 has an empty geometry"):
        read_areas(path)


def test_invalid_geometry_is_repaired_and_reported(tmp_path):
    bowtie = Polygon([(X0, Y0), (X0 + 2, Y0 + 2), (X0 + 2, Y0), (X0, Y0 + 2), (X0, Y0)])
    frame = regso_frame()
    frame.loc[0, "geometry"] = bowtie
    result = read_areas(write(frame, tmp_path / "bowtie.gpkg"))
    repaired = result.areas.geometry.iloc[0]
    assert repaired.is_valid
    assert repaired.geom_type == "MultiPolygon"
    assert repaired.area == pytest.approx(2.0)  # two triangles of 2 x 1 / 2
    assert any(
        line.startswith("row 1 (area 1480R001): invalid geometry repaired (Self-intersection")
        for line in result.report
    )


def test_missing_file_and_unknown_level(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_areas(tmp_path / "nope.gpkg")
    with pytest.raises(InputError, match="unknown level 'stadsdel'"):
        read_areas(write(regso_frame(), tmp_path / "x.gpkg"), level="stadsdel")


def test_layers_of_a_geopackage(tmp_path):
    path = tmp_path / "two.gpkg"
    regso_frame().to_file(path, layer="regso", engine="pyogrio")
    kommuner = gpd.GeoDataFrame({"kommunkod": ["1480"]}, geometry=[square(9)], crs="EPSG:3006")
    kommuner.to_file(path, layer="kommuner", engine="pyogrio")
    first = read_areas(path)
    assert len(first.areas) == 3
    assert "the file has 2 layers; read 'regso' (choose another with layer=)" in first.report
    chosen = read_areas(path, layer="kommuner")
    assert chosen.areas["code"].tolist() == ["1480"]
    assert chosen.areas["name"].tolist() == ["1480"]
