"""The deterministic demo dataset: fictional municipalities with valid geography and 13 years of values.

``build_demo()`` is small and fast enough to be the server's fallback when no real data is imported;
``build_demo(areas=6000)`` has the number of Sweden's DeSOs in a few compact counties of city, suburban and
rural municipalities with simple borders; ``build_demo(national=True)`` spreads them over a Sweden-sized
country of 21 counties with real-like borders, coasts and islands (data.demo_national): the national
benchmark.
The same seed always gives the same areas and values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import geopandas as gpd
import numpy as np
import pandas as pd

from data.demo_geometry import CRS, DemoGeography, build_geography
from data.demo_national import NATIONAL_AREAS, build_national_geography
from data.demo_values import YEARS, build_values
from indicators.catalog import CATALOG
from indicators.model import AREA_COLUMNS, Dataset, Indicator, ParameterError

DEFAULT_AREAS = 120
"""DeSOs in the default demo: a city, a suburb and a rural municipality in one county."""
DEFAULT_SEED = 20240101
DEMO_ATTRIBUTION = (
    "Fiktiva data, inte SCB:s statistik / fictional demo data, not SCB's statistics · Barometer"
)
"""The credit line of the demo: its numbers and places are invented, so it credits no statistics agency."""
DEMO_SOURCE = "Fiktiva data (demo)"
"""The source of every demo indicator (the catalog's descriptions say what each one models)."""
MIN_AREAS = 10
MAX_AREAS = 100_000

__all__ = ["CRS", "DEFAULT_AREAS", "DEFAULT_SEED", "NATIONAL_AREAS", "YEARS", "DemoData", "build_demo"]


@dataclass(frozen=True, eq=False)
class DemoData:
    areas: gpd.GeoDataFrame
    """Areas of every level (deso, regso, kommun, lan, riket): AREA_COLUMNS and geometry, EPSG:3006."""
    values: pd.DataFrame
    """The normalised long value table."""
    indicators: Mapping[str, Indicator]
    geography: DemoGeography
    """Build details: DeSO seeds and characters, the municipalities and the region outline."""
    seed: int
    national: bool = False

    def meta(self) -> dict:
        return {
            "title": "Barometer demo (fictional data)",
            "attribution": DEMO_ATTRIBUTION,
            "source": "demo",
            "seed": self.seed,
            "deso": int((self.areas["level"] == "deso").sum()),
            **({"national": True} if self.national else {}),
            "description": "Fiktiva data för demonstration / fictional demo data",
        }

    def dataset(self) -> Dataset:
        """The demo as a versioned Dataset (via data.store.make_dataset)."""
        from data.store import make_dataset

        return make_dataset(self.areas, self.values, self.indicators, self.meta())


def build_demo(areas: int | None = None, seed: int = DEFAULT_SEED, *, national: bool = False) -> DemoData:
    """The demo dataset with about ``areas`` DeSOs (default ``DEFAULT_AREAS``, or ``NATIONAL_AREAS`` when
    ``national``), deterministic in ``seed``."""
    n_deso = (NATIONAL_AREAS if national else DEFAULT_AREAS) if areas is None else int(areas)
    if not MIN_AREAS <= n_deso <= MAX_AREAS:
        raise ParameterError("areas", f"the demo takes {MIN_AREAS} to {MAX_AREAS} DeSO areas, not {n_deso}")
    geometry_rng, values_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    geography = (build_national_geography if national else build_geography)(n_deso, geometry_rng)
    values = build_values(geography.deso, CATALOG, values_rng)
    table = gpd.GeoDataFrame(geography.areas[[*AREA_COLUMNS, "geometry"]], geometry="geometry", crs=CRS)
    indicators = {key: replace(ind, source=DEMO_SOURCE) for key, ind in CATALOG.items()}
    return DemoData(
        areas=table,
        values=values,
        indicators=indicators,
        geography=geography,
        seed=seed,
        national=national,
    )
