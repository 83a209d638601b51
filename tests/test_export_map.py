"""Map images and raster tiles: class colours at area centres, legend, title, size, DPI, limits."""

import io
import xml.etree.ElementTree as ET

import mercantile
import numpy as np
import pytest
from PIL import Image
from pyproj import Transformer

from indicators.model import ParameterError
from styles.choropleth import MapOptions, classes_for
from styles.classify import AREA_TYPES
from styles.layout import layout, page_size
from styles.palettes import NO_DATA, SUPPRESSED, area_type_colors
from styles.render import map_sheet, parse_bbox, render_png, render_svg
from tests.conftest import grid_dataset

SVG = "{http://www.w3.org/2000/svg}"
TO_WGS84 = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)
TO_MERCATOR = Transformer.from_crs("EPSG:3006", "EPSG:3857", always_xy=True)


def centre(code: str) -> tuple[float, float]:
    """Centre of a grid DeSO (EPSG:3006): 0201C1000 + 4j + i is the 1 km square i east, j north of the SW."""
    k = int(code[-4:]) - 1000
    i, j = k % 4, k // 4
    return 650_000 + 1000 * i + 500, 6_580_000 + 1000 * j + 500


def hexcolor(rgb) -> str:
    return "#" + "".join(f"{int(v):02x}" for v in rgb[:3])


def image_at(png: bytes, options: MapOptions, page, points: dict[str, tuple[float, float]]) -> dict:
    """RGB at each point of the map, placed by the same layout the route used."""
    dataset = grid_dataset()
    plan = layout(map_sheet(dataset, classes_for(dataset, options)), page)
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    out = {}
    for code, (x, y) in points.items():
        column, row = plan.frame.pixel(x, y)
        out[code] = hexcolor(pixels[plan.origin[1] + row, plan.origin[0] + column])
    return out


def legend_colors(client, indicator: str) -> tuple[list[str], dict[str, str]]:
    legend = client.get(f"/api/legend/deso/{indicator}/2021?kommun=0201").get_json()
    classes = [e["color"] for e in legend["entries"] if e["kind"] == "class"]
    return classes, {e["kind"]: e["color"] for e in legend["entries"]}


def test_png_colours_at_area_centres_are_the_legend_colours(client):
    response = client.get("/maps/deso/income/2021.png?kommun=0201&width=800&height=600")
    assert response.status_code == 200 and response.mimetype == "image/png"
    classes, _ = legend_colors(client, "income")
    assert len(classes) == 4  # four distinct incomes (one per grid column) give four quantile classes
    codes = [f"0201C{1000 + k}" for k in range(16)]
    options = MapOptions("deso", "income", 2021, kommun=("0201",))
    drawn = image_at(response.data, options, page_size(800, 600), {c: centre(c) for c in codes})
    # Income grows west to east, so grid column i is class i.
    assert drawn == {c: classes[(int(c[-4:]) - 1000) % 4] for c in codes}


def test_missing_and_suppressed_areas_take_their_legend_greys(client):
    response = client.get("/maps/deso/unemployment/2021.png?kommun=0201&width=600&height=600")
    _, by_kind = legend_colors(client, "unemployment")
    options = MapOptions("deso", "unemployment", 2021, kommun=("0201",))
    points = {c: centre(c) for c in ("0201C1000", "0201C1001")}
    drawn = image_at(response.data, options, page_size(600, 600), points)
    assert drawn == {"0201C1000": by_kind["no_data"], "0201C1001": by_kind["suppressed"]}
    assert (by_kind["no_data"], by_kind["suppressed"]) == (NO_DATA.color, SUPPRESSED.color)


