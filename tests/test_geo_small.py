"""The plain-Python geometry commands of small tiles against the numpy encoder (geo.mvt)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from geo import small
from geo.grid import tiles_covering
from geo.mvt import polygon_commands, ragged_polygons
from geo.small import small_polygon_commands
from geo.tiles import render_tile, tile_content
from tests.test_geo_mvt import random_extra


def numpy_commands(geometries: np.ndarray, origin, scale: float) -> list[bytes]:
    coords, *offsets = ragged_polygons(geometries)
    tile = np.column_stack([(coords[:, 0] - origin[0]) * scale, (origin[1] - coords[:, 1]) * scale])
    buffer, spans = polygon_commands((tile, *offsets))
    return [buffer[a:b].tobytes() for a, b in spans.tolist()]


def test_same_bytes_as_numpy_on_every_synthetic_tile(synthetic, monkeypatch):
    monkeypatch.setattr(small, "SMALL_TILE_RINGS", 10**9)
    monkeypatch.setattr(small, "SMALL_TILE_POINTS", 10**9)
    compared = 0
    for tile in tiles_covering(synthetic.bounds, synthetic.minzoom, synthetic.maxzoom):
        _rows, clipped, frame = tile_content(synthetic, tile.z, tile.x, tile.y)
        origin = (frame.minx, frame.maxy)
        commands = small_polygon_commands(clipped, origin, frame.scale)
        assert commands == numpy_commands(clipped, origin, frame.scale), tile
        compared += sum(map(bool, commands))
    assert compared > 100


def test_small_and_general_tiles_are_identical(synthetic, monkeypatch):
    extra = random_extra(synthetic.codes)
    covering = list(tiles_covering(synthetic.bounds, synthetic.minzoom, synthetic.maxzoom))
    rendered = {}
    for limit in (10**9, -1):  # every tile through geo.small, then none
        monkeypatch.setattr(small, "SMALL_TILE_RINGS", limit)
        monkeypatch.setattr(small, "SMALL_TILE_POINTS", limit)
        rendered[limit] = [
            render_tile(synthetic, t.z, t.x, t.y, layer="l", extra=values)
            for t in covering
            for values in (None, extra)
        ]
    assert rendered[-1] == rendered[10**9]
    assert sum(map(bool, rendered[-1])) > 30


def test_collapsed_rings_holes_and_multipolygons_by_hand():
    exterior = [(0, 0), (0, 10), (10, 10), (10, 0), (0, 0)]  # tile y = -y: up, right, down (clockwise)
    hole = [(2, 2), (4, 2), (4, 4), (2, 4), (2, 2)]
    sliver = [(5, 5), (5.2, 5.1), (5.1, 5.2), (5, 5)]  # rounds to one point
    geometries = np.array(
        [
            shapely.Polygon(exterior, [hole, sliver]),
            shapely.MultiPolygon([shapely.Polygon(sliver), shapely.Polygon(hole)]),
            shapely.Polygon(sliver),
            shapely.Polygon(),
        ]
    )
    small = small_polygon_commands(geometries, (0.0, 0.0), 1.0)
    assert small == numpy_commands(geometries, (0.0, 0.0), 1.0)
    assert small[2] == small[3] == b""
    # MoveTo(1) 0 0, LineTo(3) (0 -10) (10 0) (0 10), ClosePath, then the hole MoveTo(1) from (10, -10)
    assert small[0][:12] == bytes([9, 0, 0, 26, 0, 19, 20, 0, 0, 20, 15, 9])


rings = st.lists(st.tuples(st.integers(-40, 40), st.integers(-40, 40)), min_size=3, max_size=12).map(
    lambda points: [(x / 4, y / 4) for x, y in points]
)  # quarter units: rounding makes repeats


@st.composite
def polygon_sets(draw) -> list:
    """Polygons with holes, multipolygons, both windings, repeated and collapsing points."""
    out = []
    for _ in range(draw(st.integers(1, 6))):
        parts = []
        for _ in range(draw(st.integers(1, 3))):
            shell = shapely.Polygon(draw(rings)).convex_hull
            if shell.geom_type != "Polygon" or shell.is_empty:
                continue
            holes = [shapely.Polygon(draw(rings)).convex_hull for _ in range(draw(st.integers(0, 2)))]
            for hole in holes:
                if hole.geom_type == "Polygon" and shell.contains(hole):
                    shell = shapely.Polygon(shell.exterior.coords, [*shell.interiors, hole.exterior.coords])
            if draw(st.booleans()):  # the other winding
                reverse = [ring.coords[::-1] for ring in shell.interiors]
                shell = shapely.Polygon(shell.exterior.coords[::-1], reverse)
            parts.append(shell)
        if parts:
            out.append(parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts))
    return out


@settings(max_examples=300, deadline=None)
@given(polygon_sets(), st.sampled_from([0.5, 1.0, 3.0]))
def test_same_bytes_as_numpy_on_random_polygons(polygons, scale):
    geometries = np.array(polygons, dtype=object)
    expected = numpy_commands(geometries, (0.0, 0.0), scale)
    assert small_polygon_commands(geometries, (0.0, 0.0), scale) == expected


def test_far_coordinates_take_the_numpy_path():
    far = np.array([shapely.box(0, 0, 20000, 10)])
    assert small_polygon_commands(far, (0.0, 0.0), 1.0) is None


@pytest.fixture(scope="module")
def synthetic():
    from geo.prepare import prepare_level
    from tests.test_geo_prepare import pixel_coverage

    return prepare_level(pixel_coverage(), "regso")
