"""Values of coarser levels (regso, kommun, lan, riket) computed from a finer level through parent codes.

Always from counts: counts are summed; shares, rates and means are sum(numerators) / sum(denominators)
times the scale the finer values use (100 for percent). Never by averaging shares. A coarse area gets status
``missing`` with a note when any of its finer areas lacks the counts (missing, suppressed, or only a share
published), and for kinds that cannot be built from counts (median, index, category).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.model import LEVELS, VALUE_COLUMNS, Indicator, InputError, normalise_values

COUNTRY_CODE = "SE"
RATIO_KINDS = ("share", "rate", "mean")
KEYS = ["indicator", "code", "year", "breakdown"]


@dataclass(frozen=True)
class Aggregation:
    """Rows in the value table's shape, and one note per row that is missing (or partial), with why."""

    values: pd.DataFrame
    notes: pd.DataFrame


def parent_codes(areas: pd.DataFrame, level: str, target: str, country_code: str = COUNTRY_CODE) -> pd.Series:
    """Code of the ``target`` area each area of ``level`` lies in, from the area table's parent columns
    (falling back on SCB's code prefixes: kommun = first 4 characters, län = first 2). '' where unknown."""
    frame = areas[areas["level"] == level].set_index("code")
    codes = frame.index.to_series().astype(str)
    if target == "riket":
        return pd.Series(country_code, index=codes.index)
    given = (
        frame[target].fillna("").astype(str) if target in frame.columns else pd.Series("", index=codes.index)
    )
    if target == "kommun":
        fallback = codes.str[:4]
    elif target == "lan":
        kommun = parent_codes(areas, level, "kommun", country_code) if level != "kommun" else codes
        fallback = kommun.str[:2]
    else:
        fallback = pd.Series("", index=codes.index)
    return given.where(given != "", fallback)


def _scales(fine: pd.DataFrame) -> pd.Series:
    """Per indicator, the power of ten turning numerator/denominator into the published value (1, 100 …)."""
    ok = fine[(fine["status"] == "ok") & (fine["numerator"] > 0) & (fine["denominator"] > 0)]
    ratio = ok["value"] * ok["denominator"] / ok["numerator"]
    ratio = ratio.groupby(ok["indicator"], observed=True).median()
    return (10 ** np.round(np.log10(ratio.where(ratio > 0)))).fillna(1.0)


def _per_row(column: pd.Series, by_label: pd.Series, default: object) -> np.ndarray:
    """``by_label`` looked up for every row of ``column`` (one look-up per distinct label, not per row)."""
    labels = column if isinstance(column.dtype, pd.CategoricalDtype) else column.astype("category")
    table = by_label.reindex(labels.cat.categories.astype(str)).to_numpy(dtype=object)
    codes = labels.cat.codes.to_numpy()
    return np.where(codes >= 0, table[codes], default)


