"""The national demo geography, built thin (a few hundred DeSOs over the whole country) to stay fast."""

import hashlib

import numpy as np
import pytest
import shapely

from data.demo_national import NATIONAL_AREAS, _county_plan, build_national_geography
from data.demo_tessellation import fractal_lines
from indicators.model import LEVELS

N_DESO = 200


def _build(seed: int = 5):
    return build_national_geography(N_DESO, np.random.default_rng(seed))


@pytest.fixture(scope="module")
def country():
    return _build()


def _level(country, level: str) -> np.ndarray:
    return country.areas.loc[country.areas["level"] == level, "geometry"].to_numpy()


def test_every_level_is_a_valid_coverage_without_gaps(country):
    riket = _level(country, "riket")[0]
    for level in LEVELS:
        geometries = _level(country, level)
        assert shapely.is_valid(geometries).all(), level
        assert shapely.coverage_is_valid(geometries), level
        assert np.isclose(shapely.area(geometries).sum(), riket.area, rtol=1e-9), level
        assert shapely.coverage_union_all(geometries).symmetric_difference(riket).area < 1e-3, level


def test_sweden_sized_with_21_counties_in_epsg_3006(country):
    areas = country.areas
    assert (areas["level"] == "lan").sum() == 21
    assert (areas["level"] == "deso").sum() == pytest.approx(N_DESO, rel=0.15)
    minx, miny, maxx, maxy = shapely.total_bounds(_level(country, "riket"))
    assert 500_000 < maxx - minx < 800_000 and 1_400_000 < maxy - miny < 1_700_000
    assert 350_000 < _level(country, "riket")[0].area / 1e6 < 500_000  # km², Sweden has 450,000


def test_coast_and_islands_make_multi_part_areas_and_areas_that_are_islands_alone(country):
    deso = _level(country, "deso")
    assert (shapely.get_num_geometries(deso) > 1).sum() >= 5
    land = shapely.get_parts(_level(country, "riket")[0])
    assert len(land) > 50  # archipelagos, Öland and Gotland
    mainland = land[np.argmax(shapely.area(land))]
    assert (~shapely.intersects(deso, mainland)).sum() >= 2  # DeSOs on islands only (Gotland's at least)
    kommun = _level(country, "kommun")
    tree = shapely.STRtree(kommun)
    assert any(len(tree.query(g, predicate="intersects")) == 1 for g in kommun)  # Gotland touches no one


def test_shared_borders_have_real_like_vertex_density(country):
    deso = _level(country, "deso")
    coast = shapely.get_num_coordinates(_level(country, "riket")[0])
    inner = (shapely.get_num_coordinates(deso).sum() - coast) / len(deso)
    assert 120 < inner < 450  # vertices of shared borders per DeSO (SCB's DeSO average ≈ 250 in all)
    edges = shapely.length(shapely.boundary(deso)).sum() / shapely.get_num_coordinates(deso).sum()
    assert 20 < edges < 2_000  # metres per segment: detailed, not straight Voronoi edges


def test_the_same_seed_gives_the_same_areas_and_another_does_not(country):
    def digest(geography) -> str:
        h = hashlib.sha256()
        h.update("".join(geography.areas["code"]).encode())
        for wkb in shapely.to_wkb(geography.areas.geometry.to_numpy()):
            h.update(wkb)
        return h.hexdigest()

    assert digest(_build()) == digest(country)
    assert digest(_build(6)) != digest(country)


def test_fractal_lines_keep_their_ends_and_stay_near_the_straight_edge():
    rng = np.random.default_rng(1)
    starts, ends = rng.uniform(0, 1000, (50, 2)), rng.uniform(0, 1000, (50, 2))
    lines = fractal_lines(starts, ends, 5, 0.09, rng)
    assert lines.shape == (50, 33, 2)
    assert np.array_equal(lines[:, 0], starts) and np.array_equal(lines[:, -1], ends)
    straight = shapely.linestrings(np.stack([starts, ends], axis=1))
    offset = shapely.distance(straight[:, None], shapely.points(lines)).max(axis=1)
    assert (offset < 0.5 * shapely.length(straight)).all() and (offset > 0).all()


@pytest.mark.parametrize("n, municipalities", [(1300, 26), (200, 12), (50, 1), (12, 5)])
def test_county_plans_add_up_with_one_city(n, municipalities):
    plan = _county_plan(n, municipalities)
    assert sum(k for _, k in plan) == n
    assert [c for c, _ in plan].count("city") == 1 and plan[0][0] == "city"
    assert len(plan) <= municipalities and all(k > 0 for _, k in plan)


def test_national_size_is_swedens_deso_count():
    assert 6_000 <= NATIONAL_AREAS <= 6_400


def test_the_demo_command_passes_national_on(tmp_path, monkeypatch, capsys):
    import data.demo
    import data.store
    from data.cli import main

    calls = []

    class Built:
        def dataset(self):
            return type("D", (), {"version": "v"})()

    def fake_build(areas=None, seed=0, *, national=False):
        calls.append((areas, national))
        return Built()

    monkeypatch.setattr(data.demo, "build_demo", fake_build)
    monkeypatch.setattr(data.store, "write_version", lambda root, dataset: None)
    assert main(["demo", "--national", "--data", str(tmp_path)]) == 0
    assert main(["demo", "--national", "--areas", "300", "--data", str(tmp_path)]) == 0
    assert main(["demo", "--data", str(tmp_path)]) == 0
    assert calls == [(None, True), (300, True), (None, False)]
