"""Turns the demo's DeSO cells into the long value table of every level, fast enough for 6 000 DeSOs.

Cells are arrays (DeSO, year, sex, birth region) or (DeSO, year, quintile). Each coarser level sums the DeSO
cells of its areas, then takes the breakdown's marginal; shares, rates and medians are computed from the
summed counts. String columns are built from small dictionaries with pyarrow, not from Python objects.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from indicators.measures.omradestyper import NATIONAL_REFERENCE_2022, classify, socioeconomic_index
from indicators.model import STATUSES, TOTAL, Indicator

LEVEL_KEYS = {"deso": "code", "regso": "regso", "kommun": "kommun", "lan": "lan", "riket": None}
"""The DeSO table column naming each DeSO's area on a level (riket: everything)."""
RIKET = "SE"
OK, MISSING, SUPPRESSED = (STATUSES.index(s) for s in ("ok", "missing", "suppressed"))


class _Level:
    """The areas of one level and how DeSO rows (in code order) sum into them."""

    def __init__(self, keys: np.ndarray) -> None:
        self.codes, inverse = np.unique(keys, return_inverse=True)
        self.identity = len(self.codes) == len(keys)
        self.order = np.argsort(inverse, kind="stable")
        self.starts = np.flatnonzero(np.r_[True, np.diff(inverse[self.order]) != 0])

    def sum(self, array: np.ndarray) -> np.ndarray:
        return array if self.identity else np.add.reduceat(array[self.order], self.starts, axis=0)


def marginal(array: np.ndarray, breakdown: str) -> np.ndarray:
    """(area, year) totals of one breakdown from (area, year, sex, birth) or (area, year, quintile) cells."""
    if breakdown == TOTAL:
        return array.reshape(*array.shape[:2], -1).sum(axis=2)
    dimension, group = breakdown.split("=")
    if dimension == "quintile":
        return array[:, :, int(group) - 1]
    if dimension == "sex":
        return array[:, :, ("female", "male").index(group), :].sum(axis=2)
    return array[:, :, :, ("swedish", "foreign").index(group)].sum(axis=2)


