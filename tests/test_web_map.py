"""The web map in headless Chromium (Debian's /usr/bin/chromium driven by Playwright) against the demo.

The app runs in a thread on a free port; a second server on another port and host name plays the page of
another origin that embeds /embed. The page draws what the server's /api/legend says (classes, colours,
labels); the tests check each area's drawn class and colour against that API. Screenshots go to
test-artifacts/.
"""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
DIST = ROOT / "web" / "dist" / "index.html"
ARTIFACTS = ROOT / "test-artifacts"
KOMMUN, OTHER = "0201", "0202"

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
    pytest.mark.skipif(not DIST.exists(), reason="web map not built: run `npm ci && npm run build` in web/"),
]


@pytest.fixture(scope="module")
def app():
    from tileserver import create_app

    return create_app({"TESTING": True, "FRAME_ANCESTORS": "*"})


@pytest.fixture(scope="module")
def base_url(app) -> Iterator[str]:
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def api(app):
    client = app.test_client()
    return lambda path: client.get(path).get_json()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=["--use-gl=swiftshader", "--enable-unsafe-swiftshader"]
        )
        yield browser
        browser.close()


class Page:
    """A fresh page that records console errors, uncaught exceptions and failed requests (``errors``)."""

    def __init__(self, browser, width: int = 1100, height: int = 760) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
        self.page = self.context.new_page()
        self._console: list[str] = []
        self._failed: list[str] = []
        self.page.on("console", lambda m: self._console.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self._console.append(str(e)))
        self.page.on("response", lambda r: self._failed.append(r.url) if r.status >= 400 else None)

    @property
    def errors(self) -> list[str]:
        return self._console + [f"HTTP error: {u}" for u in self._failed]

    def open(self, url: str) -> Page:
        self.page.goto(url)
        self.page.wait_for_selector("body[data-ready='1']", timeout=20_000)
        return self

    def state(self) -> dict:
        return self.page.evaluate("window.barometer.store.get()")

    def wait_rendered(self, view: str, expected: str) -> None:
        self.page.wait_for_function(
            "([id, want]) => (document.getElementById(id).dataset.rendered || '').includes(want)",
            arg=[view, expected],
            timeout=15_000,
        )

    def legend_counts(self, block: int = 0) -> list[int]:
        lists = self.page.locator(".legend-block").nth(block).locator("li .count")
        return [int(x) for x in lists.all_inner_texts()]

    def tab_to(self, selector: str, limit: int = 40, back: bool = False) -> None:
        """Press Tab (Shift+Tab when ``back``) until the focus is on ``selector``."""
        for _ in range(limit):
            self.page.keyboard.press("Shift+Tab" if back else "Tab")
            if self.page.evaluate("(s) => document.activeElement.matches(s)", selector):
                return
        raise AssertionError(f"Tab never reached {selector}")

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / f"web_{name}.png"), full_page=True)


@pytest.fixture
def new_page(browser) -> Iterator:
    pages: list[Page] = []

    def make(**kwargs) -> Page:
        pages.append(Page(browser, **kwargs))
        return pages[-1]

    yield make
    for page in pages:
        page.context.close()


def _legend(api, level: str, indicator: str, year: int, **query) -> dict:
    """The server's legend of a map, with ``areas`` {code: {value, class}}."""
    query = {"kommun": KOMMUN, **query}
    text = "&".join(f"{k}={v}" for k, v in query.items() if v is not None)
    return api(f"/api/legend/{level}/{indicator}/{year}?{text}")


def _class_counts(legend: dict) -> list[int]:
    """How many of the legend's areas fall in each class (what one map draws, also when pooled)."""
    classes = [a["class"] for a in legend["areas"].values()]
    return [classes.count(i) for i in range(len(legend["colors"]))]


def _feature_state(page: Page, code: str, map_index: int = 0) -> dict:
    return page.page.evaluate(
        """([code, i]) => {
            const view = window.barometer.ctx.maps[i];
            return view.map.getFeatureState({source: 'areas', sourceLayer: view.level, id: code});
        }""",
        [code, map_index],
    )


