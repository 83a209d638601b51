"""A new version in production (background loading): requests keep being answered from the old version
while the new one is loaded and its tile geometry prepared; then the prepared one is served."""

from __future__ import annotations

import time

import mercantile

from data.store import CURRENT, write_version
from tests.conftest import grid_dataset
from tileserver import create_app


def _wait_for(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_new_version_is_loaded_and_prepared_in_the_background(data_dir, dataset):
    app = create_app({"DATA": str(data_dir), "CHECK_EVERY": 0.0})
    services = app.extensions["barometer"]
    services.source.background = True
    client = app.test_client()
    assert client.get("/api/health").get_json()["version"] == dataset.version

    newer = grid_dataset(years=(2020, 2021, 2022))
    write_version(data_dir, newer)
    # the request that notices the new version is answered from the old one, and so are those after it
    # until the new one is loaded and prepared
    assert client.get("/api/health").get_json()["version"] == dataset.version
    _wait_for(lambda: client.get("/api/health").get_json()["version"] == newer.version)
    tileset = services.tileset()
    assert tileset.dataset.version == newer.version
    assert set(tileset._prepared) == {"deso", "regso", "kommun"}  # prepared before it was swapped in
    assert client.get("/tiles/deso/2022.json").status_code == 200


def test_a_version_that_fails_to_load_leaves_the_served_one(data_dir, dataset, caplog):
    app = create_app({"DATA": str(data_dir), "CHECK_EVERY": 0.0})
    services = app.extensions["barometer"]
    services.source.background = True
    client = app.test_client()
    assert client.get("/api/health").get_json()["version"] == dataset.version
    (data_dir / CURRENT).write_text("0123456789abcdef")  # names a version that is not there
    client.get("/api/health")
    _wait_for(lambda: not services.source._loading and "cannot be served" in (services.source.problem or ""))
    assert "0123456789abcdef" in caplog.text
    assert client.get("/api/health").get_json()["version"] == dataset.version
    assert client.get("/tiles/deso.json").status_code == 200


def test_a_replaced_version_leaves_nothing_in_the_worker_caches(data_dir, dataset):
    """Tiles and derived tables of the version served before can never be asked again: a swap drops them
    from the memory tier and the memo, so a worker's memory returns to its level after every new version."""
    from indicators.memo import MEMO

    app = create_app({"DATA": str(data_dir), "CHECK_EVERY": 0.0})
    services = app.extensions["barometer"]
    client = app.test_client()
    lon, lat, _ = client.get("/tiles/deso.json").get_json()["center"]
    tile = mercantile.tile(lon, lat, 12)
    assert client.get(f"/tiles/deso/2021/12/{tile.x}/{tile.y}.mvt").status_code == 200
    assert client.get("/styles/deso/income/2021.json").status_code == 200
    memory = services.cache.cache.near
    old = services.tileset().dataset
    kept = [key for key in list(memory._items) if key.startswith(f"{old.version}:")]
    assert kept, "the requests filled the memory tier"
    assert any(key[0] == old.memo_token for key in list(MEMO._items) if isinstance(key, tuple))

    newer = grid_dataset(years=(2020, 2021, 2022))
    write_version(data_dir, newer)
    assert client.get("/tiles/deso.json").get_json()["version"] == newer.version
    assert not [key for key in list(memory._items) if key.startswith(f"{old.version}:")]
    assert not [key for key in list(MEMO._items) if isinstance(key, tuple) and key[0] == old.memo_token]
