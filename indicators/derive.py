"""Values computed from a dataset's own values, stored in every version like any other, flagged ``derived``.

- Coarser levels: regso (where RegSO areas are loaded), kommun, län and riket values aggregated from each
  indicator's finest level, where they were not imported (``indicators.measures.aggregate``: counts add,
  shares, rates and means from summed counts; medians, indices and categories never). Riket is the sum of
  the dataset's areas; ``coverage`` says where that is less than the whole county or country.
- SCB's socioeconomic index and the five områdestyper per RegSO and year, from the three index inputs,
  with the mean and standard deviation of all RegSO in the dataset as reference (the whole country when the
  whole country is imported). Imported official types (``omradestyp_official``) are kept beside them.
- The summary measures as kommun, län and riket indicators (``indicators.measures.summary``): the
  ojämlikhetsindex and the population shares living in områdestyp 1–2 and 4–5.

Every build starts from the imported rows only (derived ones are dropped and computed again), so a new
import never leaves a stale aggregate behind, and an imported value always wins over a derived one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicators.catalog import CATALOG
from indicators.measures.aggregate import COUNTRY_CODE, aggregate, parent_codes
from indicators.measures.omradestyper import INDEX_INPUTS, classify, socioeconomic_index
from indicators.measures.summary import SUMMARY, summary_measures
from indicators.model import DERIVED_FLAG, LEVELS, TOTAL, Indicator, concat_values, normalise_values

DERIVED_LEVELS: tuple[str, ...] = ("regso",)
"""Levels the områdestyper are computed for."""

AGGREGATED_KINDS: dict[str, str] = {
    "count": "sum of the {level} values",
    "share": "summed numerators / summed denominators of the {level} areas",
    "rate": "summed numerators / summed denominators of the {level} areas",
    "mean": "mean of the {level} values weighted by their denominators",
}
"""Kinds that aggregate to coarser levels, and how (what the catalog says about a derived level)."""

DERIVED_META: tuple[str, ...] = ("derived", "aggregated", "coverage")
"""Keys of a dataset's meta that each build writes afresh."""

GROUP = ["indicator", "year", "breakdown"]
CHUNK = 1 << 20
BATCH_ROWS = 1 << 21
"""Finer rows aggregated at a time (whole years): bounds the temporaries of a large build."""
KEY = ["indicator", "level", "code", "year", "breakdown"]

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
DERIVED: tuple[Indicator, ...] = (SOCIOECONOMIC_INDEX, OMRADESTYP, *SUMMARY)
"""Every indicator a build computes (never imported, renamed or removed)."""


@dataclass(frozen=True)
class Derived:
    """A version's value table and catalog with everything derived, and what its meta says about them:
    ``derived`` (notes on the områdestyper), ``aggregated`` ({indicator: {level: how}}) and ``coverage``
    ({level: {code: [municipalities with finer areas, municipalities of the area]}} where fewer)."""

    values: pd.DataFrame
    indicators: dict[str, Indicator]
    meta: dict = field(default_factory=dict)


def with_derived(
    values: pd.DataFrame, indicators: Mapping[str, Indicator], areas: pd.DataFrame | None = None
) -> Derived:
    """Values and catalog with the derived values recomputed from the imported ones."""
    derived_ids = {ind.id for ind in DERIVED}
    imported = ~values["indicator"].isin(derived_ids)
    if DERIVED_FLAG in values.columns:
        imported &= ~values[DERIVED_FLAG]
    base = values if imported.all() else values[imported]  # a table with nothing to drop is not copied
    base = normalise_values(base.assign(**{DERIVED_FLAG: False}))
    catalog = {k: v for k, v in indicators.items() if k not in derived_ids}
    meta: dict = {}
    if areas is not None and len(areas) and len(base):
        coarse, meta = coarser_values(base, areas, catalog)
        if len(coarse):
            base = concat_values([base, coarse.assign(**{DERIVED_FLAG: True})])
    values, notes = _with_omradestyper(base)
    if notes:
        catalog.update({ind.id: ind for ind in (SOCIOECONOMIC_INDEX, OMRADESTYP)})
        meta["derived"] = notes
    if areas is not None and len(areas):
        summary, measures = summary_measures(values, areas)
        if len(summary):
            values = concat_values([values, summary.assign(**{DERIVED_FLAG: True})])
            catalog.update(measures)
    return Derived(values, catalog, meta)


