"""Clipping to the buffered tile and the metres-to-tile-coordinates frame."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geo.clip import TileFrame, clip_polygons
from geo.grid import pixel_size, tile_bounds


def test_frame_maps_corners_and_flips_y():
    frame = TileFrame.of(12, 2200, 1200, buffer=64)
    minx, miny, maxx, maxy = tile_bounds(12, 2200, 1200)
    corners = np.array([[minx, maxy], [maxx, miny], [(minx + maxx) / 2, (miny + maxy) / 2]])
    assert frame.to_tile(corners) == pytest.approx(np.array([[0, 0], [4096, 4096], [2048, 2048]]), abs=1e-6)
    pad = 64 * pixel_size(12)
    assert frame.clip == pytest.approx((minx - pad, miny - pad, maxx + pad, maxy + pad))
    [moved] = frame.transform(np.array([shapely.Point(minx + 10 * pixel_size(12), maxy)]))
    assert (moved.x, moved.y) == pytest.approx((10.0, 0.0), abs=1e-6)


def test_clip_keeps_inside_cuts_crossing_drops_outside_and_slivers():
    bounds = (0.0, 0.0, 100.0, 100.0)
    inside = shapely.box(10, 10, 20, 20)
    crossing = shapely.box(90, 40, 150, 60)
    outside = shapely.box(200, 200, 210, 210)
    touching = shapely.box(100, 0, 120, 10)  # shares only an edge with the rectangle
    positions, clipped = clip_polygons(np.array([inside, crossing, outside, touching]), bounds)
    assert list(positions) == [0, 1]
    assert clipped[0] is inside  # passed through untouched
    assert clipped[1].equals(shapely.box(90, 40, 100, 60))


def test_clip_splits_into_parts_and_keeps_holes():
    u_shape = shapely.Polygon([(0, 0), (30, 0), (30, 30), (20, 30), (20, 10), (10, 10), (10, 30), (0, 30)])
    donut = shapely.Polygon(shapely.box(40, 0, 80, 40).exterior, [shapely.box(50, 10, 60, 20).exterior])
    positions, clipped = clip_polygons(np.array([u_shape, donut]), (0.0, 15.0, 75.0, 40.0))
    assert list(positions) == [0, 1]
    assert clipped[0].geom_type == "MultiPolygon" and len(clipped[0].geoms) == 2
    assert clipped[0].area == pytest.approx(2 * 10 * 15)
    assert clipped[1].area == pytest.approx(35 * 25 - 10 * 5)
