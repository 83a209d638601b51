"""Cache-safe URLs: TileJSON and styles name the dataset version in their tile URLs, answers to such URLs
are immutable, a URL of another version is redirected (never answered as immutable), unversioned URLs
revalidate."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import mercantile
import pytest

from data.store import write_version
from tests.conftest import grid_dataset

IMMUTABLE = "public, max-age=31536000, immutable"


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _tile_url(template: str, client) -> str:
    west, south, east, north = client.get("/tiles/deso.json").get_json()["bounds"]
    tile = mercantile.bounding_tile(west, south, east, north)
    return _path(template.format(z=tile.z, x=tile.x, y=tile.y))


def _style_tiles(client, query: str = "") -> str:
    style = client.get(f"/styles/deso/income/2021.json{query}").get_json()
    return next(iter(style["sources"].values()))["tiles"][0]


def test_versioned_urls_are_immutable_and_unversioned_ones_revalidate(client, dataset):
    template = client.get("/tiles/deso/2021.json").get_json()["tiles"][0]
    assert parse_qs(urlsplit(template).query) == {"v": [dataset.version]}
    versioned = client.get(_tile_url(template, client))
    assert versioned.status_code == 200 and versioned.headers["Cache-Control"] == IMMUTABLE
    plain = client.get(_tile_url(template, client).split("?")[0])
    assert plain.headers["Cache-Control"] == "public, max-age=60"
    assert plain.data == versioned.data  # the same tile, only cached differently
    plain_url = _tile_url(template, client).split("?")[0]
    again = client.get(plain_url, headers={"If-None-Match": plain.get_etag()[0]})
    assert again.status_code == 304
    for path in ("/tiles/deso.json", "/styles/deso/income/2021.json", "/api/legend/deso/income/2021"):
        assert client.get(path).headers["Cache-Control"] == "public, max-age=60", path
        assert client.get(f"{path}?v={dataset.version}").headers["Cache-Control"] == IMMUTABLE, path


def test_after_an_import_tilejson_and_styles_name_new_tile_urls_and_old_ones_move(client, data_dir, dataset):
    old_tilejson = client.get("/tiles/deso/2021.json").get_json()["tiles"][0]
    old_style = _style_tiles(client, "?since=2020")
    old_tile = _tile_url(old_tilejson, client)
    assert client.get(old_tile).headers["Cache-Control"] == IMMUTABLE

    newer = grid_dataset(years=(2020, 2021, 2022))
    assert newer.version != dataset.version
    write_version(data_dir, newer)

    new_tilejson = client.get("/tiles/deso/2021.json").get_json()["tiles"][0]
    new_style = _style_tiles(client, "?since=2020")
    assert new_tilejson == old_tilejson.replace(dataset.version, newer.version) != old_tilejson
    assert new_style == old_style.replace(dataset.version, newer.version) != old_style
    assert parse_qs(urlsplit(new_style).query) == {"since": ["2020"], "v": [newer.version]}

    moved = client.get(old_tile)  # a page still holding the old style or TileJSON
    assert moved.status_code == 302
    assert moved.headers["Cache-Control"] == "no-cache"
    name = old_tile.split("?")[0].rsplit("/", 1)[-1]
    assert moved.headers["Location"] == f"{name}?v={newer.version}"  # relative: proxy prefixes stay
    followed = client.get(_tile_url(new_tilejson, client))
    assert followed.status_code == 200 and followed.headers["Cache-Control"] == IMMUTABLE


@pytest.mark.parametrize(
    "path",
    [
        "/styles/deso/income/2021.json?classes=4&v=0000",
        "/api/legend/deso/income/2021?classes=4&v=0000",
        "/tiles/deso.json?v=0000",
        "/styles/deso/income/2021.qml?v=0000",
    ],
)
def test_an_unknown_version_redirects_keeping_the_other_options(client, dataset, path):
    response = client.get(path)
    assert response.status_code == 302 and "immutable" not in response.headers["Cache-Control"]
    location = response.headers["Location"]
    assert parse_qs(urlsplit(location).query).get("v") == [dataset.version]
    if "classes" in path:
        assert parse_qs(urlsplit(location).query)["classes"] == ["4"]
    base = path.split("?")[0].rsplit("/", 1)[0]
    target = client.get(f"{base}/{location}")
    assert target.status_code == 200 and target.headers["Cache-Control"] == IMMUTABLE
