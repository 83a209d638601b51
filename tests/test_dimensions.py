"""indicators.dimensions: SCB's dimension names and groups as the model's breakdown keys, and their labels."""

from __future__ import annotations

import json

import pytest

from data.cli import main
from data.store import read_version
from indicators.catalog import BY_SEX_AND_BACKGROUND, CATALOG, QUINTILES
from indicators.dimensions import breakdown_label, group_key


@pytest.mark.parametrize(
    ("dimension", "group", "key"),
    [
        ("Kön", "män", "sex=male"),
        ("kön", "Kvinnor", "sex=female"),
        ("Kon", "totalt", None),
        ("Kön", "män och kvinnor", None),
        ("Ålder", "20-64 år", "age=20-64"),
        ("åldersgrupp", "20–64 år", "age=20-64"),
        ("ålder i år", "65+ år", "age=65plus"),
        ("Ålder", "65 år och äldre", "age=65plus"),
        ("Ålder", "totalt ålder", None),
        ("Födelseregion", "Född i Sverige", "background=swedish"),
        ("födelseregion", "Utrikes född", "background=foreign"),
        ("bakgrund", "inrikes född", "background=swedish"),
        ("svensk och utländsk bakgrund", "utländsk bakgrund", "background=foreign"),
        ("svensk och utländsk bakgrund", "svensk bakgrund", "background=swedish"),
        ("födelseland", "Övriga Norden", "background=ovriga_norden"),
        ("Upplåtelseform", "hyresrätt", "tenure=rental"),
        ("upplåtelseform", "Bostadsrätt", "tenure=cooperative"),
        ("upplåtelseform", "äganderätt", "tenure=owner"),
        ("upplåtelseform", "samtliga upplåtelseformer", None),
        ("Utbildningsnivå", "förgymnasial utbildning", "education=pre_upper_secondary"),
        ("utbildningsnivå", "gymnasial utbildning", "education=upper_secondary"),
        ("utbildningsnivå", "eftergymnasial utbildning, 3 år eller mer", "education=post_secondary"),
        ("Inkomstkvintil", "kvintil 1", "quintile=1"),
        ("inkomstkvintil", "Kvintil 5", "quintile=5"),
        ("Hushållstyp", "Ensamstående med barn", "household=single_with_children"),
        ("Region", "Åland", "region=aland"),
    ],
)
def test_scb_dimensions_map_to_the_model(dimension, group, key):
    assert group_key(dimension, group) == key


def test_the_catalog_breakdowns_are_what_scb_labels_become():
    produced = {
        group_key("kön", "kvinnor"),
        group_key("kön", "män"),
        group_key("födelseregion", "inrikes född"),
        group_key("födelseregion", "utrikes född"),
    }
    assert produced | {"total"} == set(BY_SEX_AND_BACKGROUND)
    assert {group_key("inkomstkvintil", f"kvintil {q}") for q in range(1, 6)} == set(QUINTILES)
    assert CATALOG["income_quintile"].breakdowns[1:] == QUINTILES


@pytest.mark.parametrize(
    ("key", "sv", "en"),
    [
        ("total", "Totalt", "Total"),
        ("sex=female", "Kön: kvinnor", "Sex: women"),
        (
            "background=foreign",
            "Bakgrund: utrikes född, utländsk bakgrund",
            "Background: born abroad, foreign background",
        ),
        ("tenure=owner", "Upplåtelseform: äganderätt", "Tenure: owner-occupied"),
        (
            "education=pre_upper_secondary",
            "Utbildningsnivå: förgymnasial",
            "Education: below upper secondary",
        ),
        ("quintile=1", "Inkomstkvintil: kvintil 1", "Income quintile: quintile 1"),
        ("age=20-64", "Ålder: 20–64 år", "Age: 20–64 years"),
        ("age=65plus", "Ålder: 65+ år", "Age: 65+ years"),
        ("sex=female;age=20-64", "Kön: kvinnor, Ålder: 20–64 år", "Sex: women, Age: 20–64 years"),
        ("household=other", "Hushållstyp: övriga hushåll", "Household type: other households"),
    ],
)
def test_labels_keep_swedish_letters(key, sv, en):
    assert breakdown_label(key, "sv") == sv
    assert breakdown_label(key, "en") == en


def test_groups_without_a_label_read_as_the_file_wrote_them():
    assert breakdown_label("region=aland", "sv") == "Region: aland"
    labels = {"region=aland": ("region: Åland", "region: Åland")}
    assert breakdown_label("region=aland", "en", labels) == "region: Åland"


def pxweb_by_birth_region_and_tenure() -> dict:
    """Shaped like a PxWeb answer with SCB's dimension ids and Swedish labels (values made up)."""
    return {
        "class": "dataset",
        "id": ["Region", "Fodelseregion", "Upplatelseform", "ContentsCode", "Tid"],
        "size": [1, 3, 2, 1, 1],
        "dimension": {
            "Region": {"label": "region", "category": {"index": {"1480": 0}, "label": {"1480": "Göteborg"}}},
            "Fodelseregion": {
                "label": "födelseregion",
                "category": {
                    "index": {"tot": 0, "11": 1, "12": 2},
                    "label": {"tot": "totalt", "11": "Född i Sverige", "12": "Utrikes född"},
                },
            },
            "Upplatelseform": {
                "label": "upplåtelseform",
                "category": {
                    "index": {"1": 0, "4": 1},
                    "label": {"1": "hyresrätt", "4": "Övriga boendeformer"},
                },
            },
            "ContentsCode": {
                "label": "tabellinnehåll",
                "category": {"index": {"BE0101X": 0}, "label": {"BE0101X": "Antal personer"}},
            },
            "Tid": {"label": "år", "category": {"index": {"2023": 0}, "label": {"2023": "2023"}}},
        },
        "value": [10, 20, 1, 2, 3, 4],
        "role": {"time": ["Tid"], "metric": ["ContentsCode"]},
        "version": "2.0",
    }


def test_pxweb_dimension_names_become_breakdowns_through_the_cli(tmp_path, capsys):
    path = tmp_path / "BE0101X.json"
    path.write_text(json.dumps(pxweb_by_birth_region_and_tenure(), ensure_ascii=False), encoding="utf-8")
    data = tmp_path / "data"
    assert (
        main(
            [
                "import",
                "values",
                "--data",
                str(data),
                str(path),
                "--indicator",
                "residents",
                "--kind",
                "count",
                "--min-match",
                "0",
            ]
        )
        == 0
    )
    dataset = read_version(data)
    got = {str(r.breakdown): r.value for r in dataset.values.itertuples()}
    assert got == {
        "tenure=rental": 10.0,
        "tenure=4": 20.0,
        "background=swedish;tenure=rental": 1.0,
        "background=swedish;tenure=4": 2.0,
        "background=foreign;tenure=rental": 3.0,
        "background=foreign;tenure=4": 4.0,
    }
    assert dict(dataset.meta["breakdown_labels"]) == {
        "tenure=4": ["upplåtelseform: Övriga boendeformer", "upplåtelseform: Övriga boendeformer"]
    }
    assert breakdown_label("tenure=4", "sv", dataset.meta["breakdown_labels"]) == (
        "upplåtelseform: Övriga boendeformer"
    )
