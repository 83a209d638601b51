"""Orientation: label glyphs built from Debian's DejaVu Sans, the configured basemap (a PMTiles file the app
serves itself, written here), names on the map and the land-only switch, in Debian's Chromium."""

from __future__ import annotations

import gzip
import io
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import mapbox_vector_tile
import mercantile
import numpy as np
import pytest
import shapely
import shapely.affinity
import shapely.geometry
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont
from pmtiles.tile import zxy_to_tileid
from scipy.ndimage import binary_dilation

from data import cli
from geo.archive import ArchiveInfo, PMTilesWriter
from geo.protobuf import read_varint
from styles import glyphs
from tests.clients import chromium_page, live_server
from tests.conftest import grid_dataset

DIST_FONTS = Path(__file__).resolve().parents[1] / "web" / "dist" / "fonts"
needs_font = pytest.mark.skipif(not glyphs.FONT.is_file(), reason="needs Debian's fonts-dejavu-core")


# ---- a protobuf reader (wire format), independent of the writer's messages ---------------------------------


def _fields(data: bytes) -> list[tuple[int, int | bytes]]:
    out, at = [], 0
    while at < len(data):
        key, at = read_varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = read_varint(data, at)
        elif wire == 2:
            length, at = read_varint(data, at)
            value, at = data[at : at + length], at + length
        else:
            raise AssertionError(f"unexpected wire type {wire}")
        out.append((number, value))
    return out


def decode_glyphs(data: bytes) -> tuple[str, str, dict[int, dict]]:
    """(fontstack name, range, {code point: glyph fields}) of a one-fontstack glyphs message."""
    stacks = [v for n, v in _fields(data) if n == 1]
    assert len(stacks) == 1
    fields = _fields(stacks[0])
    name = next(v for n, v in fields if n == 1).decode()
    range_name = next(v for n, v in fields if n == 2).decode()
    names = {1: "id", 2: "bitmap", 3: "width", 4: "height", 5: "left", 6: "top", 7: "advance"}
    found = {}
    for number, raw in fields:
        if number != 3:
            continue
        glyph = {"bitmap": b""} | {names[n]: v for n, v in _fields(raw)}
        for key in ("left", "top"):  # sint32, zigzag
            glyph[key] = (glyph[key] >> 1) ^ -(glyph[key] & 1)
        found[glyph["id"]] = glyph
    return name, range_name, found


@needs_font
def test_glyph_ranges_decode_with_swedish_letters_whose_sdf_matches_the_font(tmp_path):
    written = glyphs.write(tmp_path)
    assert [p.name for p in written] == ["0-255.pbf", "256-511.pbf", "8192-8447.pbf"]
    name, range_name, found = decode_glyphs(written[0].read_bytes())
    assert (name, range_name) == ("DejaVu Sans", "0-255")
    assert all(0 <= code <= 255 for code in found)
    assert {ord(c) for c in "AaÅåÄäÖöé -"} <= set(found)
    assert not {code for code in found if code < 32}  # control characters have no glyph
    for glyph in found.values():
        if glyph["width"]:
            assert len(glyph["bitmap"]) == (glyph["width"] + 6) * (glyph["height"] + 6)
    assert found[ord(" ")]["bitmap"] == b"" and found[ord(" ")]["advance"] > 0
    assert found[ord("å")]["height"] > found[ord("a")]["height"]  # the ring above
    assert found[ord("å")]["top"] > found[ord("a")]["top"]
    _, _, dashes = decode_glyphs(written[2].read_bytes())
    assert {0x2013, 0x2014} <= set(dashes)

    # the SDF's inside (>= 192, MapLibre's edge) is where the letter covers at least half a pixel, drawn by
    # FreeType eight times larger, unhinted, at the position the metrics give
    tt = TTFont(str(glyphs.FONT))
    ascender = round(tt["hhea"].ascent * 24 / tt["head"].unitsPerEm)  # "top" counts from baseline - this
    font = ImageFont.truetype(str(glyphs.FONT), 24 * 8, layout_engine=ImageFont.Layout.BASIC)
    for char in "åÄÖg":
        glyph = found[ord(char)]
        w, h = glyph["width"] + 6, glyph["height"] + 6  # a 3 px buffer around the glyph
        sdf = np.frombuffer(glyph["bitmap"], np.uint8).reshape(h, w)
        assert sdf[0, 0] < 64 and sdf.max() > 210  # far outside, inside the strokes
        image = Image.new("L", (w * 8, h * 8))
        origin = ((3 - glyph["left"]) * 8, (3 + glyph["top"] + ascender) * 8)
        ImageDraw.Draw(image).text(origin, char, font=font, fill=255, anchor="ls")
        drawn = (np.asarray(image) / 255).reshape(h, 8, w, 8).mean(axis=(1, 3)) >= 0.5
        inside = sdf >= 192
        overlap = (drawn & inside).sum() / (drawn | inside).sum()
        assert overlap > 0.75, (char, overlap)  # strokes are 2 px wide: edge pixels differ
        assert not (inside & ~binary_dilation(drawn)).any() and not (drawn & ~binary_dilation(inside)).any()


