"""The recipes Barometer ships: each names its source, its query is a valid PxWebApi 2.0 body, and the schemas
the client checks answers with are the specification's own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from indicators.catalog import CATALOG
from indicators.fetch.recipes import builtin_recipes, load_recipe
from indicators.fetch.scb import boundary_version, parse_years, region_code
from indicators.fetch.schema import SchemaError, check, json_schema, spec_schemas
from indicators.model import InputError

SPEC = Path(__file__).resolve().parents[2] / "shared" / "reference" / "pxwebapi-2" / "PxAPI-2.yml"
RECIPES = builtin_recipes()


@pytest.fixture(scope="module")
def spec() -> dict:
    if not SPEC.exists():
        pytest.skip(f"the PxWebApi 2.0 specification is not at {SPEC} (../shared/reference)")
    yaml = pytest.importorskip("yaml")
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def test_the_shipped_schemas_are_the_specifications_own(spec):
    assert spec_schemas() == json.loads(json.dumps(spec["components"]["schemas"]))


@pytest.mark.parametrize("recipe", RECIPES.values(), ids=list(RECIPES))
def test_every_recipe_names_its_source(recipe):
    assert recipe.provenance and all(isinstance(v, str) and v for v in recipe.provenance.values())
    if not recipe.available:
        assert len(recipe.reason) > 40
        return
    assert recipe.table.startswith("TAB") and recipe.table_url.startswith(
        "https://www.statistikdatabasen.scb.se/"
    )
    assert {"table", "codes"} <= set(recipe.provenance)
    indicator = recipe.to_indicator("SCB")
    assert indicator.title_sv and indicator.title_en and indicator.description_sv and indicator.description_en
    if recipe.id in CATALOG:
        known = CATALOG[recipe.id]
        assert (indicator.kind, indicator.unit, indicator.domain) == (known.kind, known.unit, known.domain)


@pytest.mark.parametrize("recipe", [r for r in RECIPES.values() if r.available], ids=lambda r: r.id)
def test_every_recipe_query_is_a_valid_body(recipe, spec):
    body = recipe.selection(["1480C1010_DeSO2025", "1480C1020_DeSO2025"], ["2023", "2024"])
    check("VariablesSelection", body, recipe.id)
    # the same against the schema converted from the specification file in ../shared, not the shipped copy
    from jsonschema import Draft202012Validator

    assert not list(
        Draft202012Validator(json_schema("VariablesSelection", spec["components"]["schemas"])).iter_errors(
            body
        )
    )
    chosen = {item["variableCode"]: item["valueCodes"] for item in body["selection"]}
    assert chosen[recipe.region] == ["1480C1010_DeSO2025", "1480C1020_DeSO2025"] and chosen[recipe.time] == [
        "2023",
        "2024",
    ]


def test_the_catalog_says_what_is_not_public():
    unavailable = {r.id for r in RECIPES.values() if not r.available}
    assert {"welfare_or_long_unemployment", "income_quintile", "omradestyp_official"} <= unavailable
    assert {"population", "low_economic_standard", "education_pre_upper_secondary"} <= set(
        RECIPES
    ) - unavailable


def test_schema_checks_name_the_violation():
    with pytest.raises(SchemaError, match="valueCodes"):
        check("VariablesSelection", {"selection": [{"variableCode": "Region"}]}, "a query")
    answer = {"version": "2.0", "class": "dataset", "id": ["Tid"], "size": [1], "value": [1.0]}
    with pytest.raises(SchemaError, match="dimension"):
        check("Dataset", answer, "an answer")
    check("Dataset", {**answer, "dimension": {"Tid": {"category": {"index": {"2024": 0}}}}}, "an answer")


def test_bad_recipes_name_the_file_and_key(tmp_path):
    good = (
        Path(__file__).resolve().parents[1]
        / "indicators"
        / "fetch"
        / "recipes"
        / "low_economic_standard.toml"
    )
    text = good.read_text(encoding="utf-8")
    cases = {
        "kind.toml": (text.replace('kind = "share"', 'kind = "ratio"'), "indicator.kind"),
        "cell.toml": (
            text.replace('value = { ContentsCode = "000008AC" }', 'value = { Alder = "0-19" }'),
            "0-19",
        ),
        "noprov.toml": (text[: text.index("[provenance]")], "provenance"),
        "extra.toml": (text.replace("[indicator]", "colour = 1\n[indicator]"), "colour"),
    }
    for name, (body, needle) in cases.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
        with pytest.raises(InputError, match=needle) as error:
            load_recipe(tmp_path / name)
        assert name in str(error.value)
    (tmp_path / "ok.toml").write_text(text, encoding="utf-8")
    assert load_recipe(tmp_path / "ok.toml").outputs == RECIPES["low_economic_standard"].outputs


def test_region_codes_tell_the_boundary_versions_apart():
    assert region_code("0114A0010_DeSO2025") == ("0114A0010", "deso", "2025")
    assert region_code("0114A0010") == ("0114A0010", "deso", "2018")
    assert region_code("0114R001_RegSO2025") == ("0114R001", "regso", "2025")
    assert region_code("0114R001") == ("0114R001", "regso", "2018")
    assert region_code("0114") == ("0114", "kommun", None)
    assert [boundary_version(v) for v in ("2025_v1", "2020_v3", "2018_v3", "", None)] == [
        "2025",
        "2018",
        "2018",
        None,
        None,
    ]
    assert parse_years("2015-2023") == (2015, 2023) and parse_years("2024") == (2024, 2024)
    with pytest.raises(ValueError):
        parse_years("2023-2015")


def test_the_catalog_is_listed_by_the_cli(capsys):
    from data.cli import main

    assert main(["fetch", "scb", "--list"]) == 0
    out = capsys.readouterr().out
    for recipe in RECIPES.values():
        assert recipe.id in out
        assert (recipe.table if recipe.available else recipe.reason[:40]) in out
    assert main(["fetch", "scb", "--kommun", "148", "--data", "unused"]) == 2
    assert "--kommun takes 4-digit" in capsys.readouterr().err