def _assert_drawn_classes(page: Page, legend: dict, map_index: int = 0) -> None:
    """Every area of the legend is drawn in its class (feature-state c; -1 no data, -2 suppressed)."""
    states = page.page.evaluate(
        """([codes, i]) => {
            const view = window.barometer.ctx.maps[i];
            const target = {source: 'areas', sourceLayer: view.level};
            return codes.map((id) => view.map.getFeatureState({...target, id}).c);
        }""",
        [list(legend["areas"]), map_index],
    )
    for (code, area), state in zip(legend["areas"].items(), states, strict=True):
        if area["class"] is None:
            assert state in (-1, -2), code
        else:
            assert state == area["class"], code


def test_first_load_classes_the_municipality_without_console_errors(new_page, base_url, api, app):
    page = new_page().open(f"{base_url}/?k={KOMMUN}&i=employment_rate&y=2023")
    legend = _legend(api, "deso", "employment_rate", 2023)
    assert page.errors == []  # national values (level riket) are served: nothing may fail
    rows = page.page.locator(".legend-block").first.locator("li")
    assert rows.locator(".label").all_inner_texts() == [e["label"] for e in legend["entries"]]
    assert page.legend_counts() == [e["count"] for e in legend["entries"]]
    swatches = rows.locator(".swatch").evaluate_all(
        "(nodes) => nodes.map((n) => getComputedStyle(n).backgroundColor)"
    )
    assert swatches == [_css_rgb(e["color"]) for e in legend["entries"]]
    _assert_drawn_classes(page, legend)
    assert len(legend["areas"]) == len(api(f"/api/areas/deso?kommun={KOMMUN}"))
    outside = api(f"/api/areas/deso?kommun={OTHER}")[0]["code"]
    assert "c" not in _feature_state(page, outside)
    rendered = page.page.evaluate(
        "window.barometer.ctx.maps[0].map.queryRenderedFeatures({layers: ['fill']}).length"
    )
    assert rendered > 0
    assert page.page.locator("#map-title").inner_text().startswith(legend["title"])
    # the view is the catalog's bounding box of the municipality
    west, south, east, north = next(m for m in api("/api/catalog")["municipalities"] if m["code"] == KOMMUN)[
        "bbox"
    ]
    bounds = page.page.evaluate("window.barometer.ctx.maps[0].map.getBounds().toArray().flat()")
    assert bounds[0] <= west and bounds[1] <= south and bounds[2] >= east and bounds[3] >= north
    assert bounds[2] - bounds[0] < 3 * (east - west)
    page.shot("map")
    image = page.page.locator(".legend a.download").get_attribute("href")
    assert image.startswith("maps/deso/employment_rate/2023.png?") and "kommun=0201" in image
    response = app.test_client().get("/" + image)
    assert response.status_code == 200 and response.data[:8] == b"\x89PNG\r\n\x1a\n"
    assert page.errors == []


def _css_rgb(hex_color: str) -> str:
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_drawn_colours_are_the_legend_colours_of_each_area_class(new_page, base_url, api):
    """Pixels inside areas are the /api/legend colour of their class; suppressed is not drawn as no data."""
    page = new_page().open(f"{base_url}/?k={KOMMUN}&i=eligible_upper_secondary&y=2023")
    legend = _legend(api, "deso", "eligible_upper_secondary", 2023)
    page.page.evaluate("window.barometer.ctx.maps[0].idle()")
    status = api(f"/api/values/deso/2023?kommun={KOMMUN}")["status"]
    suppressed = [c for c, s in status.items() if s.get("eligible_upper_secondary") == "suppressed"]
    assert suppressed and all(legend["areas"][c]["class"] is None for c in suppressed)
    for code in suppressed:
        assert _feature_state(page, code)["c"] == -2
    kinds = dict(
        zip(
            page.page.locator(".legend-block li").evaluate_all("(n) => n.map((x) => x.dataset.kind)"),
            page.legend_counts(),
            strict=True,
        )
    )
    assert kinds["suppressed"] == len(suppressed)
    assert kinds["no_data"] == sum(a["class"] is None for a in legend["areas"].values()) - len(suppressed)

    # sample the canvas inside a few areas of different classes
    points = _interior_points(page, KOMMUN)
    png = page.page.locator("#map-a canvas").screenshot()
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    background = (0xF4, 0xF3, 0xEF)
    checked: set[int] = set()
    for code, x, y in points:
        cls = legend["areas"][code]["class"]
        if cls is None or cls in checked:
            continue
        assert _feature_state(page, code)["c"] == cls
        color = legend["colors"][cls]
        want = [
            0.9 * int(color[i : i + 2], 16) + 0.1 * bg for i, bg in zip((1, 3, 5), background, strict=True)
        ]
        got = image.getpixel((round(x), round(y)))
        assert got == pytest.approx(want, abs=4), (code, cls, color, got)
        checked.add(cls)
    assert len(checked) >= 3
    assert page.errors == []