@needs_font
def test_glyphs_are_served_immutable_and_unknown_ranges_empty(client):
    if not (DIST_FONTS / glyphs.FONTSTACK / "0-255.pbf.gz").is_file():
        pytest.skip("glyphs not built: run ./dev setup")
    response = client.get("/fonts/DejaVu%20Sans/0-255.pbf", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    body = gzip.decompress(response.data)
    assert ord("å") in decode_glyphs(body)[2]
    empty = client.get("/fonts/DejaVu%20Sans/19968-20223.pbf")
    assert empty.status_code == 200 and decode_glyphs(empty.data)[1:] == ("19968-20223", {})
    for path, parameter in (
        ("/fonts/Arial/0-255.pbf", "fontstack"),
        ("/fonts/DejaVu%20Sans/1-256.pbf", "range"),
    ):
        bad = client.get(path)
        assert bad.status_code == 404 and bad.get_json()["parameter"] == parameter


# ---- the basemap setting ----------------------------------------------------------------------------------


def write_basemap(path: Path, water: shapely.Polygon, zooms: range = range(0, 15)) -> None:
    """A vector PMTiles archive with one ``water`` layer holding ``water`` (WGS84)."""
    bounds = tuple(water.bounds)
    merc = shapely.transform(water, lambda xy: np.array([mercantile.xy(x, y) for x, y in xy]))
    info = ArchiveInfo(
        "test basemap", "water", zooms.start, zooms.stop - 1, bounds, (*water.centroid.coords[0], 10)
    )
    with PMTilesWriter(path, info) as writer:
        for tile in sorted(mercantile.tiles(*bounds, zooms), key=lambda t: zxy_to_tileid(t.z, t.x, t.y)):
            box = mercantile.xy_bounds(tile)
            sx, sy = 4096 / (box.right - box.left), 4096 / (box.top - box.bottom)  # y down in the tile
            local = shapely.affinity.affine_transform(merc, [sx, 0, 0, -sy, -box.left * sx, box.top * sy])
            clipped = shapely.clip_by_rect(local, -64, -64, 4160, 4160)
            if clipped.is_empty:
                continue
            layer = {"name": "water", "features": [{"geometry": clipped, "properties": {"kind": "sea"}}]}
            body = mapbox_vector_tile.encode([layer], default_options={"y_coord_down": True})
            writer.add(tile.z, tile.x, tile.y, gzip.compress(body))


def test_basemap_setting_is_checked_at_start(tmp_path, data_dir, monkeypatch, capsys):
    from tileserver import create_app
    from tileserver.basemap import BasemapError

    (data_dir / "notes.txt").write_text("not tiles")
    (tmp_path / "outside.pmtiles").write_bytes(b"PMTiles\x03")
    for value in (
        "ftp://example.org/a.pmtiles",
        "javascript:alert(1)",
        "../outside.pmtiles",
        "notes.txt",
        "x.pmtiles",
    ):
        with pytest.raises(BasemapError, match="BAROMETER_BASEMAP"):
            create_app({"DATA": str(data_dir), "BASEMAP": value})
    monkeypatch.setenv("BAROMETER_BASEMAP", "file:///etc/passwd")
    assert cli.main(["serve", "--data", str(data_dir)]) == 2
    assert "BAROMETER_BASEMAP='file:///etc/passwd': only http(s) URLs" in capsys.readouterr().err
    monkeypatch.delenv("BAROMETER_BASEMAP")

    answers = {
        "": {"kind": "default"},
        "https://tiles.example.se/{z}/{x}/{y}.png": {
            "kind": "xyz",
            "url": "https://tiles.example.se/{z}/{x}/{y}.png",
        },
        "https://karta.example.se/style.json": {
            "kind": "style",
            "url": "https://karta.example.se/style.json",
        },
        "https://karta.example.se/sverige.pmtiles": {
            "kind": "pmtiles",
            "url": "https://karta.example.se/sverige.pmtiles",
        },
    }
    for value, expected in answers.items():
        app = create_app({"DATA": str(data_dir), "BASEMAP": value, "TESTING": True})
        assert app.test_client().get("/api/config").get_json()["basemap"] == expected


def test_basemap_file_is_served_with_range_requests(data_dir):
    from tileserver import create_app

    write_basemap(data_dir / "karta.pmtiles", shapely.box(18.0, 59.0, 18.2, 59.1), range(0, 6))
    client = create_app({"DATA": str(data_dir), "BASEMAP": "karta.pmtiles", "TESTING": True}).test_client()
    config = client.get("/api/config", base_url="http://karta.example.se").get_json()
    assert config["basemap"] == {"kind": "pmtiles", "url": "http://karta.example.se/basemap/karta.pmtiles"}
    whole = (data_dir / "karta.pmtiles").read_bytes()
    part = client.get("/basemap/karta.pmtiles", headers={"Range": "bytes=0-126"})
    assert part.status_code == 206 and part.data == whole[:127]
    assert part.headers["Content-Range"] == f"bytes 0-126/{len(whole)}"
    assert client.get("/basemap/other.pmtiles").get_json()["parameter"] == "name"


# ---- in Chromium ------------------------------------------------------------------------------------------


def _grid_and_sea(tmp_path: Path):
    """A 6 × 6 grid of DeSO in a data folder, its DeSO in WGS84, and a sea over its eastern half."""
    from data.store import write_version

    if not (DIST_FONTS / glyphs.FONTSTACK / "0-255.pbf.gz").is_file():
        pytest.skip("web map or glyphs not built: run ./dev setup")
    dataset = grid_dataset(n=6)
    data = tmp_path / "data"
    write_version(data, dataset)
    deso = dataset.areas[dataset.areas["level"] == "deso"].to_crs(4326)
    west, south, east, north = deso.total_bounds
    sea = shapely.box((west + east) / 2, south - 0.05, east + 0.1, north + 0.05)
    return data, deso, sea


@pytest.mark.browser
@needs_font
def test_names_and_served_basemap_are_drawn_and_land_only_clips_the_water(tmp_path):
    from tileserver import create_app

    data, deso, sea = _grid_and_sea(tmp_path)
    west, south, east, north = deso.total_bounds
    middle = (west + east) / 2
    write_basemap(data / "basemap.pmtiles", sea)
    app = create_app({"DATA": str(data), "BASEMAP": "basemap.pmtiles", "TESTING": True})
    centre = f"{(west + east) / 2:.4f},{(south + north) / 2:.4f},12.2"
    with live_server(app) as base, chromium_page(1000, 700) as page:
        requests: list[tuple[str, str]] = []
        page.on("request", lambda r: requests.append((r.url, r.headers.get("range", ""))))
        page.goto(f"{base}/?k=0201&lv=deso&at={centre}")
        page.wait_for_selector("body[data-ready='1']", timeout=30_000)
        page.wait_for_function("window.barometer.ctx.maps[0].map.getLayer('land-only') !== undefined")
        page.wait_for_function(
            "(() => { const m = window.barometer.ctx.maps[0].map; return m.loaded() && m.areTilesLoaded()"
            " && m.queryRenderedFeatures({layers: ['labels']}).length > 0; })()",
            timeout=30_000,
        )
        view = "window.barometer.ctx.maps[0].map"
        labels = page.evaluate(
            f"{view}.queryRenderedFeatures({{layers: ['labels']}}).map(f => f.properties.name)"
        )
        assert labels and set(labels) <= set(deso["name"])
        assert len(labels) == len(set(labels))  # each name once, however many tiles its area spans
        assert f"{base}/fonts/DejaVu%20Sans/0-255.pbf" in [url for url, _ in requests]
        ranged = [r for url, r in requests if url == f"{base}/basemap/basemap.pmtiles"]
        assert ranged and all(r.startswith("bytes=") for r in ranged)
        order = page.evaluate(f"{view}.getStyle().layers.map(l => l.id)")
        assert (
            order.index("basemap-water")
            < order.index("fill")
            < order.index("land-only")
            < order.index("labels")
        )
        assert page.evaluate(f"{view}.queryRenderedFeatures({{layers: ['basemap-water']}}).length") > 0
        assert page.evaluate(f"{view}.getStyle().glyphs") == f"{base}/fonts/{{fontstack}}/{{range}}.pbf"

        # a point in an area over the water: the area's colour, then, on land only, the water's
        lng, lat = (middle + east) / 2, (south + north) / 2
        x, y = page.evaluate(f"(() => {{ const p = {view}.project([{lng}, {lat}]); return [p.x, p.y]; }})()")
        code = page.evaluate(
            f"{view}.queryRenderedFeatures([{x}, {y}], {{layers: ['fill']}})[0].properties.code"
        )
        assert code in set(deso["code"])
        box = page.locator("#map-a").bounding_box()

        def pixel() -> tuple[int, ...]:
            image = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
            return image.getpixel((round(box["x"] + x), round(box["y"] + y)))

        before = pixel()
        page.get_by_label("Bara land").check()
        page.wait_for_function(f"{view}.getLayoutProperty('land-only', 'visibility') === 'visible'")
        page.wait_for_timeout(300)
        after = pixel()
        water = tuple(int("c9dbe6"[i : i + 2], 16) for i in (0, 2, 4))
        assert max(abs(a - b) for a, b in zip(after, water, strict=True)) <= 3, (before, after)
        assert max(abs(a - b) for a, b in zip(before, water, strict=True)) > 20
        assert page.errors == []


def test_maplibre_styles_name_the_glyphs_and_label_areas_and_qgis_styles_do_not(client):
    style = client.get("/styles/deso/income/2020.json").get_json()
    assert style["glyphs"] == "http://localhost/fonts/{fontstack}/{range}.pbf"
    (label,) = [layer for layer in style["layers"] if layer["type"] == "symbol"]
    assert label["layout"]["text-font"] == [glyphs.FONTSTACK] and label["layout"]["text-field"] == [
        "get",
        "name",
    ]
    assert label["minzoom"] == client.get("/api/config").get_json()["label_minzoom"]["deso"]
    assert style["layers"][-1] == label  # above fills and outlines
    qgis = client.get("/styles/deso/income/2020.json?client=qgis").get_json()
    assert "glyphs" not in qgis and not [layer for layer in qgis["layers"] if layer["type"] == "symbol"]


def test_areas_carry_a_label_point_inside_each_area(client, dataset):
    for level in ("deso", "regso", "kommun"):
        areas = dataset.area_frame(level).to_crs(4326)
        answer = client.get(f"/api/areas/{level}").get_json()
        assert len(answer) == len(areas)
        for row in answer:
            point = shapely.Point(row["label"])
            assert areas.geometry[row["code"]].buffer(1e-5).contains(point), (level, row)


class _ThirdParty(BaseHTTPRequestHandler):
    """A tile and style host of another origin on loopback: one-colour PNG tiles and a style whose water is
    a GeoJSON polygon; it records the paths asked for."""

    tile_color = (160, 192, 112)
    water: ClassVar[dict] = {}
    asked: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).asked.append(self.path)
        if self.path.startswith("/style.json"):
            body, kind = json.dumps(_style(type(self).water)).encode(), "application/json"
        else:
            image = io.BytesIO()
            Image.new("RGB", (256, 256), type(self).tile_color).save(image, "PNG")
            body, kind = image.getvalue(), "image/png"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


