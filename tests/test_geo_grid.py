"""Tile math: bounds against mercantile and hand values, validation, covering tiles."""

from __future__ import annotations

import math

import mercantile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.grid import (
    EXTENT,
    MAX_ZOOM,
    ORIGIN,
    TileOutOfRange,
    buffered_bounds,
    meters_to_lonlat,
    pixel_size,
    tile_bounds,
    tiles_covering,
    validate_tile,
    zoom_to_fit,
)
from indicators.model import BarometerError


@st.composite
def tiles(draw, max_zoom: int = MAX_ZOOM) -> tuple[int, int, int]:
    z = draw(st.integers(0, max_zoom))
    return z, draw(st.integers(0, 2**z - 1)), draw(st.integers(0, 2**z - 1))


def test_world_tile_is_the_whole_mercator_square():
    assert tile_bounds(0, 0, 0) == (-ORIGIN, -ORIGIN, ORIGIN, ORIGIN)
    assert abs(ORIGIN - math.pi * 6378137.0) < 1e-6


def test_pixel_size_by_hand():
    # 2π·6378137 m / 4096 px at z0, halving with every zoom
    assert pixel_size(0) == pytest.approx(40075016.68557849 / 4096)
    assert pixel_size(14) == pytest.approx(40075016.68557849 / 4096 / 2**14)
    assert pixel_size(3, extent=512) == pytest.approx(40075016.68557849 / 512 / 8)


def test_z1_quadrants_by_hand():
    assert tile_bounds(1, 0, 0) == (-ORIGIN, 0.0, 0.0, ORIGIN)  # north-west: y counts from the north
    assert tile_bounds(1, 1, 1) == (0.0, -ORIGIN, ORIGIN, 0.0)


@settings(max_examples=200, deadline=None)
@given(tiles())
def test_bounds_agree_with_mercantile(tile):
    z, x, y = tile
    expected = mercantile.xy_bounds(x, y, z)
    size = 2 * ORIGIN / 2**z
    got = tile_bounds(z, x, y)
    assert got == pytest.approx(tuple(expected), abs=1e-6 * max(size, 1.0) + 1e-6)
    assert got[2] - got[0] == pytest.approx(size) and got[3] - got[1] == pytest.approx(size)
    assert pixel_size(z) * EXTENT == pytest.approx(size)


@settings(max_examples=100, deadline=None)
@given(tiles(max_zoom=MAX_ZOOM - 1))
def test_children_partition_their_parent(tile):
    z, x, y = tile
    minx, miny, maxx, maxy = tile_bounds(z, x, y)
    children = [tile_bounds(z + 1, 2 * x + dx, 2 * y + dy) for dx in (0, 1) for dy in (0, 1)]
    assert (min(c[0] for c in children), min(c[1] for c in children)) == (minx, miny)
    assert (max(c[2] for c in children), max(c[3] for c in children)) == (maxx, maxy)
    assert children[0][2] == children[2][0] and children[0][1] == children[1][3]  # shared edges, bit for bit
    assert sum((c[2] - c[0]) * (c[3] - c[1]) for c in children) == pytest.approx(
        (maxx - minx) * (maxy - miny)
    )


def test_buffered_bounds_grow_by_buffer_pixels():
    minx, miny, maxx, maxy = tile_bounds(5, 17, 9)
    pad = 64 * pixel_size(5)
    assert buffered_bounds(5, 17, 9, 64) == pytest.approx((minx - pad, miny - pad, maxx + pad, maxy + pad))


@pytest.mark.parametrize(
    ("z", "x", "y", "parameter", "valid"),
    [
        (-1, 0, 0, "z", "0..24"),
        (25, 0, 0, "z", "0..24"),
        (3, 8, 0, "x", "0..7"),
        (3, -1, 0, "x", "0..7"),
        (3, 0, 8, "y", "0..7"),
        (0, 0, 1, "y", "0..0"),
        ("3", 0, 0, "z", "0..24"),
        (2.0, 0, 0, "z", "0..24"),
        (True, 0, 0, "z", "0..24"),
    ],
)
def test_bad_tiles_name_parameter_and_range(z, x, y, parameter, valid):
    with pytest.raises(TileOutOfRange) as error:
        validate_tile(z, x, y)
    assert error.value.parameter == parameter
    assert f"{parameter}=" in str(error.value) and valid in str(error.value)
    assert isinstance(error.value, BarometerError)
    with pytest.raises(TileOutOfRange):
        tile_bounds(z, x, y)


def test_validate_tile_returns_mercantile_tile():
    assert validate_tile(24, 2**24 - 1, 0) == mercantile.Tile(2**24 - 1, 0, 24)


GOTEBORG = (11.6, 57.5, 12.3, 57.9)


def test_tiles_covering_by_hand():
    found = list(tiles_covering(GOTEBORG, 0, 2))
    # lon 11.6..12.3 lies in the east half (z1 x=1) and in quarter x=2 at z2 (0..90 E);
    # lat 57.5..57.9 is north of the equator (z1 y=0) and south of 66.51° N (z2 y=1)
    assert found == [mercantile.Tile(0, 0, 0), mercantile.Tile(1, 0, 1), mercantile.Tile(2, 1, 2)]


@settings(max_examples=50, deadline=None)
@given(
    st.floats(-179.0, 178.0),
    st.floats(-80.0, 79.0),
    st.floats(0.001, 1.0),
    st.floats(0.001, 1.0),
    st.integers(0, 10),
)
def test_covering_tiles_touch_the_bounds_and_contain_its_corners(west, south, width, height, zoom):
    bounds = (west, south, west + width, south + height)
    found = list(tiles_covering(bounds, zoom, zoom))
    assert found and all(t.z == zoom for t in found)
    for t in found:
        b = mercantile.bounds(t)
        assert b.west <= bounds[2] and b.east >= bounds[0] and b.south <= bounds[3] and b.north >= bounds[1]
    assert mercantile.tile(west + width / 2, south + height / 2, zoom) in found


def test_tiles_covering_rejects_bad_input():
    with pytest.raises(TileOutOfRange):
        list(tiles_covering(GOTEBORG, 3, 30))
    with pytest.raises(TileOutOfRange):
        list(tiles_covering(GOTEBORG, 5, 4))
    with pytest.raises(BarometerError):
        list(tiles_covering((12.0, 57.0, 11.0, 58.0), 0, 1))


def test_zoom_to_fit_and_lonlat():
    # z8 tiles are 360/256 = 1.40625° wide: 11.6 E and 12.3 E both fall in x = 136 (11.25..12.66 E), and
    # 57.5..57.9 N in y = 77 (57.33..58.08 N); at z9 (0.703° wide) they split into x = 272 and 273
    assert zoom_to_fit(GOTEBORG) == 8
    assert zoom_to_fit(GOTEBORG, 9, 12) == 9
    lon, lat = meters_to_lonlat(ORIGIN, 0.0)
    assert lon == pytest.approx(180.0) and lat == pytest.approx(0.0)
    assert meters_to_lonlat(0.0, ORIGIN)[1] == pytest.approx(85.0511287798, abs=1e-9)
