"""``barometer build recipe.toml``: one version from scratch, the same version from the same inputs, and the
recipe's title, attribution and default view in what the server gives users."""

from __future__ import annotations

import csv
from pathlib import Path

import pyogrio
import pytest

from data import store
from data.cli import main
from tests.cli_data import data_with_areas, import_values, write_area_files
from tests.conftest import SHARED
from tileserver import create_app

EXAMPLE = Path(__file__).resolve().parents[1] / "docs" / "examples" / "goteborgsregionen.toml"

RECIPE = """
title = "Alfaby: inkomster"
attribution = "Statistik: Alfaby kommun"

[default_view]
kommun = "0201"
level = "deso"
indicator = "mean_income"
year = 2021

[[areas]]
file = "../files/deso.gpkg"

[[areas]]
file = "../files/kommun.gpkg"
level = "kommun"
map = { code = "kommunkod", name = "kommunnamn" }

[[values]]
file = "../files/income.csv"
indicator = "mean_income"
map = { code = "Område", value = "Medel", year = "År" }
kind = "mean"
unit = "tkr"

[[values]]
file = "../files/dwellings.csv"
year = 2021

[indicators.bostader]
kind = "count"
unit = "bostäder"
title_sv = "Bostäder"
title_en = "Dwellings"
"""
DUPLICATE = """[[values]]
file = "../files/income.csv"
indicator = "mean_income"
map = { code = "Område", value = "Medel", year = "År" }

"""


@pytest.fixture
def recipe(tmp_path):
    files = tmp_path / "files"
    files.mkdir()
    write_area_files(files)
    (files / "income.csv").write_text(
        "Område;År;Medel\n0201C1000;2020;300\n0201C1001;2020;250\n0201C1000;2021;330\n0201C1001;2021;200\n",
        encoding="utf-8",
    )
    (files / "dwellings.csv").write_text("kod,bostader\n0201C1000,120\n0201C1001,95\n0201C1002,40\n")
    folder = tmp_path / "recipes"
    folder.mkdir()
    (folder / "alfaby.toml").write_text(RECIPE, encoding="utf-8")
    return folder / "alfaby.toml"


def build(recipe, data) -> int:
    return main(["build", str(recipe), "--data", str(data)])


def test_a_recipe_builds_one_version_from_scratch(tmp_path, recipe):
    data = tmp_path / "data"
    (tmp_path / "old").mkdir()
    before = data_with_areas(tmp_path / "old")  # a folder with another dataset: the build does not merge
    (tmp_path / "old" / "extra.csv").write_text("kod;år;x\n0201C1003;2020;1\n", encoding="utf-8")
    assert import_values(before, tmp_path / "old" / "extra.csv", "--indicator", "x", "--kind", "share") == 0
    assert build(recipe, before) == 0
    dataset = store.read_version(before)
    assert set(dataset.indicators) == {"mean_income", "bostader"}
    assert dataset.levels == ("deso", "kommun")
    assert build(recipe, data) == 0
    assert store.current_version(data) == dataset.version  # the same inputs give the same version
    assert build(recipe, data) == 0
    assert len(list((data / "versions").iterdir())) == 1
    income, dwellings = dataset.indicators["mean_income"], dataset.indicators["bostader"]
    assert (income.kind, income.unit, income.source) == ("mean", "tkr", "income.csv")
    assert (dwellings.kind, dwellings.unit, dwellings.title_en) == ("count", "bostäder", "Dwellings")
    rows = dataset.values[dataset.values["indicator"] == "bostader"]
    assert dict(zip(rows["code"], rows["value"], strict=True)) == {
        "0201C1000": 120.0,
        "0201C1001": 95.0,
        "0201C1002": 40.0,
    }
    assert set(rows["year"]) == {2021}


def test_a_changed_input_gives_another_version(tmp_path, recipe):
    assert build(recipe, tmp_path / "a") == 0
    income = tmp_path / "files" / "income.csv"
    income.write_text(income.read_text(encoding="utf-8").replace("330", "331"), encoding="utf-8")
    assert build(recipe, tmp_path / "b") == 0
    assert store.current_version(tmp_path / "a") != store.current_version(tmp_path / "b")


