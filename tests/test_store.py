"""Dataset versions on disk: round trips, content versions, atomic switches."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from data import mapped, store
from indicators.model import InputError
from tests.conftest import grid_dataset


def test_round_trip_keeps_tables_and_version(tmp_path, dataset):
    store.write_version(tmp_path, dataset)
    back = store.read_version(tmp_path)
    assert back.version == dataset.version
    assert (
        store.content_version(back.areas, back.values, store._manifest(back.indicators, back.meta))
        == dataset.version
    )
    pd.testing.assert_frame_equal(back.values, dataset.values)
    assert back.areas.crs == dataset.areas.crs
    assert list(back.areas["code"]) == list(dataset.areas["code"])
    assert back.areas.geometry.geom_equals_exact(dataset.areas.geometry, tolerance=0).all()
    assert back.indicators == dataset.indicators


def test_same_content_same_version_and_any_change_a_new_one(dataset):
    assert grid_dataset().version == dataset.version
    values = dataset.values.copy()
    values.loc[5, "value"] = values.loc[5, "value"] + 0.001
    changed = store.make_dataset(dataset.areas, values, dataset.indicators, dataset.meta)
    assert changed.version != dataset.version
    renamed = dataset.areas.copy()
    renamed.loc[0, "name"] = "Annat namn"
    assert (
        store.make_dataset(renamed, dataset.values, dataset.indicators, dataset.meta).version
        != dataset.version
    )


def test_missing_and_suppressed_stay_apart_from_zero(tmp_path, dataset):
    store.write_version(tmp_path, dataset)
    values = store.read_version(tmp_path).values
    unemployment = values[(values["indicator"] == "unemployment") & (values["year"] == 2020)].set_index(
        "code"
    )
    assert unemployment.loc["0201C1000", "status"] == "missing"
    assert unemployment.loc["0201C1001", "status"] == "suppressed"
    assert unemployment.loc[["0201C1000", "0201C1001"], "value"].isna().all()
    assert (unemployment["value"].dropna() > 0).all()


def test_current_moves_only_when_a_version_is_complete(tmp_path, dataset, monkeypatch):
    store.write_version(tmp_path, dataset)
    values = dataset.values.copy()
    values["value"] *= 2
    other = store.make_dataset(dataset.areas, values, dataset.indicators, dataset.meta)

    write_table = mapped.write_table

    def fail(path, *args, **kwargs):  # the disk fills after the tile geometry was written
        if path.name == "values.arrow":
            raise OSError("disk full")
        write_table(path, *args, **kwargs)

    monkeypatch.setattr(mapped, "write_table", fail)
    with pytest.raises(OSError):
        store.write_version(tmp_path, other)
    assert store.current_version(tmp_path) == dataset.version
    assert not (tmp_path / "versions" / other.version).exists()
    assert [p.name for p in (tmp_path / "versions").iterdir()] == [dataset.version]


def test_an_empty_folder_says_how_to_fill_it(tmp_path):
    with pytest.raises(InputError, match="barometer demo"):
        store.read_version(tmp_path)
    assert store.read_or_empty(tmp_path).levels == ()


def test_years_of_each_level_counted_in_chunks_match_the_table(monkeypatch):
    from indicators import model

    dataset = grid_dataset(years=(2019, 2021, 2023))
    deso = dataset.values.astype({"level": str})
    regso = deso[deso["year"] != 2021].assign(level="regso")  # a second level, with a gap
    values = pd.concat([deso, regso], ignore_index=True).astype({"level": "category"})
    dataset = dataclasses.replace(dataset, values=values)
    monkeypatch.setattr(model, "_COUNT_CHUNK", 5)  # many passes over a small table
    expected = {
        str(level): tuple(sorted(int(y) for y in group["year"].unique()))
        for level, group in values.groupby("level", observed=True)
    }
    assert {level: dataset.years_of(level) for level in expected} == expected
    assert expected == {"deso": (2019, 2021, 2023), "regso": (2019, 2023)}
