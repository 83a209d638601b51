import re

import pytest

from indicators.catalog import (
    CATALOG,
    CATEGORY_LABELS,
    COMPUTED,
    DOMAINS,
    SEGREGATIONSBAROMETERN_19,
    SEI_INPUTS,
    in_domain,
)
from indicators.model import TOTAL, Indicator, split_breakdown

REQUIRED = {
    "low_economic_standard": ("share", "%"),
    "education_pre_upper_secondary": ("share", "%"),
    "welfare_or_long_unemployment": ("share", "%"),
    "population": ("count", "personer"),
    "income_quintile": ("count", "personer"),
    "median_disposable_income": ("median", "kr"),
    "employment_rate": ("share", "%"),
    "eligible_upper_secondary": ("share", "%"),
    "post_secondary_education": ("share", "%"),
    "preschool_enrolment": ("share", "%"),
    "voter_turnout": ("share", "%"),
    "sickness_rate": ("rate", "dagar"),
    "overcrowding": ("share", "%"),
    "rental_housing": ("share", "%"),
    "omradestyp": ("category", ""),
    "omradestyp_official": ("category", ""),
}


@pytest.mark.parametrize(("indicator_id", "expected"), REQUIRED.items())
def test_required_ids_have_the_agreed_kind_and_unit(indicator_id, expected):
    entry = CATALOG[indicator_id]
    assert (entry.kind, entry.unit) == expected


def test_population_and_quintile_breakdowns_are_the_agreed_groups():
    assert CATALOG["population"].breakdowns == (
        TOTAL,
        "sex=female",
        "sex=male",
        "background=swedish",
        "background=foreign",
    )
    assert CATALOG["income_quintile"].breakdowns[1:] == tuple(f"quintile={q}" for q in range(1, 6))


@pytest.mark.parametrize("entry", CATALOG.values(), ids=list(CATALOG))
def test_every_entry_is_complete_and_well_formed(entry):
    assert re.fullmatch(r"[a-z][a-z0-9_]*", entry.id)
    assert entry.domain in DOMAINS
    assert entry.direction in ("higher_better", "higher_worse", "neutral")
    assert entry.kind in ("share", "median", "mean", "rate", "count", "index", "category")
    assert all([entry.title_sv, entry.title_en, entry.description_sv, entry.description_en, entry.source])
    assert entry.breakdowns[0] == TOTAL
    assert len(set(entry.breakdowns)) == len(entry.breakdowns)
    for breakdown in entry.breakdowns[1:]:
        assert split_breakdown(breakdown)[0] in ("sex", "background", "quintile")
    assert entry.unit == "%" or entry.kind != "share"
    assert Indicator.from_json(entry.to_json()) == entry


def test_catalog_keys_match_ids_and_follow_domain_order():
    assert all(key == entry.id for key, entry in CATALOG.items())
    domain_rank = [list(DOMAINS).index(entry.domain) for entry in CATALOG.values()]
    assert domain_rank == sorted(domain_rank)


def test_the_nineteen_cover_the_six_priority_areas():
    assert len(SEGREGATIONSBAROMETERN_19) == 19
    domains = {CATALOG[i].domain for i in SEGREGATIONSBAROMETERN_19}
    assert {"arbete", "ekonomi", "utbildning", "boende", "demokrati", "halsa"} <= domains
    assert not {"population", "income_quintile", "omradestyp"} & set(SEGREGATIONSBAROMETERN_19)


def test_index_inputs_and_area_types():
    assert SEI_INPUTS == (
        "low_economic_standard",
        "education_pre_upper_secondary",
        "welfare_or_long_unemployment",
    )
    assert all(CATALOG[i].direction == "higher_worse" for i in SEI_INPUTS)
    assert set(COMPUTED) == {"omradestyp"}
    for indicator_id in ("omradestyp", "omradestyp_official"):
        assert sorted(CATEGORY_LABELS[indicator_id]) == [1, 2, 3, 4, 5]
    assert "utmaningar" in CATEGORY_LABELS["omradestyp"][1][0]


def test_in_domain_returns_only_that_domain_in_catalog_order():
    housing = in_domain("boende")
    assert [i.id for i in housing] == ["overcrowding", "rental_housing"]
    assert sum(len(in_domain(d)) for d in DOMAINS) == len(CATALOG)