def test_choosing_municipality_indicator_and_year_restyles_the_map(new_page, base_url, api):
    page = new_page().open(f"{base_url}/?k={KOMMUN}")
    municipality = page.page.locator("#kommun-input")
    municipality.fill("björk")
    municipality.press("Enter")
    page.wait_rendered("view-map", f":{OTHER}:")
    page.page.select_option("#ind-select", "low_economic_standard")
    page.page.locator("#year-range").focus()
    page.page.keyboard.press("Home")  # the first year
    page.wait_rendered("view-map", f"value:low_economic_standard:2011:{OTHER}")
    state = page.state()
    assert (state["kommun"], state["ind"], state["year"]) == (OTHER, "low_economic_standard", 2011)
    assert (
        "k=0202" in page.page.url and "i=low_economic_standard" in page.page.url and "y=2011" in page.page.url
    )
    legend = _legend(api, "deso", "low_economic_standard", 2011, kommun=OTHER)
    assert page.legend_counts()[: len(legend["colors"])] == _class_counts(legend)
    _assert_drawn_classes(page, legend)
    fill = page.page.evaluate("window.barometer.ctx.maps[0].map.getPaintProperty('fill', 'fill-color')")
    assert fill[0] == "match" and fill[7::2][: len(legend["colors"])] == legend["colors"]
    page.page.click("#play-btn")  # play steps to the next year, and the button pauses it again
    page.wait_rendered("view-map", f"value:low_economic_standard:2012:{OTHER}")
    page.page.click("#play-btn")
    assert page.page.locator("#play-btn").get_attribute("aria-pressed") == "false"
    assert page.errors == []


def _interior_points(page: Page, kommun: str) -> list[list]:
    """[code, x, y] of points well inside the municipality's drawn areas, once its tiles are drawn."""
    for _ in range(50):
        points = _drawn_interior_points(page, kommun)
        if points:
            return points
        page.page.wait_for_timeout(100)
    raise AssertionError("no area of the municipality was drawn within 5 s")


def _drawn_interior_points(page: Page, kommun: str) -> list[list]:
    """[code, x, y] inside rendered areas of the municipality, in canvas pixels (cells are convex: the
    vertex mean is inside), away from the canvas edges."""
    return page.page.evaluate(
        """(kommun) => {
            const view = window.barometer.ctx.maps[0];
            const box = view.map.getCanvas().getBoundingClientRect();
            const features = view.map.queryRenderedFeatures({layers: ['fill']})
                .filter((f) => f.properties.kommun === kommun && f.geometry.type === 'Polygon');
            const out = [];
            for (const f of features) {
                const ring = f.geometry.coordinates[0].slice(0, -1);
                const lng = ring.reduce((a, c) => a + c[0], 0) / ring.length;
                const lat = ring.reduce((a, c) => a + c[1], 0) / ring.length;
                const p = view.map.project([lng, lat]);
                const near = [[0, 0], [4, 0], [-4, 0], [0, 4], [0, -4]].map(([dx, dy]) =>
                    view.map.queryRenderedFeatures([p.x + dx, p.y + dy], {layers: ['fill']})[0]);
                const inside = near.every((hit) => hit && hit.properties.code === f.properties.code);
                if (inside && p.x > 60 && p.y > 60 && p.x < box.width - 60 && p.y < box.height - 60
                    && !out.some((o) => o[0] === f.properties.code)) {
                    out.push([f.properties.code, p.x, p.y]);
                }
            }
            return out;
        }""",
        kommun,
    )


def _hover_point(page: Page, kommun: str) -> tuple[str, float, float]:
    """A point inside one of the municipality's rendered areas, in page coordinates."""
    code, x, y = _interior_points(page, kommun)[0]
    box = page.page.locator("#map-a canvas").bounding_box()
    return code, box["x"] + x, box["y"] + y


