"""Styles, legends, QML and SLD over HTTP; change and deviation tiles; bad options answered with 400."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import mapbox_vector_tile
import mercantile
import pytest

from tests.test_styles_maplibre import validate


def _tile_props(client, url_prefix: str, query: str = "") -> dict[str, dict]:
    west, south, east, north = client.get("/tiles/deso.json").get_json()["bounds"]
    tile = mercantile.bounding_tile(west, south, east, north)
    body = client.get(f"{url_prefix}/{tile.z}/{tile.x}/{tile.y}.mvt{query}").data
    return {
        f["properties"]["code"]: f["properties"] for f in mapbox_vector_tile.decode(body)["deso"]["features"]
    }


def test_every_style_of_a_matrix_of_options_validates(client, tmp_path):
    queries = [
        "",
        "?method=equal_interval&classes=3",
        "?method=natural_breaks&classes=4&kommun=0201",
        "?method=std_mean",
        "?breaks=205000,215000",
        "?pooled=1&palette=Blues",
        "?client=qgis",
        "?client=qgis&kommun=0201&mode=filter",
        "?since=2020",
        "?since=2020&client=qgis",
        "?lang=en",
    ]
    paths = []
    for i, query in enumerate(queries):
        response = client.get(f"/styles/deso/income/2021.json{query}")
        assert response.status_code == 200, (query, response.data)
        path = tmp_path / f"style{i}.json"
        path.write_bytes(response.data)
        paths.append(path)
    result = validate(paths)
    assert result.returncode == 0, result.stdout + result.stderr


def test_style_points_at_year_tiles_and_classes_match_the_legend(client, dataset):
    style = client.get("/styles/deso/income/2021.json?classes=4", base_url="http://x.test").get_json()
    source = next(iter(style["sources"].values()))
    assert source["tiles"] == [f"http://x.test/tiles/deso/2021/{{z}}/{{x}}/{{y}}.mvt?v={dataset.version}"]
    legend = style["metadata"]["legend"]
    classes = [e for e in legend["entries"] if e["kind"] == "class"]
    assert len(classes) == 4 and sum(e["count"] for e in classes) == 16
    assert legend["entries"][-1]["kind"] == "no_data"
    assert classes[0]["label"].endswith("kr") and "\u202f" in classes[0]["label"]  # Swedish thousands
    assert client.get("/api/legend/deso/income/2021?classes=4").get_json()["entries"] == legend["entries"]


def test_suppressed_values_are_marked_in_tiles_and_counted(client):
    props = _tile_props(client, "/tiles/deso/2021")
    assert props["0201C1001"]["unemployment_status"] == "suppressed"
    assert "unemployment" not in props["0201C1001"] and "unemployment_status" not in props["0201C1000"]
    legend = client.get("/api/legend/deso/unemployment/2021").get_json()
    kinds = {e["kind"]: e["count"] for e in legend["entries"]}
    assert kinds["suppressed"] == 1  # the suppressed area
    assert kinds["no_data"] == 1  # the missing one, not counted twice


def test_change_tiles_hold_differences_and_the_change_style_diverges(client, dataset):
    props = _tile_props(client, "/tiles/deso/2021", "?since=2020")
    assert props["0201C1003"]["income"] == pytest.approx(1000.0)  # the grid's income grows 1 000 kr a year
    style = client.get("/styles/deso/income/2021.json?since=2020").get_json()
    assert style["sources"][next(iter(style["sources"]))]["tiles"][0].endswith(
        f"?since=2020&v={dataset.version}"
    )
    assert style["metadata"]["centre"] == 0


def test_qml_and_sld_are_xml_with_one_rule_per_class(client):
    qml = ET.fromstring(client.get("/styles/deso/income/2021.qml?classes=3").data)
    assert qml.tag == "qgis"
    sld = client.get("/styles/deso/income/2021.sld?classes=3")
    assert sld.mimetype == "application/vnd.ogc.sld+xml"
    root = ET.fromstring(sld.data)
    rules = [el for el in root.iter() if el.tag.endswith("}Rule")]
    assert len(rules) >= 4  # three classes and no data


@pytest.mark.parametrize(
    ("query", "parameter", "status"),
    [
        ("/styles/deso/nothing/2021.json", "indicator", 404),
        ("/styles/deso/income/1990.json", "year", 404),
        ("/styles/deso/income/2021.json?method=magic", "method", 400),
        ("/styles/deso/income/2021.json?palette=Rainbow", "palette", 400),
        ("/styles/deso/income/2021.json?classes=1", "classes", 400),
        ("/styles/deso/income/2021.json?classes=10", "classes", 400),
        ("/styles/deso/income/2021.json?breaks=3,2", "breaks", 400),
        ("/styles/deso/income/2021.json?breaks=a,b", "breaks", 400),
        ("/styles/deso/income/2021.json?client=arcgis", "client", 400),
        ("/styles/deso/income/2021.json?kommun=9999", "kommun", 404),
        ("/styles/deso/income/2021.json?since=1990", "since", 404),
        ("/styles/deso/income/2021.json?deviation=world", "deviation", 400),
        ("/styles/deso/income/2021.json?pooled=maybe", "pooled", 400),
        ("/api/legend/deso/income/2021?lang=fi", "lang", 400),
    ],
)
def test_bad_options_name_the_option(client, query, parameter, status):
    response = client.get(query)
    assert response.status_code == status, response.data
    body = response.get_json()
    assert body["parameter"] == parameter, body
    assert json.dumps(body)  # a JSON body


def test_a_new_dataset_version_never_serves_an_old_style(client, data_dir, dataset):
    from data.store import make_dataset, write_version

    before = client.get("/api/legend/deso/income/2021?classes=3").get_json()
    values = dataset.values.copy()
    values.loc[values["indicator"] == "income", "value"] *= 2
    write_version(data_dir, make_dataset(dataset.areas, values, dataset.indicators, dataset.meta))
    after = client.get("/api/legend/deso/income/2021?classes=3").get_json()
    assert after["classification"]["breaks"] == pytest.approx(
        [2 * b for b in before["classification"]["breaks"]]
    )


def test_pooled_classes_count_the_areas_of_the_year_shown(client):
    legend = client.get("/api/legend/deso/income/2021?pooled=1&classes=4").get_json()
    classes = [e for e in legend["entries"] if e["kind"] == "class"]
    assert sum(e["count"] for e in classes) == 16  # 16 areas this year, though classed over both years
    one_year = client.get("/api/legend/deso/income/2021?classes=4").get_json()
    assert legend["classification"]["breaks"] != one_year["classification"]["breaks"]
