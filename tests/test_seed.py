"""Seeding: the tiles chosen, archives that hold exactly what the server serves, and a warm Redis."""

from __future__ import annotations

import dataclasses
import gzip
import sqlite3
import uuid

import mapbox_vector_tile
import pytest
import redis
import shapely
from pmtiles.reader import MmapSource, Reader, all_tiles
from pmtiles.tile import zxy_to_tileid

from data import cli
from data.seed import SeedSpec, archive_path, plan, seed, tiles_to_seed
from data.store import write_version
from data.tileset import TileSet
from geo.grid import buffered_bounds, tiles_covering
from geo.tiles import DEFAULT_BUFFER
from indicators.model import ParameterError
from tests.conftest import grid_dataset

REDIS_URL = "redis://127.0.0.1:6379/0"


def _decode(body: bytes) -> list[dict]:
    layers = mapbox_vector_tile.decode(gzip.decompress(body))
    return sorted((f for layer in layers.values() for f in layer["features"]), key=lambda f: f["id"])


def test_plan_takes_levels_years_and_clamps_zooms(dataset):
    tileset = TileSet(dataset)
    specs = plan(tileset, ["deso", "regso"], "all", minzoom=7, maxzoom=12)
    assert specs == [
        SeedSpec("deso", None, 8, 12),  # deso starts at z8
        SeedSpec("deso", 2020, 8, 12),
        SeedSpec("deso", 2021, 8, 12),
        SeedSpec("regso", None, 7, 12),  # regso has no values: geometry only
    ]
    assert plan(tileset, ["deso"])[1:] == [SeedSpec("deso", 2021, 8, 14)]  # latest year by default
    assert plan(tileset, ["deso"], [2020], geometry=False) == [SeedSpec("deso", 2020, 8, 14)]
    assert plan(tileset, ["kommun"], "none", maxzoom=9) == [SeedSpec("kommun", None, 3, 9)]
    with pytest.raises(ParameterError, match="unknown levels"):
        plan(tileset, ["riket"])
    with pytest.raises(ParameterError, match="2019"):
        plan(tileset, ["deso"], [2019])


def test_tiles_to_seed_are_the_tiles_meeting_an_area_in_tile_id_order(dataset):
    tileset = TileSet(dataset)
    spec = SeedSpec("deso", None, 8, 14)
    tiles = tiles_to_seed(tileset, spec)
    prepared = tileset.prepared("deso")
    envelopes = shapely.box(*prepared.envelopes.T)
    west, south, east, north = prepared.bounds
    grown = (west - 0.1, south - 0.1, east + 0.1, north + 0.1)  # buffers reach past the bounds
    expected = set()  # oracle: every tile near the bounds whose buffered box meets an envelope
    for t in tiles_covering(grown, 8, 14):
        box = shapely.box(*buffered_bounds(t.z, t.x, t.y, DEFAULT_BUFFER))
        if shapely.intersects(box, envelopes).any():
            expected.add((t.z, t.x, t.y))
    assert {tuple(t) for t in tiles.tolist()} == expected
    ids = [zxy_to_tileid(*t) for t in tiles.tolist()]
    assert ids == sorted(ids)
    assert len(tiles[tiles[:, 0] == 14]) > 4  # the 4 km grid spans several z14 tiles (2.4 km at 59°N)


def test_archive_names_per_tileset(tmp_path):
    spec = SeedSpec("deso", 2021, 8, 14)
    assert archive_path(tmp_path / "out.pmtiles", spec, several=False) == tmp_path / "out.pmtiles"
    assert archive_path(tmp_path / "out.pmtiles", spec, several=True) == tmp_path / "out-deso-2021.pmtiles"
    # a folder holds the names a deployment reads its archives by (BAROMETER_PMTILES_URL), one per tileset
    assert archive_path(tmp_path / "out", spec, several=True) == tmp_path / "out" / "deso-2021.pmtiles"
    assert archive_path(tmp_path / "out", spec, False, ".mbtiles") == tmp_path / "out" / "deso-2021.mbtiles"