def coarser_values(
    values: pd.DataFrame, areas: pd.DataFrame, indicators: Mapping[str, Indicator]
) -> tuple[pd.DataFrame, dict]:
    """Rows of the coarser levels aggregated from each indicator's finest level, only where the coarser level
    was not imported for that indicator, year, breakdown and area; and the meta describing them.

    Cheap when everything is imported (as in the demo): what is there is counted per group (indicator, level,
    year, breakdown) in one pass, and only finer rows of groups with coarse values absent are aggregated.
    """
    kinds = {k: ind.kind for k, ind in indicators.items() if ind.kind in AGGREGATED_KINDS}
    groups = group_sizes(values)
    groups = groups[groups["indicator"].isin(list(kinds))]
    if groups.empty:
        return values.iloc[0:0], {}
    rank = groups["level"].map(LEVELS.index)
    finest = rank.groupby(groups["indicator"]).transform("min")
    fine_groups = groups[rank == finest]
    area_levels = set(areas["level"])
    country = _country_code(values, areas)
    frames, described, sources = [], {}, set()
    for from_level, own in fine_groups.groupby("level", sort=False):
        if from_level not in area_levels:
            continue
        for target in LEVELS[LEVELS.index(from_level) + 1 :]:
            if target == "regso" and "regso" not in area_levels:
                continue
            parents = parent_codes(areas, from_level, target, country)
            parents = parents[parents != ""]
            derived = _aggregate_where_absent(values, own, parents, indicators, from_level, target, country)
            if len(derived):
                frames.append(derived)
                sources.add(from_level)
                for ind in derived["indicator"].astype(str).unique():
                    how = AGGREGATED_KINDS[kinds[ind]].format(level=from_level)
                    described.setdefault(ind, {})[target] = how
    if not frames:
        return values.iloc[0:0], {}
    meta = {"aggregated": described}
    coverage = _coverage(areas, country) if sources & {"deso", "regso"} else {}
    if coverage:
        meta["coverage"] = coverage
    return pd.concat(frames, ignore_index=True), meta


def group_sizes(values: pd.DataFrame) -> pd.DataFrame:
    """Rows per (indicator, level, year, breakdown) present in a normalised value table: columns of those
    names and ``n``, counted with bincounts over the category codes in chunks (no table-sized groupby)."""
    columns = ("indicator", "level", "breakdown")
    if values.empty:
        return pd.DataFrame({c: [] for c in (*GROUP, "level", "n")})
    categories = [values[c].cat.categories for c in columns]
    year = values["year"].to_numpy()
    first = int(year.min())
    shape = (len(categories[0]), len(categories[1]), int(year.max()) - first + 1, len(categories[2]))
    counts = np.zeros(int(np.prod(shape)), dtype=np.int64)
    codes = [values[c].cat.codes.to_numpy() for c in columns]
    for start in range(0, len(year), CHUNK):
        part = slice(start, start + CHUNK)
        key = np.ravel_multi_index(
            (codes[0][part], codes[1][part], year[part].astype(np.int64) - first, codes[2][part]), shape
        )
        counts += np.bincount(key, minlength=len(counts))
    found = np.flatnonzero(counts)
    ind, level, yr, bd = np.unravel_index(found, shape)
    return pd.DataFrame(
        {
            "indicator": categories[0].astype(str)[ind],
            "level": categories[1].astype(str)[level],
            "year": yr + first,
            "breakdown": categories[2].astype(str)[bd],
            "n": counts[found],
        }
    )


