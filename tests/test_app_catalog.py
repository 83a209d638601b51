"""The catalog and values API on datasets other than the demo: breakdowns that have values, derived levels,
levels with values but no areas, the default view, and indicators without a total."""

from __future__ import annotations

import pandas as pd
import pytest

from data.store import make_dataset, write_version
from indicators.model import Indicator
from tests.conftest import grid_dataset

POPULATION = Indicator(
    "population",
    "Folkmängd",
    "Population",
    unit="personer",
    kind="count",
    breakdowns=("total", "sex=female", "sex=male"),
)
EMPLOYED = Indicator("employed", "Förvärvsarbetande", "Employed", unit="%", kind="share")


def _client(tmp_path, values: list[tuple], meta: dict | None = None):
    from tileserver import create_app

    grid = grid_dataset()
    frame = pd.DataFrame(values, columns=["indicator", "level", "code", "year", "breakdown", "value"])
    dataset = make_dataset(grid.areas, frame, {"population": POPULATION, "employed": EMPLOYED}, meta or {})
    write_version(tmp_path / "data", dataset)
    app = create_app({"DATA": str(tmp_path / "data"), "TESTING": True, "CHECK_EVERY": 0.0})
    return app.test_client(), grid


def _deso_counts(grid, year: int = 2021) -> list[tuple]:
    """Population per DeSO: total and one tenure group SCB names but the definition does not list."""
    rows = []
    for k, code in enumerate(grid.area_frame("deso").index):
        rows.append(("population", "deso", code, year, "total", 100.0 + k))
        rows.append(("population", "deso", code, year, "upplatelseform=hyresratt", 40.0 + k))
    return rows


@pytest.fixture
def counts(tmp_path):
    grid = grid_dataset()
    return _client(tmp_path, _deso_counts(grid), {"attribution": "Egna data, Testby kommun"})


def test_catalog_lists_exactly_the_breakdowns_with_values_and_how_levels_were_derived(counts):
    client, _ = counts
    catalog = client.get("/api/catalog").get_json()
    (population,) = [i for i in catalog["indicators"] if i["id"] == "population"]
    assert population["breakdowns"] == ["total", "upplatelseform=hyresratt"]  # not sex=…, which has none
    assert set(population["derived_levels"]) == {"regso", "kommun", "lan", "riket"}
    assert "sum" in population["derived_levels"]["kommun"]
    (employed,) = [i for i in catalog["indicators"] if i["id"] == "employed"]
    assert employed["breakdowns"] == [] and employed["derived_levels"] == {}
    assert catalog["attribution"] == "Egna data, Testby kommun"
    assert catalog["title"] == ""


def test_values_of_the_country_without_a_country_area_are_derived_and_say_so(counts):
    client, grid = counts
    assert "riket" not in grid.levels
    answer = client.get("/api/values/riket/2021").get_json()
    n = len(grid.area_frame("deso"))
    assert answer["values"] == {"SE": {"population": sum(100.0 + k for k in range(n))}}
    assert answer["derived"] == {"SE": ["population"]}
    kommun = client.get("/api/values/kommun/2021?breakdown=upplatelseform=hyresratt").get_json()
    assert kommun["values"]["0201"]["population"] == sum(40.0 + k for k in range(n))
    deso = client.get("/api/values/deso/2021").get_json()
    assert deso["derived"] == {}  # imported values are not marked
    assert client.get("/api/values/lan/2021").get_json()["values"]["02"]["population"] > 0


def test_default_view_follows_the_dataset_and_never_names_what_has_no_values(tmp_path):
    grid = grid_dataset()
    rows = _deso_counts(grid, 2020) + _deso_counts(grid, 2021)
    client, _ = _client(tmp_path, rows)
    view = client.get("/api/catalog").get_json()["default_view"]
    assert view == {
        "kommun": "0201",
        "level": "deso",
        "indicator": "population",
        "year": 2021,
    }
    chosen = {"kommun": "0201", "level": "regso", "indicator": "population", "year": 2020}
    client, _ = _client(tmp_path / "b", rows, {"default_view": chosen})
    assert client.get("/api/catalog").get_json()["default_view"] == chosen
    wrong = {"kommun": "9999", "level": "deso", "indicator": "employed", "year": 1999}
    client, _ = _client(tmp_path / "c", rows, {"default_view": wrong})
    assert client.get("/api/catalog").get_json()["default_view"] == view


def test_an_indicator_without_total_is_styled_and_served_in_its_first_breakdown(tmp_path):
    grid = grid_dataset()
    rows = [
        ("employed", "deso", code, 2021, f"sex={sex}", 50.0 + k + (10 if sex == "male" else 0))
        for k, code in enumerate(grid.area_frame("deso").index)
        for sex in ("female", "male")
    ]
    client, _ = _client(tmp_path, rows)
    legend = client.get("/api/legend/deso/employed/2021?kommun=0201").get_json()
    values = [a["value"] for a in legend["areas"].values()]
    assert sorted(values) == [50.0 + k for k in range(16)]  # the women's values, no area without data
    style = client.get("/styles/deso/employed/2021.json").get_json()
    assert "breakdown=sex=female" in style["sources"][next(iter(style["sources"]))]["tiles"][0]
    series = client.get("/api/series/deso/employed?codes=0201C1000").get_json()
    assert series["series"]["0201C1000"] == [{"year": 2021, "value": 50.0, "status": "ok"}]


def test_comparisons_and_deviation_maps_use_derived_municipality_and_country_values(counts):
    client, grid = counts
    n = len(grid.area_frame("deso"))
    total = sum(100.0 + k for k in range(n))
    compare = client.get("/api/measures/compare/deso/population/2021?kommun=0201").get_json()
    assert (compare["kommun_value"], compare["national_value"]) == (total, total)
    legend = client.get("/api/legend/deso/population/2021?kommun=0201&deviation=riket").get_json()
    assert sorted(a["value"] for a in legend["areas"].values()) == [100.0 + k - total for k in range(n)]


def test_breakdown_labels_keep_scb_words_with_their_letters(tmp_path):
    """A CSV in SCB's words (upplåtelseform, kön), imported through the CLI: the catalog labels every
    breakdown in Swedish and English, å, ä and ö intact."""
    from tests.cli_data import data_with_areas, import_values
    from tileserver import create_app

    root = data_with_areas(tmp_path)
    file = tmp_path / "bostader.csv"
    lines = ["region;upplåtelseform;kön;år;antal"]
    for code in ("0201C1000", "0201C1001"):
        for tenure in ("äganderätt", "hyresrätt", "totalt"):
            lines += [f"{code};{tenure};kvinnor;2021;5", f"{code};{tenure};män;2021;4"]
    file.write_text("\n".join(lines) + "\n", encoding="cp1252")
    assert import_values(root, file, "--indicator", "persons", "--kind", "count", "--level", "deso") == 0
    client = create_app({"DATA": str(root), "TESTING": True}).test_client()
    labels = client.get("/api/catalog").get_json()["breakdown_labels"]
    assert labels["tenure=owner;sex=female"] == {
        "sv": "Upplåtelseform: äganderätt, Kön: kvinnor",
        "en": "Tenure: owner-occupied, Sex: women",
    }
    assert labels["tenure=rental;sex=male"]["sv"] == "Upplåtelseform: hyresrätt, Kön: män"
    assert labels["sex=male"]["sv"] == "Kön: män"
