"""Fictional but valid statistical geography for the demo dataset, in SWEREF 99 TM (EPSG:3006).

Every level comes from one Voronoi tessellation of DeSO seed points clipped to an irregular region outline
and snap-rounded to a 1 m grid in a single noding step, so neighbouring DeSOs share their borders vertex for
vertex. RegSO, kommun, län and riket are coverage unions of DeSOs, so all borders are shared exactly and every
level nests in the next. Municipalities come in three characters: a city (many small DeSOs around a dense
core), suburbs on a ring around it, and rural municipalities (a small town and a few large DeSOs). Codes use
county numbers no real county has (02, 11, 15, 16, 26…), so no code collides with SCB's.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPolygon, Polygon

from data.demo_names import county_name, deso_names, municipality_names, regso_names
from data.demo_tessellation import kmeans_groups, make_contiguous, sample_points, tessellate, voronoi_regions

CRS = "EPSG:3006"
GRID = 1.0
"""Coordinates are snapped to this grid (metres)."""
CITY, SUBURB, RURAL = "city", "suburb", "rural"
DESO_PER_COUNTY = 1500
COUNTY_CODES = ("02", "11", "15", "16", *(f"{n}" for n in range(26, 100)))
REGION_CENTRE = np.array([630_000.0, 6_580_000.0])
REGSO_SIZE = {CITY: 4, SUBURB: 3, RURAL: 2}
"""Target number of DeSOs per RegSO, by municipality character."""


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    character: str
    lan: str
    centre: tuple[float, float]
    core_radius: float
    """Metres: the disc of a city or suburb, the spread of a rural municipality's town."""
    n_deso: int


@dataclass(frozen=True)
class DemoGeography:
    areas: gpd.GeoDataFrame
    """Areas of every level: the model's AREA_COLUMNS and geometry."""
    deso: pd.DataFrame
    """One row per DeSO: code, kommun, regso, lan, character, letter, x, y (seed) and core_distance (seed
    distance from its municipality's centre over the core radius)."""
    municipalities: tuple[Municipality, ...]
    outline: Polygon | MultiPolygon


def _county_plan(n: int) -> list[tuple[str, int]]:
    """(character, DeSO count) per municipality of a county with about ``n`` DeSOs; the city first."""
    n_city = max(4, round(0.55 * n))
    n_rural_total = max(2, round(0.12 * n))
    n_suburb_total = max(2, n - n_city - n_rural_total)
    suburbs = split(n_suburb_total, max(1, round(n_suburb_total / 60)))
    rurals = split(n_rural_total, max(1, int(n_rural_total / 12)))
    return [(CITY, n_city), *((SUBURB, k) for k in suburbs), *((RURAL, k) for k in rurals)]


