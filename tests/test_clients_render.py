"""The tiles and styles in real clients: MapLibre GL in Chromium, and QGIS through its style converter.

Both render the year tiles of the test grid with a served style; the colour at each area's centre must be the
legend colour of the area's class (blended with the style's fill opacity over its background), and MapLibre
must show no seam of background between neighbouring areas.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from styles.classify import assign
from styles.palettes import hex_to_rgb
from tests.clients import chromium_page, live_server, run_qgis
from tests.conftest import ARTIFACTS

MAPLIBRE = (
    Path(__file__).resolve().parents[1] / "web" / "node_modules" / "maplibre-gl" / "dist" / "maplibre-gl.js"
)
QUERY = "classes=4&method=quantiles"


@pytest.fixture
def server(app):
    with live_server(app) as url:
        yield url


def expected_colours(client, dataset, style: dict) -> dict[str, np.ndarray]:
    """Per area code, the legend colour of its class as drawn: opacity-blended over the background."""
    from styles.classify import Classification

    meta = style["metadata"]
    layers = {layer["id"]: layer for layer in style["layers"]}
    background = np.array(hex_to_rgb(layers["background"]["paint"]["background-color"]), dtype=float)
    opacity = next(layer["paint"]["fill-opacity"] for layer in style["layers"] if layer["type"] == "fill")
    classification = Classification(
        meta["method"], tuple(meta["breaks"]), tuple(meta["counts"]), len(meta["colors"])
    )
    values = dataset.wide("deso", 2021)["income"]
    classes = assign(values.to_numpy(), classification)
    return {
        code: opacity * np.array(hex_to_rgb(meta["colors"][k]), dtype=float) + (1 - opacity) * background
        for code, k in zip(values.index, classes, strict=True)
    }


def centroids_lonlat(dataset) -> dict[str, tuple[float, float]]:
    areas = dataset.area_frame("deso").to_crs("EPSG:4326")
    points = areas.geometry.representative_point()
    return {code: (p.x, p.y) for code, p in zip(areas.index, points, strict=True)}


def test_maplibre_renders_the_served_style_with_legend_colours_and_no_seams(app, server, dataset):
    if not MAPLIBRE.exists():
        pytest.skip("maplibre-gl is not installed in web/node_modules (run npm ci in web/)")
    client = app.test_client()
    style_url = f"{server}/styles/deso/income/2021.json?{QUERY}"
    style = client.get(f"/styles/deso/income/2021.json?{QUERY}").get_json()
    expected = expected_colours(client, dataset, style)
    west, south, east, north = client.get("/tiles/deso.json").get_json()["bounds"]
    with chromium_page(640, 640) as page:
        page.route("**/favicon.ico", lambda route: route.fulfill(status=204))
        page.goto(f"{server}/api/health")
        page.set_content('<div id="map" style="position:absolute;inset:0"></div>')
        page.add_script_tag(path=str(MAPLIBRE))
        page.evaluate(
            """([styleUrl, bounds]) => new Promise((resolve, reject) => {
                 const map = new maplibregl.Map({container: 'map', style: styleUrl, bounds, fitBoundsOptions:
                   {padding: 40}, fadeDuration: 0, attributionControl: false, preserveDrawingBuffer: true});
                 window.map = map;
                 map.on('error', e => reject(String(e.error && e.error.message)));
                 map.once('idle', () => resolve());
               })""",
            [style_url, [[west, south], [east, north]]],
        )
        # the areas' names are written over their centres: the fill colours are read without them
        assert page.evaluate("map.getLayer('labels').type") == "symbol"
        page.evaluate(
            """() => new Promise((resolve) => {
                 map.setLayoutProperty('labels', 'visibility', 'none');
                 map.once('idle', () => resolve());
               })"""
        )
        points = page.evaluate(
            "(pts) => pts.map(p => { const q = map.project(p); return [q.x, q.y]; })",
            list(centroids_lonlat(dataset).values()),
        )
        interior = page.evaluate(
            "([w, s, e, n]) => { const a = map.project([w, n]), b = map.project([e, s]);"
            " return [a.x, a.y, b.x, b.y]; }",
            [west, south, east, north],
        )
        shot = page.screenshot()
        errors = list(page.errors)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "maplibre_style.png").write_bytes(shot)
    image = np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"), dtype=float)
    assert errors == []
    for (code, colour), (x, y) in zip(expected.items(), points, strict=True):
        got = image[round(y), round(x)]
        assert np.abs(got - colour).max() <= 6, (code, got, colour)
    # No seam: the background colour appears nowhere well inside the grid's footprint.
    background = np.array(hex_to_rgb(style["layers"][0]["paint"]["background-color"]), dtype=float)
    x0, y0, x1, y1 = interior
    inset = 0.12 * (x1 - x0)
    block = image[int(y0 + inset) : int(y1 - inset), int(x0 + inset) : int(x1 - inset)]
    assert block.size > 0
    assert not (np.abs(block - background).max(axis=2) <= 2).any()


QGIS_SCRIPT = r"""
import json, sys, urllib.request
from qgis.core import (QgsApplication, QgsVectorTileLayer, QgsMapSettings, QgsMapRendererSequentialJob,
                       QgsRectangle, QgsCoordinateReferenceSystem, QgsMapBoxGlStyleConverter)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor
