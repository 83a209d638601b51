"""Fictional but realistic values for the demo geography: 13 years of every catalog indicator at every level.

Everything starts from counts per DeSO, year, sex and birth region (Sweden/abroad), driven by one latent
disadvantage score per DeSO: a municipality baseline, a smooth spatial field, a few concentrated
disadvantaged neighbourhoods in cities and suburbs, a few affluent ones, and noise. The score spreads out
slowly over the years, so areas diverge. Coarser levels sum the DeSO counts (shares are never averaged);
medians are the exception, see ``_median``. Small denominators are suppressed, and indicators that do not
exist every year (election turnout) are missing in the other years.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from data.demo_table import ValueTable
from indicators.catalog import COMPUTED, SEI_INPUTS
from indicators.model import Indicator, concat_values, normalise_values

YEARS: tuple[int, ...] = tuple(range(2011, 2024))
ELECTION_YEARS = (2014, 2018, 2022)
MIN_DENOMINATOR = 10
"""Shares, rates and medians of fewer persons than this are suppressed."""
OMRADESTYP_CUTS = (2.0, 1.0, 0.0, -1.0)
"""Standardised index at or above the n-th cut gives områdestyp n (5 below the last cut). Our assumption of
SCB's σ scheme; the index grows with socioeconomic challenges."""
_CHARACTERS = ("city", "suburb", "rural")
_MISSING_YEARS = {
    "voter_turnout": set(YEARS) - set(ELECTION_YEARS),
    "voter_turnout_riksdag": set(YEARS) - set(ELECTION_YEARS),
    "neet_youth": {2011},
}

# id: (denominator, share at score 0 for Swedish-born men, score effect, born-abroad effect, female effect,
#      change over the 13 years, shift for city/suburb/rural), effects on the logit scale.
_SHARES = {
    "low_economic_standard": ("all", 0.085, 0.60, 0.90, 0.05, 0.15, (0.0, -0.1, 0.15)),
    "education_pre_upper_secondary": ("20-64", 0.09, 0.50, 1.00, -0.20, -0.35, (-0.1, 0.0, 0.25)),
    "welfare_or_long_unemployment": ("20-64", 0.028, 0.70, 1.00, 0.0, 0.0, (0.0, -0.1, 0.05)),
    "employment_rate": ("20-64", 0.86, -0.55, -0.95, -0.15, 0.15, (0.0, 0.1, -0.05)),
    "unemployment_rate": ("20-64", 0.04, 0.55, 0.90, -0.05, 0.0, (0.0, -0.1, 0.1)),
    "neet_youth": ("20-25", 0.07, 0.50, 0.60, 0.0, -0.10, (0.0, -0.1, 0.1)),
    "economic_assistance": ("all", 0.018, 0.80, 1.10, 0.0, -0.15, (0.0, -0.1, 0.0)),
    "child_low_economic_standard": ("0-17", 0.13, 0.70, 1.00, 0.0, 0.05, (0.0, -0.1, 0.15)),
    "preschool_enrolment": ("1-5", 0.85, -0.35, -0.60, 0.0, 0.25, (0.1, 0.1, -0.1)),
    "eligible_upper_secondary": ("grade9", 0.87, -0.50, -0.90, 0.25, -0.05, (0.0, 0.1, -0.1)),
    "upper_secondary_completion": ("grade10", 0.76, -0.45, -0.60, 0.30, 0.05, (0.0, 0.1, -0.1)),
    "post_secondary_education": ("20-64", 0.42, -0.55, -0.15, 0.45, 0.35, (0.3, 0.1, -0.5)),
    "overcrowding": ("all", 0.07, 0.80, 1.30, 0.0, 0.10, (0.25, 0.0, -0.6)),
    "rental_housing": ("all", 0.30, 0.90, 0.80, 0.0, -0.05, (0.7, 0.0, -0.9)),
    "voter_turnout": ("voters_local", 0.89, -0.60, -1.00, 0.10, 0.05, (0.05, 0.1, -0.05)),
    "voter_turnout_riksdag": ("voters_national", 0.92, -0.60, -0.80, 0.10, 0.05, (0.05, 0.1, -0.05)),
}
# Share of residents in each age band, (Swedish-born, born abroad), before per-area variation.
_AGE_BANDS = {
    "all": (1.0, 1.0),
    "20-64": (0.56, 0.66),
    "20+": (0.77, 0.82),
    "20-25": (0.075, 0.08),
    "0-17": (0.21, 0.15),
    "1-5": (0.06, 0.04),
    "grade9": (0.0115, 0.009),
    "grade10": (0.0115, 0.009),
    "16-64": (0.60, 0.70),
    "voters_local": (0.79, 0.76),
    "voters_national": (0.79, 0.52),
}


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _logit(p: float) -> float:
    return float(np.log(p / (1 - p)))


