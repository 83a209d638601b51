"""The web map's first open on datasets other than the demo, in Debian's Chromium through Playwright.

- SCB's RegSO 2025 boundaries of the Göteborg region, the municipalities and counties, SCB's official
  områdestyper 2022 and RegSO population counts written here as a CSV, all read by the import code:
  the page opens on a municipality that has data, draws a map and a legend without a console error, and
  compares the municipality with its county and the country in numbers derived from the RegSO counts.
- A dataset whose only indicator has no ``total`` breakdown: the page shows that indicator's first
  breakdown and classes its areas.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from data.store import make_dataset, write_version
from indicators.model import Indicator
from tests import test_web_map as web
from tests.clients import live_server
from tests.conftest import SHARED, grid_dataset
from tests.test_web_map import CHROMIUM, DIST, Page

browser, new_page = web.browser, web.new_page  # the same Chromium and pages as the demo's tests

pytest.importorskip("playwright.sync_api")
pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
    pytest.mark.skipif(not DIST.exists(), reason="web map not built: run `npm ci && npm run build` in web/"),
]
AREA_FILES = ("regso_2025_goteborgsregionen.gpkg", "kommuner_2025.gpkg", "lan_2025.gpkg")
OMRADESTYP = "regso_omradestyp_2022_statistikdatabasen.csv"


def serve(root: Path) -> Iterator[str]:
    from tileserver import create_app

    with live_server(create_app({"DATA": str(root), "TESTING": True, "CHECK_EVERY": 0.0})) as url:
        yield url


@pytest.fixture(scope="module")
def goteborg(tmp_path_factory) -> tuple[Path, pd.DataFrame]:
    """A data folder built from SCB's files and a population CSV, read by the import code (geo.read,
    indicators.importers) and written by data.store; the CSV's rows as a frame."""
    missing = [f for f in (*AREA_FILES, OMRADESTYP) if not (SHARED / f).exists()]
    if missing:
        pytest.skip(f"real SCB files {missing} absent (../shared/data is not part of the repository)")
    from geo.read import read_areas
    from indicators.catalog import CATALOG
    from indicators.importers import read_values

    folder = tmp_path_factory.mktemp("goteborg")
    frames = [read_areas(SHARED / name).areas for name in AREA_FILES]
    areas = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)
    regso = areas[areas["level"] == "regso"]
    rng = np.random.default_rng(2025)
    counts = pd.DataFrame(
        [(code, year, int(rng.integers(300, 9000))) for code in regso["code"] for year in (2022, 2023)],
        columns=["Kod", "År", "Antal"],
    )
    csv = folder / "folkmangd_regso.csv"
    counts.to_csv(csv, sep=";", index=False, lineterminator="\r\n", encoding="utf-8-sig")
    types = read_values(SHARED / OMRADESTYP, areas=areas, indicator="omradestyp_official", level="regso")
    population = read_values(csv, areas=areas, indicator="population", level="regso")
    values = pd.concat([types.values, population.values], ignore_index=True)
    indicators = {key: CATALOG[key] for key in ("omradestyp_official", "population")}
    root = folder / "data"
    write_version(root, make_dataset(areas, values, indicators, {}))
    return root, counts


@pytest.fixture(scope="module")
def goteborg_url(goteborg) -> Iterator[str]:
    yield from serve(goteborg[0])


def _class_count(page: Page) -> int:
    counts = page.page.locator(".legend-block li[data-kind='class'] .count").all_inner_texts()
    return sum(int(c) for c in counts)


def _number(text: str) -> float:
    """12 345,6 personer * → 12345.6"""
    digits = re.match(r"[\d\s\u00a0\u202f]+(,\d+)?", text).group(0)
    return float(re.sub(r"[\s\u00a0\u202f]", "", digits).replace(",", "."))