def test_title_attribution_and_default_view_reach_the_server(tmp_path, recipe, capsys):
    data = tmp_path / "data"
    assert build(recipe, data) == 0
    capsys.readouterr()
    assert main(["info", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "title:       Alfaby: inkomster" in out and "attribution: Statistik: Alfaby kommun" in out
    client = create_app({"DATA": str(data), "TESTING": True}).test_client()
    catalog = client.get("/api/catalog").get_json()
    assert catalog["title"] == "Alfaby: inkomster"
    assert catalog["attribution"] == "Statistik: Alfaby kommun"
    assert catalog["default_view"] == {
        "kommun": "0201",
        "level": "deso",
        "indicator": "mean_income",
        "year": 2021,
    }
    assert client.get("/tiles/deso/2021.json").get_json()["attribution"] == "Statistik: Alfaby kommun"
    style = client.get("/styles/deso/mean_income/2021.json?kommun=0201").get_json()
    assert "Statistik: Alfaby kommun" in {s.get("attribution") for s in style["sources"].values()}


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (("year = 2021\n\n[[areas]]", "year = 1999\n\n[[areas]]"), "[default_view] year"),
        (('kommun = "0201"', 'kommun = "0202"'), "no deso values in 0202"),
        (('kind = "mean"', 'kind = "average"'), "kind 'average'"),
        (('title = "Alfaby: inkomster"', 'titel = "Alfaby"'), "unknown keys ['titel']"),
        (("[indicators.bostader]", DUPLICATE + "[indicators.bostader]"), "both give mean_income values"),
        (
            ('[[areas]]\nfile = "../files/deso.gpkg"', '[[areas]]\nfile = "../files/deso.gpkg"\n' * 2),
            "both give the",
        ),
    ],
)
def test_a_bad_recipe_fails_and_names_the_key(tmp_path, recipe, capsys, change, named):
    old, new = change
    text = recipe.read_text(encoding="utf-8")
    assert old in text
    recipe.write_text(text.replace(old, new), encoding="utf-8")
    assert build(recipe, tmp_path / "data") == 2
    assert named in capsys.readouterr().err
    assert store.current_version(tmp_path / "data") is None


needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data/scb (real SCB files) is absent")


@needs_shared
def test_the_example_recipe_builds_the_scb_files_into_a_served_dataset(tmp_path):
    data = tmp_path / "data"
    assert build(EXAMPLE, data) == 0
    client = create_app({"DATA": str(data), "TESTING": True}).test_client()
    catalog = client.get("/api/catalog").get_json()
    assert catalog["title"] == "Göteborgsregionen: områdestyper 2022"
    assert catalog["attribution"].startswith("Statistik och gränser: SCB")
    assert [(level["id"], level["areas"]) for level in catalog["levels"]] == [
        ("regso", 300),
        ("kommun", 290),
        ("lan", 21),
    ]
    official = next(i for i in catalog["indicators"] if i["id"] == "omradestyp_official")
    assert official["source"] == "SCB, Statistikdatabasen: RegSO efter områdestyp (2022)"
    # the oracle: the CSV itself, joined to the boundary file's codes by "Kommun (RegSO)"
    with open(SHARED / "regso_omradestyp_2022_statistikdatabasen.csv", encoding="utf-8-sig", newline="") as f:
        published = {row[0]: int(row[1]) for row in csv.reader(f) if len(row) == 2 and row[1].isdigit()}
    regso = pyogrio.read_dataframe(SHARED / "regso_2025_goteborgsregionen.gpkg", read_geometry=False)
    code_of = {
        f"{k} ({n})": c
        for c, k, n in zip(regso["regsokod"], regso["kommunnamn"], regso["regsonamn"], strict=True)
    }
    served = client.get("/api/values/regso/2022?kommun=1480").get_json()["values"]
    checked = 0
    for label in (
        "Göteborg (Angered centrum-Agnesberg)",
        "Göteborg (Annedal-Änggården)",
        "Göteborg (Askim norra)",
    ):
        assert served[code_of[label]]["omradestyp_official"] == published[label]
        checked += 1
    assert checked == 3
    assert len(served) == sum(1 for c in regso["kommunkod"] if c == "1480")


def test_a_recipe_takes_its_definitions_from_a_file_beside_it(tmp_path, recipe):
    text = recipe.read_text(encoding="utf-8")
    table = text[text.index("[indicators.bostader]") :]
    (recipe.parent / "defs.toml").write_text(table.replace('"count"', '"index"'), encoding="utf-8")
    recipe.write_text('definitions = "defs.toml"\n' + text.replace(table, ""), encoding="utf-8")
    assert build(recipe, tmp_path / "data") == 0
    dwellings = store.read_version(tmp_path / "data").indicators["bostader"]
    assert (dwellings.kind, dwellings.unit, dwellings.title_sv) == ("index", "bostäder", "Bostäder")
