"""What every section of a report shares: the dataset, the resolved options, names, and number formatting."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, cached_property

import numpy as np
import pandas as pd

from data.report.options import ReportOptions
from indicators.model import TOTAL, Dataset, Indicator
from styles.legend import LEVEL_AREAS, format_number

GROUP_NAMES: dict[str, tuple[str, str]] = {
    "sex=female": ("kvinnor", "women"),
    "sex=male": ("män", "men"),
    "background=swedish": ("födda i Sverige", "born in Sweden"),
    "background=foreign": ("utrikes födda", "born abroad"),
}


@dataclass(frozen=True, eq=False)
class Scope:
    dataset: Dataset
    options: ReportOptions

    @property
    def lang(self) -> str:
        return self.options.lang

    def t(self, sv: str, en: str) -> str:
        """The text in the report's language."""
        return en if self.lang == "en" else sv

    def fmt(self, value: object, decimals: int = 1, *, signed: bool = False) -> str:
        """Every number of every report output goes through here (and through the legends' formatter)."""
        if value is None or value is pd.NA:
            return "–"
        return format_number(float(value), decimals, self.lang, signed=signed)  # type: ignore[arg-type]

    def value(self, indicator: Indicator, value: object, *, signed: bool = False) -> str:
        return self.fmt(value, indicator.decimals, signed=signed)

    def title_unit(self, indicator: Indicator) -> str:
        """``Förvärvsarbetande (%)``."""
        unit = indicator.unit
        return f"{indicator.title(self.lang)} ({unit})" if unit else indicator.title(self.lang)

    @property
    def years(self) -> tuple[int, ...]:
        first, last = self.options.first, self.options.last
        return tuple(y for y in self.dataset.years_of(self.options.level) if first <= y <= last)  # type: ignore[operator]

    @property
    def span(self) -> str:
        """``2015–2023``, or ``2022`` for one year."""
        first, last = self.options.first, self.options.last
        return f"{first}–{last}" if first != last else str(last)

    @cached_property
    def names(self) -> dict[str, str]:
        """Municipality code → name, for the municipalities in scope."""
        names = self.dataset.municipalities.set_index("code")["name"]
        return {k: str(names.get(k, k)) for k in self.options.kommuner}

    @property
    def scope_name(self) -> str:
        names = list(self.names.values())
        joiner = self.t(" och ", " and ")
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + joiner + names[-1]

    @cached_property
    def lans(self) -> dict[str, str]:
        """County code → name of the counties of the municipalities in scope."""
        codes = dict.fromkeys(k[:2] for k in self.options.kommuner)
        names = (
            self.dataset.area_frame("lan")["name"] if "lan" in self.dataset.levels else pd.Series(dtype=str)
        )
        return {c: str(names.get(c, self.t(f"län {c}", f"county {c}"))) for c in codes}

    def areas(self, level: str | None = None) -> pd.DataFrame:
        """The areas of a level (the report's by default) in the municipalities in scope."""
        frame = self.dataset.area_frame(level or self.options.level)
        return frame[frame["kommun"].isin(self.options.kommuner)]

    def level_areas(self, level: str | None = None) -> str:
        """``RegSO-områden`` / ``RegSO areas``."""
        sv, en = LEVEL_AREAS[level or self.options.level]
        return self.t(sv, en)

    @cached_property
    def present(self) -> dict[str, tuple[int, ...]]:
        """Per indicator, the years in range with at least one value (total) among the areas in scope."""
        v = self.dataset.values
        rows = v[(v["level"] == self.options.level) & (v["breakdown"] == TOTAL) & (v["status"] == "ok")]
        rows = rows[rows["code"].isin(self.areas().index) & rows["year"].isin(self.years)]
        pairs = rows[["indicator", "year"]].drop_duplicates()
        return {
            str(k): tuple(sorted(int(y) for y in g["year"]))
            for k, g in pairs.groupby("indicator", observed=True)
        }

    def reference(self, level: str, code: str, indicator: str, year: int, breakdown: str = TOTAL) -> float:
        """A municipality's, county's or the country's value: the value row ``/api/values/<level>/<year>``
        answers with (looked up among that level's rows, gathered once per report)."""
        key = (code if level != "riket" else None, indicator, year, breakdown)
        return float(self._references(level).get(key, np.nan))

    @cache  # noqa: B019 (a Scope lives for one report)
    def _references(self, level: str) -> dict[tuple, float]:
        if not self.dataset.years_of(level):  # derived levels have values without areas
            return {}
        v = self.dataset.values
        rows = v[(v["level"] == level) & (v["status"] == "ok")]
        rows = rows[rows["year"].between(self.options.first, self.options.last)]
        if level == "riket":
            codes = [None] * len(rows)
        else:
            rows = rows[rows["code"].isin([*self.options.kommuner, *self.lans])]
            codes = rows["code"].astype(str).tolist()
        keys = zip(
            codes,
            rows["indicator"].astype(str),
            rows["year"].astype(int),
            rows["breakdown"].astype(str),
            strict=True,
        )
        return dict(zip(keys, rows["value"].to_numpy(dtype=float).tolist(), strict=True))

    def years_with(self, indicator: str, level: str) -> tuple[int, ...]:
        """Years in range with a value of ``indicator`` (total) for an area of ``level`` in scope."""
        if level not in self.dataset.levels:
            return ()
        v = self.dataset.values
        rows = v[(v["indicator"] == indicator) & (v["level"] == level) & (v["status"] == "ok")]
        rows = rows[
            (rows["breakdown"] == TOTAL) & rows["year"].between(self.options.first, self.options.last)
        ]
        rows = rows[rows["code"].isin(self.areas(level).index)]
        return tuple(sorted(int(y) for y in rows["year"].unique()))

    def group_name(self, group: str) -> str:
        sv, en = GROUP_NAMES.get(group, (group, group))
        return self.t(sv, en)
