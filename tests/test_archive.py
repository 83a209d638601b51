"""MBTiles and PMTiles writers: tiles and metadata read back with sqlite3 and pmtiles' own reader."""

from __future__ import annotations

import gzip
import json
import sqlite3

import pytest
from pmtiles.reader import MmapSource, Reader, all_tiles
from pmtiles.tile import Compression, TileType

from geo.archive import ArchiveInfo, MBTilesWriter, PMTilesWriter, open_archive
from indicators.model import BarometerError

INFO = ArchiveInfo(
    name="Barometer deso 2021",
    layer="deso",
    minzoom=8,
    maxzoom=14,
    bounds=(17.5, 59.25, 17.75, 59.5),
    center=(17.625, 59.375, 10),
    fields={"code": "SCB area code", "income": "Income (kr)"},
    description="Test grid",
    attribution="SCB",
    version="abc123",
)
TILES = {(8, 140, 74): gzip.compress(b"tile a"), (9, 281, 149): gzip.compress(b"tile b")}


def test_mbtiles_rows_are_tms_and_metadata_is_complete(tmp_path):
    path = tmp_path / "out.mbtiles"
    with open_archive(path, INFO) as writer:
        assert isinstance(writer, MBTilesWriter)
        for (z, x, y), body in TILES.items():
            writer.add(z, x, y, body)
    db = sqlite3.connect(path)
    rows = db.execute("SELECT zoom_level, tile_column, tile_row, tile_data FROM tiles").fetchall()
    assert {(z, x, row): data for z, x, row, data in rows} == {
        (8, 140, 255 - 74): TILES[(8, 140, 74)],  # TMS: row counted from the south, 2^8 - 1 - y
        (9, 281, 511 - 149): TILES[(9, 281, 149)],
    }
    meta = dict(db.execute("SELECT name, value FROM metadata"))
    assert meta["format"] == "pbf" and meta["minzoom"] == "8" and meta["maxzoom"] == "14"
    assert [float(v) for v in meta["bounds"].split(",")] == pytest.approx(INFO.bounds)
    assert meta["center"].endswith(",10")
    layers = json.loads(meta["json"])["vector_layers"]
    assert layers == [{"id": "deso", "fields": INFO.fields, "minzoom": 8, "maxzoom": 14}]


def test_pmtiles_read_back_with_header_and_metadata(tmp_path):
    path = tmp_path / "out.pmtiles"
    with open_archive(path, INFO) as writer:
        assert isinstance(writer, PMTilesWriter)
        for (z, x, y), body in reversed(TILES.items()):  # any order is accepted
            writer.add(z, x, y, body)
    with path.open("rb") as handle:
        source = MmapSource(handle)
        reader = Reader(source)
        header = reader.header()
        assert header["tile_type"] == TileType.MVT and header["tile_compression"] == Compression.GZIP
        assert (header["min_zoom"], header["max_zoom"]) == (8, 9)  # the zooms actually written
        assert header["min_lon_e7"] == 175_000_000 and header["max_lat_e7"] == 595_000_000
        assert header["center_zoom"] == 10
        for (z, x, y), body in TILES.items():
            assert reader.get(z, x, y) == body
        assert reader.get(8, 140, 75) is None
        assert {zxy: body for zxy, body in all_tiles(source)} == TILES
        assert reader.metadata()["vector_layers"][0]["fields"] == INFO.fields


def test_clustered_when_tiles_arrive_in_tile_id_order(tmp_path):
    path = tmp_path / "ordered.pmtiles"
    with PMTilesWriter(path, INFO) as writer:
        for (z, x, y), body in TILES.items():  # z8 before z9: ascending tile ids
            writer.add(z, x, y, body)
    with path.open("rb") as handle:
        assert Reader(MmapSource(handle)).header()["clustered"]


def test_an_empty_pmtiles_is_refused_and_leaves_no_file(tmp_path):
    path = tmp_path / "empty.pmtiles"
    writer = PMTilesWriter(path, INFO)
    with pytest.raises(BarometerError, match="no tiles"):
        writer.close()
    assert not path.exists()


def test_a_failed_write_leaves_no_archive(tmp_path):
    for name in ("failed.mbtiles", "failed.pmtiles"):
        path = tmp_path / name
        with pytest.raises(RuntimeError), open_archive(path, INFO) as writer:
            writer.add(8, 140, 74, TILES[(8, 140, 74)])
            raise RuntimeError("renderer crashed")
        assert not path.exists()


def test_unknown_suffix_is_an_error(tmp_path):
    with pytest.raises(BarometerError, match=r"\.mbtiles or \.pmtiles"):
        open_archive(tmp_path / "tiles.zip", INFO)
