"""geo.raster: polygons burnt with rasterio, anti-aliased by supersampling, in strips."""

import numpy as np
import pytest
import shapely

from geo.raster import STRIP_ROWS, Frame, fit_bounds, render_polygons


def pixel(image, frame: Frame, x: float, y: float) -> tuple[int, ...]:
    column, row = frame.pixel(x, y)
    return tuple(int(v) for v in np.asarray(image)[row, column])


def test_fit_bounds_keeps_the_area_and_takes_the_pixel_aspect():
    bounds = fit_bounds((0, 0, 100, 50), 400, 400, padding=0.1)
    minx, miny, maxx, maxy = bounds
    assert maxx - minx == pytest.approx(maxy - miny)  # square pixels on a square image
    assert maxx - minx == pytest.approx(120)  # 100 wide + 10 % on each side
    assert (minx, maxx) == pytest.approx((-10, 110)) and (miny + maxy) / 2 == pytest.approx(25)


def test_fills_are_exact_inside_transparent_outside_and_blended_on_edges():
    left, right = shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)
    holed = shapely.box(0, 10, 20, 20).difference(shapely.box(4, 12, 8, 16))
    frame = Frame((-5, -5, 25, 25), 300, 300)  # 0.1 units per pixel
    image = render_polygons([left, right, holed], ["#ff0000", "#00ff00", "#0000ff"], frame, supersample=3)
    assert image.size == (300, 300) and image.mode == "RGBA"
    assert pixel(image, frame, 5, 5) == (255, 0, 0, 255)
    assert pixel(image, frame, 15, 5) == (0, 255, 0, 255)
    assert pixel(image, frame, 15, 15) == (0, 0, 255, 255)
    assert pixel(image, frame, 6, 14)[3] == 0  # the hole
    assert pixel(image, frame, -2, -2)[3] == 0  # outside every area
    # A pixel column straddling x = 10 exactly: half red, half green (box filter over 3×3 subpixels).
    half = Frame((9.95, 4.95, 10.05, 5.05), 1, 1)
    blended = render_polygons([left, right], ["#ff0000", "#00ff00"], half, supersample=2)
    assert tuple(np.asarray(blended)[0, 0]) in {(128, 128, 0, 255), (127, 127, 0, 255)}


def test_edge_pixels_against_the_empty_background_keep_their_colour():
    frame = Frame((0, 0, 4, 1), 4, 1)
    image = render_polygons([shapely.box(0, 0, 1.5, 1)], ["#ff0000"], frame, supersample=2)
    r, g, b, a = np.asarray(image)[0, 1]
    assert (r, g, b) == (255, 0, 0) and a in (127, 128)  # premultiplied: no dark fringe


def test_outlines_are_drawn_over_fills_at_the_boundaries():
    frame = Frame((0, 0, 20, 10), 200, 100)
    boxes = [shapely.box(0, 0, 10, 10), shapely.box(10, 0, 20, 10)]
    image = np.asarray(
        render_polygons(
            boxes, ["#ff0000", "#00ff00"], frame, outline="#000000", outline_width=2, supersample=2
        )
    )
    column = frame.pixel(10, 5)[0]
    row = frame.pixel(10, 5)[1]
    assert tuple(image[row, column][:3]) == (0, 0, 0)
    assert tuple(image[row, column + 10][:3]) == (0, 255, 0)  # 1 unit away from the line


def test_strips_join_without_seams():
    frame = Frame((0, 0, 10, 30), 100, 3 * STRIP_ROWS)
    image = np.asarray(render_polygons([shapely.box(2, 0, 8, 30)], ["#123456"], frame, supersample=3))
    inside = image[:, 50]
    assert (inside == (0x12, 0x34, 0x56, 255)).all()  # every row, across strip boundaries


def test_rejects_mismatched_fills():
    with pytest.raises(ValueError, match="fills"):
        render_polygons([shapely.box(0, 0, 1, 1)], [], Frame((0, 0, 1, 1), 10, 10))