def _aggregate_to(
    fine: pd.DataFrame, parents: pd.Series, kinds: pd.Series, scales: pd.Series, level: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of one coarse level and their notes; ``parents`` maps every finer area to its coarse code.

    A ratio's finer values enter as scaled numerators (numerator × scale), or, where only the denominator
    is published, as value × denominator: the mean weighted by the denominators, never a plain average.
    """
    expected = parents.value_counts()
    parent = _per_row(fine["code"], parents, None)
    known = pd.notna(parent)
    fine, parent = fine[known], parent[known]
    kind = _per_row(fine["indicator"], kinds, "share")
    is_count = kind == "count"
    scale = _per_row(fine["indicator"], scales, 1.0).astype(float)
    ok = (fine["status"] == "ok").to_numpy()
    value, num, den = (fine[c].to_numpy() for c in ("value", "numerator", "denominator"))
    weighted = np.where(np.isnan(num), value * den, num * scale)
    usable = np.where(is_count, ok, ~np.isnan(weighted) & ~np.isnan(den))
    tagged = pd.DataFrame(
        {
            "indicator": fine["indicator"].to_numpy(),
            "code": pd.Categorical(parent),
            "year": fine["year"].to_numpy(),
            "breakdown": fine["breakdown"].to_numpy(),
            "n_rows": np.ones(len(fine), dtype=np.int32),
            "n_usable": usable.astype(np.int32),
            "n_value": ~np.isnan(value),
            "total": np.where(usable, np.where(is_count, value, weighted), 0.0),
            "den": np.where(usable & ~is_count, den, 0.0),
            "num": np.nan_to_num(num),
            "den_all": np.nan_to_num(den),
            "n_num": ~np.isnan(num),
            "n_den": ~np.isnan(den),
        }
    )
    out = tagged.groupby(KEYS, sort=True, observed=True).sum().reset_index()
    kind = _per_row(out["indicator"], kinds, "share")
    n_children = out["code"].astype(str).map(expected).to_numpy(dtype=int)
    n_rows, n_usable = out["n_rows"].to_numpy(), out["n_usable"].to_numpy()
    is_count, is_ratio = kind == "count", np.isin(kind, RATIO_KINDS)
    complete = (n_usable == n_children) & (n_rows == n_children)
    total, den_sum = out["total"].to_numpy(), out["den"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = total / np.where(den_sum != 0, den_sum, np.nan)
    value = np.where(is_count, total, ratio)
    status_ok = complete & (is_count | is_ratio) & ~np.isnan(value)
    rows = out[["indicator", "code", "year", "breakdown"]].assign(
        level=level,
        value=np.where(status_ok, value, np.nan),
        status=np.where(status_ok, "ok", "missing"),
        numerator=np.where(out["n_num"].to_numpy() == n_rows, out["num"].to_numpy(), np.nan),
        denominator=np.where(out["n_den"].to_numpy() == n_rows, out["den_all"].to_numpy(), np.nan),
    )
    reason = np.full(len(out), "", dtype=object)
    lacking = n_children - n_usable
    what = np.where(is_count, "a value", "counts (numerator or denominator)")
    for i in np.flatnonzero(~complete):
        reason[i] = f"{lacking[i]} of {n_children[i]} finer areas lack {what[i]}"
    only_shares = ~is_count & (out["n_den"].to_numpy() == 0) & (out["n_value"].to_numpy() > 0)
    reason[only_shares] = "only shares are published; averaging shares would be wrong"
    reason[complete & (is_count | is_ratio) & np.isnan(value)] = "denominator sums to zero"
    for i in np.flatnonzero(~(is_count | is_ratio)):
        reason[i] = f"a {kind[i]} cannot be aggregated from finer areas"
    noted = reason != ""
    notes = rows.loc[noted, ["indicator", "level", "code", "year", "breakdown"]].assign(note=reason[noted])
    return rows, notes


def aggregate_groups(
    values: pd.DataFrame, groups: pd.Series, indicators: Mapping[str, Indicator], label: str
) -> Aggregation:
    """Aggregate ``values`` (one level) over groups of its areas: ``groups`` maps an area code to its group
    (areas not in it are left out). The rows carry the group as ``code`` and ``label`` as ``level``; each
    group is complete only when every area mapped to it has what its kind needs, as for coarser levels."""
    kinds = pd.Series({key: ind.kind for key, ind in indicators.items()}, dtype=object)
    fine = values[values["code"].astype(str).isin(groups.index)]
    rows, notes = _aggregate_to(fine, groups.astype(str), kinds, _scales(values), label)
    return Aggregation(rows, notes)


def aggregate(
    values: pd.DataFrame,
    areas: pd.DataFrame,
    indicators: Mapping[str, Indicator],
    from_level: str,
    to_levels: Iterable[str] = ("regso", "kommun", "lan", "riket"),
    country_code: str = COUNTRY_CODE,
) -> Aggregation:
    """Aggregate every indicator of ``from_level`` to each coarser level in ``to_levels``.

    ``areas`` needs columns code, level and the parent columns (kommun, lan, regso; '' where unknown); the
    finer areas listed there are the ones each coarse value must cover. Indicators missing from
    ``indicators`` are treated as kind ``share``.
    """
    if from_level not in LEVELS:
        raise InputError(f"unknown level {from_level!r}")
    unknown_levels = [lv for lv in to_levels if lv not in LEVELS]
    if unknown_levels:
        raise InputError(f"unknown level(s) {unknown_levels}")
    targets = [lv for lv in to_levels if LEVELS.index(lv) > LEVELS.index(from_level)]
    fine = values[values["level"] == from_level]
    kinds = pd.Series({key: ind.kind for key, ind in indicators.items()}, dtype=object)
    scales = _scales(fine)
    frames, notes = [], []
    for target in targets:
        parents = parent_codes(areas, from_level, target, country_code)
        unknown = parents.index[parents == ""]
        if len(unknown):
            notes.append(
                pd.DataFrame(
                    [
                        {
                            "indicator": "*",
                            "level": target,
                            "code": "",
                            "year": 0,
                            "breakdown": "*",
                            "note": f"{len(unknown)} {from_level} area(s) without a {target} code, left out: "
                            f"{', '.join(unknown[:5])}",
                        }
                    ]
                )
            )
        rows, row_notes = _aggregate_to(fine, parents[parents != ""], kinds, scales, target)
        frames.append(rows)
        notes.append(row_notes)
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({c: [] for c in VALUE_COLUMNS})
    note_columns = ["indicator", "level", "code", "year", "breakdown", "note"]
    note_frame = pd.concat(notes, ignore_index=True) if notes else pd.DataFrame(columns=note_columns)
    return Aggregation(normalise_values(frame), note_frame.reindex(columns=note_columns))
