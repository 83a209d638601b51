"""Columnar tile properties (geo.properties): encoded values, per-tile tags, and tiles rendered from them,
against mapbox_vector_tile and hand-written expectations."""

from __future__ import annotations

import math

import mapbox_vector_tile
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.grid import tiles_covering
from geo.mvt import encode_layer, encode_polygon_layer, encode_tile
from geo.prepare import prepare_level
from geo.properties import PropertyTable, decode_value_field, value_field
from geo.tiles import AreaProperties, level_properties, render_tile, render_tile_reference
from tests.test_geo_mvt import decode, normalised
from tests.test_geo_prepare import pixel_coverage

pytestmark = pytest.mark.usefixtures("kernel")


def typed(properties: dict) -> dict:
    """Properties with their types, so that 1, 1.0 and True differ."""
    return {k: (type(v).__name__, v) for k, v in properties.items()}


def present(record: dict) -> dict:
    """What a tile must carry of a record: None and NaN left out, numpy scalars as Python values."""
    out = {}
    for key, value in record.items():
        if value is None or (isinstance(value, float) and math.isnan(value)):
            continue
        out[key] = value.item() if isinstance(value, np.generic) else value
    return out


def squares(n: int) -> np.ndarray:
    return np.array([shapely.box(10 * i, 0, 10 * i + 8, 8) for i in range(n)])


values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=False),
    st.just(math.nan),
    st.integers(-(2**63), 2**63 - 1),
    st.integers(0, 200),
    st.text(max_size=4),
    st.booleans(),
    st.none(),
)
records = st.lists(
    st.dictionaries(st.sampled_from(["a", "b", "c", "d", "e"]), values), min_size=1, max_size=8
)


@settings(max_examples=150, deadline=None)
@given(records)
def test_random_records_decode_to_their_present_values_with_their_types(batch):
    tile = encode_tile(
        [encode_polygon_layer("l", squares(len(batch)), list(range(1, len(batch) + 1)), batch)]
    )
    features = decode(tile)["l"]["features"]
    assert [f["id"] for f in features] == list(range(1, len(batch) + 1))
    for feature, record in zip(features, batch, strict=True):
        expected = present(record)
        assert typed(feature["properties"]) == typed(expected)
    reference = mapbox_vector_tile.encode(
        {
            "name": "l",
            "features": [
                {"geometry": g, "id": i + 1, "properties": present(r)}
                for i, (g, r) in enumerate(zip(squares(len(batch)), batch, strict=True))
            ],
        },
        default_options={"y_coord_down": True},
    )
    assert normalised(tile) == normalised(reference)


def test_values_are_distinct_per_type_and_shared_between_keys():
    batch = [{"i": 1, "f": 1.0, "b": True, "s": "1"}, {"i2": 1, "f2": 1.0, "b2": True, "s2": "1", "z": 0.0}]
    layer = encode_polygon_layer("l", squares(2), [1, 2], batch)
    decoded = decode(encode_tile([layer]))["l"]["features"]
    assert typed(decoded[1]["properties"]) == typed(batch[1])
    assert layer.count(value_field(1.0)) == 1 and layer.count(value_field(1)) == 1  # one entry per value
    assert layer.count(value_field("1")) == 1 and layer.count(value_field(True)) == 1


def test_columns_of_every_kind_and_records_agree():
    rows = 5
    columns = {
        "share": np.array([0.5, math.nan, -0.0, 2.5, 0.5]),
        "count": np.array([3, -4, 2**40, 0, 3], dtype=np.int64),
        "category": (np.array([1, 2, 0, 2, 1]), np.array([True, False, False, True, True])),
        "flag": np.array([True, False, True, True, False]),
        "label": np.array(["a", None, "", math.nan, np.float32(1.5)], dtype=object),
        "status": (np.full(rows, "suppressed", dtype=object), np.array([False, True, False, False, True])),
    }
    table = PropertyTable.from_columns(columns, rows)
    expected = [
        {"share": 0.5, "count": 3, "category": 1, "flag": True, "label": "a"},
        {"count": -4, "flag": False, "status": "suppressed"},
        {"share": -0.0, "count": 2**40, "flag": True, "label": ""},
        {"share": 2.5, "count": 0, "category": 2, "flag": True},
        {"share": 0.5, "count": 3, "category": 1, "flag": False, "label": 1.5, "status": "suppressed"},
    ]
    assert [typed(table.record(r)) for r in range(rows)] == [typed(e) for e in expected]
    assert table.codes[0, 0] == table.codes[4, 0]  # 0.5 is stored once
    assert table.codes[1, 0] == -1 and table.codes[1, 2] == -1
    again = PropertyTable.from_records(expected)
    assert [typed(again.record(r)) for r in range(rows)] == [typed(e) for e in expected]
    with pytest.raises(ValueError, match="rows"):
        PropertyTable.from_columns({"x": np.zeros(3)}, rows)


