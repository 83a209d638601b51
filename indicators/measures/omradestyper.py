"""SCB/Delmos socioeconomic index per area and the five områdestyper derived from it.

Index = weighted mean of three shares (default equal weights, 0–100, higher = greater challenges):
V1 low economic standard (all ages), V2 aged 20–64 with at most förgymnasial education, V3 aged 20–64 with
ekonomiskt bistånd ≥ 10 months and/or unemployed > 6 months. Types count standard deviations from the mean
of a reference population of areas (by default every area passed in). Sources and open questions:
docs/measures.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import pandas as pd

from indicators.model import InputError

INDEX_INPUTS: tuple[str, ...] = (
    "low_economic_standard",
    "education_pre_upper_secondary",
    "welfare_or_long_unemployment",
)
"""Default column names of V1, V2, V3 in the frame given to ``socioeconomic_index``."""

NATIONAL_REFERENCE_2022: tuple[float, float] = (9.10, 5.47)
"""Mean and standard deviation of the index over all 3,363 RegSO in 2022, as one open reimplementation reports
them (unverified against SCB; see docs/measures.md)."""

DEFAULT_CUTOFFS: tuple[float, float, float, float] = (2.0, 1.0, 0.0, -1.0)
"""Lower bounds of types 1–4 in standard deviations from the mean; type 5 lies below the last one."""

TYPE_NAMES_SV: dict[int, str] = {
    1: "Områden med stora socioekonomiska utmaningar",
    2: "Områden med socioekonomiska utmaningar",
    3: "Socioekonomiskt blandade områden",
    4: "Områden med goda socioekonomiska förutsättningar",
    5: "Områden med mycket goda socioekonomiska förutsättningar",
}
TYPE_NAMES_EN: dict[int, str] = {
    1: "Areas with major socioeconomic challenges",
    2: "Areas with socioeconomic challenges",
    3: "Socioeconomically mixed areas",
    4: "Areas with good socioeconomic conditions",
    5: "Areas with very good socioeconomic conditions",
}


@dataclass(frozen=True)
class OmradestypResult:
    """Index and type per area (type is a nullable Int64: <NA> where it cannot be given), the reference
    mean and standard deviation, the cut-offs used, a description of the reference, and notes."""

    index: pd.Series
    types: pd.Series
    mean: float
    std: float
    cutoffs: tuple[float, ...]
    reference: str
    notes: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()

    def thresholds(self) -> tuple[float, ...]:
        """Index values of the cut-offs: μ + cσ for each cut-off c."""
        return tuple(self.mean + c * self.std for c in self.cutoffs)


def socioeconomic_index(
    shares: pd.DataFrame, columns: Sequence[str] = INDEX_INPUTS, weights: Sequence[float] | None = None
) -> pd.Series:
    """Weighted mean of the input shares per area (equal weights by default). Any input missing → NaN."""
    absent = [c for c in columns if c not in shares.columns]
    if absent:
        raise InputError(f"socioeconomic index needs columns {absent}", column=absent[0])
    w = np.ones(len(columns)) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (len(columns),) or (w < 0).any() or w.sum() == 0:
        raise InputError(f"weights must be {len(columns)} non-negative numbers, not all zero: {weights!r}")
    values = shares[list(columns)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=float)
    index = (values * w).sum(axis=1) / w.sum()
    return pd.Series(
        np.where(np.isnan(values).any(axis=1), np.nan, index), index=shares.index, name="socioeconomic_index"
    )


def _weighted_stats(values: np.ndarray, weights: np.ndarray | None, ddof: int) -> tuple[float, float]:
    if weights is None:
        return float(values.mean()), float(values.std(ddof=ddof)) if len(values) > ddof else np.nan
    mean = float((values * weights).sum() / weights.sum())
    return mean, float(np.sqrt((weights * (values - mean) ** 2).sum() / weights.sum()))


def classify(
    index: pd.Series,
    population: pd.Series | None = None,
    *,
    reference_codes: Iterable[str] | None = None,
    reference_stats: tuple[float, float] | None = None,
    population_weighted: bool = False,
    cutoffs: Sequence[float] = DEFAULT_CUTOFFS,
    ddof: int = 1,
) -> OmradestypResult:
    """Områdestyp per area: 1 if index ≥ μ + c₁σ, 2 if ≥ μ + c₂σ, …, 5 below the last cut-off.

    μ and σ come from ``reference_stats`` when given (e.g. SCB's published national values), else from the
    areas in ``reference_codes`` (default: every area passed in, i.e. the whole country when the whole
    level is passed). They are unweighted by default; ``population_weighted`` weights areas by population
    (σ then is the weighted population standard deviation, ``ddof`` ignored). Areas with a missing index get
    a missing type; areas with zero or missing population (when ``population`` is given) are excluded from
    the reference and get a missing type, with a note.
    """
    cuts = tuple(float(c) for c in cutoffs)
    if len(cuts) != 4 or any(a <= b for a, b in pairwise(cuts)):
        raise InputError(f"cutoffs must be four strictly decreasing numbers, not {cutoffs!r}")
    index = pd.to_numeric(index, errors="coerce").astype(float).set_axis(index.index.astype(str))
    notes: list[str] = []
    usable = index.notna()
    if (~usable).any():
        notes.append(f"{int((~usable).sum())} area(s) without index (an input is missing): type missing")
    excluded: list[str] = []
    pop = None
    if population is None:
        if population_weighted:
            raise InputError("population_weighted needs population")
        notes.append("population not given: no area excluded for zero population")
    else:
        pop = pd.to_numeric(population, errors="coerce").set_axis(population.index.astype(str))
        pop = pop.reindex(index.index)
        empty = ~(pop > 0)
        if empty.any():
            excluded = list(index.index[empty])
            notes.append(
                f"{len(excluded)} area(s) with zero or missing population excluded: {', '.join(excluded[:5])}"
            )
        usable &= ~empty
    if reference_stats is not None:
        mean, std = (float(v) for v in reference_stats)
        reference = f"given statistics (μ = {mean:g}, σ = {std:g})"
    else:
        ref = usable.copy()
        if reference_codes is not None:
            ref &= index.index.isin([str(c) for c in reference_codes])
        weights = pop[ref].to_numpy(dtype=float) if population_weighted and pop is not None else None
        mean, std = _weighted_stats(index[ref].to_numpy(), weights, ddof) if ref.any() else (np.nan, np.nan)
        scope = "all areas passed in" if reference_codes is None else "the given reference areas"
        weighting = "population-weighted" if population_weighted else "unweighted"
        reference = f"{scope} ({int(ref.sum())} with index and population), {weighting}"
    if not (np.isfinite(std) and std > 0):
        notes.append("types undefined: the reference standard deviation is zero or missing")
    types = pd.Series(pd.NA, index=index.index, dtype="Int64", name="omradestyp")
    if np.isfinite(std) and std > 0:
        values = index[usable].to_numpy()
        below = sum((values < mean + c * std).astype(int) for c in cuts)
        types[usable] = 1 + below
    return OmradestypResult(
        index.rename("socioeconomic_index"), types, mean, std, cuts, reference, tuple(notes), tuple(excluded)
    )


def population_by_type(
    types: pd.Series,
    population: pd.Series,
    region_of: pd.Series | Mapping[str, str],
) -> pd.DataFrame:
    """Per region (e.g. municipality): population and share (0–1) living in each type and in areas without
    a type, and the number of areas per type. Columns ``population_1..5``, ``population_missing``,
    ``share_1..5``, ``share_missing``, ``areas_1..5``, ``areas_missing``; shares sum to 1."""
    types = types.set_axis(types.index.astype(str))
    region = pd.Series(region_of) if isinstance(region_of, Mapping) else region_of
    region = region.set_axis(region.index.astype(str)).reindex(types.index)
    pop = pd.to_numeric(population, errors="coerce").set_axis(population.index.astype(str))
    frame = pd.DataFrame(
        {
            "region": region,
            "type": types.astype(object).where(types.notna(), "missing").astype(str),
            "population": pop.reindex(types.index).astype(float).fillna(0.0),
        }
    ).dropna(subset=["region"])
    labels = ["1", "2", "3", "4", "5", "missing"]
    people = frame.pivot_table(
        index="region", columns="type", values="population", aggfunc="sum", fill_value=0.0
    ).reindex(columns=labels, fill_value=0.0)
    areas = frame.pivot_table(
        index="region", columns="type", values="population", aggfunc="size", fill_value=0
    ).reindex(columns=labels, fill_value=0)
    totals = people.sum(axis=1)
    shares = people.div(totals.where(totals > 0), axis=0)
    out = pd.concat(
        [
            people.add_prefix("population_"),
            shares.add_prefix("share_"),
            areas.astype(int).add_prefix("areas_"),
        ],
        axis=1,
    )
    out.columns.name = None
    return out
