"""Classic single-group segregation indices for the areas of one region and year, from group counts.

Inputs are counts per area: ``group`` (xᵢ, persons of the group), ``total`` (tᵢ, everyone) and, for the
exposure index, ``other`` (yᵢ, default tᵢ − xᵢ). Series are aligned on their index (area codes); plain arrays
are numbered 0..n−1. Areas with a zero or missing total or a missing group count are left out, and the
result says which and why. An index that is undefined for the data (nobody or everybody in the group) is
NaN with a reason, never a made-up number. Formulas: docs/measures.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.model import InputError

Counts = pd.Series | np.ndarray | Sequence[float]


@dataclass(frozen=True)
class IndexResult:
    """One index value, the areas it rests on, and why anything was left out or undefined."""

    value: float
    n_areas: int
    excluded: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def defined(self) -> bool:
        return not np.isnan(self.value)


@dataclass(frozen=True)
class _Clean:
    x: np.ndarray
    t: np.ndarray
    y: np.ndarray | None
    codes: pd.Index
    excluded: tuple[str, ...]
    notes: tuple[str, ...]


def _as_series(values: Counts, name: str) -> pd.Series:
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values, dtype=float))
    series = pd.to_numeric(series, errors="coerce").astype(float)
    if (series < 0).any():
        raise InputError(f"negative counts in {name}: {list(series.index[series < 0].astype(str)[:5])}")
    return series.rename(name)


def _clean(group: Counts, total: Counts, other: Counts | None = None) -> _Clean:
    """Align the counts, check them, and drop the areas an index cannot use."""
    columns = [_as_series(group, "group"), _as_series(total, "total")]
    if other is not None:
        columns.append(_as_series(other, "other"))
    frame = pd.concat(columns, axis=1)
    codes = frame.index.astype(str)
    missing = frame.isna().any(axis=1).to_numpy()
    empty = ~missing & (frame["total"] == 0).to_numpy()
    notes = []
    if missing.any():
        listed = ", ".join(codes[missing][:5])
        notes.append(f"{int(missing.sum())} area(s) left out: a count is missing ({listed})")
    if empty.any():
        notes.append(f"{int(empty.sum())} area(s) left out: total is zero ({', '.join(codes[empty][:5])})")
    keep = ~(missing | empty)
    frame = frame[keep]
    too_many = frame["group"] > frame["total"]
    if other is not None:
        too_many |= frame["group"] + frame["other"] > frame["total"]
    if too_many.any():
        listed = list(frame.index[too_many].astype(str)[:5])
        raise InputError(f"group count exceeds total in area(s) {listed}")
    return _Clean(
        x=frame["group"].to_numpy(),
        t=frame["total"].to_numpy(),
        y=frame["other"].to_numpy() if other is not None else None,
        codes=codes[keep],
        excluded=tuple(codes[~keep]),
        notes=tuple(notes),
    )


def _result(value: float, data: _Clean, *reasons: str) -> IndexResult:
    return IndexResult(float(value), len(data.x), data.excluded, data.notes + tuple(r for r in reasons if r))


def _undefined_reason(data: _Clean, *, needs_both_groups: bool = True) -> str:
    """Why an index over these areas has no value, or '' when it has one."""
    if len(data.x) == 0:
        return "undefined: no area with a population"
    share = data.x.sum() / data.t.sum()
    if share == 0:
        return "undefined: nobody belongs to the group"
    if needs_both_groups and share == 1:
        return "undefined: everybody belongs to the group"
    return ""


def dissimilarity(group: Counts, total: Counts) -> IndexResult:
    """Dissimilarity D = Σ tᵢ |pᵢ − P| / (2 T P (1 − P)), between the group and everybody else (0..1)."""
    data = _clean(group, total)
    if reason := _undefined_reason(data):
        return _result(np.nan, data, reason)
    T, P = data.t.sum(), data.x.sum() / data.t.sum()
    return _result((data.t * np.abs(data.x / data.t - P)).sum() / (2 * T * P * (1 - P)), data)


def dissimilarity_between(group_a: Counts, group_b: Counts) -> IndexResult:
    """Dissimilarity between two groups: ½ Σ |aᵢ/A − bᵢ/B| (0..1). Areas missing a count are left out."""
    a, b = _as_series(group_a, "a"), _as_series(group_b, "b")
    data = _clean(a, a.add(b), None)
    if len(data.x) == 0:
        return _result(np.nan, data, "undefined: no area with either group")
    b_counts = data.t - data.x
    if data.x.sum() == 0 or b_counts.sum() == 0:
        return _result(np.nan, data, "undefined: one of the two groups is absent")
    return _result(0.5 * np.abs(data.x / data.x.sum() - b_counts / b_counts.sum()).sum(), data)


def isolation(group: Counts, total: Counts) -> IndexResult:
    """Isolation xPx = Σ (xᵢ/X)(xᵢ/tᵢ): the group's share in the area of an average group member (0..1)."""
    data = _clean(group, total)
    if reason := _undefined_reason(data, needs_both_groups=False):
        return _result(np.nan, data, reason)
    return _result(((data.x / data.x.sum()) * (data.x / data.t)).sum(), data)