class _Model:
    """Latent scores and population cells of the demo's DeSOs; arrays are (DeSO, year[, sex, birth])."""

    def __init__(self, deso: pd.DataFrame, rng: np.random.Generator) -> None:
        self.rng, self.n, self.years = rng, len(deso), np.array(YEARS)
        self.tau = (self.years - YEARS[0]) / (YEARS[-1] - YEARS[0])
        self.character = deso["character"].to_numpy()
        self.char_index = np.array([_CHARACTERS.index(c) for c in self.character])
        base = _disadvantage(deso, rng)
        walk = np.cumsum(rng.normal(0, 0.04, (self.n, len(YEARS))), axis=1)
        divergence = np.where(base > 0, 0.15, 0.45)[:, None]  # the affluent side diverges in latent terms
        self.score = base[:, None] * (1 + divergence * self.tau[None, :]) + walk
        foreign_base = np.array([0.13, 0.11, 0.06])[self.char_index]
        logit_f = (
            np.log(foreign_base / (1 - foreign_base))[:, None]
            + 1.0 * self.score
            + 0.35 * self.tau[None, :]
            + rng.normal(0, 0.25, (self.n, 1))
        )
        self.foreign = _sigmoid(logit_f)
        growth = np.array([0.012, 0.010, -0.003])[self.char_index] + rng.normal(0, 0.006, self.n)
        start = rng.integers(800, 2300, self.n)
        people = np.clip(
            np.round(start[:, None] * np.exp(growth[:, None] * (self.years - YEARS[0]))), 600, 3000
        )
        abroad = np.round(people * self.foreign)
        female_share = 0.5 + rng.normal(0, 0.012, (self.n, 1))
        self.pop = np.zeros((self.n, len(YEARS), 2, 2))
        for birth, persons, share in ((0, people - abroad, female_share), (1, abroad, female_share - 0.02)):
            self.pop[:, :, 0, birth] = np.round(persons * share)
            self.pop[:, :, 1, birth] = persons - self.pop[:, :, 0, birth]
        self.age_noise = rng.normal(0, 0.03, (self.n, 1, 1, 1))

    def persons(self, band: str) -> np.ndarray:
        """Persons per cell in an age band (or eligible voters)."""
        swedish, abroad = _AGE_BANDS[band]
        share = np.array([swedish, abroad])[None, None, None, :] * (1 + self.age_noise * (band != "all"))
        return np.round(self.pop * share)

    def logit(
        self,
        at_zero: float,
        score: float,
        abroad: float,
        female: float,
        trend: float,
        shift: tuple[float, float, float],
        noise: float = 0.15,
    ) -> np.ndarray:
        """A (DeSO, year, sex, birth) logit from the latent score and group effects."""
        return (
            _logit(at_zero)
            + score * self.score[:, :, None, None]
            + abroad * np.array([0.0, 1.0])[None, None, None, :]
            + female * np.array([1.0, 0.0])[None, None, :, None]
            + trend * self.tau[None, :, None, None]
            + np.array(shift)[self.char_index][:, None, None, None]
            + self.rng.normal(0, noise, (self.n, 1, 1, 1))
        )