class ValueTable:
    """Collects value blocks (one indicator, level and breakdown each) and assembles the long table."""

    def __init__(self, deso: pd.DataFrame, years: Sequence[int], min_denominator: float) -> None:
        self.years = np.asarray(years, dtype=np.int32)
        self.min_denominator = min_denominator
        self.levels = {
            level: _Level(deso[key].to_numpy() if key else np.full(len(deso), RIKET, dtype=object))
            for level, key in LEVEL_KEYS.items()
        }
        self.blocks: list[dict] = []

    def add(
        self,
        indicator: Indicator,
        kind: str,
        first: np.ndarray,
        second: np.ndarray,
        missing_years: Collection[int] = (),
    ) -> None:
        """Blocks of every level and breakdown for DeSO cells of one indicator.

        ``kind`` is ``share``/``rate`` (first: numerators, second: denominators), ``median`` (first: value
        times weight, second: weight) or ``count``/``quintile`` (first: counts).
        """
        missing = np.isin(self.years, list(missing_years))[None, :]
        for level_name, level in self.levels.items():
            top_cells = level.sum(first)
            bottom_cells = level.sum(second) if kind not in ("count", "quintile") else None
            for breakdown in indicator.breakdowns:
                top = marginal(top_cells, breakdown)
                if bottom_cells is None:
                    numerator, denominator, value = top, marginal(top_cells, TOTAL), top
                    suppressed = np.zeros(top.shape, dtype=bool)
                else:
                    denominator = marginal(bottom_cells, breakdown)
                    with np.errstate(divide="ignore", invalid="ignore"):
                        value = top / denominator * (100.0 if kind == "share" else 1.0)
                    # A median of a coarser area is approximated by the weighted mean of its DeSOs' medians:
                    # acceptable for fictional data, never for real medians.
                    numerator = np.full(top.shape, np.nan) if kind == "median" else top
                    suppressed = denominator < self.min_denominator
                status = np.where(missing, MISSING, np.where(suppressed, SUPPRESSED, OK)).astype(np.int8)
                self._append(indicator.id, level_name, breakdown, value, status, numerator, denominator)

    def add_category(self, indicator_id: str, level: str, values: np.ndarray) -> None:
        """A total-only category indicator given as (area, year) codes, NaN where missing."""
        status = np.where(np.isnan(values), MISSING, OK).astype(np.int8)
        empty = np.full(values.shape, np.nan)
        self._append(indicator_id, level, TOTAL, values, status, empty, empty)

    def _append(self, indicator: str, level: str, breakdown: str, value, status, numerator, denominator):
        hidden = status != OK
        self.blocks.append(
            {
                "indicator": indicator,
                "level": level,
                "breakdown": breakdown,
                "status": status.ravel(),
                "value": np.where(hidden, np.nan, value).ravel(),
                "numerator": np.where(hidden, np.nan, numerator).ravel(),
                "denominator": np.where(hidden, np.nan, denominator).ravel(),
            }
        )

    def level_values(self, indicator: str, level: str, breakdown: str = TOTAL) -> np.ndarray:
        """The (area, year) values of a block already added."""
        block = next(
            b
            for b in self.blocks
            if (b["indicator"], b["level"], b["breakdown"]) == (indicator, level, breakdown)
        )
        return block["value"].reshape(-1, len(self.years))

    def regso_types(self, inputs: Sequence[str], cuts: Sequence[float]) -> np.ndarray:
        """ "Official" områdestyp per RegSO and year: the RegSO index typed against SCB's national reference
        (as SCB types every RegSO against the whole country), not against the demo's own areas."""
        shares = np.stack([self.level_values(name, "regso") for name in inputs], axis=2)
        out = np.full(shares.shape[:2], np.nan)
        for t in range(len(self.years)):
            index = socioeconomic_index(pd.DataFrame(shares[:, t, :], columns=list(inputs)), inputs)
            types = classify(index, reference_stats=NATIONAL_REFERENCE_2022, cutoffs=cuts).types
            out[:, t] = types.astype(float).to_numpy()
        return out

    def frames(self) -> Iterator[pd.DataFrame]:
        """The blocks as long tables with the model's columns, one per indicator (normalise before use).

        Blocks are released as they are yielded, to keep the peak memory of a large demo low.
        """
        while self.blocks:
            indicator = self.blocks[0]["indicator"]
            count = next(
                (i for i, b in enumerate(self.blocks) if b["indicator"] != indicator), len(self.blocks)
            )
            chunk, self.blocks = self.blocks[:count], self.blocks[count:]
            yield self._frame(chunk)

    def _frame(self, blocks: list[dict]) -> pd.DataFrame:
        sizes = np.array([len(b["value"]) for b in blocks])
        columns = {}
        for column in ("indicator", "level", "breakdown"):
            names = [b[column] for b in blocks]
            dictionary = list(dict.fromkeys(names))
            index = np.repeat(np.array([dictionary.index(n) for n in names], dtype=np.int32), sizes)
            columns[column] = _strings(dictionary, index)
        all_codes = {name: level.codes for name, level in self.levels.items()}
        offsets = np.cumsum([0] + [len(c) for c in all_codes.values()])
        start = dict(zip(all_codes, offsets[:-1], strict=False))
        code_index = np.concatenate(
            [
                np.repeat(
                    np.arange(len(all_codes[b["level"]]), dtype=np.int32) + start[b["level"]], len(self.years)
                )
                for b in blocks
            ]
        )
        columns["code"] = _strings(np.concatenate(list(all_codes.values())).tolist(), code_index)
        columns["year"] = np.tile(self.years, int(sizes.sum() // len(self.years)))
        for column in ("value", "numerator", "denominator"):
            columns[column] = np.concatenate([b[column] for b in blocks])
        status = np.concatenate([b["status"] for b in blocks])
        columns["status"] = pd.Categorical.from_codes(status, categories=list(STATUSES))
        return pd.DataFrame(columns)


def _strings(dictionary: list[str], index: np.ndarray) -> pd.Series:
    taken = pc.take(pa.array(dictionary, type=pa.large_string()), pa.array(index))
    return pd.Series(pd.array(taken, dtype="str"))
