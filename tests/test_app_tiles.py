"""Tiles and TileJSON over HTTP: content, caching headers, and every error path."""

from __future__ import annotations

import gzip

import mapbox_vector_tile
import mercantile
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data.store import make_dataset, write_version
from tests.conftest import grid_dataset

MVT = "application/vnd.mapbox-vector-tile"


def _centre_tile(client, level: str, z: int) -> mercantile.Tile:
    """The tile at zoom z that holds the centre of the level's bounds."""
    tj = client.get(f"/tiles/{level}.json").get_json()
    west, south, east, north = tj["bounds"]
    return mercantile.tile((west + east) / 2, (south + north) / 2, z)


def _whole_tile(client, level: str) -> mercantile.Tile:
    """The smallest tile holding every area of the level (the grid fits in one z9 tile)."""
    west, south, east, north = client.get(f"/tiles/{level}.json").get_json()["bounds"]
    return mercantile.bounding_tile(west, south, east, north)


def _decode(body: bytes) -> list[dict]:
    layers = mapbox_vector_tile.decode(body)
    return [f for layer in layers.values() for f in layer["features"]]


def test_tilejson_describes_levels_and_year_fields(client, dataset):
    tj = client.get("/tiles/deso.json", base_url="https://karta.example.se").get_json()
    assert tj["tilejson"] == "3.0.0"
    assert tj["tiles"] == [f"https://karta.example.se/tiles/deso/{{z}}/{{x}}/{{y}}.mvt?v={dataset.version}"]
    assert tj["minzoom"] < tj["maxzoom"]
    west, south, east, north = tj["bounds"]
    assert 17 < west < east < 18 and 59 < south < north < 60  # SWEREF 99 TM: 150 km east of 15° E
    assert tj["vector_layers"][0]["id"] == "deso"
    year = client.get("/tiles/deso/2021.json").get_json()
    assert {"income", "unemployment"} <= set(year["vector_layers"][0]["fields"])
    assert year["tiles"][0].endswith(f"/tiles/deso/2021/{{z}}/{{x}}/{{y}}.mvt?v={dataset.version}")


def test_public_url_overrides_the_request_host(data_dir):
    from tileserver import create_app

    app = create_app({"DATA": str(data_dir), "PUBLIC_URL": "https://proxy.example/barometer/"})
    tj = app.test_client().get("/tiles/regso.json").get_json()
    assert tj["tiles"][0].startswith("https://proxy.example/barometer/tiles/regso/")


def test_year_tile_carries_values_and_omits_missing(client, dataset):
    tile = _whole_tile(client, "deso")
    response = client.get(f"/tiles/deso/2021/{tile.z}/{tile.x}/{tile.y}.mvt")
    assert response.status_code == 200 and response.mimetype == MVT
    features = {f["properties"]["code"]: f for f in _decode(response.data)}
    assert len(features) == 16
    wide = dataset.wide("deso", 2021)
    for code, feature in features.items():
        assert feature["properties"]["income"] == pytest.approx(wide.loc[code, "income"])
        assert feature["properties"]["kommun"] == "0201"
    assert "unemployment" not in features["0201C1000"]["properties"]  # missing
    assert "unemployment" not in features["0201C1001"]["properties"]  # suppressed
    assert features["0201C1005"]["properties"]["unemployment"] == pytest.approx(7.0)
    ids = [f["id"] for f in features.values()]
    assert len(set(ids)) == 16 and all(isinstance(i, int) and i > 0 for i in ids)


def test_geometry_tile_has_no_values(client):
    tile = _centre_tile(client, "regso", 11)
    features = _decode(client.get(f"/tiles/regso/{tile.z}/{tile.x}/{tile.y}.mvt").data)
    assert len(features) == 4
    assert all("income" not in f["properties"] for f in features)


