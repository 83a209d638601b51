"""Area geometry that could not be served is refused at import, through the CLI, naming file, row and area;
preparation drops what slips through instead of failing the layer."""

from __future__ import annotations

import json
import logging

import geopandas as gpd
import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon, box

from data.cli import main
from data.store import current_version
from geo.prepare import check_level, prepare_level
from indicators.model import InputError


def _kommun_geojson(path, corner_x: float) -> None:
    features = [
        {
            "type": "Feature",
            "properties": {"kommunkod": code, "kommunnamn": name},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for code, name, ring in (
            ("0201", "Norr", [[18.0, 59.0], [18.1, 59.0], [18.1, 59.1], [18.0, 59.1], [18.0, 59.0]]),
            ("0202", "Söder", [[18.1, 59.0], [corner_x, 59.0], [18.2, 59.1], [18.1, 59.1], [18.1, 59.0]]),
        )
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))


def test_a_coordinate_of_1e308_is_refused_naming_its_area(tmp_path, capsys):
    data = tmp_path / "data"
    good, bad = tmp_path / "good.geojson", tmp_path / "bad.geojson"
    _kommun_geojson(good, 18.2)
    _kommun_geojson(bad, 1e308)
    assert main(["import", "areas", str(good), "--data", str(data)]) == 0
    served = current_version(data)
    capsys.readouterr()
    assert main(["import", "areas", str(bad), "--data", str(data)]) == 2
    message = capsys.readouterr().err
    assert "bad.geojson" in message and "row 2" in message and "area 0202" in message
    assert "outside the area of use" in message
    assert current_version(data) == served  # the served dataset is untouched


def test_lonlat_numbers_in_a_sweref_file_are_refused(tmp_path, capsys):
    frame = gpd.GeoDataFrame(
        {"kommunkod": ["0201", "0202"], "kommunnamn": ["Norr", "Söder"]},
        geometry=[box(650_000, 6_580_000, 651_000, 6_581_000), box(18.0, 59.0, 18.1, 59.1)],
        crs="EPSG:3006",  # the second area's numbers are degrees, the file says metres
    )
    path = tmp_path / "mixed.gpkg"
    frame.to_file(path, engine="pyogrio")
    assert main(["import", "areas", str(path), "--data", str(tmp_path / "data")]) == 2
    message = capsys.readouterr().err
    assert "mixed.gpkg" in message and "area 0202" in message and "SWEREF99 TM" in message


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")  # the file's own NaN
def test_a_nan_coordinate_is_refused(tmp_path, capsys):
    ring = [(650_000, 6_580_000), (651_000, 6_580_000), (np.nan, 6_581_000), (650_000, 6_580_000)]
    frame = gpd.GeoDataFrame(
        {"kommunkod": ["0201", "0202"], "kommunnamn": ["Norr", "Söder"]},
        geometry=[box(650_000, 6_580_000, 651_000, 6_581_000), Polygon(ring)],
        crs="EPSG:3006",
    )
    path = tmp_path / "nan.gpkg"
    frame.to_file(path, engine="pyogrio")
    assert main(["import", "areas", str(path), "--data", str(tmp_path / "data")]) == 2
    message = capsys.readouterr().err
    assert "row 2" in message and "area 0202" in message and "not a finite number" in message


def _areas(geometries, crs="EPSG:4326") -> gpd.GeoDataFrame:
    codes = [f"020{i + 1}" for i in range(len(geometries))]
    return gpd.GeoDataFrame(
        {"code": codes, "name": codes, "level": "kommun", "kommun": "", "lan": "02", "regso": ""},
        geometry=geometries,
        crs=crs,
    )


def test_preparation_leaves_out_an_area_it_cannot_tile_and_keeps_the_layer(caplog):
    broken = Polygon([(18.1, 59.0), (1e308, 59.0), (18.2, 59.1), (18.1, 59.0)])
    areas = _areas([box(18.0, 59.0, 18.1, 59.1), broken, box(18.2, 59.0, 18.3, 59.1)])
    with caplog.at_level(logging.WARNING, logger="geo.prepare"):
        prepared = prepare_level(areas, "kommun")
    assert list(prepared.codes) == ["0201", "0203"]
    assert all(shapely.is_valid(band.shapes()).all() for band in prepared.bands)
    assert any("0202" in record.getMessage() for record in caplog.records)
    with pytest.raises(InputError, match="0202"):
        check_level(areas, "kommun")  # what a version must pass before it is written or served
    with pytest.raises(InputError, match="0201"):
        prepare_level(_areas([broken]), "kommun")  # nothing left: the level itself is refused