def test_hover_shows_value_and_rank_and_click_opens_area_detail(new_page, base_url, api):
    page = new_page().open(f"{base_url}/?k={KOMMUN}&i=employment_rate&y=2023")
    code, x, y = _hover_point(page, KOMMUN)
    page.page.mouse.move(x, y)
    tooltip = page.page.locator("#tooltip")
    tooltip.wait_for(state="visible")
    areas = {a["code"]: a for a in api(f"/api/areas/deso?kommun={KOMMUN}")}
    values = api(f"/api/values/deso/2023?kommun={KOMMUN}")["values"]
    own = values[code]["employment_rate"]
    present = [v["employment_rate"] for v in values.values() if "employment_rate" in v]
    rank = 1 + sum(v > own for v in present)
    text = tooltip.inner_text()
    assert areas[code]["name"] in text
    assert f"{own:.1f}".replace(".", ",") in text and "%" in text
    assert f"Rang {rank} av {len(present)}" in text

    page.page.mouse.click(x, y)
    detail = page.page.locator("#detail")
    detail.wait_for(state="visible")
    page.page.wait_for_function("document.getElementById('detail').dataset.codes !== undefined")
    assert areas[code]["name"] in detail.locator("h2").inner_text()
    assert detail.locator("svg path.series").count() >= 2  # the area and the municipality
    rows = detail.locator("tbody tr").count()
    assert rows == len(api("/api/catalog")["indicators"])
    assert page.state()["sel"] == [code]
    assert f"a={code}" in page.page.url

    # a second area with shift-click: one chart and one table for both
    other = next(c for c in areas if c != code)
    page.page.evaluate(
        "(c) => window.barometer.store.set({sel: [...window.barometer.store.get().sel, c]})", other
    )
    page.page.wait_for_function("(document.getElementById('detail').dataset.codes || '').includes(',')")
    assert detail.locator("svg path.series").count() >= 3
    assert detail.locator("thead th").count() == 1 + 2 + 2  # indicator, two areas, municipality, Sweden
    page.shot("detail")
    assert page.errors == []


def test_compare_two_years_side_by_side_with_pooled_classes(new_page, base_url, api):
    page = new_page().open(f"{base_url}/?k={KOMMUN}&i=employment_rate&y=2023&m=years&ya=2015")
    assert page.page.locator("#map-b").is_visible()
    labels = [page.page.locator(".legend-block").nth(i).locator(".label").all_inner_texts() for i in (0, 1)]
    assert labels[0] == labels[1]  # the same classes in both years
    for index, year in enumerate((2015, 2023)):
        legend = _legend(api, "deso", "employment_rate", year, pooled=1)
        assert labels[index] == [e["label"] for e in legend["entries"]]
        assert page.legend_counts(index)[: len(legend["colors"])] == _class_counts(legend)
        _assert_drawn_classes(page, legend, index)
    # the maps move together
    page.page.evaluate("window.barometer.ctx.maps[0].map.jumpTo({center: [17.3, 59.35], zoom: 10.5})")
    page.page.wait_for_timeout(200)
    centre = page.page.evaluate(
        """(() => {
            const map = window.barometer.ctx.maps[1].map;
            return [map.getCenter().lng, map.getCenter().lat, map.getZoom()];
        })()"""
    )
    assert centre == pytest.approx([17.3, 59.35, 10.5], abs=1e-6)
    page.page.select_option("#mode-select", "indicators")
    page.wait_rendered("view-map", "indicators:")
    titles = page.page.locator(".legend-block h3").all_inner_texts()
    second = page.state()["ind2"]
    assert titles == [
        _legend(api, "deso", "employment_rate", 2023)["title"],
        _legend(api, "deso", second, 2023)["title"],
    ]
    _assert_drawn_classes(page, _legend(api, "deso", second, 2023), 1)
    page.shot("compare")
    assert page.errors == []