def test_png_legend_swatches_title_size_and_dpi(client):
    response = client.get("/maps/deso/income/2021.png?kommun=0201&paper=A4&dpi=150")
    image = Image.open(io.BytesIO(response.data))
    assert image.size == (1240, 1754)  # 210 × 297 mm at 150 DPI
    assert tuple(round(d) for d in image.info["dpi"]) == (150, 150)
    dataset = grid_dataset()
    options = MapOptions("deso", "income", 2021, kommun=("0201",))
    sheet = map_sheet(dataset, classes_for(dataset, options))
    plan = layout(sheet, page_size(paper="A4", dpi=150))
    pixels = np.asarray(image.convert("RGB"))
    swatches = [hexcolor(pixels[int(r.y + r.height / 2), int(r.x + r.width / 2)]) for r in plan.rects[:4]]
    classes, _ = legend_colors(client, "income")
    assert swatches == classes
    title = plan.texts[0]
    assert title.text == "Inkomst 2021"
    band = pixels[int(title.y - title.size) : int(title.y), int(title.x) : int(title.x + 8 * title.size)]
    assert (band.max(axis=2) < 100).sum() > 200  # dark glyph pixels where the title is written
    blank = pixels[int(title.y - title.size) : int(title.y), -int(title.x) :]
    assert (blank.max(axis=2) < 100).sum() == 0  # and none in the right margin


def test_svg_has_areas_legend_title_source_and_scale(client):
    response = client.get("/maps/deso/income/2021.svg?kommun=0201&width=900&height=600")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    legend = client.get("/api/legend/deso/income/2021?kommun=0201").get_json()
    assert texts[0] == "Inkomst 2021"
    assert "Inkomst (kr)" in texts  # legend heading with the unit
    assert all(e["label"] in texts for e in legend["entries"] if e["kind"] == "class")
    assert any(t.startswith("Källa: ") and "2021" in t for t in texts)
    assert "0" in texts and any(t.endswith(" km") or t.endswith(" m") for t in texts)
    paths = {p.get("id"): p.get("fill") for p in root.iter(f"{SVG}path")}
    classes = [e["color"] for e in legend["entries"] if e["kind"] == "class"]
    assert paths == {f"0201C{1000 + k}": classes[k % 4] for k in range(16)}


def test_change_map_is_the_same_call_with_since(client):
    root = ET.fromstring(client.get("/maps/deso/income/2021.svg?kommun=0201&since=2020").data)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts[0] == "Inkomst, förändring 2020–2021"
    # Every area gained 1 000 kr: diverging classes reach ±1 000, and all areas are in the top class.
    top = "+600 – +1\u202f000\u00a0kr"
    assert top in texts
    legend = client.get("/api/legend/deso/income/2021?kommun=0201&since=2020").get_json()
    top_colour = next(e["color"] for e in legend["entries"] if e["label"] == top)
    assert {p.get("fill") for p in root.iter(f"{SVG}path")} == {top_colour}


@pytest.fixture(scope="module")
def demo():
    from data.demo import build_demo

    return build_demo().dataset()


def test_area_type_map_of_the_demo(demo):
    options = MapOptions("regso", "omradestyp", 2021, kommun=("0201",))
    classes = classes_for(demo, options)
    sheet = map_sheet(demo, classes)
    page = page_size(700, 700)
    plan = layout(sheet, page)
    pixels = np.asarray(Image.open(io.BytesIO(render_png(sheet, page))).convert("RGB"))
    areas = demo.area_frame("regso").loc[list(sheet.codes)]
    types = classes.values
    colours = area_type_colors()
    checked = 0
    for code, geometry in zip(areas["code"], areas.geometry, strict=True):
        inner = geometry.buffer(-4 * plan.frame.resolution)
        if inner.is_empty or not np.isfinite(types[code]):
            continue
        point = inner.representative_point()
        column, row = plan.frame.pixel(point.x, point.y)
        drawn = hexcolor(pixels[plan.origin[1] + row, plan.origin[0] + column])
        assert drawn == colours[int(types[code]) - 1], code
        checked += 1
    assert checked >= 5
    texts = [t.text for t in ET.fromstring(render_svg(sheet, page)).iter(f"{SVG}text")]
    present = {int(types[c]) for c in sheet.codes if np.isfinite(types[c])}
    assert {t.name_sv for t in AREA_TYPES if t.code in present} <= set(texts)