def test_first_open_on_regso_counts_shows_a_map_a_legend_and_numbers_for_county_and_country(
    new_page, goteborg, goteborg_url
):
    _, counts = goteborg
    page = new_page().open(goteborg_url + "/")
    page.wait_rendered("view-map", "value:population:2023")
    state = page.state()
    assert (state["level"], state["ind"], state["year"]) == ("regso", "population", 2023)
    kommun = state["kommun"]
    in_kommun = counts[(counts["Kod"].str[:4] == kommun) & (counts["År"] == 2023)]
    assert _class_count(page) == len(in_kommun) > 0  # every RegSO of the municipality is in a class
    page.page.wait_for_function("() => window.barometer.ctx.maps[0].map.loaded()", timeout=20_000)
    assert page.page.locator("#map-a canvas").count() == 1
    assert page.page.locator("#status").is_hidden()
    page.shot("first_open_regso")

    page.page.click("[data-view='overview']")
    page.wait_rendered("view-overview", kommun)
    row = page.page.locator("#ov-main tbody tr", has_text="Folkmängd")
    cells = row.locator("td").all_inner_texts()[:3]
    year = counts[counts["År"] == 2023]
    expected = [
        in_kommun["Antal"].sum(),
        year[year["Kod"].str[:2] == kommun[:2]]["Antal"].sum(),
        year["Antal"].sum(),
    ]
    assert [_number(c) for c in cells] == [float(x) for x in expected]
    assert all(c.endswith("*") for c in cells)  # derived from RegSO, and said so
    note = page.page.locator("#ov-main .note").inner_text()
    assert "290" in note  # the country is 13 of 290 municipalities here
    page.shot("first_open_overview")
    assert page.errors == []


@pytest.fixture(scope="module")
def no_total_url(tmp_path_factory) -> Iterator[str]:
    """The test grid's areas with one share by sex only (no total), women higher in the east."""
    grid = grid_dataset()
    deso = grid.area_frame("deso").index
    rows = [
        ("employed", "deso", code, 2021, f"sex={sex}", 40.0 + k + (5 if sex == "female" else 0))
        for k, code in enumerate(deso)
        for sex in ("female", "male")
    ]
    values = pd.DataFrame(rows, columns=["indicator", "level", "code", "year", "breakdown", "value"])
    indicator = Indicator("employed", "Förvärvsarbetande", "Employed", unit="%", kind="share")
    dataset = make_dataset(grid.areas, values, {"employed": indicator}, {"title": "Only by sex"})
    root = tmp_path_factory.mktemp("no_total") / "data"
    write_version(root, dataset)
    yield from serve(root)


def test_an_indicator_without_total_shows_its_first_breakdown_in_classes(new_page, no_total_url):
    page = new_page().open(no_total_url + "/")
    page.wait_rendered("view-map", "value:employed:2021")
    assert page.state()["bd"] == "sex=female"
    assert page.page.locator("#bd-select option").all_inner_texts() == ["Kön: kvinnor", "Kön: män"]
    assert _class_count(page) == 16  # all 16 areas classed, none "no data"
    assert page.page.locator("#dataset-title").inner_text() == "Only by sex"
    assert page.errors == []


@pytest.fixture(scope="module")
def recipe_url(tmp_path_factory) -> Iterator[str]:
    """The example recipe (docs/examples/goteborgsregionen.toml) built through ``barometer build``."""
    from data.cli import main

    if not all((SHARED / f).exists() for f in (*AREA_FILES, OMRADESTYP)):
        pytest.skip("real SCB files absent (../shared/data is not part of the repository)")
    recipe = Path(__file__).resolve().parents[1] / "docs" / "examples" / "goteborgsregionen.toml"
    root = tmp_path_factory.mktemp("recipe") / "data"
    assert main(["build", str(recipe), "--data", str(root)]) == 0
    yield from serve(root)


def test_the_example_recipe_opens_on_its_municipality_with_a_map_and_a_legend(new_page, recipe_url):
    page = new_page().open(recipe_url + "/")
    page.page.wait_for_selector("body[data-drawn-at]", timeout=30_000)
    state = page.state()
    assert (state["kommun"], state["level"], state["year"]) == ("1480", "regso", 2022)
    assert state["mode"] == "types"  # the recipe's only indicator is SCB's områdestyp: its map
    counts = page.page.locator(".legend-block li[data-kind='category'] .count").all_inner_texts()
    # The export names areas "Göteborg (RegSO)"; its last column is the type: counted here independently.
    lines = (SHARED / OMRADESTYP).read_text(encoding="utf-8-sig").splitlines()
    rows = [line.rsplit(",", 1) for line in lines if "," in line]
    types = [t.strip() for name, t in rows if name.strip('"').startswith("Göteborg (")]
    assert [int(c) for c in counts] == [types.count(str(k)) for k in range(1, 6)]
    assert page.page.locator("#dataset-title").inner_text() == "Göteborgsregionen: områdestyper 2022"
    page.shot("recipe_first_open")
    assert page.errors == []