@pytest.mark.parametrize("workers", [1, 2])
def test_archives_hold_what_the_server_serves(tmp_path, dataset, client, workers):
    tileset = TileSet(dataset)
    specs = plan(tileset, ["deso", "kommun"], [2021], minzoom=8, maxzoom=12)
    report = seed(
        tileset, specs, mbtiles=tmp_path / "t.mbtiles", pmtiles=tmp_path / "t.pmtiles", workers=workers
    )
    assert report.tiles == sum(len(tiles_to_seed(tileset, s)) for s in specs)
    checked = 0
    for spec in specs:
        path = f"{spec.level}/{spec.year}" if spec.year else spec.level
        db = sqlite3.connect(tmp_path / f"t-{spec.name}.mbtiles")
        mbtiles = {
            (z, x, (1 << z) - 1 - row): data
            for z, x, row, data in db.execute(
                "SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles"
            )
        }
        with (tmp_path / f"t-{spec.name}.pmtiles").open("rb") as handle:
            pmtiles = dict(all_tiles(MmapSource(handle)))
            metadata = Reader(MmapSource(handle)).metadata()
        assert metadata["vector_layers"][0]["id"] == spec.level
        assert mbtiles == pmtiles
        for z, x, y in tiles_to_seed(tileset, spec).tolist():
            served = client.get(f"/tiles/{path}/{z}/{x}/{y}.mvt", headers={"Accept-Encoding": "gzip"})
            assert served.status_code == 200
            if not gzip.decompress(served.data):
                assert (z, x, y) not in mbtiles  # empty tiles are left out of archives
                continue
            assert mbtiles[(z, x, y)] == served.data
            assert _decode(mbtiles[(z, x, y)]) == _decode(served.data)
            checked += 1
    assert checked > 20
    year_tile = _decode(pmtiles_tile(tmp_path / "t-deso-2021.pmtiles", 12))
    assert any("income" in f["properties"] for f in year_tile)


def pmtiles_tile(path, z: int) -> bytes:
    with path.open("rb") as handle:
        return next(body for (tz, _, _), body in all_tiles(MmapSource(handle)) if tz == z)


@pytest.fixture
def redis_client():
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    return client


def test_seeded_redis_is_served_without_rendering(tmp_path, redis_client, monkeypatch):
    from tileserver import create_app

    dataset = dataclasses.replace(grid_dataset(), version=f"seedtest{uuid.uuid4().hex[:12]}")
    write_version(tmp_path / "data", dataset)
    tileset = TileSet(dataset)
    specs = plan(tileset, ["deso"], [2021], minzoom=10, maxzoom=12)
    try:
        report = seed(tileset, specs, redis_url=REDIS_URL, workers=1, progress=False)
        stored = {
            k.decode(): v
            for k in redis_client.scan_iter(f"barometer:{dataset.version}:*")
            for v in [redis_client.get(k)]
        }
        assert len(stored) == report.tiles > 0

        rendered = []
        import data.tileset

        real = data.tileset.render_tile
        monkeypatch.setattr(
            data.tileset, "render_tile", lambda *a, **k: rendered.append(a[1:4]) or real(*a, **k)
        )
        app = create_app({"DATA": str(tmp_path / "data"), "REDIS_URL": REDIS_URL, "CHECK_EVERY": 0.0})
        client = app.test_client()
        for spec in specs:
            path = f"deso/{spec.year}" if spec.year else "deso"
            for z, x, y in tiles_to_seed(tileset, spec).tolist():
                served = client.get(f"/tiles/{path}/{z}/{x}/{y}.mvt", headers={"Accept-Encoding": "gzip"})
                key = f"barometer:{dataset.version}:mvt:deso:{spec.year}:():{z}:{x}:{y}"
                assert served.status_code == 200 and served.data == stored[key]
        assert rendered == []  # every tile was a cache hit
        client.get("/tiles/deso/13/0/0.mvt")  # a tile that was not seeded: rendered
        assert rendered == [(13, 0, 0)]
    finally:
        keys = list(redis_client.scan_iter(f"barometer:{dataset.version}:*"))
        if keys:
            redis_client.delete(*keys)


def test_cli_seed_writes_an_archive(tmp_path, data_dir, capsys):
    out = tmp_path / "deso.pmtiles"
    code = cli.main(
        [
            "seed",
            "--data",
            str(data_dir),
            "--levels",
            "deso",
            "--years",
            "2020",
            "--no-geometry",
            "--maxzoom",
            "10",
            "--pmtiles",
            str(out),
            "--workers",
            "1",
        ]
    )
    assert code == 0
    assert "seeded" in capsys.readouterr().out
    with out.open("rb") as handle:
        header = Reader(MmapSource(handle)).header()
    assert (header["min_zoom"], header["max_zoom"]) == (8, 10)


def test_cli_cache_without_redis_url_is_refused(data_dir, monkeypatch, capsys):
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("BAROMETER_REDIS_URL", raising=False)
    assert cli.main(["seed", "--data", str(data_dir), "--cache"]) == 2
    assert "REDIS_URL" in capsys.readouterr().err
    assert cli.main(["seed", "--data", str(data_dir)]) == 2  # nowhere to seed into
