from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from data.demo_geometry import GRID, _county_plan, build_geography
from data.demo_names import _REAL, county_name, deso_names, municipality_names
from indicators.model import CODE_PATTERNS, LEVELS, level_of_code

SCB = Path(__file__).resolve().parents[2] / "shared" / "data" / "scb"
REAL_COUNTIES = {f"{n:02d}" for n in (1, *range(3, 11), 12, 13, 14, *range(17, 26))}


@pytest.fixture(scope="module", params=[120, 2300], ids=["default", "two_counties"])
def geography(request):
    return build_geography(request.param, np.random.default_rng(20240101))


def test_every_level_is_a_valid_coverage(geography):
    for level in LEVELS:
        geometries = geography.areas.loc[geography.areas["level"] == level, "geometry"].to_numpy()
        assert shapely.coverage_is_valid(geometries), level
        assert shapely.is_valid(geometries).all(), level


def test_every_level_covers_the_region_without_gaps(geography):
    areas = geography.areas
    riket = areas.loc[areas["level"] == "riket", "geometry"].iloc[0]
    assert riket.geom_type == "Polygon" and len(riket.interiors) == 0
    # the outline's nodes moved at most one grid step when the tessellation was snap-rounded
    assert riket.symmetric_difference(geography.outline).area < geography.outline.length * GRID
    for level in LEVELS:
        union = shapely.coverage_union_all(areas.loc[areas["level"] == level, "geometry"].to_numpy())
        assert union.symmetric_difference(riket).area < 1e-3, level
        assert np.isclose(areas.loc[areas["level"] == level].area.sum(), riket.area, rtol=1e-9), level


def test_codes_have_scb_shapes_and_parents_are_consistent(geography):
    areas = geography.areas
    for level in LEVELS:
        codes = areas.loc[areas["level"] == level, "code"]
        assert codes.is_unique
        assert all(CODE_PATTERNS[level].match(c) and level_of_code(c) == level for c in codes), level
    deso = areas[areas["level"] == "deso"]
    assert (deso["code"].str[:4] == deso["kommun"]).all()
    assert (deso["regso"].str[:4] == deso["kommun"]).all()
    assert (deso["kommun"].str[:2] == deso["lan"]).all()
    assert set(areas["lan"]) - {""} <= set(areas.loc[areas["level"] == "lan", "code"])
    assert not set(areas.loc[areas["level"] == "lan", "code"]) & REAL_COUNTIES


def test_each_area_lies_within_its_parent(geography):
    areas = geography.areas.set_index("code")
    for child_level, parent_column in (
        ("deso", "regso"),
        ("deso", "kommun"),
        ("regso", "kommun"),
        ("kommun", "lan"),
    ):
        children = areas[areas["level"] == child_level]
        parents = areas.loc[children[parent_column], "geometry"].to_numpy()
        assert shapely.covers(parents, children.geometry.to_numpy()).all(), (child_level, parent_column)
        summed = children.area.groupby(children[parent_column]).sum()
        np.testing.assert_allclose(summed.to_numpy(), areas.loc[summed.index].area.to_numpy(), rtol=1e-9)


def test_municipalities_are_contiguous_and_of_three_characters(geography):
    areas = geography.areas
    kommun = areas[areas["level"] == "kommun"]
    assert (kommun.geom_type == "Polygon").all()
    characters = {m.character for m in geography.municipalities}
    assert characters == {"city", "suburb", "rural"}
    deso = geography.deso.assign(area=areas.loc[areas["level"] == "deso"].area.to_numpy())
    mean_area = deso.groupby("character")["area"].mean()
    assert mean_area["city"] < mean_area["suburb"] < mean_area["rural"]
    assert set(deso.loc[deso["character"] == "rural", "letter"]) <= {"A", "B"}
    assert "C" in set(deso.loc[deso["character"] == "city", "letter"])
    letters = areas.loc[areas["level"] == "deso", "code"].str[4]
    np.testing.assert_array_equal(letters.to_numpy(), deso["letter"].to_numpy())


def test_default_region_sits_in_central_sweden():
    geography = build_geography(120, np.random.default_rng(1))
    minx, miny, maxx, maxy = geography.areas.total_bounds
    assert 540_000 < minx < maxx < 720_000 and 6_480_000 < miny < maxy < 6_680_000
    assert [m.name for m in geography.municipalities] == ["Norrvik", "Björkby", "Granåsen"]
    assert [m.code for m in geography.municipalities] == ["0201", "0202", "0203"]


def test_names_are_unique_where_they_must_be(geography):
    areas = geography.areas
    assert areas.loc[areas["level"] == "kommun", "name"].is_unique
    regso = areas[areas["level"] == "regso"]
    assert not regso.duplicated(["kommun", "name"]).any()
    assert not set(areas.loc[areas["level"] == "kommun", "name"]) & _REAL
    assert {f"{m.name} centrum" for m in geography.municipalities if m.character == "city"} <= set(
        regso["name"]
    )


def test_no_demo_municipality_has_a_real_name():
    path = SCB / "kommuner_2025.gpkg"
    if not path.exists():
        pytest.skip(f"real municipality list not available at {path}")
    real = set(gpd.read_file(path, columns=["kommun_namn"], ignore_geometry=True)["kommun_namn"])
    names = set()
    for seed in range(3):
        names |= set(
            municipality_names(["city"] * 5 + ["suburb"] * 30 + ["rural"] * 60, np.random.default_rng(seed))
        )
    assert len(names) > 90
    assert not names & real


def test_helper_names():
    assert county_name("Norrvik") == "Norrviks län"
    assert county_name("Granås") == "Granås län"
    names = deso_names(pd.Series(["R1", "R1", "R2"]), pd.Series(["Ekbacka", "Ekbacka", "Sjövik"]))
    assert names == ["Ekbacka 1", "Ekbacka 2", "Sjövik"]


def test_county_plan_for_a_benchmark_size():
    plan = _county_plan(1500)
    assert sum(k for _, k in plan) == 1500
    assert plan[0][0] == "city" and plan[0][1] == 825
    assert sum(c == "suburb" for c, _ in plan) == 8
    assert sum(c == "rural" for c, _ in plan) == 15
    assert [c for c, _ in _county_plan(120)] == ["city", "suburb", "rural"]