def test_most_used_values_get_the_smallest_indices():
    table = PropertyTable.from_columns(
        {"k": np.array(["rare", "common", "common", "common"], dtype=object)}, 4
    )
    assert table.codes[:, 0].tolist() == [1, 0, 0, 0]


@pytest.mark.parametrize("value", [0.25, -1e300, 7, -5, 2**63 + 5, 0, "hög", "", True, False])
def test_value_fields_decode_back(value):
    assert typed({"v": decode_value_field(value_field(value))}) == typed({"v": value})


def test_later_tables_override_keys_where_they_have_values():
    base = PropertyTable.from_records([{"code": "A", "name": "a"}, {"code": "B", "name": "b"}, {"code": "C"}])
    extra = PropertyTable.from_records([{"name": "x", "v": 1.5}, {"v": math.nan}, {"name": 2}])
    layer = encode_layer("l", squares(3), [1, 2, 3], [base, extra])
    features = decode(encode_tile([layer]))["l"]["features"]
    assert [typed(f["properties"]) for f in features] == [
        typed({"code": "A", "name": "x", "v": 1.5}),
        typed({"code": "B", "name": "b"}),
        typed({"code": "C", "name": 2}),
    ]
    assert layer.count(b"\x1a\x04name") == 1  # the key is written once


def test_many_keys_and_values_need_multi_byte_tags():
    batch = [{f"k{i}": float(i) + 0.5 * g for i in range(150)} | {"code": f"c{g}"} for g in range(3)]
    tile = encode_tile([encode_polygon_layer("l", squares(3), [1, 2, 3], batch)])
    assert [typed(f["properties"]) for f in decode(tile)["l"]["features"]] == [typed(r) for r in batch]


@pytest.fixture(scope="module")
def synthetic():
    return prepare_level(pixel_coverage(), "regso")


def year_columns(prepared, seed: int = 0) -> dict:
    """Indicator-like columns aligned with the level's rows: doubles with NaN, a masked category, a status."""
    rng = np.random.default_rng(seed)
    n = len(prepared.table)
    columns: dict = {
        f"ind{i}": np.where(rng.random(n) < 0.3, np.nan, rng.normal(size=n).round(2)) for i in range(8)
    }
    columns["kind"] = (rng.integers(1, 4, n), rng.random(n) < 0.8)
    columns["ind0_status"] = (np.full(n, "suppressed", dtype=object), np.isnan(columns["ind0"]))
    return columns


def test_area_properties_render_like_the_same_values_as_dicts(synthetic):
    extra = AreaProperties.from_columns(synthetic, year_columns(synthetic))
    as_dicts = {code: dict(values) for code, values in extra.items()}
    assert len(as_dicts) == len(extra) and set(as_dicts) <= set(synthetic.codes)
    first = synthetic.codes[0]
    assert typed(as_dicts[first]) == typed(extra.table.record(0))
    assert all(type(v["kind"]) is int for v in as_dicts.values() if "kind" in v)
    compared = 0
    for tile in tiles_covering(synthetic.bounds, synthetic.minzoom, synthetic.maxzoom):
        mine = render_tile(synthetic, tile.z, tile.x, tile.y, layer="l", extra=extra)
        from_dicts = render_tile(synthetic, tile.z, tile.x, tile.y, layer="l", extra=as_dicts)
        reference = render_tile_reference(synthetic, tile.z, tile.x, tile.y, layer="l", extra=extra)
        assert normalised(mine) == normalised(from_dicts) == normalised(reference), tile
        compared += bool(mine)
    assert compared > 30


def test_level_properties_are_the_prepared_attributes(synthetic):
    table = level_properties(synthetic)
    assert level_properties(synthetic) is table  # built once
    assert [table.record(r) for r in range(len(table))] == list(synthetic.properties)


def test_area_properties_must_match_the_level(synthetic):
    with pytest.raises(ValueError, match="rows"):
        AreaProperties(synthetic, PropertyTable.from_records([{"a": 1}]))
    empty = AreaProperties.from_columns(synthetic, {"a": np.full(len(synthetic.table), np.nan)})
    assert len(empty) == 0 and not empty
    with pytest.raises(KeyError):
        empty[synthetic.codes[0]]