def split(total: int, parts: int) -> list[int]:
    return [total // parts + (i < total % parts) for i in range(parts)]


def _radii(plan: list[tuple[str, int]]) -> tuple[float, float, float]:
    """Core radius of the city, of the largest suburb, and the radius of the ring the suburbs sit on."""
    r_city = 750.0 * np.sqrt(plan[0][1])
    r_suburb = max((900.0 * np.sqrt(k) for c, k in plan if c == SUBURB), default=0.0)
    return r_city, r_suburb, r_city + r_suburb + 3_000.0


def _blob(centre: np.ndarray, radius: float, rng: np.random.Generator, n: int = 240) -> Polygon:
    """An irregular, star-shaped region outline: a circle with a few random low harmonics."""
    theta = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for k in range(2, 8):
        r += rng.uniform(0.01, 0.07) * np.cos(k * theta + rng.uniform(0, 2 * np.pi))
    xy = centre + radius * np.column_stack([r * np.cos(theta), r * np.sin(theta)])
    return shapely.set_precision(Polygon(xy), GRID)


def place_municipalities(
    lan: str, territory, plan, rng, centre: np.ndarray | None = None
) -> tuple[list[dict], list[np.ndarray]]:
    """Centres, core radii and DeSO seeds of one county's municipalities (names and codes come later); the
    city lies at ``centre`` (default: the territory's centroid)."""
    r_city, _, ring = _radii(plan)
    inner = territory.buffer(-300.0)
    centre = np.array(territory.centroid.coords[0]) if centre is None else np.asarray(centre, dtype=float)
    placed, seeds = [], []
    n_suburbs = sum(c == SUBURB for c, _ in plan)
    offset = rng.uniform(0, 2 * np.pi)
    discs = []
    suburb_index = 0
    for character, k in plan:
        if character == RURAL:
            continue
        if character == CITY:
            at, radius = centre, r_city
        else:
            angle = offset + 2 * np.pi * suburb_index / n_suburbs
            suburb_index += 1
            radius = 900.0 * np.sqrt(k)
            at = centre + ring * np.array([np.cos(angle), np.sin(angle)])
            core = territory.buffer(-radius * 0.6)
            for _ in range(20):  # pull the suburb towards the city until its core is inside the county
                if shapely.contains_xy(core, *at):
                    break
                at = centre + (at - centre) * 0.92
        disc = shapely.Point(at).buffer(radius, 32).intersection(inner)
        if disc.area < 0.25 * np.pi * radius**2:  # mostly beyond the coast: on the nearest land instead
            at = shapely.get_coordinates(shapely.shortest_line(inner, shapely.Point(at)))[0]
            disc = shapely.Point(at).buffer(radius, 32).intersection(inner)
        discs.append(shapely.Point(at).buffer(radius + 1_500.0, 32))
        seeds.append(sample_points(k, disc, at, radius * 0.4, 0.7, 120.0, rng))
        placed.append({"character": character, "centre": at, "core_radius": radius, "lan": lan})
    countryside = inner.difference(shapely.union_all(discs)) if discs else inner
    rural = [k for c, k in plan if c == RURAL]
    if rural:
        spots = sample_points(len(rural), countryside.buffer(-2_000.0), centre, 1.0, 0.0, 3_000.0, rng)
        for (at, k), region in zip(
            zip(spots, rural, strict=True), voronoi_regions(spots, countryside), strict=True
        ):
            town = 600.0 * np.sqrt(k)
            seeds.append(sample_points(k, region.buffer(-300.0), at, town, 0.35, 500.0, rng))
            placed.append({"character": RURAL, "centre": at, "core_radius": town, "lan": lan})
    return placed, seeds


def build_geography(n_deso: int, rng: np.random.Generator) -> DemoGeography:
    """A region of about ``n_deso`` DeSOs in ``max(1, round(n_deso / 1500))`` fictional counties."""
    n_counties = max(1, round(n_deso / DESO_PER_COUNTY))
    plans = [_county_plan(k) for k in split(n_deso, n_counties)]
    _, r_suburb, ring = _radii(max(plans, key=lambda plan: plan[0][1]))
    county_radius = max(40_000.0, ring + r_suburb + 25_000.0)
    outline = _blob(
        REGION_CENTRE, county_radius * np.sqrt(n_counties) * (1.0 if n_counties == 1 else 1.1), rng
    )
    if n_counties == 1:
        county_centres = REGION_CENTRE[None, :]
    else:  # Vogel's sunflower spiral spreads any number of counties evenly
        k = np.arange(n_counties)
        radius = 0.8 * county_radius * np.sqrt(n_counties) * np.sqrt((k + 0.5) / n_counties)
        angle = k * np.pi * (3 - np.sqrt(5)) + rng.uniform(0, 2 * np.pi)
        county_centres = REGION_CENTRE + np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    territories = voronoi_regions(county_centres, outline)

    placed, seed_sets = [], []
    for lan, territory, plan in zip(COUNTY_CODES, territories, plans, strict=False):
        county_placed, county_seeds = place_municipalities(lan, territory, plan, rng)
        placed += county_placed
        seed_sets += county_seeds
    seeds = np.vstack(seed_sets)
    owner = np.repeat(np.arange(len(placed)), [len(s) for s in seed_sets])
    kept, cells = tessellate(seeds, outline, GRID)
    return assemble(seeds[kept], owner[kept], cells, placed, outline, rng)


def assemble(
    seeds: np.ndarray,
    owner: np.ndarray,
    cells: np.ndarray,
    placed: list[dict],
    outline: Polygon | MultiPolygon,
    rng: np.random.Generator,
    regso_size: dict[str, int] = REGSO_SIZE,
    topology_tolerance: float | None = None,
) -> DemoGeography:
    """The geography from DeSO cells, their seeds and the municipality (index into ``placed``) of each:
    municipalities made contiguous, named and coded, DeSOs grouped into RegSOs, every level's areas.
    Contiguity is decided on the cells coverage-simplified by ``topology_tolerance`` when given (the same
    neighbours, far fewer vertices)."""
    proxy = cells if topology_tolerance is None else shapely.coverage_simplify(cells, topology_tolerance)
    owner = make_contiguous(proxy, owner)
    municipalities = _name_municipalities(placed, owner, rng)
    deso = _deso_table(seeds, owner, municipalities)
    deso["regso_group"] = _regso_groups(deso, proxy, regso_size)
    deso, cells = _code_and_name(deso, cells, municipalities, rng)
    return DemoGeography(
        _area_table(deso, cells, municipalities),
        deso.drop(columns="regso_group"),
        tuple(municipalities),
        outline,
    )


def _name_municipalities(placed: list[dict], owner: np.ndarray, rng) -> list[Municipality]:
    counts = np.bincount(owner, minlength=len(placed))
    names = municipality_names([spec["character"] for spec in placed], rng)
    out, number = [], {}
    for index, (spec, name) in enumerate(zip(placed, names, strict=True)):
        number[spec["lan"]] = number.get(spec["lan"], 0) + 1
        out.append(
            Municipality(
                code=f"{spec['lan']}{number[spec['lan']]:02d}",
                name=name,
                character=spec["character"],
                lan=spec["lan"],
                centre=(float(spec["centre"][0]), float(spec["centre"][1])),
                core_radius=float(spec["core_radius"]),
                n_deso=int(counts[index]),
            )
        )
    return out


def _deso_table(seeds: np.ndarray, owner: np.ndarray, municipalities: list[Municipality]) -> pd.DataFrame:
    centre = np.array([m.centre for m in municipalities])[owner]
    radius = np.array([m.core_radius for m in municipalities])[owner]
    character = np.array([m.character for m in municipalities])[owner]
    core_distance = np.hypot(*(seeds - centre).T) / radius
    letter = np.where(
        character == RURAL,
        np.where(core_distance <= 2.0, "B", "A"),
        np.where(core_distance <= 0.85, "C", "A"),
    )
    return pd.DataFrame(
        {
            "kommun": np.array([m.code for m in municipalities])[owner],
            "lan": np.array([m.lan for m in municipalities])[owner],
            "character": character,
            "letter": letter,
            "x": seeds[:, 0],
            "y": seeds[:, 1],
            "core_distance": core_distance,
        }
    )


def _regso_groups(deso: pd.DataFrame, cells: np.ndarray, sizes: dict[str, int]) -> np.ndarray:
    """A RegSO group number per DeSO: k-means within each municipality, then made contiguous."""
    groups = np.zeros(len(deso), dtype=int)
    next_group = 0
    for _, rows in deso.groupby("kommun", sort=True):
        index = rows.index.to_numpy()
        size = sizes[rows["character"].iloc[0]]
        k = max(2, round(len(rows) / size)) if len(rows) >= 2 else 1
        local = kmeans_groups(rows[["x", "y"]].to_numpy(), k)
        groups[index] = local + next_group
        next_group += local.max() + 1
    return make_contiguous(cells, groups, within=deso["kommun"].to_numpy())


def _code_and_name(deso: pd.DataFrame, cells: np.ndarray, municipalities: list[Municipality], rng):
    """SCB-shaped DeSO and RegSO codes and Swedish-sounding names; rows sorted by DeSO code."""
    by_code = {m.code: m for m in municipalities}
    deso = deso.copy()
    deso["code"] = ""
    deso["regso"] = ""
    deso["regso_name"] = ""
    for kommun, rows in deso.groupby("kommun", sort=True):
        m = by_code[kommun]
        for letter, start, step in (("A", 0, 10), ("B", 2000, 10), ("C", 1000, 10)):
            chosen = rows[rows["letter"] == letter].sort_values("core_distance")
            step = step if len(chosen) * step < 8_990 - start else 1
            serial = start + step * np.arange(1, len(chosen) + 1)
            deso.loc[chosen.index, "code"] = [f"{kommun}{letter}{s:04d}" for s in serial]
        groups = rows.groupby("regso_group")
        summary = pd.DataFrame(
            {
                "x": groups["x"].mean(),
                "y": groups["y"].mean(),
                "rural": groups["letter"].agg(lambda s: (s == "A").mean() > 0.5),
                "distance": groups["core_distance"].min(),
            }
        )
        summary["name"] = regso_names(m.name, m.centre, summary, rng)
        summary = summary.sort_values("name")
        summary["regso"] = [f"{kommun}R{i:03d}" for i in range(1, len(summary) + 1)]
        deso.loc[rows.index, "regso"] = rows["regso_group"].map(summary["regso"]).to_numpy()
        deso.loc[rows.index, "regso_name"] = rows["regso_group"].map(summary["name"]).to_numpy()
    order = np.argsort(deso["code"].to_numpy(), kind="stable")
    deso = deso.iloc[order].reset_index(drop=True)
    deso["name"] = deso_names(deso["regso"], deso["regso_name"])
    return deso, cells[order]


def _level_frame(level: str, codes, names, geometry, kommun="", lan="", regso="") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "code": codes,
            "name": names,
            "level": level,
            "kommun": kommun,
            "lan": lan,
            "regso": regso,
            "geometry": list(geometry),
        }
    )


