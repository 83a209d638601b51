"""The per-type view, the county page, the national map and the method help in Debian's Chromium, against
the demo: drawn with no console errors or failed requests, and every number shown equal to the API's."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.clients import CHROMIUM, CHROMIUM_ARGS, live_server
from tests.conftest import SHARED

playwright_api = pytest.importorskip("playwright.sync_api")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "goteborgsregionen.toml"
DIST = ROOT / "web" / "dist" / "index.html"
ARTIFACTS = ROOT / "test-artifacts"
KOMMUN, LAN = "0201", "02"

pytestmark = [
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium"),
    pytest.mark.skipif(not DIST.exists(), reason="web map not built: run `npm ci && npm run build` in web/"),
]


@pytest.fixture(scope="module")
def app():
    from tileserver import create_app

    return create_app({"TESTING": True})


@pytest.fixture(scope="module")
def api(app):
    client = app.test_client()
    return lambda path: client.get(path).get_json()


@pytest.fixture(scope="module")
def base_url(app) -> Iterator[str]:
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A page that records console errors, uncaught exceptions and failed requests in ``page.errors``."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
    page.errors = errors
    yield page
    context.close()


def _open(page, url: str, view: str, want: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready='1']", timeout=20_000)
    page.wait_for_function(
        "([id, want]) => (document.getElementById(id).dataset.rendered || '').includes(want)",
        arg=[view, want],
        timeout=20_000,
    )


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web_{name}.png"), full_page=True)


def test_per_type_table_chart_and_csv_equal_the_api(page, base_url, api, tmp_path):
    url = f"{base_url}/?v=pertype&k={KOMMUN}&i=employment_rate&b=sex%3Dfemale&ps=lan"
    _open(page, url, "view-pertype", f"employment_rate:lan:{LAN}:sex=female")
    data = api(f"/api/measures/per_type/employment_rate?scope=lan&code={LAN}&breakdown=sex%3Dfemale")
    cells = page.locator("#pt-table td[data-type]").evaluate_all(
        "(nodes) => nodes.map((n) => [n.closest('tr').querySelector('th').textContent, n.dataset.type,"
        " n.dataset.value === undefined ? null : Number(n.dataset.value), Number(n.dataset.n)])"
    )
    expected = []
    years = sorted({p["year"] for s in data["series"].values() for p in s})
    for year in years:
        for t in "12345":
            point = next((p for p in data["series"].get(t, []) if p["year"] == year), None)
            expected.append([str(year), t, point and point["value"], point["n_areas"] if point else 0])
    assert cells == expected
    assert any(c[2] is not None for c in cells)
    sources = page.locator("#pt-table tbody tr td:last-child").all_inner_texts()
    official = {"official": "SCB:s officiella", "computed": "Beräknade av Barometer"}
    assert sources == [official[data["type_source"][str(y)]] for y in years]
    # one line per type, in the types map's colours
    legend = api(f"/api/legend/regso/omradestyp_official/{years[-1]}?kommun={KOMMUN}&lang=sv")
    colors = {e["category"]: e["color"] for e in legend["entries"] if e["kind"] == "category"}
    strokes = page.locator("#view-pertype svg path.series").evaluate_all(
        "(nodes) => nodes.map((n) => n.getAttribute('stroke'))"
    )
    assert sorted(strokes) == sorted(colors[t] for t in range(1, 6))
    with page.expect_download() as info:
        page.click("#pt-csv")
    path = tmp_path / "per_type.csv"
    info.value.save_as(path)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert [r[0] for r in rows[1:]] == [str(y) for y in years]
    for row, year in zip(rows[1:], years, strict=True):
        for i, t in enumerate("12345"):
            point = next((p for p in data["series"].get(t, []) if p["year"] == year), {})
            value = point.get("value")
            assert row[2 + 2 * i] == (f"{value:.1f}".replace(".", ",") if value is not None else "")
            assert row[3 + 2 * i] == str(point.get("n_areas", 0))
    xlsx = page.locator("#pt-xlsx").get_attribute("href")
    assert xlsx.startswith("api/measures/per_type/employment_rate.xlsx?") and "code=02" in xlsx
    workbook = page.request.get(f"{base_url}/{xlsx}")
    assert workbook.ok and workbook.headers["content-type"].startswith("application/vnd.openxmlformats")
    _shot(page, "per_type")
    # the municipality, chosen in the view: the table follows the API's answer for it
    page.select_option("#pt-scope", "kommun")
    page.wait_for_function(
        f"document.getElementById('view-pertype').dataset.rendered.includes(':kommun:{KOMMUN}:')"
    )
    assert page.evaluate("window.barometer.store.get().pscope") == "kommun" and "ps=kommun" in page.url
    own = api(f"/api/measures/per_type/employment_rate?scope=kommun&code={KOMMUN}&breakdown=sex%3Dfemale")
    shown = page.locator("#pt-table td[data-type='1']").evaluate_all(
        "(nodes) => nodes.map((n) => n.dataset.value === undefined ? null : Number(n.dataset.value))"
    )
    assert shown == [next((p["value"] for p in own["series"]["1"] if p["year"] == y), None) for y in years]
    areas = page.locator("#pt-table td[data-type]").evaluate_all("(n) => n.map((x) => Number(x.dataset.n))")
    assert sum(areas) == sum(p["n_areas"] for s in own["series"].values() for p in s)
    assert sum(areas) < sum(c[3] for c in cells)  # fewer RegSO than in the county
    # a median cannot be added over areas: said, and nothing is asked of the API
    page.select_option("#pt-ind", "median_disposable_income")
    page.wait_for_selector("#pt-unavailable")
    assert "median" in page.inner_text("#pt-unavailable")
    assert page.errors == []


def test_county_page_equals_the_value_table_and_the_series(page, base_url, api):
    _open(page, f"{base_url}/?v=county&k={KOMMUN}&y=2022", "view-county", f"{LAN}:2022")
    values = api("/api/values/kommun/2022")["values"]
    own = {code: v for code, v in values.items() if code.startswith(LAN)}
    rows = page.locator("#county-table tbody tr").evaluate_all(
        "(rows) => rows.map((r) => [r.dataset.code, Object.fromEntries([...r.querySelectorAll('td')]"
        ".map((td) => [td.dataset.ind, td.dataset.value === undefined ? null : Number(td.dataset.value)]))])"
    )
    assert [code for code, _ in rows] == sorted(own)
    columns = ["population", "population_types_1_2", "population_types_4_5", "ojamlikhetsindex"]
    for code, shown in rows:
        assert shown == {c: own[code].get(c) for c in columns}
    # RegSO and population per type in the county, from the per-type measure of the population
    per_type = api(f"/api/measures/per_type/population?scope=lan&code={LAN}")
    table = page.locator("#county-types tbody tr").evaluate_all(
        "(rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent))"
    )
    for t, cells in zip("12345", table, strict=True):
        point = next(p for p in per_type["series"][t] if p["year"] == 2022)
        assert cells[0] == str(point["n_areas"])
        assert "".join(cells[2].split()) == str(round(point["value"]))  # thousands spaced as the page does
    # the county's ojämlikhetsindex against the country's: the chart's points are the series
    lan = api(f"/api/series/lan/ojamlikhetsindex?codes={LAN}")["series"][LAN]
    titles = page.locator("#county-ojamlikhet svg circle title").all_text_contents()
    assert len(titles) == 2 * len(lan)
    first = next(p for p in lan if p["value"] is not None)
    point = f"Norrviks län {first['year']}: {first['value']:.1f}".replace(".", ",")
    assert any(x.startswith(point) for x in titles)
    _shot(page, "county")
    assert page.errors == []


def test_national_map_legend_equals_the_api_and_opens_a_municipality(page, base_url, api):
    url = f"{base_url}/?v=national&y=2023&ni=ojamlikhetsindex"
    _open(page, url, "view-national", "ojamlikhetsindex:kommun:2023")
    legend = api("/api/legend/kommun/ojamlikhetsindex/2023?lang=sv&method=quantiles&classes=5")
    labels = page.locator("#nat-legend li .label").all_inner_texts()
    assert labels == [e["label"] for e in legend["entries"]]
    states = page.evaluate(
        """(codes) => codes.map((id) => window.barometer.ctx.nationalMap.map
            .getFeatureState({source: 'areas', sourceLayer: 'kommun', id}).c)""",
        list(legend["areas"]),
    )
    assert states == [a["class"] if a["class"] is not None else -1 for a in legend["areas"].values()]
    drawn = page.evaluate("window.barometer.ctx.nationalMap.map.queryRenderedFeatures({layers: ['fill']})")
    assert {f["properties"]["code"] for f in drawn} == set(legend["areas"])
    _shot(page, "national")
    page.click("#view-national .map-table summary")
    table = page.locator("#nat-table tbody tr").evaluate_all("(rows) => rows.map((r) => r.dataset.code)")
    assert sorted(table) == sorted(legend["areas"])
    page.locator("#nat-table button", has_text="Norrvik").first.click()
    page.wait_for_function("document.getElementById('view-overview').dataset.rendered === '0201'")
    assert page.evaluate("window.barometer.store.get().view") == "overview"
    # a click on a municipality in the map opens its overview
    _open(page, url, "view-national", "ojamlikhetsindex:kommun:2023")
    point = page.evaluate(
        """(code) => {
            const map = window.barometer.ctx.nationalMap.map;
            const canvas = map.getCanvas();
            const box = canvas.getBoundingClientRect();
            for (let y = 8; y < canvas.clientHeight; y += 8) for (let x = 8; x < canvas.clientWidth; x += 8) {
                const only = (px, py) => {
                    const found = map.queryRenderedFeatures([px, py], {layers: ['fill']});
                    return found.length === 1 && found[0].properties.code === code;
                };
                if (only(x - 6, y - 6) && only(x + 6, y + 6)) return [box.left + x, box.top + y];
            }
            return null;
        }""",
        "0202",
    )
    page.mouse.move(*point)
    page.wait_for_selector("#nat-tooltip:not([hidden])")
    tip = page.inner_text("#nat-tooltip")
    value = legend["areas"]["0202"]["value"]
    assert tip.startswith("Björkby") and f"{value:.1f}".replace(".", ",") in tip
    page.mouse.click(*point)
    page.wait_for_function("document.getElementById('view-overview').dataset.rendered === '0202'")
    # the county level
    _open(page, f"{base_url}/?v=national&y=2023&ni=population_types_1_2&nl=lan", "view-national", ":lan:2023")
    legend = api("/api/legend/lan/population_types_1_2/2023?lang=sv&method=quantiles&classes=5")
    assert page.locator("#nat-legend li .label").all_inner_texts() == [e["label"] for e in legend["entries"]]
    page.click("#view-national .map-table summary")
    page.locator("#nat-table button", has_text="Norrviks län").click()
    page.wait_for_selector(f"#view-county[data-rendered^='{LAN}:']")
    assert "v=county" in page.url and f"ln={LAN}" in page.url
    assert page.errors == []


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_help_shows_the_methods_text_in_the_page_language(page, base_url, api, lang):
    methods = api("/api/methods")
    _open(page, f"{base_url}/?v=pertype&k={KOMMUN}&i=employment_rate&l={lang}", "view-pertype", f":{lang}")
    for key in ("employment_rate", "per_type"):
        entry = methods["indicators"].get(key) or next(m for m in methods["measures"] if m["id"] == key)
        button = page.locator(f"#view-pertype button[data-help='{key}']").first
        assert button.get_attribute("aria-expanded") == "false"
        panel = page.locator(f"#{button.get_attribute('aria-controls')}")
        assert panel.is_hidden()
        button.focus()
        page.keyboard.press("Enter")
        assert button.get_attribute("aria-expanded") == "true" and panel.is_visible()
        for field in ("definition", "formula", "reading", "source"):
            assert panel.locator(f".help-{field}").inner_text() == entry[field][lang]
        assert panel.locator(".help-caveats li").all_inner_texts() == [c[lang] for c in entry["caveats"]]
    if lang == "sv":
        _shot(page, "help")
    assert page.errors == []


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/scb (real SCB files) is absent")
def test_county_page_and_per_type_view_on_scb_files(page, tmp_path):
    """SCB's official områdestyper 2022 of the Göteborg region, built from the example recipe: the county
    page of Västra Götaland counts the RegSO of each type as the value table has them."""
    from data.cli import main
    from tileserver import create_app

    data = tmp_path / "data"
    assert main(["build", str(EXAMPLE), "--data", str(data)]) == 0
    app = create_app({"DATA": str(data), "TESTING": True})
    types = app.test_client().get("/api/values/regso/2022").get_json()["values"]
    counted = [
        sum(1 for code, v in types.items() if code.startswith("14") and v.get("omradestyp_official") == t)
        for t in range(1, 6)
    ]
    assert sum(counted) > 100
    with live_server(app) as url:
        _open(page, f"{url}/?v=county&k=1480&y=2022", "view-county", "14:2022")
        cells = page.locator("#county-types tbody tr td:nth-of-type(1)").all_inner_texts()
        assert [int(c) for c in cells] == counted
        assert "Västra Götaland" in page.inner_text("#county-title")
        _shot(page, "county_scb")
        # Stockholm's county has no RegSO in this dataset: said, and nothing fails
        _open(page, f"{url}/?v=county&k=0180&y=2022", "view-county", "01:2022")
        assert page.locator("#county-types tbody tr").count() == 0
        _open(page, f"{url}/?v=pertype&k=1480&ps=lan", "view-pertype", ":lan:unavailable")
        assert page.locator("#pt-unavailable").is_visible()
        # no summary measure without incomes and populations: the map of Sweden says so instead of failing
        _open(page, f"{url}/?v=national&k=1480&y=2022", "view-national", "unavailable")
        assert page.locator("#nat-unavailable").is_visible() and page.locator("#nat-map").is_hidden()
    assert page.errors == []


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/scb (real SCB files) is absent")
def test_per_type_view_and_national_index_map_on_scb_boundaries(page, tmp_path):
    """The example recipe over SCB's files, plus RegSO population and income-quintile counts written here as
    Statistikdatabasen-shaped CSV files and imported through the CLI: the per-type view of the county and
    the national map of the ojämlikhetsindex are drawn, and show the API's numbers."""
    import numpy as np

    from data.cli import main
    from tileserver import create_app

    data = tmp_path / "data"
    assert main(["build", str(EXAMPLE), "--data", str(data)]) == 0
    regso = create_app({"DATA": str(data), "TESTING": True}).test_client().get("/api/areas/regso").get_json()
    codes = sorted(a["code"] for a in regso)
    rng = np.random.default_rng(15)
    population = tmp_path / "folkmangd.csv"
    population.write_text(
        "region;år;antal\n" + "".join(f"{c};2022;{rng.integers(500, 9000)}\n" for c in codes),
        encoding="utf-8",
    )
    quintiles = tmp_path / "inkomstkvintiler.csv"
    rows = [f"{c};inkomstkvintil {q};2022;{rng.integers(20, 900)}\n" for c in codes for q in range(1, 6)]
    quintiles.write_text("region;inkomstkvintil;år;antal\n" + "".join(rows), encoding="utf-8")
    for file, indicator in ((population, "population"), (quintiles, "income_quintile")):
        assert main(["import", "values", str(file), "--data", str(data), "--indicator", indicator]) == 0
    app = create_app({"DATA": str(data), "TESTING": True})
    client = app.test_client()
    with live_server(app) as url:
        _open(
            page, f"{url}/?v=pertype&k=1480&i=population&ps=lan&y=2022", "view-pertype", "population:lan:14"
        )
        answer = client.get("/api/measures/per_type/population?scope=lan&code=14").get_json()
        shown = page.locator("#pt-table td[data-type]").evaluate_all(
            "(nodes) => nodes.map((n) => n.dataset.value === undefined ? null : Number(n.dataset.value))"
        )
        expected = [next((p["value"] for p in answer["series"].get(t, [])), None) for t in "12345"]
        assert shown == expected and sum(v or 0 for v in shown) > 0
        _shot(page, "per_type_scb")
        _open(
            page, f"{url}/?v=national&y=2022&ni=ojamlikhetsindex", "view-national", "ojamlikhetsindex:kommun"
        )
        legend = client.get("/api/legend/kommun/ojamlikhetsindex/2022?lang=sv&method=quantiles&classes=5")
        legend = legend.get_json()
        valued = {code for code, area in legend["areas"].items() if area["value"] is not None}
        assert len(valued) == 13  # the region's municipalities: the quintile counts cover them
        labels = page.locator("#nat-legend li .label").all_inner_texts()
        assert labels == [e["label"] for e in legend["entries"]]
        drawn = page.evaluate(
            "window.barometer.ctx.nationalMap.map.queryRenderedFeatures({layers: ['fill']})"
        )
        assert {f["properties"]["code"] for f in drawn} >= valued
        _shot(page, "national_scb")
    assert page.errors == []