def _aggregate_where_absent(
    values: pd.DataFrame,
    fine_groups: pd.DataFrame,
    parents: pd.Series,
    indicators: Mapping[str, Indicator],
    from_level: str,
    target: str,
    country: str,
) -> pd.DataFrame:
    """Aggregated rows of ``target`` (status ok only) for the keys the table does not have yet."""
    if parents.empty:
        return values.iloc[0:0]
    there = values[(values["level"] == target) & values["indicator"].isin(fine_groups["indicator"].unique())]
    there = there[there["code"].isin(parents.unique())]
    have = group_sizes(there)
    todo = fine_groups.merge(have[[*GROUP, "n"]], on=GROUP, how="left", suffixes=("", "_there"))
    todo = todo[~(todo["n_there"] >= parents.nunique())]
    if todo.empty:
        return values.iloc[0:0]
    fine = values[(values["level"] == from_level) & values["indicator"].isin(todo["indicator"].unique())]
    if len(todo) < len(fine_groups[fine_groups["indicator"].isin(todo["indicator"])]):
        wanted = pd.MultiIndex.from_frame(todo[GROUP].astype({"year": fine["year"].dtype}))
        fine = fine[pd.MultiIndex.from_frame(fine[GROUP]).isin(wanted)]
    out = []
    areas = pd.DataFrame({"code": parents.index, "level": from_level, target: parents.to_numpy()})
    per_year = fine["year"].value_counts().sort_index()
    batch = (per_year.cumsum() - 1) // BATCH_ROWS  # whole years, about BATCH_ROWS rows at a time
    for years in per_year.index.groupby(batch.to_numpy()).values():
        part = fine[fine["year"].isin(years)]
        result = aggregate(part, areas, indicators, from_level, [target], country).values
        result = result[result["status"] == "ok"]
        if len(there) and len(result):
            result = result[~pd.MultiIndex.from_frame(result[KEY]).isin(pd.MultiIndex.from_frame(there[KEY]))]
        out.append(result)
    return pd.concat(out, ignore_index=True) if out else values.iloc[0:0]


def _country_code(values: pd.DataFrame, areas: pd.DataFrame) -> str:
    """The code the dataset writes the whole country with: its riket area's, an imported one's, or SE."""
    for table in (areas, values):
        found = pd.unique(table.loc[table["level"] == "riket", "code"].astype(str))
        if len(found):
            return str(found[0])
    return COUNTRY_CODE


def _coverage(areas: pd.DataFrame, country: str) -> dict:
    """Counties and the country whose loaded municipalities outnumber those with finer (DeSO, RegSO) areas:
    {level: {code: [with finer areas, all loaded]}}. Empty without a municipality level. Only said when
    some value was derived from a finer level (a value derived from the municipalities covers them all)."""
    kommuner = areas[areas["level"] == "kommun"]
    finer = areas[areas["level"].isin(["deso", "regso"])]
    if kommuner.empty or finer.empty:
        return {}
    covered = set(finer["kommun"]) & set(kommuner["code"])
    lan = kommuner["lan"].where(kommuner["lan"] != "", kommuner["code"].str[:2])
    per_lan = pd.DataFrame({"lan": lan, "covered": kommuner["code"].isin(covered)}).groupby("lan")["covered"]
    counts = per_lan.agg(["sum", "size"])
    counts = counts[(counts["sum"] > 0) & (counts["sum"] < counts["size"])]
    out: dict = {}
    if len(counts):
        out["lan"] = {str(c): [int(a), int(b)] for c, a, b in counts.itertuples()}
    if len(covered) < len(kommuner):
        out["riket"] = {country: [len(covered), len(kommuner)]}
    return out


def _with_omradestyper(base: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The table with the socioeconomic index and områdestyper of every RegSO year that has their inputs."""
    if not set(INDEX_INPUTS) <= set(base["indicator"].unique()):
        return base, []
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
                        DERIVED_FLAG: True,
                    }
                )
            )
    if not rows:
        return base, []
    return concat_values([base, *rows]), notes
