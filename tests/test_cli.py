"""The ``barometer`` command end to end: imports, info, and failures that change nothing."""

from __future__ import annotations

import json

import geopandas as gpd
import mapbox_vector_tile
import mercantile
import pytest
import shapely

from data import store
from data.cli import main
from tests.conftest import SHARED

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/scb (real SCB files) is absent")


def _write_areas(path, codes=("0201C1000", "0201C1001")) -> None:
    boxes = [
        shapely.box(650_000 + i * 1000, 6_580_000, 651_000 + i * 1000, 6_581_000) for i in range(len(codes))
    ]
    gpd.GeoDataFrame(
        {"deso": list(codes), "desonamn": [f"Område {c[-2:]}" for c in codes]},
        geometry=boxes,
        crs="EPSG:3006",
    ).to_file(path, driver="GPKG")


def test_import_areas_and_values_then_info(tmp_path, capsys):
    data = tmp_path / "data"
    _write_areas(tmp_path / "deso.gpkg")
    assert main(["import", "areas", "--data", str(data), str(tmp_path / "deso.gpkg")]) == 0
    (tmp_path / "v.csv").write_bytes(
        "kod;år;arbetslöshet\n0201C1000;2021;3,5\n0201C1001;2021;..\n".encode("cp1252")
    )
    values = ["import", "values", "--data", str(data), str(tmp_path / "v.csv")]
    assert main([*values, "--indicator", "arbetsloshet", "--kind", "share"]) == 0
    dataset = store.read_version(data)
    assert dataset.levels == ("deso",)
    rows = dataset.values.set_index("code")
    assert rows.loc["0201C1000", "value"] == 3.5
    assert rows.loc["0201C1001", "status"] == "suppressed"
    capsys.readouterr()
    assert main(["info", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert dataset.version in out and "deso" in out and "2021-2021" in out


def test_a_failed_import_leaves_the_served_dataset_untouched(tmp_path, capsys, data_dir):
    before = store.current_version(data_dir)
    bad = tmp_path / "bad.csv"
    bad.write_text("code,year,income\n0201C1000,2021,12\n0201C1001,2021,tolv\n", encoding="utf-8")
    assert main(["import", "values", "--data", str(data_dir), str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "row 3" in err and "income" in err
    assert store.current_version(data_dir) == before
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("code,year,income\n0201C9999,2021,12\n", encoding="utf-8")
    assert main(["import", "values", "--data", str(data_dir), str(unknown)]) == 2
    assert "0201C9999" in capsys.readouterr().err
    assert main(["import", "areas", "--data", str(data_dir), str(tmp_path / "nothing.gpkg")]) == 2
    assert "nothing.gpkg" in capsys.readouterr().err
    assert store.current_version(data_dir) == before
    assert len(list((data_dir / "versions").iterdir())) == 1


def test_the_server_keeps_serving_while_an_import_fails(tmp_path, client, data_dir):
    version = client.get("/api/health").get_json()["version"]
    bad = tmp_path / "bad.csv"
    bad.write_text("code,year,income\n0201C1000,1800,12\n", encoding="utf-8")
    assert main(["import", "values", "--data", str(data_dir), str(bad)]) == 2
    assert client.get("/api/health").get_json()["version"] == version


@needs_shared
def test_real_scb_files_import_as_downloaded_and_official_types_reach_the_tiles(tmp_path, capsys):
    """RegSO 2025 + kommuner + län, then the official områdestyp 2022 export joined by name; decode tiles."""
    data = tmp_path / "data"
    for name in ("regso_2025_goteborgsregionen.gpkg", "kommuner_2025.gpkg", "lan_2025.gpkg"):
        assert main(["import", "areas", "--data", str(data), str(SHARED / name)]) == 0
    capsys.readouterr()
    export = SHARED / "regso_omradestyp_2022_statistikdatabasen.csv"
    assert (
        main(
            [
                "import",
                "values",
                "--data",
                str(data),
                str(export),
                "--indicator",
                "omradestyp_official",
                "--level",
                "regso",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "300" in out and "3063" in out.replace("\u00a0", "").replace(",", "").replace(" ", "")
    dataset = store.read_version(data)
    assert {lv: int(n) for lv, n in dataset.areas["level"].value_counts().items()} == {
        "regso": 300,
        "kommun": 290,
        "lan": 21,
    }

    from tileserver import create_app

    client = create_app({"DATA": str(data)}).test_client()
    tj = client.get("/tiles/regso/2022.json").get_json()
    assert "omradestyp_official" in tj["vector_layers"][0]["fields"]
    west, south, east, north = tj["bounds"]
    found: dict[str, int] = {}
    for tile in mercantile.tiles(west, south, east, north, 8):
        body = client.get(f"/tiles/regso/2022/{tile.z}/{tile.x}/{tile.y}.mvt").data
        for layer in mapbox_vector_tile.decode(body).values():
            for feature in layer["features"]:
                props = feature["properties"]
                found[props["code"]] = props.get("omradestyp_official")
    assert len(found) == 300
    assert set(found.values()) <= {1, 2, 3, 4, 5} and None not in found.values()
    expected = dataset.wide("regso", 2022)["omradestyp_official"]
    assert all(found[code] == expected[code] for code in found)
    assert json.dumps(sorted(set(found.values()))) == "[1, 2, 3, 4, 5]"  # categories are integers
