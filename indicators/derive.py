"""Measures computed from a dataset's own values and stored in every version like any other indicator.

Today: SCB's socioeconomic index and the five områdestyper per RegSO and year, from the three index inputs,
with the mean and standard deviation of all RegSO in the dataset as reference (the whole country when the
whole country is imported). Imported official types (``omradestyp_official``) are kept beside them.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from indicators.catalog import CATALOG
from indicators.measures.omradestyper import INDEX_INPUTS, classify, socioeconomic_index
from indicators.model import TOTAL, Indicator, normalise_values

DERIVED_LEVELS: tuple[str, ...] = ("regso",)

SOCIOECONOMIC_INDEX = Indicator(
    "socioeconomic_index",
    "Socioekonomiskt index",
    "Socioeconomic index",
    unit="index",
    domain="matt",
    direction="higher_worse",
    decimals=1,
    kind="index",
    source="Beräknat av Barometer enligt SCB:s metod",
    description_sv="Medelvärdet av andelarna med låg ekonomisk standard, med förgymnasial utbildning "
    "(20–64 år) och med långvarigt ekonomiskt bistånd eller arbetslöshet (20–64 år).",
    description_en="Mean of the shares with low economic standard, with at most compulsory education (20–64) "
    "and with long-term social assistance or unemployment (20–64).",
)
OMRADESTYP = CATALOG["omradestyp"]
DERIVED: tuple[Indicator, ...] = (SOCIOECONOMIC_INDEX, OMRADESTYP)


def with_derived(
    values: pd.DataFrame, indicators: Mapping[str, Indicator]
) -> tuple[pd.DataFrame, dict[str, Indicator], list[str]]:
    """Values and catalog with the derived measures recomputed, and notes on how they were computed."""
    derived_ids = {ind.id for ind in DERIVED}
    base = values[~values["indicator"].isin(derived_ids)]
    catalog = {k: v for k, v in indicators.items() if k not in derived_ids}
    if not set(INDEX_INPUTS) <= set(base["indicator"].unique()):
        return base, catalog, []
    rows, notes = [], []
    totals = base[(base["breakdown"] == TOTAL) & base["indicator"].isin([*INDEX_INPUTS, "population"])]
    for (level, year), frame in totals.groupby(["level", "year"], sort=True):
        if level not in DERIVED_LEVELS:
            continue
        wide = frame.pivot_table(
            index="code", columns="indicator", values="value", aggfunc="first", observed=True
        )
        if not set(INDEX_INPUTS) <= set(wide.columns):
            continue
        population = wide["population"] if "population" in wide.columns else None
        result = classify(socioeconomic_index(wide), population)
        notes.append(
            f"{level} {year}: μ = {result.mean:.3f}, σ = {result.std:.3f}, reference: {result.reference}"
        )
        notes.extend(f"{level} {year}: {note}" for note in result.notes)
        for indicator, series in (("socioeconomic_index", result.index), ("omradestyp", result.types)):
            rows.append(
                pd.DataFrame(
                    {
                        "indicator": indicator,
                        "level": level,
                        "code": series.index,
                        "year": year,
                        "breakdown": TOTAL,
                        "value": pd.to_numeric(series, errors="coerce").astype(float),
                    }
                )
            )
    if not rows:
        return base, catalog, []
    catalog.update({ind.id: ind for ind in DERIVED})
    return normalise_values(pd.concat([base, *rows], ignore_index=True)), catalog, notes