def test_change_deviation_and_area_type_maps_draw_the_server_legends(new_page, base_url, api):
    page = new_page().open(f"{base_url}/?k={KOMMUN}&i=employment_rate&y=2023&m=change&ya=2015")
    legend = _legend(api, "deso", "employment_rate", 2023, since=2015)
    assert legend["method"] == "diverging"
    assert page.page.locator(".legend-block .label").all_inner_texts() == [
        e["label"] for e in legend["entries"]
    ]
    assert page.legend_counts()[: len(legend["colors"])] == _class_counts(legend)
    assert page.page.evaluate("window.barometer.ctx.metrics[0].colors") == legend["colors"]
    _assert_drawn_classes(page, legend)
    # the value of a change reads signed and in percentage points, like the legend's labels
    code = next(c for c, a in legend["areas"].items() if a["value"] and a["value"] > 0.05)
    row = page.page.locator("#map-table tbody tr").filter(has=page.page.locator("td", has_text=code))
    value = f"+{legend['areas'][code]['value']:.1f}".replace(".", ",") + "\xa0%-enheter"
    assert value in row.text_content()

    page.page.select_option("#mode-select", "deviation")
    page.wait_rendered("view-map", "deviation:")
    legend = _legend(api, "deso", "employment_rate", 2023, deviation="kommun")
    assert page.page.locator("#map-title").inner_text().startswith(legend["title"])
    _assert_drawn_classes(page, legend)
    page.page.select_option("#ref-select", "riket")
    page.page.wait_for_function("window.barometer.ctx.metrics[0].options.deviation === 'riket'")
    legend = _legend(api, "deso", "employment_rate", 2023, deviation="riket")
    _assert_drawn_classes(page, legend)
    riket = api("/api/values/riket/2023")["values"]["SE"]["employment_rate"]
    assert f"{riket:.1f}".replace(".", ",") in page.page.locator(".legend-block .note").inner_text()

    page.page.select_option("#level-select", "regso")
    page.page.select_option("#mode-select", "types")
    page.wait_rendered("view-map", f"types:employment_rate:2023:{KOMMUN}:regso")
    category = next(i["id"] for i in api("/api/catalog")["indicators"] if i["kind"] == "category")
    legend = _legend(api, "regso", category, 2023)
    assert [e["kind"] for e in legend["entries"]][:5] == ["category"] * 5
    assert page.page.locator(".legend-block .label").all_inner_texts() == [
        e["label"] for e in legend["entries"]
    ]
    _assert_drawn_classes(page, legend)
    page.shot("change")
    assert page.errors == []


def test_table_sorts_and_exports_csv_and_xlsx(new_page, base_url, api, app):
    page = new_page().open(
        f"{base_url}/?v=table&k={KOMMUN}&ti=employment_rate,unemployment_rate&ty=2022,2023"
    )
    page.wait_rendered("view-table", f"{KOMMUN}:employment_rate,unemployment_rate:2022,2023")
    table = page.page.locator("#data-table")
    assert table.locator("tbody tr").count() == len(api(f"/api/areas/deso?kommun={KOMMUN}"))
    assert table.locator("thead th").count() == 2 + 4
    table.locator("thead th").nth(3).locator("button").click()  # employment rate 2023: highest first
    values = api(f"/api/values/deso/2023?kommun={KOMMUN}")["values"]
    names = {a["code"]: a["name"] for a in api(f"/api/areas/deso?kommun={KOMMUN}")}
    best = max((v["employment_rate"], c) for c, v in values.items() if "employment_rate" in v)[1]
    assert table.locator("tbody tr").first.locator("th").inner_text() == names[best]
    assert table.locator("thead th").nth(3).get_attribute("aria-sort") == "descending"

    with page.page.expect_download() as info:
        page.page.click("#export-csv")
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert rows[0][:2] == ["Område", "Kod"] and len(rows[0]) == 6
    assert rows[1][1] == best
    assert rows[1][3] == f"{values[best]['employment_rate']:.1f}".replace(".", ",")
    assert any(r and r[0] == "Definitioner" for r in rows)
    assert any(r and r[0] == "employment_rate" and "Källa" in r[-1] for r in rows)

    href = page.page.locator("#export-xlsx").get_attribute("href")
    response = app.test_client().get("/" + href)
    if response.status_code == 404:
        pytest.skip("the server's /api/export/table.xlsx is not there yet")
    with page.page.expect_download() as info:
        page.page.click("#export-xlsx")
    body = Path(info.value.path()).read_bytes()
    assert body[:2] == b"PK"
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(body))
    assert any(
        "employment_rate" in str(cell.value) or "Förvärvsarbetande" in str(cell.value)
        for sheet in book
        for row in sheet.iter_rows()
        for cell in row
    )
    page.shot("table")


