"""The measures of a dataset as plain, JSON-ready answers: what the API and the exports return.

Each answer names its method and reference population. Pure functions of a Dataset; no web framework.
"""

from __future__ import annotations

import math
from collections.abc import Collection

import numpy as np
import pandas as pd

from indicators.measures.compare import change_between, compare_with_references
from indicators.measures.counts import group_counts
from indicators.measures.indices import location_quotients, segregation_indices
from indicators.measures.ojamlikhet import ojamlikhet_table, quintile_counts, trend
from indicators.measures.omradestyper import TYPE_NAMES_EN, TYPE_NAMES_SV, population_by_type
from indicators.measures.per_type import per_type
from indicators.model import LEVELS, TOTAL, Dataset, NotFoundError, split_breakdown

OJAMLIKHET_METHOD = (
    "100 × ½ Σ |q1ᵢ/Q1 − q5ᵢ/Q5| over the finest areas of the region: the dissimilarity between persons in "
    "the lowest and the highest national income quintile (see docs/measures.md)"
)


def finest_level(dataset: Dataset, indicator: str) -> str:
    """The finest level with values of ``indicator``."""
    present = set(dataset.values.loc[dataset.values["indicator"] == indicator, "level"].unique())
    for level in LEVELS:
        if level in present:
            return level
    raise NotFoundError("indicator", f"no values of {indicator!r} in this dataset")


def _clean(value: object) -> object:
    if isinstance(value, float | np.floating):
        return None if math.isnan(value) else float(value)
    if isinstance(value, np.integer):
        return int(value)
    return None if value is pd.NA else value


def _records(frame: pd.DataFrame) -> list[dict]:
    return [{k: _clean(v) for k, v in row.items()} for row in frame.to_dict("records")]


def omradestyper(dataset: Dataset, year: int, kommun: str | None = None, level: str = "regso") -> dict:
    """Computed and official types per area side by side, and the population living in each type."""
    wide = dataset.wide(level, year)
    areas = dataset.area_frame(level)
    codes = areas.index if kommun is None else areas.index[areas["kommun"] == kommun]
    columns = [
        c
        for c in ("socioeconomic_index", "omradestyp", "omradestyp_official", "population")
        if c in wide.columns
    ]
    table = wide.reindex(index=codes, columns=columns)
    rows = _records(table.assign(code=table.index, name=areas.loc[table.index, "name"]))
    summary = {}
    for source in ("omradestyp", "omradestyp_official"):
        if source in table.columns and "population" in table.columns:
            by = population_by_type(
                table[source].astype("Int64"), table["population"], areas.loc[table.index, "kommun"]
            )
            summary[source] = _records(by.assign(kommun=by.index))
    notes = [n for n in dataset.meta.get("derived", []) if n.startswith(f"{level} {year}")]
    return {
        "level": level,
        "year": year,
        "kommun": kommun,
        "method": "SCB socioeconomic index (mean of three shares) typed by standard deviations from the mean",
        "reference": notes[0] if notes else "no computed types for this level and year",
        "names": {"sv": TYPE_NAMES_SV, "en": TYPE_NAMES_EN},
        "areas": rows,
        "by_municipality": summary,
        "notes": notes[1:],
    }


def ojamlikhet(dataset: Dataset, kommun: str) -> dict:
    """Ojämlikhetsindex of a municipality, its county and the country over all years, with trends."""
    found = quintile_counts(dataset.values, dataset.areas)
    if found is None:
        raise NotFoundError("indicator", "this dataset has no income quintile counts")
    level, counts = found
    lan = kommun[:2]
    tables = {
        "kommun": ojamlikhet_table(counts[counts["kommun"] == kommun], by="kommun"),
        "lan": ojamlikhet_table(counts[counts["lan"] == lan], by="lan"),
        "riket": ojamlikhet_table(counts, by=None),
    }
    if tables["kommun"].empty:
        raise NotFoundError("kommun", f"no areas of municipality {kommun!r} with income quintile counts")
    return {
        "kommun": kommun,
        "lan": lan,
        "level": level,
        "method": OJAMLIKHET_METHOD,
        "series": {key: _records(t[["region", "year", "value", "n_areas"]]) for key, t in tables.items()},
        "trend": {key: _records(trend(t)) for key, t in tables.items()},
    }


def indices(
    dataset: Dataset, kommun: str, year: int, indicator: str = "population", group: str = "background=foreign"
) -> dict:
    """Dissimilarity, isolation, exposure, Theil's H and Gini of one group over a municipality's areas."""
    dimension, name = split_breakdown(group)
    level = finest_level(dataset, indicator)
    codes = dataset.area_frame(level).query("kommun == @kommun").index
    counts = group_counts(dataset.values, indicator, level, year, dimension, codes)
    if name not in counts.columns or TOTAL not in counts.columns:
        raise NotFoundError("group", f"no counts of {indicator} {group!r} at level {level} in {year}")
    results = segregation_indices(counts[name], counts[TOTAL])
    lq = location_quotients(counts[name], counts[TOTAL])
    return {
        "kommun": kommun,
        "year": year,
        "level": level,
        "indicator": indicator,
        "group": group,
        "reference": f"the {len(counts)} {level} areas of municipality {kommun}",
        "indices": {
            key: {
                "value": _clean(r.value),
                "n_areas": r.n_areas,
                "excluded": list(r.excluded),
                "notes": list(r.notes),
            }
            for key, r in results.items()
        },
        "location_quotients": {code: _clean(v) for code, v in lq.items()},
    }