job = json.load(open(sys.argv[1]))
app = QgsApplication([], False)
app.initQgis()
style = json.load(urllib.request.urlopen(job["style_url"]))
uri = f"type=xyz&url={job['tiles']}&zmin={job['minzoom']}&zmax={job['maxzoom']}"
layer = QgsVectorTileLayer(uri, "areas")
converter = QgsMapBoxGlStyleConverter()
status = converter.convert(style)
layer.setRenderer(converter.renderer())
settings = QgsMapSettings()
settings.setLayers([layer])
settings.setDestinationCrs(QgsCoordinateReferenceSystem("EPSG:3857"))
settings.setBackgroundColor(QColor(job["background"]))
settings.setOutputSize(QSize(job["size"], job["size"]))
settings.setExtent(QgsRectangle(*job["extent"]))
render = QgsMapRendererSequentialJob(settings)
render.start()
render.waitForFinished()
render.renderedImage().save(job["out"], "PNG")
e = settings.visibleExtent()
print(json.dumps({"valid": layer.isValid(), "status": int(status), "warnings": converter.warnings(),
                  "rules": len(converter.renderer().styles()),
                  "extent": [e.xMinimum(), e.yMinimum(), e.xMaximum(), e.yMaximum()]}))
"""


def test_qgis_converts_the_qgis_style_and_draws_legend_colours(app, server, dataset, tmp_path):
    client = app.test_client()
    style = client.get(f"/styles/deso/income/2021.json?{QUERY}&client=qgis").get_json()
    tilejson = client.get("/tiles/deso/2021.json").get_json()
    areas = dataset.area_frame("deso").to_crs("EPSG:3857")
    minx, miny, maxx, maxy = areas.total_bounds
    pad = 0.1 * (maxx - minx)
    job = {
        "style_url": f"{server}/styles/deso/income/2021.json?{QUERY}&client=qgis",
        "tiles": f"{server}/tiles/deso/2021/{{z}}/{{x}}/{{y}}.mvt",
        "minzoom": tilejson["minzoom"],
        "maxzoom": tilejson["maxzoom"],
        "size": 500,
        "extent": [minx - pad, miny - pad, maxx + pad, maxy + pad],
        "out": str(tmp_path / "qgis.png"),
        "background": "#ffffff",
    }
    answer = run_qgis(QGIS_SCRIPT, job, tmp_path)
    assert answer["valid"] and answer["status"] == 0 and answer["warnings"] == []
    classes = len(style["metadata"]["colors"])
    assert answer["rules"] >= classes + 1  # one rule per class, no data, outline
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "qgis_style.png").write_bytes(Path(job["out"]).read_bytes())
    image = np.asarray(Image.open(job["out"]).convert("RGB"), dtype=int)
    x0, y0, x1, y1 = answer["extent"]
    h, w = image.shape[:2]
    # The fills are opaque: the pixel at an area's interior point is its class colour in /api/legend.
    legend = client.get(f"/api/legend/deso/income/2021?{QUERY}").get_json()
    colours = {
        code: hex_to_rgb(legend["colors"][area["class"]])
        for code, area in legend["areas"].items()
        if area["class"] is not None
    }
    assert len(colours) == len(areas) and len(set(map(tuple, colours.values()))) == classes
    points = areas.geometry.representative_point()
    for code, point in zip(areas.index, points, strict=True):
        px = (point.x - x0) / (x1 - x0) * w
        py = (y1 - point.y) / (y1 - y0) * h
        got = tuple(image[int(py), int(px)])
        assert got == tuple(colours[code]), (code, got, colours[code])
