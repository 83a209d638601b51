"""Method help: one source (indicators/methods.py) for the page and docs/measures.md, in both languages."""

from __future__ import annotations

import pytest

from indicators.catalog import CATALOG
from indicators.methods import DOCS, MEASURES, indicator_help, render_docs


def test_docs_show_exactly_the_method_help():
    text = DOCS.read_text()
    assert render_docs(text) == text, "run `python -m indicators.methods` to rewrite docs/measures.md"
    for entry in MEASURES:
        assert f"<!-- methods:{entry.id} -->" in text


@pytest.mark.parametrize("entry", MEASURES, ids=lambda e: e.id)
def test_every_measure_is_explained_in_both_languages(entry):
    for name in ("title", "definition", "formula", "reading", "source"):
        sv, en = getattr(entry, name)
        assert (sv.strip() and en.strip() and sv != en) or name == "source", (entry.id, name)
    assert entry.caveats and all(sv and en for sv, en in entry.caveats)
    assert entry.to_json("en")["title"] == entry.title[1]
    assert entry.to_json()["reading"] == {"sv": entry.reading[0], "en": entry.reading[1]}


def test_indicator_help_follows_kind_and_direction():
    share = indicator_help(CATALOG["employment_rate"])
    assert "procent" in share.reading[0] and "Higher values are better" in share.reading[1]
    assert share.definition == (
        CATALOG["employment_rate"].description_sv,
        CATALOG["employment_rate"].description_en,
    )
    median = next(ind for ind in CATALOG.values() if ind.kind == "median")
    assert "Cannot be added up" in indicator_help(median).reading[1]


def test_the_api_serves_the_help_of_the_measures_and_the_dataset_indicators(client, dataset):
    body = client.get("/api/methods").get_json()
    assert [m["id"] for m in body["measures"]] == [m.id for m in MEASURES]
    assert set(body["indicators"]) == set(dataset.indicators)
    income = body["indicators"]["income"]
    assert income["title"] == {"sv": "Inkomst", "en": "Income"} and "Median" in income["reading"]["en"]
