"""The options of ``barometer import areas`` through the command: each test fails if its flag is dropped."""

from __future__ import annotations

import geopandas as gpd
import pyogrio
import shapely

from data import store
from data.cli import main


def _districts(path, codes=("0201C1000", "0201C1001")) -> None:
    """A GeoPackage as a municipality's GIS saves it: its own column names, and a second layer first."""
    boxes = [
        shapely.box(650_000 + i * 1000, 6_580_000, 651_000 + i * 1000, 6_581_000) for i in range(len(codes))
    ]
    gpd.GeoDataFrame({"note": ["x"]}, geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:3006").to_file(
        path, layer="a_notes"
    )
    gpd.GeoDataFrame(
        {"omr_kod": list(codes), "omr_namn": ["Norra", "Södra"], "id": ["A1", "B2"]},
        geometry=boxes,
        crs="EPSG:3006",
    ).to_file(path, layer="districts")


def _areas(data):
    return store.read_version(data).areas.set_index("code")


def test_layer_level_and_map_read_a_file_with_its_own_names(tmp_path, capsys):
    _districts(tmp_path / "d.gpkg")
    assert [name for name, _ in pyogrio.list_layers(tmp_path / "d.gpkg")] == ["a_notes", "districts"]
    data = tmp_path / "data"
    base = ["import", "areas", "--data", str(data), str(tmp_path / "d.gpkg")]
    assert main([*base, "--level", "deso", "--map", "code=omr_kod", "--map", "name=omr_namn"]) == 2
    capsys.readouterr()
    flags = ["--layer", "districts", "--level", "deso", "--map", "code=omr_kod", "--map", "name=omr_namn"]
    assert main([*base, *flags]) == 0
    areas = _areas(data)
    assert areas.loc["0201C1001", "name"] == "Södra" and set(areas["level"]) == {"deso"}
    assert main([*base, "--layer", "districts", "--level", "regso", "--map", "code=omr_kod"]) == 2
    assert main([*base, "--layer", "districts", "--map", "code=omr_kod", "--map", "name"]) == 2
    assert "--map" in capsys.readouterr().err


def test_mapping_file_names_the_columns(tmp_path):
    _districts(tmp_path / "d.gpkg")
    (tmp_path / "mapping.toml").write_text(
        '[columns]\ncode = "omr_kod"\nname = "omr_namn"\n', encoding="utf-8"
    )
    data = tmp_path / "data"
    args = ["import", "areas", "--data", str(data), str(tmp_path / "d.gpkg"), "--layer", "districts"]
    assert main([*args, "--mapping-file", str(tmp_path / "mapping.toml")]) == 0
    assert _areas(data).loc["0201C1000", "name"] == "Norra"