def test_permalink_round_trip_restores_the_state(new_page, base_url, api):
    url = (
        f"{base_url}/?k={OTHER}&lv=regso&i=median_disposable_income&y=2019&m=change&ya=2012"
        "&cm=equal_interval&n=4&l=en"
    )
    first = new_page().open(url)
    first.page.wait_for_timeout(300)
    state = first.state()
    assert (state["kommun"], state["level"], state["ind"], state["year"], state["yearA"]) == (
        OTHER,
        "regso",
        "median_disposable_income",
        2019,
        2012,
    )
    assert (state["mode"], state["method"], state["classes"], state["lang"]) == (
        "change",
        "equal_interval",
        4,
        "en",
    )
    first.page.click("#share-btn")
    permalink = first.page.locator("#permalink").input_value()
    second = new_page().open(permalink)
    restored = second.state()
    for key in ("kommun", "level", "ind", "year", "yearA", "mode", "method", "classes", "lang", "scope"):
        assert restored[key] == state[key], key
    assert second.page.locator("#mode-select").input_value() == "change"
    assert second.page.locator("#level-select").input_value() == "regso"
    assert (
        second.page.locator("#view-map h2").first.inner_text()
        == first.page.locator("#view-map h2").first.inner_text()
    )
    code = first.page.locator("#embed-code").input_value()
    assert code.startswith("<iframe ") and 'title="Barometer: ' in code and "/embed?" in code
    # what a QGIS user pastes: the XYZ template of the map on screen, its zoom range, and the QGIS style
    first.page.wait_for_function("document.getElementById('qgis-zoom').textContent.includes('14')")
    tiles = first.page.locator("#qgis-url").input_value()
    assert tiles == f"{base_url}/tiles/regso/2019/{{z}}/{{x}}/{{y}}.mvt?since=2012"
    tilejson = api("/tiles/regso.json")
    zoom = first.page.locator("#qgis-zoom").inner_text()
    assert str(tilejson["minzoom"]) in zoom and str(tilejson["maxzoom"]) in zoom
    style_url = first.page.locator("#qgis-style").input_value()
    style = api(style_url.removeprefix(base_url))
    assert style["metadata"]["client"] == "qgis" and style["metadata"]["method"] == "diverging"
    version = api("/api/health")["version"]  # the style names the version of its tiles, the QGIS URL does not
    assert next(iter(style["sources"].values()))["tiles"][0].endswith(
        f"{tiles.removeprefix(base_url)}&v={version}"
    )
    assert first.errors == [] and second.errors == []


def test_municipality_overview_and_one_click_into_the_map(new_page, base_url, api):
    page = new_page().open(f"{base_url}/?v=overview&k={KOMMUN}&y=2023")
    page.wait_rendered("view-overview", KOMMUN)
    summary = api(f"/api/measures/omradestyper/regso/2023?kommun={KOMMUN}")["by_municipality"]
    own = (summary.get("omradestyp_official") or summary["omradestyp"])[0]
    rows = page.page.locator("#ov-types tbody tr")
    assert rows.count() == 5
    for i in range(5):
        assert rows.nth(i).locator("td").first.inner_text() == str(own[f"areas_{i + 1}"])
    # the områdestyper are named and coloured as the server's legend does it
    category = next(i["id"] for i in api("/api/catalog")["indicators"] if i["kind"] == "category")
    entries = [e for e in _legend(api, "regso", category, 2023)["entries"] if e["kind"] == "category"]
    assert [e["category"] for e in entries] == [1, 2, 3, 4, 5]
    names = rows.locator("th").all_inner_texts()
    assert [n.strip() for n in names] == [e["label"] for e in entries]
    colours = rows.locator(".swatch").evaluate_all("(n) => n.map((x) => getComputedStyle(x).backgroundColor)")
    assert colours == [_css_rgb(e["color"]) for e in entries]
    assert page.page.locator("#ov-ojamlikhet svg path.series").count() >= 1
    main_rows = page.page.locator("#ov-main tbody tr")
    assert main_rows.count() > 3
    page.shot("overview")
    main_rows.nth(1).locator("td button").click()
    page.page.wait_for_selector("#view-map:not([hidden])")
    state = page.state()
    assert state["view"] == "map" and state["ind"] == "unemployment_rate"
    page.wait_rendered("view-map", "value:unemployment_rate:2023")
    assert page.errors == []