def exposure(group: Counts, total: Counts, other: Counts | None = None) -> IndexResult:
    """Exposure xPy = Σ (xᵢ/X)(yᵢ/tᵢ): the other group's share in the area of an average group member.

    ``other`` defaults to everybody outside the group (tᵢ − xᵢ), which makes xPx + xPy = 1.
    """
    data = _clean(group, total, other)
    if reason := _undefined_reason(data, needs_both_groups=False):
        return _result(np.nan, data, reason)
    y = data.t - data.x if data.y is None else data.y
    return _result(((data.x / data.x.sum()) * (y / data.t)).sum(), data)


def _binary_entropy(p: np.ndarray | float) -> np.ndarray:
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(1 / np.where(p > 0, p, 1)), 0.0)
        terms += np.where(p < 1, (1 - p) * np.log(1 / np.where(p < 1, 1 - p, 1)), 0.0)
    return terms


def theil_entropy(group: Counts, total: Counts) -> IndexResult:
    """Theil's entropy index H = Σ tᵢ (E − Eᵢ) / (E T), E the two-group entropy (0..1)."""
    data = _clean(group, total)
    if reason := _undefined_reason(data):
        return _result(np.nan, data, reason)
    T, P = data.t.sum(), data.x.sum() / data.t.sum()
    E, Ei = _binary_entropy(P), _binary_entropy(data.x / data.t)
    return _result((data.t * (E - Ei)).sum() / (E * T), data)


def _weighted_mean_abs_difference(values: np.ndarray, weights: np.ndarray) -> float:
    """Σᵢ Σⱼ wᵢ wⱼ |vᵢ − vⱼ| in O(n log n) (sorted values, cumulative weights)."""
    order = np.argsort(values, kind="stable")
    v, w = values[order], weights[order]
    below = np.cumsum(w) - w  # weight strictly before each sorted position
    return float(2 * (w * v * below).sum() - 2 * (w * v * (w.sum() - below - w)).sum())


def gini_segregation(group: Counts, total: Counts) -> IndexResult:
    """Segregation Gini = Σᵢ Σⱼ tᵢ tⱼ |pᵢ − pⱼ| / (2 T² P (1 − P)) (0..1), as PySAL's singlegroup.Gini."""
    data = _clean(group, total)
    if reason := _undefined_reason(data):
        return _result(np.nan, data, reason)
    T, P = data.t.sum(), data.x.sum() / data.t.sum()
    return _result(_weighted_mean_abs_difference(data.x / data.t, data.t) / (2 * T * T * P * (1 - P)), data)


def gini_of_values(values: Counts, weights: Counts | None = None) -> IndexResult:
    """Gini of an indicator's values across areas, weighted (e.g. by population) or not.

    G = Σᵢ Σⱼ wᵢ wⱼ |vᵢ − vⱼ| / (2 W² v̄), v̄ the weighted mean: 0 when every area has the same value. Areas
    with a missing value or a zero/missing weight are left out. Undefined (NaN) for negative values or v̄ = 0.
    """
    v = pd.to_numeric(values if isinstance(values, pd.Series) else pd.Series(values), errors="coerce")
    v = v.astype(float).rename("value")
    w = pd.Series(1.0, index=v.index) if weights is None else _as_series(weights, "weight")
    data = _clean(pd.Series(0.0, index=v.index), w, None)
    kept = data.codes
    v = v.set_axis(v.index.astype(str)).reindex(kept)
    w_kept = data.t
    ok = v.notna().to_numpy()
    notes = [
        n.replace("total is zero", "weight is zero").replace("a count", "the weight") for n in data.notes
    ]
    if not ok.all():
        notes.append(f"{int((~ok).sum())} area(s) left out: value is missing ({', '.join(kept[~ok][:5])})")
    excluded = data.excluded + tuple(kept[~ok])
    vals, wts = v.to_numpy()[ok], w_kept[ok]
    if len(vals) == 0:
        return IndexResult(np.nan, 0, excluded, (*notes, "undefined: no area with a value"))
    if (vals < 0).any():
        return IndexResult(np.nan, len(vals), excluded, (*notes, "undefined: negative values"))
    mean = (vals * wts).sum() / wts.sum()
    if mean == 0:
        return IndexResult(np.nan, len(vals), excluded, (*notes, "undefined: every value is zero"))
    gini = _weighted_mean_abs_difference(vals, wts) / (2 * wts.sum() ** 2 * mean)
    return IndexResult(float(gini), len(vals), excluded, tuple(notes))


def location_quotients(group: Counts, total: Counts) -> pd.Series:
    """LQᵢ = (xᵢ/tᵢ) / (X/T) per area: above 1 = the group is over-represented. NaN where not computable."""
    data = _clean(group, total)
    index = _as_series(total, "total").index.astype(str)
    out = pd.Series(np.nan, index=index, name="location_quotient")
    if len(data.x) and data.x.sum() > 0:
        out.loc[data.codes] = (data.x / data.t) / (data.x.sum() / data.t.sum())
    return out


def segregation_indices(group: Counts, total: Counts) -> dict[str, IndexResult]:
    """Every single-group index for one region and year, keyed by a short name."""
    return {
        "dissimilarity": dissimilarity(group, total),
        "isolation": isolation(group, total),
        "exposure": exposure(group, total),
        "theil_entropy": theil_entropy(group, total),
        "gini": gini_segregation(group, total),
    }
