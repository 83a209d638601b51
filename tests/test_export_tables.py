"""Downloads: the joined table, styled GeoPackage, GeoJSON, CSV and XLSX, by function and by route."""

import csv
import io
import json
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pyogrio
import pytest
import shapely.geometry

from data.export import csv_bytes, export_table, geopackage_bytes, value_column, xlsx_bytes
from data.store import make_dataset
from indicators.model import NotFoundError
from styles.choropleth import MapOptions
from tests.conftest import INDICATORS, grid_dataset


def income(code: str, year: int) -> float:
    """The grid's income: 200 000 + 10 000 per column east + 1 000 per year after 2020."""
    return 200_000 + 10_000 * ((int(code[-4:]) - 1000) % 4) + 1_000 * (year - 2020)


def test_table_has_a_column_per_indicator_and_year_and_status_columns():
    dataset = grid_dataset()
    table = export_table(dataset, "0201", "deso", [2020, 2021])
    frame = table.frame.set_index("code")
    assert len(frame) == 16 and table.frame.crs.to_epsg() == 3006
    assert [c.name for c in table.columns] == [
        "income_2020",
        "income_2021",
        "unemployment_2020",
        "unemployment_2021",
    ]
    for code in frame.index:
        assert frame.loc[code, "income_2021"] == income(code, 2021)
    assert frame.loc["0201C1001", "unemployment_2021_status"] == "suppressed"
    assert frame["unemployment_2021_status"].notna().sum() == 1
    assert "income_2021_status" not in frame.columns  # nothing suppressed there
    assert frame.loc["0201C1005", "unemployment_2021"] == 7.0  # 2 + k


def test_change_map_adds_its_column():
    from styles.choropleth import classes_for

    dataset = grid_dataset()
    options = MapOptions("deso", "income", 2021, since=2020)
    table = export_table(dataset, "0201", "deso", [2021], ["income"], classes_for(dataset, options))
    assert value_column(options) == "income_2020_2021_change"
    assert set(table.frame["income_2020_2021_change"]) == {1000.0}


def test_unknown_municipality_is_not_found():
    with pytest.raises(NotFoundError, match="0999"):
        export_table(grid_dataset(), "0999", "deso", [2021])


def read_gpkg(data: bytes, tmp_path: Path) -> Path:
    path = tmp_path / "export.gpkg"
    path.write_bytes(data)
    return path


def test_geopackage_has_the_layer_and_qgis_layer_styles(tmp_path):
    dataset = grid_dataset()
    table = export_table(dataset, "0201", "deso", [2020, 2021])
    path = read_gpkg(geopackage_bytes(dataset, table, MapOptions("deso", "income", 2021)), tmp_path)
    layers = dict(pyogrio.list_layers(path))
    assert layers["deso_0201"] in ("MultiPolygon", "Polygon") and layers["layer_styles"] is None
    frame = pyogrio.read_dataframe(path, layer="deso_0201")
    assert frame.crs.to_epsg() == 3006 and len(frame) == 16
    assert frame.set_index("code").loc["0201C1003", "income_2021"] == income("0201C1003", 2021)
    with sqlite3.connect(path) as db:
        kind = db.execute("SELECT data_type FROM gpkg_contents WHERE table_name = 'layer_styles'").fetchone()
        rows = db.execute(
            "SELECT f_table_catalog, f_table_schema, f_table_name, f_geometry_column, styleName, styleQML,"
            " styleSLD, useAsDefault FROM layer_styles ORDER BY id"
        ).fetchall()
        geometry_column = db.execute("SELECT column_name FROM gpkg_geometry_columns").fetchone()[0]
    assert kind == ("attributes",)
    assert [r[4] for r in rows] == ["income_2021", "income_2020", "unemployment_2020", "unemployment_2021"]
    assert [r[7] for r in rows] == [1, 0, 0, 0]
    catalog, schema, name, geometry, _, qml, sld, _ = rows[0]
    assert (catalog, schema, name, geometry) == ("", "", "deso_0201", geometry_column)
    rules = ET.fromstring(qml).find("renderer-v2/rules")
    assert rules[0].get("filter").startswith('"income_2021" < ')  # the GeoPackage column, not the tile one
    assert "<se:Name>deso_0201</se:Name>" in sld
    status_rules = ET.fromstring(rows[3][5]).find("renderer-v2/rules")
    assert any(r.get("filter") == "\"unemployment_2021_status\" = 'suppressed'" for r in status_rules)


def test_csv_with_decimal_comma_and_definitions():
    base = grid_dataset()
    values = base.values.copy()
    values.loc[values["indicator"] == "unemployment", "value"] += 0.25
    dataset = make_dataset(base.areas, values, INDICATORS, {"title": "Test grid"})
    table = export_table(dataset, "0201", "deso", [2021])
    text = csv_bytes(dataset, table, decimal_comma=True).decode("utf-8-sig")
    data, definitions, about = text.split("\r\n\r\n")
    rows = list(csv.DictReader(io.StringIO(data), delimiter=";"))
    by_code = {r["code"]: r for r in rows}
    assert by_code["0201C1005"]["unemployment_2021"] == "7,25"
    assert by_code["0201C1003"]["income_2021"] == "231000"
    assert by_code["0201C1000"]["unemployment_2021"] == ""  # missing
    head, *lines = list(csv.reader(io.StringIO(definitions), delimiter=";"))
    assert head[:5] == ["column", "indicator", "title", "unit", "year"]
    assert ["income_2021", "income", "Inkomst", "kr", "2021"] in [line[:5] for line in lines]
    assert "Test grid" in about
    plain = csv_bytes(dataset, table, definitions_section=False).decode("utf-8-sig")
    assert "\r\n\r\n" not in plain.strip() and "7.25" in plain


