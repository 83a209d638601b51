"""The summary measures most segregation analyses start with, as indicators of kommun, län and riket, so
maps, styles, QGIS and exports show them like any other indicator (a national map of the index, say):

* ``ojamlikhetsindex``: the dissimilarity between the lowest and the highest income quintile over the
  finest areas of each region (:mod:`indicators.measures.ojamlikhet`), per year;
* ``population_types_1_2`` and ``population_types_4_5``: the share (%) of a region's population living in
  RegSO of områdestyp 1–2 (socioeconomic challenges) and 4–5 (good conditions), with the persons as
  numerator and denominator, per year. A RegSO's type is SCB's official one where that year's official
  types are imported, else the computed one (:func:`indicators.measures.per_type.area_types`). A region's
  share is missing when one of its RegSO lacks a population.

Computed when a version is built, from the version's own values; never imported.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.measures.aggregate import COUNTRY_CODE
from indicators.measures.ojamlikhet import ojamlikhet_table, quintile_counts
from indicators.measures.per_type import area_types
from indicators.model import TOTAL, VALUE_COLUMNS, Indicator

REGIONS = (("kommun", "kommun"), ("lan", "lan"), ("riket", None))
"""(level, area column of the region) of every level the measures are computed for."""
TYPE_GROUPS = {"population_types_1_2": (1, 2), "population_types_4_5": (4, 5)}

OJAMLIKHETSINDEX = Indicator(
    "ojamlikhetsindex",
    "Ojämlikhetsindex",
    "Inequality index",
    unit="index",
    domain="matt",
    direction="higher_worse",
    decimals=1,
    kind="index",
    source="Beräknat av Barometer ur antal per inkomstkvintil",
    description_sv="Hur olika de med lägst och högst inkomst (kvintil 1 och 5) bor över kommunens, länets "
    "eller rikets områden: andelen (0–100) av den ena gruppen som skulle behöva flytta för att båda skulle "
    "vara lika spridda. 0 = samma spridning, 100 = helt åtskilda.",
    description_en="How differently the lowest and highest income quintiles live across the areas of the "
    "municipality, county or country: the share (0–100) of one group that would have to move for both to be "
    "spread alike. 0 = spread alike, 100 = fully apart.",
)
TYPE_SHARES = {
    "population_types_1_2": Indicator(
        "population_types_1_2",
        "Andel som bor i områdestyp 1–2",
        "Share living in area types 1–2",
        unit="%",
        domain="matt",
        direction="higher_worse",
        decimals=1,
        kind="share",
        source="Beräknat av Barometer ur befolkning och områdestyp per RegSO",
        description_sv="Andel av befolkningen som bor i RegSO med stora socioekonomiska utmaningar eller "
        "socioekonomiska utmaningar (områdestyp 1–2). SCB:s officiella typer där de finns, annars beräknade.",
        description_en="Share of the population living in RegSO with major socioeconomic challenges or "
        "socioeconomic challenges (area types 1–2). SCB's official types where imported, else computed.",
    ),
    "population_types_4_5": Indicator(
        "population_types_4_5",
        "Andel som bor i områdestyp 4–5",
        "Share living in area types 4–5",
        unit="%",
        domain="matt",
        direction="neutral",
        decimals=1,
        kind="share",
        source="Beräknat av Barometer ur befolkning och områdestyp per RegSO",
        description_sv="Andel av befolkningen som bor i RegSO med goda eller mycket goda socioekonomiska "
        "förutsättningar (områdestyp 4–5). SCB:s officiella typer där de finns, annars beräknade.",
        description_en="Share of the population living in RegSO with good or very good socioeconomic "
        "conditions (area types 4–5). SCB's official types where imported, else computed.",
    ),
}
SUMMARY: tuple[Indicator, ...] = (OJAMLIKHETSINDEX, *TYPE_SHARES.values())


def summary_measures(values: pd.DataFrame, areas: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Indicator]]:
    """Rows of the summary measures (in the value table's columns) and their catalog entries; nothing for
    a measure whose inputs the dataset lacks."""
    country = _country_code(areas)
    frames = [_ojamlikhet_rows(values, areas, country), _type_share_rows(values, areas, country)]
    rows = (
        pd.concat([f for f in frames if len(f)], ignore_index=True) if any(len(f) for f in frames) else None
    )
    if rows is None:
        return pd.DataFrame(columns=list(VALUE_COLUMNS)), {}
    present = set(rows["indicator"])
    return rows.reindex(columns=list(VALUE_COLUMNS)), {i.id: i for i in SUMMARY if i.id in present}


def _country_code(areas: pd.DataFrame) -> str:
    riket = areas.loc[areas["level"] == "riket", "code"]
    return str(riket.iloc[0]) if len(riket) == 1 else COUNTRY_CODE


def _ojamlikhet_rows(values: pd.DataFrame, areas: pd.DataFrame, country: str) -> pd.DataFrame:
    found = quintile_counts(values, areas)
    if found is None:
        return pd.DataFrame()
    _, counts = found
    frames = []
    for level, column in REGIONS:
        table = ojamlikhet_table(counts, by=column)
        frames.append(
            pd.DataFrame(
                {
                    "indicator": OJAMLIKHETSINDEX.id,
                    "level": level,
                    "code": table["region"] if column else country,
                    "year": table["year"],
                    "breakdown": TOTAL,
                    "value": table["value"],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _type_share_rows(values: pd.DataFrame, areas: pd.DataFrame, country: str) -> pd.DataFrame:
    types, _ = area_types(values)
    regso = areas[areas["level"] == "regso"].set_index("code")
    v = values
    population = v[(v["indicator"] == "population") & (v["level"] == "regso") & (v["breakdown"] == TOTAL)]
    if types.empty or population.empty or regso.empty:
        return pd.DataFrame()
    people = population.assign(persons=population["value"].where(population["status"] == "ok"))
    people = people[["code", "year", "persons"]].astype({"code": str, "year": int})
    every = pd.MultiIndex.from_product([regso.index, sorted(set(types["year"]))], names=["code", "year"])
    frame = every.to_frame(index=False).merge(people, on=["code", "year"], how="left")
    frame = frame.merge(types, on=["code", "year"], how="left")  # every RegSO counts, typed or not
    frame["kommun"] = regso["kommun"].reindex(frame["code"]).to_numpy()
    frame["lan"] = regso["lan"].reindex(frame["code"]).to_numpy()
    frames = []
    for level, column in REGIONS:
        region = frame[column] if column else pd.Series(country, index=frame.index)
        for indicator, group in TYPE_GROUPS.items():
            inside = frame["persons"].where(frame["type"].isin(group), 0.0)
            sums = (
                frame.assign(region=region, inside=inside, lacking=frame["persons"].isna())
                .groupby(["region", "year"])
                .agg(numerator=("inside", "sum"), denominator=("persons", "sum"), lacking=("lacking", "any"))
                .reset_index()
            )
            complete = ~sums["lacking"] & (sums["denominator"] > 0)
            frames.append(
                pd.DataFrame(
                    {
                        "indicator": indicator,
                        "level": level,
                        "code": sums["region"].astype(str),
                        "year": sums["year"],
                        "breakdown": TOTAL,
                        "value": np.where(complete, 100 * sums["numerator"] / sums["denominator"], np.nan),
                        "status": np.where(complete, "ok", "missing"),
                        "numerator": sums["numerator"].where(complete),
                        "denominator": sums["denominator"].where(complete),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)