def _disadvantage(deso: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
    """Latent disadvantage per DeSO (higher = more socioeconomic challenges), roughly standard normal."""
    xy = deso[["x", "y"]].to_numpy()
    score = np.array([0.0, -0.15, 0.15])[[_CHARACTERS.index(c) for c in deso["character"]]]
    for _ in range(6):  # a smooth field of plane waves, wavelengths 8-30 km
        direction = rng.uniform(0, 2 * np.pi)
        wave = 2 * np.pi / rng.uniform(8_000, 30_000)
        projected = xy @ np.array([np.cos(direction), np.sin(direction)])
        score += 0.2 * np.sin(wave * projected + rng.uniform(0, 2 * np.pi))
    score += rng.normal(0, 0.3, len(deso))
    for _, rows in deso.groupby("kommun", sort=True):
        character = rows["character"].iloc[0]
        if character == "rural":
            continue
        big = len(rows) > 80
        hot = max(2, len(rows) // 50) if character == "city" else 1 + big
        rich = max(3, len(rows) // 40) if character == "city" else 1
        mid = rows[(rows["letter"] == "C") & rows["core_distance"].between(0.3, 0.85)]
        inner = rows[(rows["letter"] == "C") & (rows["core_distance"] < 0.5)]
        for pool, count, amplitude in ((mid, hot, 1.8), (inner.drop(mid.index, errors="ignore"), rich, -2.5)):
            if len(pool) == 0:
                continue
            for centre in rng.choice(pool.index.to_numpy(), size=min(count, len(pool)), replace=False):
                local = rows[["x", "y"]].to_numpy() - xy[centre]
                distance = np.hypot(local[:, 0], local[:, 1])
                scale = np.sort(distance)[min(4, len(distance) - 1)] + 1.0
                score[rows.index.to_numpy()] += amplitude * np.exp(-((distance / scale) ** 2))
    return score


def build_values(
    deso: pd.DataFrame, indicators: Mapping[str, Indicator], rng: np.random.Generator
) -> pd.DataFrame:
    """The normalised long value table for DeSOs in code order and every coarser level."""
    model = _Model(deso, rng)
    table = ValueTable(deso, YEARS, MIN_DENOMINATOR)
    for indicator in indicators.values():
        if indicator.id in COMPUTED or indicator.kind == "category":
            continue
        kind, first, second = cells(indicator.id, model)
        table.add(indicator, kind, first, second, missing_years=_MISSING_YEARS.get(indicator.id, ()))
    if "omradestyp_official" in indicators:
        table.add_category("omradestyp_official", "regso", table.regso_types(SEI_INPUTS, OMRADESTYP_CUTS))
    return concat_values([normalise_values(frame) for frame in table.frames()])  # categories united


def cells(indicator_id: str, model: _Model) -> tuple[str, np.ndarray, np.ndarray]:
    """(kind, first, second) per DeSO cell: numerator and denominator, weighted value sum and weight, or
    counts and (for quintiles) nothing."""
    rng = model.rng
    if indicator_id in _SHARES:
        band, *effects = _SHARES[indicator_id]
        persons = model.persons(band)
        return "share", rng.binomial(persons.astype(np.int64), _sigmoid(model.logit(*effects))), persons
    if indicator_id == "foreign_born_share":
        return "share", model.pop * np.array([0.0, 1.0]), model.pop
    if indicator_id == "population":
        return "count", model.pop, model.pop
    if indicator_id == "sickness_rate":
        persons = model.persons("16-64")
        days = np.exp(model.logit(0.5, 0.22, 0.12, 0.3, -0.25, (0.0, -0.05, 0.12), noise=0.05))
        return "rate", rng.poisson(persons * 24.0 * days), persons
    if indicator_id == "median_disposable_income":
        persons = model.persons("20+")
        level = 190_000 * 1.032 ** (model.years - YEARS[0])
        income = level[None, :, None, None] * np.exp(
            model.logit(0.5, -0.16, -0.22, -0.08, 0.0, (0.05, 0.03, -0.07), noise=0.05)
        )
        return "median", income * persons, persons
    if indicator_id == "income_quintile":
        return "quintile", _quintiles(model), np.zeros(0)
    raise KeyError(f"the demo has no model for indicator {indicator_id!r}")


def _quintiles(model: _Model) -> np.ndarray:
    """Persons 20+ per DeSO, year and national income quintile (DeSO, year, 5).

    Each DeSO's residents have incomes spread logistically around a position that falls with its disadvantage
    score; quintile limits are the weighted quantiles of the whole demo population, so nationally each holds
    a fifth and the spread of the score over the years drives the Q1/Q5 dissimilarity up.
    """
    adults = model.persons("20+").sum(axis=(2, 3))
    position = -0.5 * model.score - 0.4 * model.foreign + model.rng.normal(0, 0.1, (model.n, 1))
    scale = 0.9
    out = np.zeros((model.n, len(YEARS), 5))
    for t in range(len(YEARS)):
        weights = adults[:, t] / adults[:, t].sum()
        limits = []
        for target in (0.2, 0.4, 0.6, 0.8):
            low, high = -15.0, 15.0
            for _ in range(50):
                mid = (low + high) / 2
                below = (weights * _sigmoid((mid - position[:, t]) / scale)).sum()
                low, high = (mid, high) if below < target else (low, mid)
            limits.append((low + high) / 2)
        cdf = _sigmoid((np.array(limits)[None, :] - position[:, t, None]) / scale)
        probs = np.diff(np.column_stack([np.zeros(model.n), cdf, np.ones(model.n)]), axis=1)
        out[:, t] = model.rng.multinomial(adults[:, t].astype(np.int64), probs)
    return out