def compare(
    dataset: Dataset, level: str, indicator: str, year: int, kommun: str, base_year: int | None = None
) -> dict:
    """Each area of a municipality against the municipality and the country, its rank, and its change."""
    meta = dataset.indicators[indicator]
    areas = dataset.area_frame(level)
    codes = areas.index[areas["kommun"] == kommun]
    values = dataset.wide(level, year).reindex(index=codes).get(indicator, pd.Series(np.nan, index=codes))
    region_of = areas.loc[codes, "kommun"]
    kommun_value = _value(dataset, "kommun", kommun, indicator, year)
    national = _value(dataset, "riket", None, indicator, year)
    table = compare_with_references(values, region_of, {kommun: kommun_value}, national, meta.direction)
    if base_year is not None:
        start = (
            dataset.wide(level, base_year).reindex(index=codes).get(indicator, pd.Series(np.nan, index=codes))
        )
        table = table.join(change_between(start, values, meta.kind).add_prefix("change_"))
    table.insert(0, "name", areas.loc[codes, "name"])
    return {
        "level": level,
        "indicator": indicator,
        "year": year,
        "base_year": base_year,
        "kommun": kommun,
        "kommun_value": _clean(kommun_value),
        "national_value": _clean(national),
        "areas": _records(table.assign(code=table.index)),
    }


def _value(dataset: Dataset, level: str, code: str | None, indicator: str, year: int) -> float:
    """One value of a municipality (or of the country, ``code`` None), from the level's wide table (pivoted
    once per dataset, level and year rather than scanning the value table per call)."""
    if not dataset.years_of(level):  # derived levels have values without areas
        return float("nan")
    wide = dataset.wide(level, year)
    if indicator not in wide.columns:
        return float("nan")
    column = wide[indicator]
    if code is None:
        return float(column.iloc[0]) if len(column) == 1 else float("nan")
    return float(column.get(code, float("nan")))


def by_type(
    dataset: Dataset,
    indicator: str,
    scope: str,
    code: str | None,
    breakdown: str = TOTAL,
    years: Collection[int] | None = None,
) -> dict:
    """An indicator per områdestyp within a municipality, a county or the country, over the years (or
    ``years``)."""
    meta = dataset.indicators[indicator]
    result = per_type(dataset, indicator, scope, code, breakdown, years)
    series = {
        str(t): _records(part.drop(columns="type")) for t, part in result.rows.groupby("type", sort=True)
    }
    return {
        "indicator": indicator,
        "title": {"sv": meta.title_sv, "en": meta.title_en},
        "unit": meta.unit,
        "kind": meta.kind,
        "decimals": meta.decimals,
        "scope": scope,
        "code": code,
        "breakdown": breakdown,
        "method": "RegSO grouped by områdestyp; counts summed, shares and rates from summed numerators and "
        "denominators, means weighted by their denominators",
        "types": {str(t): {"sv": TYPE_NAMES_SV[t], "en": TYPE_NAMES_EN[t]} for t in TYPE_NAMES_SV},
        "type_source": {str(year): source for year, source in result.type_source.items()},
        "series": series,
        "notes": list(result.notes),
    }


def by_type_rows(answer: dict, lang: str = "sv") -> tuple[list[str], list[list[object]], list[list[object]]]:
    """A ``by_type`` answer as a table: header, one row per year and type, and rows saying what it is."""
    en = lang == "en"
    header = [
        "year",
        "type",
        "type_name",
        "value",
        "status",
        "numerator",
        "denominator",
        "n_areas",
        "type_source",
    ]
    rows = [
        [
            point["year"],
            int(t),
            answer["types"][t]["en" if en else "sv"],
            point.get("value"),
            point.get("status"),
            point.get("numerator"),
            point.get("denominator"),
            point.get("n_areas"),
            answer["type_source"].get(str(point["year"])),
        ]
        for t, series in sorted(answer["series"].items())
        for point in series
    ]
    rows.sort(key=lambda row: (row[0], row[1]))
    about = [
        ["indicator", answer["indicator"]],
        ["title", answer["title"]["en" if en else "sv"]],
        ["unit", answer["unit"]],
        ["kind", answer["kind"]],
        ["scope", f"{answer['scope']} {answer['code'] or ''}".strip()],
        ["breakdown", answer["breakdown"]],
        ["method", answer["method"]],
        *(["note", note] for note in answer["notes"]),
    ]
    return header, rows, about