def test_gzip_etag_304_cors_and_head(client):
    tile = _centre_tile(client, "deso", 10)
    url = f"/tiles/deso/2021/{tile.z}/{tile.x}/{tile.y}.mvt"
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    plain = client.get(url)
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    assert gzip.decompress(zipped.data) == plain.data
    assert zipped.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age" in zipped.headers["Cache-Control"]
    assert zipped.headers["ETag"] != plain.headers["ETag"]  # two representations, two strong ETags
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    head = client.head(url)
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == plain.headers["ETag"]


def test_empty_tile_is_a_valid_empty_answer(client):
    response = client.get("/tiles/deso/2021/12/0/0.mvt")
    assert response.status_code == 200
    assert _decode(response.data) == []


@pytest.mark.parametrize(
    ("path", "status", "parameter"),
    [
        ("/tiles/nowhere.json", 404, "level"),
        ("/tiles/nowhere/1/0/0.mvt", 404, "level"),
        ("/tiles/deso/1999.json", 404, "year"),
        ("/tiles/deso/20x1.json", 400, "year"),
        ("/tiles/deso/1999/12/0/0.mvt", 404, "year"),
        ("/tiles/deso/25/0/0.mvt", 404, "z"),
        ("/tiles/deso/-1/0/0.mvt", 404, "z"),
        ("/tiles/deso/a/0/0.mvt", 400, "z"),
        ("/tiles/deso/12/4096/0.mvt", 400, "x"),
        ("/tiles/deso/12/0/-3.mvt", 400, "y"),
        ("/tiles/deso/12/0/1e3.mvt", 400, "y"),
    ],
)
def test_errors_are_json_and_name_the_parameter(client, path, status, parameter):
    response = client.get(path)
    assert response.status_code == status, response.data
    body = response.get_json()
    assert body["parameter"] == parameter
    assert parameter in body["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/tiles/deso/12/0/0.png",
        "/tiles/",
        "/tiles/deso/1/2/3/4/5/6.mvt",
        "/tiles/%00.json",
        "/tiles/deso/12/0/0.mvt/..",
        "/nothing",
    ],
)
def test_malformed_paths_are_json_404s(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json()["error"] == "not found"


def test_a_new_version_is_served_without_restart_and_old_tiles_are_not(app, client, data_dir):
    tile = _centre_tile(client, "deso", 10)
    url = f"/tiles/deso/2021/{tile.z}/{tile.x}/{tile.y}.mvt"
    before = client.get(url)
    old = grid_dataset()
    values = old.values.copy()
    values.loc[values["indicator"] == "income", "value"] += 1
    write_version(data_dir, make_dataset(old.areas, values, old.indicators, old.meta))
    after = client.get(url)
    assert after.headers["ETag"] != before.headers["ETag"]
    incomes_before = {f["properties"]["code"]: f["properties"]["income"] for f in _decode(before.data)}
    incomes_after = {f["properties"]["code"]: f["properties"]["income"] for f in _decode(after.data)}
    assert all(incomes_after[c] == incomes_before[c] + 1 for c in incomes_before)


_SEGMENT = st.one_of(
    st.integers(-5, 2**31).map(str),
    st.sampled_from(
        ["deso", "regso", "kommun", "riket", "2021", "2020", "0", "1e3", "", "..", "%2F", "null"]
    ),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    prefix=st.sampled_from(
        [
            "/tiles/",
            "/styles/deso/income/",
            "/api/values/",
            "/api/legend/deso/",
            "/api/measures/compare/deso/",
            "/raster/deso/income/",
            "/api/series/",
        ]
    ),
    parts=st.lists(_SEGMENT, min_size=1, max_size=6),
    suffix=st.sampled_from([".mvt", ".json", ".png", ""]),
    query=st.sampled_from(["", "?since=2020", "?since=x", "?deviation=riket", "?breakdown=sex=female"]),
)
def test_no_input_gives_a_server_error(client, prefix, parts, suffix, query):
    from urllib.parse import quote

    path = prefix + "/".join(quote(p, safe="") for p in parts) + suffix + query
    response = client.get(path)
    assert response.status_code < 500, path
    if response.status_code >= 400:
        assert response.get_json()["error"]