def test_embed_page_inside_an_iframe_of_another_origin(new_page, base_url, app):
    embed = f"{base_url}/embed?k={KOMMUN}&i=employment_rate&y=2023"
    host_html = (
        f'<!doctype html><title>host</title><iframe src="{embed}" title="Barometer" '
        'width="800" height="600"></iframe>'
    ).encode()

    class Host(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(host_html)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Host)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = new_page()
        page.page.goto(f"http://localhost:{server.server_port}/")  # another origin: host name and port differ
        frame = page.page.frame_locator("iframe")
        frame.locator("body[data-ready='1']").wait_for(timeout=20_000)
        assert frame.locator("body.embed").count() == 1
        assert not frame.locator("#controls").is_visible()
        assert frame.locator(".legend-block li").count() >= 6
        assert frame.locator("#open-full").is_visible()
        page.shot("embed")
        assert page.errors == []
    finally:
        server.shutdown()
    response = app.test_client().get("/embed")
    assert response.headers["Content-Security-Policy"] == "frame-ancestors *"
    assert "frame-ancestors 'self'" in app.test_client().get("/").headers["Content-Security-Policy"]


def test_embed_frame_ancestors_come_from_the_configuration():
    from tileserver import create_app

    app = create_app({"TESTING": True, "FRAME_ANCESTORS": "https://kommun.example.se, https://a.example"})
    response = app.test_client().get("/embed?k=0201")
    assert response.status_code == 200
    assert response.headers["Content-Security-Policy"] == (
        "frame-ancestors https://kommun.example.se https://a.example"
    )
    assert 'data-mode="embed"' in response.get_data(as_text=True)
    assert app.test_client().get("/static/maplibre-gl.LICENSE.txt").status_code == 200
    assert app.test_client().get("/static/../pyproject.toml").status_code == 404


def test_swedish_english_switch(new_page, base_url):
    page = new_page().open(f"{base_url}/?k={KOMMUN}")
    assert page.page.locator("[data-view='map']").inner_text() == "Karta"
    assert page.page.locator("html").get_attribute("lang") == "sv"
    page.page.click("#lang-btn")
    page.page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.page.locator("[data-view='map']").inner_text() == "Map"
    assert page.page.locator("label[for='ind-select']").inner_text() == "Indicator"
    page.page.wait_for_function("document.querySelector('.legend h2').textContent === 'Legend'")
    assert "l=en" in page.page.url
    assert page.page.locator("#ind-select option:checked").inner_text() == "Employment rate"
    page.page.click("#lang-btn")
    page.page.wait_for_function("document.documentElement.lang === 'sv'")
    assert page.page.locator("#ind-select option:checked").inner_text() == "Förvärvsarbetande"
    assert page.errors == []


def test_keyboard_only_use_and_the_accessible_table(new_page, base_url, api):
    page = new_page(width=360, height=800).open(f"{base_url}/?k={KOMMUN}")
    keyboard = page.page.keyboard
    tab_to = page.tab_to
    tab_to("#kommun-input")
    keyboard.press("Control+A")
    keyboard.type("Granåsen")
    keyboard.press("Enter")
    page.wait_rendered("view-map", ":0203:")
    tab_to("#ind-select")
    keyboard.press("ArrowDown")  # the next indicator, selected at once
    page.page.wait_for_function("window.barometer.store.get().ind !== 'employment_rate'")
    tab_to("#year-range")
    keyboard.press("ArrowLeft")
    page.page.wait_for_function("window.barometer.store.get().year === 2022")
    tab_to("#map-table-box summary")
    keyboard.press("Enter")
    tab_to("#map-table button")
    name = page.page.evaluate("document.activeElement.textContent")
    keyboard.press("Enter")
    page.page.locator("#detail").wait_for(state="visible")
    assert name in page.page.locator("#detail h2").inner_text()
    rows = page.page.locator("#map-table tbody tr").count()
    assert rows == len(api("/api/areas/deso?kommun=0203"))
    width = page.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360  # nothing forces sideways scrolling at 360 px
    page.shot("mobile")
    assert page.errors == []