def test_xlsx_opens_with_a_definitions_sheet(tmp_path):
    dataset = grid_dataset()
    table = export_table(dataset, "0201", "deso", [2020, 2021])
    path = tmp_path / "t.xlsx"
    path.write_bytes(xlsx_bytes(dataset, table, "en"))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Data", "Definitions"]
    data = list(book["Data"].values)
    assert data[0][:2] == ("code", "name") and len(data) == 17
    header = list(data[0])
    row = next(r for r in data if r[0] == "0201C1002")
    assert row[header.index("income_2020")] == income("0201C1002", 2020)
    definitions = list(book["Definitions"].values)
    assert definitions[0][:4] == ("column", "indicator", "title", "unit")
    units = {r[0]: r[3] for r in definitions[1:5]}
    assert units == {
        "income_2020": "kr",
        "income_2021": "kr",
        "unemployment_2020": "%",
        "unemployment_2021": "%",
    }
    assert definitions[2][2] == "Income"  # English titles


def test_export_routes(client, tmp_path):
    response = client.get("/api/export/0201.gpkg?years=2020,2021&indicator=unemployment&classes=3")
    assert response.status_code == 200 and response.mimetype == "application/geopackage+sqlite3"
    assert (
        response.headers["Content-Disposition"] == 'attachment; filename="barometer_0201_deso_2020-2021.gpkg"'
    )
    with sqlite3.connect(read_gpkg(response.data, tmp_path)) as db:
        name, qml = db.execute("SELECT styleName, styleQML FROM layer_styles WHERE useAsDefault").fetchone()
    assert name == "unemployment_2021"
    # The style's classes are the style route's for the same options.
    style_qml = client.get("/styles/deso/unemployment/2021.qml?classes=3").data.decode()
    filters = [r.get("filter") for r in ET.fromstring(qml).find("renderer-v2/rules")]
    expected = [r.get("filter") for r in ET.fromstring(style_qml).find("renderer-v2/rules")]
    assert filters == [f.replace('"unemployment', '"unemployment_2021') for f in expected]

    geojson = json.loads(client.get("/api/export/0201.geojson?years=2021").data)
    assert len(geojson["features"]) == 16
    west, south, east, north = shapely.geometry.shape(geojson["features"][0]["geometry"]).bounds
    assert 10 < west < east < 25 and 55 < south < north < 70  # WGS 84
    text = client.get("/api/export/0201.csv?decimal=comma&indicators=income").data.decode("utf-8-sig")
    assert text.splitlines()[0] == "code;name;kommun;lan;regso;income_2021"
    xlsx = client.get("/api/export/0201.xlsx?years=2020,2021&lang=en")
    assert xlsx.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(xlsx.data))
    assert len(list(book["Data"].values)) == 17 and book["Definitions"]["C2"].value == "Income"


@pytest.mark.parametrize(
    ("url", "status", "parameter"),
    [
        ("/api/export/0999.csv", 404, "kommun"),
        ("/api/export/0201.csv?years=1999", 404, "years"),
        ("/api/export/0201.csv?years=x", 400, "years"),
        ("/api/export/0201.csv?indicators=nope", 404, "indicators"),
        ("/api/export/0201.csv?level=lan", 400, "level"),
        ("/api/export/0201.csv?level=regso", 404, "years"),  # the grid has RegSO areas but no values
        ("/api/export/0201.csv?decimal=dot", 400, "decimal"),
    ],
)
def test_export_errors_name_the_parameter(client, url, status, parameter):
    response = client.get(url)
    assert response.status_code == status, response.data
    assert response.get_json()["parameter"] == parameter


def test_the_styled_column_is_always_exported(client, tmp_path):
    response = client.get(
        "/api/export/0201.gpkg?years=2021&indicators=income&indicator=unemployment&year=2020"
    )
    path = read_gpkg(response.data, tmp_path)
    frame = pyogrio.read_dataframe(path, layer="deso_0201", read_geometry=False)
    assert {"income_2020", "income_2021", "unemployment_2020", "unemployment_2021"} <= set(frame.columns)
    with sqlite3.connect(path) as db:
        default = db.execute("SELECT styleName FROM layer_styles WHERE useAsDefault").fetchall()
    assert default == [("unemployment_2020",)]


def test_a_download_for_a_municipality_is_classed_within_it_like_the_page(tmp_path):
    """The demo has several municipalities: the GeoPackage's default style has the classes the page draws
    for that municipality (``kommun=``), not those over every area."""
    from tileserver import create_app

    client = create_app({"TESTING": True}).test_client()
    catalog = client.get("/api/catalog").get_json()
    kommun = catalog["municipalities"][0]["code"]
    year = max(next(level for level in catalog["levels"] if level["id"] == "deso")["years"])
    response = client.get(f"/api/export/{kommun}.gpkg?years={year}&indicator=employment_rate")
    assert response.status_code == 200
    with sqlite3.connect(read_gpkg(response.data, tmp_path)) as db:
        (qml,) = db.execute("SELECT styleQML FROM layer_styles WHERE useAsDefault").fetchone()

    def filters(text: str) -> list[str]:
        return [r.get("filter") for r in ET.fromstring(text).find("renderer-v2/rules")]

    column = f'"employment_rate_{year}"'
    page = client.get(f"/styles/deso/employment_rate/{year}.qml?kommun={kommun}").data.decode()
    everywhere = client.get(f"/styles/deso/employment_rate/{year}.qml").data.decode()
    classes = 5  # the default: the first five rules are the classes, then suppressed and no data
    assert filters(qml)[:classes] == [f.replace('"employment_rate"', column) for f in filters(page)][:classes]
    assert filters(page)[:classes] != filters(everywhere)[:classes]  # the scope matters on this data
