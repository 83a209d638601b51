"""Statistics per områdestyp: an indicator over all the RegSO of each type within a municipality, a county
or the country, per year and breakdown (Segregationsbarometern's "Områdestyper" view).

Each RegSO is typed per year by SCB's official type where that year's official types are imported
(``omradestyp_official``), else by the type Barometer computes (``omradestyp``); the answer says which for
every year. Values are aggregated from counts as for coarser levels (:mod:`indicators.measures.aggregate`):
counts add; shares and rates are summed numerators over summed denominators; means are weighted by their
denominators; medians, indices and categories are not aggregated. A type's value is missing, with a note,
when one of its areas lacks what that needs. Values published for DeSO are first added up to their RegSO.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd

from indicators.measures.aggregate import aggregate, aggregate_groups
from indicators.measures.omradestyper import TYPE_NAMES_EN, TYPE_NAMES_SV
from indicators.model import TOTAL, Dataset, NotFoundError

TYPE_SOURCES = {"omradestyp_official": "official", "omradestyp": "computed"}
"""The type indicators, preferred first, and how an answer names them."""
SCOPES = ("riket", "lan", "kommun")
AGGREGABLE = frozenset({"count", "share", "rate", "mean"})


@dataclass(frozen=True)
class PerType:
    """One row per (year, type): value, status, numerator, denominator and the RegSO counted; the source of
    each year's types; notes on what could not be aggregated."""

    rows: pd.DataFrame
    type_source: dict[int, str]
    notes: tuple[str, ...]


def area_types(values: pd.DataFrame) -> tuple[pd.DataFrame, dict[int, str]]:
    """The type of every typed RegSO per year (columns code, year, type) and each year's source."""
    v = values
    rows = v[
        v["indicator"].isin(list(TYPE_SOURCES))
        & (v["level"] == "regso")
        & (v["breakdown"] == TOTAL)
        & (v["status"] == "ok")
    ]
    frames, sources = [], {}
    for year, part in rows.groupby("year", observed=True):
        for indicator, source in TYPE_SOURCES.items():
            chosen = part[part["indicator"] == indicator]
            if len(chosen):
                frames.append(chosen[["code", "year", "value"]].astype({"code": str}))
                sources[int(year)] = source
                break
    if not frames:
        return pd.DataFrame({"code": [], "year": [], "type": []}), {}
    types = pd.concat(frames, ignore_index=True).rename(columns={"value": "type"})
    return types.astype({"type": int, "year": int}), sources


def scope_regso(dataset: Dataset, scope: str, code: str | None) -> pd.Index:
    """The RegSO codes of a municipality, a county or the whole country."""
    if scope not in SCOPES:
        raise NotFoundError("scope", f"unknown scope {scope!r}; one of: {', '.join(SCOPES)}")
    if "regso" not in dataset.levels:
        raise NotFoundError("scope", "this dataset has no RegSO areas, so no områdestyper")
    areas = dataset.area_frame("regso")
    if scope == "riket":
        return areas.index
    codes = areas.index[areas[scope].astype(str) == str(code)]
    if not len(codes):
        raise NotFoundError("code", f"no RegSO areas in {scope} {code!r}")
    return codes


def per_type(
    dataset: Dataset,
    indicator: str,
    scope: str = "riket",
    code: str | None = None,
    breakdown: str = TOTAL,
    years: Collection[int] | None = None,
) -> PerType:
    """``indicator`` aggregated over the RegSO of each områdestyp within the scope, per year (every year with
    types, or those of ``years``)."""
    meta = dataset.indicators.get(indicator)
    if meta is None:
        raise NotFoundError("indicator", f"unknown indicator {indicator!r}")
    if meta.kind not in AGGREGABLE:
        raise NotFoundError(
            "indicator",
            f"{indicator!r} is a {meta.kind}: it cannot be aggregated over areas, so not per type",
        )
    regso = scope_regso(dataset, scope, code)
    types, sources = area_types(dataset.values)
    if types.empty:
        raise NotFoundError("indicator", "this dataset has no områdestyper (official or computed)")
    values = _regso_values(dataset, indicator, breakdown)
    frames, notes = [], []
    typed_in_scope = types[types["code"].isin(regso)]
    if years is not None:
        typed_in_scope = typed_in_scope[typed_in_scope["year"].isin(list(years))]
    for year, typed in typed_in_scope.groupby("year"):
        groups = pd.Series(typed["type"].to_numpy(), index=typed["code"].to_numpy())
        result = aggregate_groups(values[values["year"] == year], groups, dataset.indicators, "type")
        counted = groups.value_counts().rename("n_areas")
        rows = result.values.assign(type=result.values["code"].astype(int))
        frames.append(rows.join(counted, on="type"))
        notes += [f"{year} type {row.code}: {row.note}" for row in result.notes.itertuples()]
    columns = ["year", "type", "value", "status", "numerator", "denominator", "n_areas"]
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
    rows = rows.reindex(columns=columns).sort_values(["year", "type"]).reset_index(drop=True)
    years = set(rows["year"].astype(int))
    return PerType(rows, {y: s for y, s in sources.items() if y in years}, tuple(notes))


def _regso_values(dataset: Dataset, indicator: str, breakdown: str) -> pd.DataFrame:
    """The indicator's RegSO values of one breakdown, added up from DeSO where RegSO has none."""
    v = dataset.values
    of_indicator = v[v["indicator"] == indicator]
    rows = of_indicator[of_indicator["breakdown"] == breakdown]
    if rows.empty:
        present = sorted(set(of_indicator["breakdown"].astype(str)))
        raise NotFoundError(
            "breakdown", f"no {breakdown!r} values of {indicator!r}; it has: {', '.join(present)}"
        )
    regso = rows[rows["level"] == "regso"]
    if len(regso) or "deso" not in set(rows["level"]):
        return regso
    summed = aggregate(rows[rows["level"] == "deso"], dataset.areas, dataset.indicators, "deso", ("regso",))
    return summed.values


def type_names(lang: str = "sv") -> dict[int, str]:
    return dict(TYPE_NAMES_EN if lang == "en" else TYPE_NAMES_SV)
