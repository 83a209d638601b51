"""TileSet.year_properties (columnar, per level, year and view) against the per-area dicts it replaced."""

from __future__ import annotations

import math

import pytest

from data.demo import build_demo
from data.store import make_dataset
from data.tileset import TileSet, status_property
from indicators.model import TOTAL
from indicators.views import map_table, suppressed_codes


@pytest.fixture(scope="module")
def tileset() -> TileSet:
    demo = build_demo()
    return TileSet(make_dataset(demo.areas, demo.values, demo.indicators))


def old_records(tileset: TileSet, level: str, year: int, view) -> dict[str, dict]:
    """The dicts year_properties used to build (area code → values), areas without any value left out."""
    dataset = tileset.dataset
    breakdown, since, deviation = view or (TOTAL, None, None)
    table = map_table(dataset, level, year, breakdown, since=since, deviation=deviation)
    categories = {k for k, ind in dataset.indicators.items() if ind.kind == "category"}
    records: dict[str, dict] = {}
    for code, row in zip(table.index, table.to_dict("records"), strict=True):
        records[str(code)] = {
            k: (int(v) if k in categories and not view else float(v))
            for k, v in row.items()
            if v is not None and not math.isnan(v)
        }
    for indicator, codes in suppressed_codes(dataset, level, year, breakdown).items():
        for code in codes:
            records.setdefault(code, {})[status_property(indicator)] = "suppressed"
    return {code: values for code, values in records.items() if values}


def typed(records: dict) -> dict:
    return {code: {k: (type(v).__name__, v) for k, v in values.items()} for code, values in records.items()}


@pytest.mark.parametrize(
    ("level", "kinds"),
    [("deso", {"float", "str"}), ("regso", {"float", "str", "int"}), ("kommun", {"float"})],
)
def test_plain_year_properties_match_the_old_dicts(tileset, level, kinds):
    """Values as doubles, categories (regso only in the demo) as integers, suppressed marks as strings."""
    year = tileset.dataset.years_of(level)[-1]
    properties = tileset.year_properties(level, year)
    expected = old_records(tileset, level, year, ())
    assert typed(dict(properties.items())) == typed(expected)
    assert {type(v).__name__ for values in expected.values() for v in values.values()} == kinds
    assert tileset.year_properties(level, year) is properties  # built once


@pytest.mark.parametrize("view", [(TOTAL, "since", None), (TOTAL, None, "kommun")])
def test_views_match_the_old_dicts(tileset, view):
    years = tileset.dataset.years_of("deso")
    view = (view[0], years[0] if view[1] else None, view[2])
    properties = tileset.year_properties("deso", years[-1], view)
    expected = old_records(tileset, "deso", years[-1], view)
    assert expected and typed(dict(properties.items())) == typed(expected)