def _area_table(
    deso: pd.DataFrame, cells: np.ndarray, municipalities: list[Municipality]
) -> gpd.GeoDataFrame:
    """Areas of every level; coarser geometries are coverage unions of the finer ones."""

    def union(mask: np.ndarray):
        return shapely.coverage_union_all(cells[mask])

    regso = deso.groupby("regso", sort=True).agg(
        name=("regso_name", "first"), kommun=("kommun", "first"), lan=("lan", "first")
    )
    of_regso, of_kommun, of_lan = (deso[c].to_numpy() for c in ("regso", "kommun", "lan"))
    regso_geometry = [union(of_regso == code) for code in regso.index]
    kommun_geometry = [union(of_kommun == m.code) for m in municipalities]
    counties = sorted({m.lan for m in municipalities})
    city_of = {m.lan: m.name for m in municipalities if m.character == CITY}
    lan_geometry = [union(of_lan == lan) for lan in counties]
    frames = [
        _level_frame("deso", deso["code"], deso["name"], cells, deso["kommun"], deso["lan"], deso["regso"]),
        _level_frame("regso", regso.index, regso["name"], regso_geometry, regso["kommun"], regso["lan"]),
        _level_frame(
            "kommun",
            [m.code for m in municipalities],
            [m.name for m in municipalities],
            kommun_geometry,
            lan=[m.lan for m in municipalities],
        ),
        _level_frame("lan", counties, [county_name(city_of[lan]) for lan in counties], lan_geometry),
        _level_frame("riket", ["SE"], ["Riket"], [shapely.coverage_union_all(lan_geometry)]),
    ]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), geometry="geometry", crs=CRS)
