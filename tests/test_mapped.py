"""A version's large tables are memory-mapped, not copied: data.mapped, and the value table and prepared tile
geometry stored with every version (data.store)."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from data import mapped, store
from geo.prepare import level_columns, level_from_columns, prepare_level
from geo.tiles import render_tile
from tests.conftest import grid_dataset


def _maps(array: np.ndarray) -> bool:
    """Whether the address of ``array``'s data lies in a file-backed mapping of this process."""
    address = array.__array_interface__["data"][0]
    for line in Path("/proc/self/maps").read_text().splitlines():
        span, _, _, _, inode, *path = line.split()
        low, high = (int(x, 16) for x in span.split("-"))
        if low <= address < high:
            return inode != "0" and bool(path)
    return False


def test_columns_round_trip_as_views_of_the_file(tmp_path):
    path = tmp_path / "t.arrow"
    columns = {
        "kind": pd.Categorical(["a", "b", None, "a"], categories=["a", "b"]),
        "value": np.array([1.5, np.nan, -2.0, 0.0]),
        "year": np.array([2020, 2021, 2022, 2023], dtype=np.int16),
        "flag": np.array([True, False, True, False]),
        "wkb": [b"\x01\x02", b"", b"\x03", b"\x04\x05\x06"],
        "name": np.array(["Å", "", "b", "c"], dtype=object),
    }
    mapped.write_table(path, columns, {"level": "deso"})
    table = mapped.MappedTable(path)
    assert table.meta == {"level": "deso"} and len(table) == 4
    kind = table.categorical("kind")
    assert kind.tolist()[:2] == ["a", "b"] and pd.isna(kind[2]) and list(kind.categories) == ["a", "b"]
    value = table.array("value")
    np.testing.assert_array_equal(value, columns["value"])  # NaN kept as a value
    assert value.dtype == np.float64 and not value.flags.writeable and _maps(value)
    assert table.array("year").dtype == np.int16 and _maps(table.array("year"))
    assert table.array("flag").tolist() == [True, False, True, False]
    data, offsets = table.binary("wkb")
    assert [bytes(data[a:b]) for a, b in itertools.pairwise(offsets)] == columns["wkb"]
    assert table.strings("name").tolist() == ["Å", "", "b", "c"]
    frame = table.frame()
    assert _maps(frame["value"].to_numpy()) and _maps(frame["kind"].array.codes)
    assert not any(path.parent.glob(".t.arrow-*"))  # written through a temporary file, renamed


def test_a_stored_version_maps_its_values_and_tile_geometry(tmp_path):
    dataset = grid_dataset()
    folder = store.write_version(tmp_path, dataset)
    assert sorted(p.name for p in (folder / store.TILES).iterdir()) == sorted(
        f"{level}.arrow" for level in store.tiled_levels(dataset)
    )
    loaded = store.read_version(tmp_path)
    assert _maps(loaded.values["value"].to_numpy()) and _maps(loaded.values["numerator"].to_numpy())
    pd.testing.assert_frame_equal(loaded.values, dataset.values, check_categorical=False)
    stored = store.read_prepared(folder, "deso")
    assert stored is not None and _maps(stored.bands[0].wkb)
    fresh = prepare_level(dataset.area_frame("deso").reset_index(drop=True), "deso")
    assert [(b.minzoom, b.maxzoom, b.vertices) for b in stored.bands] == [
        (b.minzoom, b.maxzoom, b.vertices) for b in fresh.bands
    ]
    lon, lat, _ = fresh.center
    import mercantile

    for z in range(fresh.minzoom, fresh.maxzoom + 1):
        tile = mercantile.tile(lon, lat, z)
        expected = render_tile(fresh, z, tile.x, tile.y, layer="deso")
        assert expected and render_tile(stored, z, tile.x, tile.y, layer="deso") == expected


def test_prepared_level_columns_round_trip_in_memory():
    dataset = grid_dataset()
    prepared = prepare_level(dataset.area_frame("regso").reset_index(drop=True), "regso")
    columns, meta = level_columns(prepared)

    class Reader:
        def __init__(self) -> None:
            self.meta = meta

        def array(self, name):
            return columns[name]

        def strings(self, name):
            return columns[name]

        def binary(self, name):
            pieces = columns[name]
            offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
            np.cumsum([len(p) for p in pieces], out=offsets[1:])
            return np.frombuffer(b"".join(bytes(p) for p in pieces), dtype=np.uint8), offsets

    back = level_from_columns(Reader())
    assert back.bounds == prepared.bounds and back.center == prepared.center
    pd.testing.assert_frame_equal(back.table, prepared.table)
    for ours, theirs in zip(back.bands, prepared.bands, strict=True):
        np.testing.assert_array_equal(ours.envelopes, theirs.envelopes)
        assert ours.shapes().tolist() == theirs.shapes().tolist()


def test_a_damaged_mapped_file_is_refused(tmp_path):
    path = tmp_path / "t.arrow"
    mapped.write_table(path, {"x": np.arange(3.0)})
    path.write_bytes(path.read_bytes()[:40])
    with pytest.raises(Exception, match=r"(?i)arrow|invalid|file"):
        mapped.MappedTable(path)


def test_a_new_version_over_the_same_areas_links_their_prepared_geometry(tmp_path):
    dataset = grid_dataset()
    first = store.write_version(tmp_path, dataset)
    values = dataset.values.copy()
    values["value"] = values["value"] * 2
    second = store.write_version(tmp_path, store.make_dataset(dataset.areas, values, dataset.indicators))
    assert second != first
    for level in store.tiled_levels(dataset):
        assert (second / store.TILES / f"{level}.arrow").stat().st_ino == (
            first / store.TILES / f"{level}.arrow"
        ).stat().st_ino
    moved = dataset.areas.copy()
    moved.loc[moved["level"] == "deso", "geometry"] = moved.loc[moved["level"] == "deso"].translate(10, 0)
    third = store.write_version(tmp_path, store.make_dataset(moved, dataset.values, dataset.indicators))
    assert (third / store.TILES / "deso.arrow").stat().st_ino != (
        first / store.TILES / "deso.arrow"
    ).stat().st_ino
    assert (third / store.TILES / "kommun.arrow").stat().st_ino == (
        first / store.TILES / "kommun.arrow"
    ).stat().st_ino
    shifted = store.read_prepared(third, "deso")
    original = store.read_prepared(first, "deso")
    assert shifted is not None and original is not None
    assert not np.array_equal(shifted.envelopes, original.envelopes)


def test_a_version_written_before_gets_its_mapped_files_when_it_is_first_loaded(tmp_path):
    """values.parquet in any row order and no tiles/: loading writes values.arrow in storage order and the
    prepared geometry, and serves the same values."""
    import shutil

    dataset = grid_dataset()
    folder = store.write_version(tmp_path, dataset)
    shuffled = dataset.values.sample(frac=1.0, random_state=3).reset_index(drop=True)
    shuffled.to_parquet(folder / "values.parquet", index=False)
    (folder / "values.arrow").unlink()
    shutil.rmtree(folder / store.TILES)
    loaded = store.read_checked(tmp_path, dataset.version)
    assert (folder / "values.arrow").exists() and (folder / store.TILES / "deso.arrow").exists()
    again = store.read_version(tmp_path)
    assert _maps(again.values["value"].to_numpy())
    pd.testing.assert_frame_equal(again.values, store.storage_order(shuffled), check_categorical=False)
    pd.testing.assert_frame_equal(again.values, dataset.values, check_categorical=False)
    pd.testing.assert_frame_equal(loaded.values, dataset.values, check_categorical=False)