def test_raster_tiles_match_the_map_image(client):
    classes, _ = legend_colors(client, "income")
    codes = [f"0201C{1000 + k}" for k in range(16)]
    png = client.get("/maps/deso/income/2021.png?kommun=0201&width=800&height=600").data
    options = MapOptions("deso", "income", 2021, kommun=("0201",))
    in_image = image_at(png, options, page_size(800, 600), {c: centre(c) for c in codes})
    in_tiles = {}
    for code in codes:
        lon, lat = TO_WGS84.transform(*centre(code))
        tile = mercantile.tile(lon, lat, 14)
        response = client.get(f"/raster/deso/income/2021/14/{tile.x}/{tile.y}.png?kommun=0201")
        assert response.status_code == 200 and response.mimetype == "image/png"
        image = np.asarray(Image.open(io.BytesIO(response.data)).convert("RGBA"))
        assert image.shape == (256, 256, 4)
        bounds = mercantile.xy_bounds(tile)
        mx, my = TO_MERCATOR.transform(*centre(code))
        column = int((mx - bounds.left) / (bounds.right - bounds.left) * 256)
        row = int((bounds.top - my) / (bounds.top - bounds.bottom) * 256)
        r, g, b, a = image[row, column]
        assert a == 255
        in_tiles[code] = f"#{r:02x}{g:02x}{b:02x}"
    assert in_tiles == in_image == {c: classes[(int(c[-4:]) - 1000) % 4] for c in codes}


def test_raster_tile_is_transparent_where_there_are_no_areas(client):
    response = client.get("/raster/deso/income/2021/10/0/0.png")
    image = np.asarray(Image.open(io.BytesIO(response.data)).convert("RGBA"))
    assert response.status_code == 200 and (image[..., 3] == 0).all()


@pytest.mark.parametrize(
    ("query", "parameter", "limit"),
    [
        ("kommun=0201&dpi=301", "dpi", "DPI limit"),
        ("kommun=0201&paper=A3&dpi=400", "dpi", "DPI limit"),
        ("kommun=0201&width=5001", "width", "size limit"),
        ("kommun=0201&height=50", "height", "size limit"),
        ("kommun=0201&paper=A0", "paper", "A4"),
        ("bbox=10,50,40,60", "bbox", "bbox limit"),
        ("bbox=1,2,3", "bbox", "four numbers"),
        ("bbox=-10,-10,-9,-9", "bbox", "no deso areas"),
    ],
)
def test_limits_are_400s_naming_the_limit(client, query, parameter, limit):
    response = client.get(f"/maps/deso/income/2021.png?{query}")
    assert response.status_code == 400, response.data
    body = response.get_json()
    assert body["parameter"] == parameter and limit in body["detail"]


def test_raster_zoom_limit(client):
    response = client.get("/raster/deso/income/2021/21/0/0.png")
    assert response.status_code == 400 and response.get_json()["parameter"] == "z"


def test_bbox_selects_the_areas_it_meets():
    dataset = grid_dataset()
    west, south = TO_WGS84.transform(650_100, 6_580_100)
    east, north = TO_WGS84.transform(650_900, 6_580_900)
    sheet = map_sheet(
        dataset, classes_for(dataset, MapOptions("deso", "income", 2021)), (west, south, east, north)
    )
    assert "0201C1000" in sheet.codes and "0201C1015" not in sheet.codes
    with pytest.raises(ParameterError, match="bbox limit"):
        parse_bbox("0,0,25,1")


def test_scale_bar_length_matches_its_label():
    dataset = grid_dataset()
    sheet = map_sheet(dataset, classes_for(dataset, MapOptions("deso", "income", 2021)))
    plan = layout(sheet, page_size(800, 600))
    bar = plan.rects[-2:]  # two half segments, black then white
    assert [r.fill for r in bar] == ["#222222", "#ffffff"] and bar[0].x + bar[0].width == bar[1].x
    label = next(t.text for t in plan.texts if t.anchor == "end")
    number, unit = label.split(" ")
    metres = float(number.replace(",", ".")) * (1000 if unit == "km" else 1)
    length = (bar[0].width + bar[1].width) * plan.frame.resolution
    assert length == pytest.approx(metres)
    assert 0.1 < length / (plan.frame.width * plan.frame.resolution) <= 0.25