STYLE_WATER = "#88aadd"


def _style(water: dict) -> dict:
    return {
        "version": 8,
        "sources": {"sea": {"type": "geojson", "data": water}},
        "layers": [
            {"id": "water", "type": "fill", "source": "sea", "paint": {"fill-color": STYLE_WATER}},
            {"id": "names", "type": "symbol", "source": "sea", "layout": {"text-field": "Havet"}},
        ],
    }


def _rgb(color: str) -> tuple[int, int, int]:
    return tuple(int(color.lstrip("#")[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def _project(page, lng: float, lat: float) -> list[float]:
    """Where the first map draws a WGS84 point, in pixels of its container."""
    script = "(ll) => { const p = window.barometer.ctx.maps[0].map.project(ll); return [p.x, p.y]; }"
    return page.evaluate(script, [lng, lat])


def _near(pixel: tuple[int, ...], color: tuple[int, ...], tolerance: int = 3) -> bool:
    return max(abs(a - b) for a, b in zip(pixel, color, strict=True)) <= tolerance


@pytest.mark.browser
@needs_font
def test_xyz_and_style_basemaps_of_another_host_are_drawn_under_the_areas(tmp_path):
    from tileserver import create_app

    data, deso, sea = _grid_and_sea(tmp_path)
    west, south, east, north = deso.total_bounds
    middle = (west + east) / 2
    _ThirdParty.water = {"type": "Feature", "geometry": shapely.geometry.mapping(sea), "properties": {}}
    host = ThreadingHTTPServer(("127.0.0.1", 0), _ThirdParty)
    threading.Thread(target=host.serve_forever, daemon=True).start()
    other = f"http://127.0.0.1:{host.server_port}"
    view = "window.barometer.ctx.maps[0].map"
    loaded = f"(() => {{ const m = {view}; return m.loaded() && m.areTilesLoaded(); }})()"
    try:
        for setting in (f"{other}/tiles/{{z}}/{{x}}/{{y}}.png", f"{other}/style.json"):
            _ThirdParty.asked = []
            app = create_app({"DATA": str(data), "BASEMAP": setting, "TESTING": True})
            with live_server(app) as base, chromium_page(1000, 700) as page:
                page.goto(f"{base}/?k=0201&lv=deso")
                page.wait_for_selector("body[data-ready='1']", timeout=30_000)
                page.wait_for_function(f"{view}.getLayer('fill') !== undefined", timeout=30_000)
                page.evaluate(f"{view}.jumpTo({{center: [{middle}, {(south + north) / 2}], zoom: 11}})")
                page.wait_for_function(loaded, timeout=30_000)
                page.wait_for_timeout(300)
                order = page.evaluate(f"{view}.getStyle().layers.map(l => l.id)")
                box = page.locator("#map-a").bounding_box()
                shot = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
                beside = _project(page, west - 0.03, (south + north) / 2)  # west of every area
                assert 0 < beside[0] < box["width"] and 0 < beside[1] < box["height"]
                corner = shot.getpixel((round(box["x"] + beside[0]), round(box["y"] + beside[1])))
                if "{z}" in setting:
                    assert any(re.fullmatch(r"/tiles/1[12]/\d+/\d+\.png", p) for p in _ThirdParty.asked), (
                        _ThirdParty.asked
                    )
                    assert order.index("basemap-raster") < order.index("fill")
                    assert _near(corner, _ThirdParty.tile_color)  # no area there: the tiles themselves
                    assert page.locator(".land-only").count() == 0  # raster tiles: no water to clip with
                else:
                    assert _ThirdParty.asked == ["/style.json"]
                    assert order.index("basemap-water") < order.index("fill") < order.index("land-only")
                    assert "basemap-names" not in order  # its labels need fonts this app does not serve
                    lng, lat = (middle + east) / 2, (south + north) / 2
                    x, y = _project(page, lng, lat)
                    at = (round(box["x"] + x), round(box["y"] + y))
                    assert not _near(shot.getpixel(at), _rgb(STYLE_WATER), 20)
                    page.get_by_label("Bara land").check()
                    page.wait_for_timeout(300)
                    after = Image.open(io.BytesIO(page.screenshot())).convert("RGB").getpixel(at)
                    assert _near(after, _rgb(STYLE_WATER)), after  # the style's own water colour
                assert page.errors == []
    finally:
        host.shutdown()
