"""A fictional country the size and shape of Sweden for the national benchmark (EPSG:3006, like SCB's files).

A hand-drawn outline of Sweden is made ragged by midpoint displacement (a fractal coastline that sheds
islands), joined by archipelagos, Öland and Gotland. Its 21 counties are the territories of real-like county
seats (Gotland is its island); each holds a city of small DeSOs around its seat, suburbs on big counties'
cities and rural municipalities of a town and a few spread-out DeSOs, so the north gets huge DeSOs and the
cities dense ones. The tessellation's shared edges are densified once (``tessellate(detail=…)``), so borders
have real-like vertex density (≈275 per DeSO; SCB's ≈250) and stay an exact coverage. Codes, names, RegSO
grouping and values come from the ordinary demo machinery.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon

from data.demo_geometry import (
    CITY,
    COUNTY_CODES,
    GRID,
    RURAL,
    SUBURB,
    DemoGeography,
    assemble,
    place_municipalities,
    split,
)
from data.demo_tessellation import Detail, fractal_lines, tessellate, voronoi_regions

NATIONAL_AREAS = 6200
REGSO_SIZE = {CITY: 5, SUBURB: 5, RURAL: 4}
"""DeSOs per RegSO (about 1,300 RegSO for 6,200 DeSO)."""
EDGE_DETAIL = Detail(max_levels=6, spacing=6.0, roughness=0.09)
"""Shared DeSO borders: up to 64 segments each, none shorter than ~6 m."""

# The mainland, clockwise from Haparanda: Gulf of Bothnia, Baltic, Öresund, Kattegat, Skagerrak, then the
# borders with Norway and Finland (SWEREF 99 TM metres, rounded).
_MAINLAND = (
    (915_000, 7_320_000),
    (835_000, 7_285_000),
    (800_000, 7_190_000),
    (759_000, 7_084_000),
    (700_000, 7_030_000),
    (655_000, 6_970_000),
    (617_000, 6_920_000),
    (625_000, 6_850_000),
    (617_000, 6_730_000),
    (660_000, 6_710_000),
    (710_000, 6_670_000),
    (700_000, 6_600_000),
    (680_000, 6_560_000),
    (640_000, 6_530_000),
    (615_000, 6_500_000),
    (592_000, 6_430_000),
    (590_000, 6_380_000),
    (583_000, 6_280_000),
    (560_000, 6_240_000),
    (520_000, 6_222_000),
    (470_000, 6_215_000),
    (430_000, 6_140_000),
    (385_000, 6_145_000),
    (374_000, 6_164_000),
    (360_000, 6_215_000),
    (370_000, 6_280_000),
    (340_000, 6_350_000),
    (319_000, 6_400_000),
    (295_000, 6_470_000),
    (283_000, 6_540_000),
    (300_000, 6_580_000),
    (350_000, 6_640_000),
    (360_000, 6_760_000),
    (370_000, 6_860_000),
    (330_000, 6_930_000),
    (380_000, 7_030_000),
    (430_000, 7_130_000),
    (480_000, 7_250_000),
    (520_000, 7_330_000),
    (590_000, 7_430_000),
    (640_000, 7_600_000),
    (700_000, 7_690_000),
    (760_000, 7_640_000),
    (830_000, 7_600_000),
    (860_000, 7_480_000),
    (900_000, 7_400_000),
)
_GOTLAND = (
    (672_000, 6_330_000),
    (700_000, 6_350_000),
    (735_000, 6_400_000),
    (750_000, 6_440_000),
    (745_000, 6_460_000),
    (720_000, 6_430_000),
    (690_000, 6_410_000),
    (670_000, 6_370_000),
)
_OLAND = (
    (590_000, 6_230_000),
    (602_000, 6_250_000),
    (625_000, 6_340_000),
    (615_000, 6_345_000),
    (592_000, 6_280_000),
)
# Archipelagos: centre, spread (m), number of islands, typical island radius (m).
_ARCHIPELAGOS = (
    ((705_000, 6_590_000), 25_000, 90, 900.0),  # Stockholm
    ((300_000, 6_420_000), 15_000, 60, 700.0),  # Göteborg and Bohuslän
    ((290_000, 6_520_000), 15_000, 40, 600.0),
    ((850_000, 7_270_000), 20_000, 50, 900.0),  # Luleå
    ((660_000, 6_975_000), 12_000, 25, 700.0),  # Höga kusten
    ((600_000, 6_420_000), 12_000, 30, 600.0),  # Småland coast
)
# County seats: position, share of the DeSOs and number of municipalities (roughly Sweden's).
_COUNTIES = (
    ((674_000, 6_580_000), 0.215, 26),  # Stockholm
    ((648_000, 6_640_000), 0.047, 8),  # Uppsala
    ((600_000, 6_520_000), 0.036, 9),  # Södermanland
    ((536_000, 6_475_000), 0.055, 13),  # Östergötland
    ((447_000, 6_410_000), 0.045, 13),  # Jönköping
    ((478_000, 6_305_000), 0.025, 8),  # Kronoberg
    ((583_000, 6_280_000), 0.030, 12),  # Kalmar
    ((700_000, 6_390_000), 0.008, 1),  # Gotland
    ((520_000, 6_227_000), 0.020, 5),  # Blekinge
    ((374_000, 6_164_000), 0.160, 33),  # Skåne
    ((370_000, 6_280_000), 0.041, 6),  # Halland
    ((319_000, 6_400_000), 0.200, 49),  # Västra Götaland
    ((410_000, 6_600_000), 0.035, 16),  # Värmland
    ((512_000, 6_570_000), 0.037, 12),  # Örebro
    ((590_000, 6_610_000), 0.035, 10),  # Västmanland
    ((470_000, 6_720_000), 0.036, 15),  # Dalarna
    ((617_000, 6_730_000), 0.036, 10),  # Gävleborg
    ((617_000, 6_920_000), 0.031, 7),  # Västernorrland
    ((480_000, 7_000_000), 0.017, 8),  # Jämtland
    ((759_000, 7_084_000), 0.035, 15),  # Västerbotten
    ((835_000, 7_285_000), 0.032, 14),  # Norrbotten
)
GOTLAND_INDEX = 7
PLACEMENT_TOLERANCE = 100.0
"""Metres: seeds are placed in a simplified county (300 m or more inside it, so inside the real one)."""
TOPOLOGY_TOLERANCE = 200.0
"""Metres: contiguity of municipalities and RegSOs is decided on cells simplified this much."""


def _ragged(points, levels: int, roughness: float, rng: np.random.Generator) -> list[Polygon]:
    """A closed ring through ``points`` made fractal; its valid polygonal parts (self-crossings shed
    islands)."""
    ring = np.asarray(points, dtype=float)
    curves = fractal_lines(ring, np.roll(ring, -1, axis=0), levels, roughness, rng)
    coords = np.vstack([curves[:, :-1].reshape(-1, 2), curves[:1, 0]])
    valid = shapely.make_valid(Polygon(coords))
    return [p for p in shapely.get_parts(valid) if isinstance(p, Polygon) and p.area > 2e4]


def _islands(rng: np.random.Generator) -> list[Polygon]:
    out = []
    for centre, spread, count, radius in _ARCHIPELAGOS:
        at = np.asarray(centre) + rng.normal(0.0, spread / 2, (count, 2))
        for x, y in at:
            r = radius * rng.lognormal(0.0, 0.6)
            corners = rng.integers(5, 9)
            angle = np.sort(rng.uniform(0, 2 * np.pi, corners))
            scale = r * rng.uniform(0.6, 1.3, corners)
            ring = np.column_stack([x + scale * np.cos(angle), y + scale * np.sin(angle)])
            out += _ragged(ring, 4, 0.18, rng)
    return out


def national_outline(rng: np.random.Generator) -> tuple[MultiPolygon, Polygon]:
    """The country (mainland, islands, Öland, Gotland) on the grid, and Gotland alone."""
    mainland = _ragged(_MAINLAND, 11, 0.16, rng)
    gotland = shapely.union_all(_ragged(_GOTLAND, 10, 0.14, rng))
    oland = _ragged(_OLAND, 9, 0.1, rng)
    land = shapely.union_all([*mainland, *oland, *_islands(rng)])
    land = shapely.difference(land, gotland.buffer(3_000.0))  # keep Gotland apart from the rest
    outline = shapely.set_precision(shapely.union_all([land, gotland]), GRID)
    parts = [p for p in shapely.get_parts(outline) if p.area > 2e4]
    gotland = shapely.union_all([p for p in parts if p.intersects(gotland)])
    return MultiPolygon(parts), gotland


def _county_plan(n: int, municipalities: int) -> list[tuple[str, int]]:
    """(character, DeSO count) per municipality: the city, suburbs of big cities, then rural ones."""
    if municipalities <= 1:
        return [(CITY, n)]
    n_city = max(4, round((0.45 if n > 600 else 0.3) * n))
    n_suburbs = 0 if n < 250 else max(1, municipalities // 3)
    n_suburb_total = round(0.25 * n) if n_suburbs else 0
    n_rural = municipalities - 1 - n_suburbs
    n_rural_total = n - n_city - n_suburb_total
    if n_rural_total < 2 * n_rural:  # too few DeSOs: fewer, larger rural municipalities
        n_rural = max(1, n_rural_total // 2)
    return [
        (CITY, n_city),
        *((SUBURB, k) for k in split(n_suburb_total, n_suburbs) if n_suburbs),
        *((RURAL, k) for k in split(n_rural_total, n_rural)),
    ]


def build_national_geography(n_deso: int, rng: np.random.Generator) -> DemoGeography:
    """A Sweden-sized country of about ``n_deso`` DeSOs (``NATIONAL_AREAS`` is Sweden's count) in 21
    counties; fewer DeSOs keep the country and thin every county (tests build a few hundred)."""
    outline, gotland = national_outline(rng)
    seats = np.array([c[0] for c in _COUNTIES], dtype=float)
    shares = np.array([c[1] for c in _COUNTIES])
    counts = np.maximum(6, np.round(shares / shares.sum() * n_deso)).astype(int)
    kommuner = [max(1, min(m, k // 6)) for (_, _, m), k in zip(_COUNTIES, counts, strict=True)]
    mainland = outline.difference(gotland.buffer(1.0))
    others = [i for i in range(len(seats)) if i != GOTLAND_INDEX]
    territories = dict(zip(others, voronoi_regions(seats[others], mainland), strict=True))
    territories[GOTLAND_INDEX] = gotland

    placed, seed_sets = [], []
    for i, lan in enumerate(COUNTY_CODES[: len(_COUNTIES)]):
        plan = _county_plan(int(counts[i]), kommuner[i])
        region = shapely.simplify(territories[i], PLACEMENT_TOLERANCE)  # placement buffers it often
        county_placed, county_seeds = place_municipalities(lan, region, plan, rng, seats[i])
        placed += county_placed
        seed_sets += county_seeds
    seeds = np.vstack(seed_sets)
    owner = np.repeat(np.arange(len(placed)), [len(s) for s in seed_sets])
    kept, cells = tessellate(seeds, outline, GRID, detail=EDGE_DETAIL, rng=rng)
    return assemble(seeds[kept], owner[kept], cells, placed, outline, rng, REGSO_SIZE, TOPOLOGY_TOLERANCE)
