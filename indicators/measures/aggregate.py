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
    ratio = (ok["value"] * ok["denominator"] / ok["numerator"]).groupby(ok["indicator"]).median()
    return (10 ** np.round(np.log10(ratio.where(ratio > 0)))).fillna(1.0)


def _aggregate_to(
    fine: pd.DataFrame, parents: pd.Series, kinds: pd.Series, scales: pd.Series, level: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Rows of one coarse level and their notes; ``parents`` maps every finer area to its coarse code."""
    expected = parents.value_counts()
    tagged = fine.assign(code=fine["code"].astype(str).map(parents)).dropna(subset=["code"])
    has_counts = tagged["numerator"].notna() & tagged["denominator"].notna()
    ok = tagged["status"] == "ok"
    tagged = tagged.assign(
        n_rows=1,
        n_ok=ok.astype(int),
        n_counts=has_counts.astype(int),
        n_value=tagged["value"].notna(),
        ok_value=tagged["value"].where(ok, 0.0),
        num=tagged["numerator"].where(has_counts, 0.0),
        den=tagged["denominator"].where(has_counts, 0.0),
        num_all=tagged["numerator"].isna().astype(int),
        den_all=tagged["denominator"].isna().astype(int),
    )
    sums = tagged.groupby(KEYS, sort=True, observed=True)[
        ["n_rows", "n_ok", "n_counts", "n_value", "ok_value", "num", "den", "num_all", "den_all"]
    ].sum()
    out = sums.reset_index()
    kind = out["indicator"].map(kinds).fillna("share")
    n_children = out["code"].map(expected).astype(int)
    is_count, is_ratio = kind == "count", kind.isin(RATIO_KINDS)
    usable = np.where(is_count, out["n_ok"], out["n_counts"])
    complete = (usable == n_children) & (out["n_rows"] == n_children)
    ratio_value = out["num"] / out["den"].where(out["den"] != 0) * out["indicator"].map(scales).fillna(1.0)
    value = np.where(is_count, out["ok_value"], ratio_value)
    status_ok = complete & (is_count | is_ratio) & ~np.isnan(value)
    rows = out[["indicator", "code", "year", "breakdown"]].assign(
        level=level,
        value=np.where(status_ok, value, np.nan),
        status=np.where(status_ok, "ok", "missing"),
        numerator=np.where(is_count, np.where(out["num_all"] == 0, out["num"], np.nan), out["num"]),
        denominator=np.where(is_count, np.where(out["den_all"] == 0, out["den"], np.nan), out["den"]),
    )
    reason = pd.Series("", index=out.index, dtype=object)
    lacking = n_children - usable
    what = np.where(is_count, "a value", "counts (numerator and denominator)")
    reason[~complete] = [
        f"{k} of {n} finer areas lack {w}"
        for k, n, w in zip(lacking[~complete], n_children[~complete], what[~complete], strict=True)
    ]
    only_shares = ~is_count & (out["n_counts"] == 0) & (out["n_value"] > 0)
    reason[only_shares] = "only shares are published; averaging shares would be wrong"
    reason[complete & (is_count | is_ratio) & np.isnan(value)] = "denominator sums to zero"
    reason[~(is_count | is_ratio)] = [
        f"a {k} cannot be aggregated from finer areas" for k in kind[~(is_count | is_ratio)]
    ]
    notes = rows.loc[reason != "", ["indicator", "level", "code", "year", "breakdown"]].assign(
        note=reason[reason != ""]
    )
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
