"""Per-zoom coverage simplification: ids, bands, no vanished or invalid areas, no gaps or overlaps."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely

from geo.prepare import LEVEL_ZOOMS, PROPERTY_COLUMNS, _repair, prepare_level
from indicators.model import AREA_COLUMNS, InputError

SCB = Path(__file__).resolve().parents[2] / "shared" / "data" / "scb"
ORIGIN = (650000.0, 6580000.0)  # SWEREF 99 TM, near Stockholm


def pixel_coverage(n_areas: int = 24, cells: int = 80, cell: float = 50.0, seed: int = 1) -> gpd.GeoDataFrame:
    """RegSO-like areas in EPSG:3006: grid cells given to the nearest of ``n_areas`` random seeds, so borders
    are staircases with many vertices, shared exactly by neighbours. One extra area is an enclave (a hole in
    its neighbour). Codes are deliberately not in row order."""
    rng = np.random.default_rng(seed)
    seeds = rng.uniform(0, cells, (n_areas, 2))
    ii, jj = np.meshgrid(np.arange(cells), np.arange(cells), indexing="ij")
    centres = np.stack([ii.ravel() + 0.5, jj.ravel() + 0.5], axis=1)
    owner = np.argmin(((centres[:, None, :] - seeds[None, :, :]) ** 2).sum(axis=2), axis=1)
    spacing = np.sort(np.linalg.norm(seeds[:, None] - seeds[None], axis=2), axis=1)[:, 1]
    inner = (seeds.min(axis=1) > 3) & (seeds.max(axis=1) < cells - 3)
    ci, cj = np.floor(seeds[np.argmax(np.where(inner, spacing, 0))]).astype(int)  # a 3×3 enclave at a seed
    enclave = (np.abs(ii.ravel() - ci) <= 1) & (np.abs(jj.ravel() - cj) <= 1)
    owner[enclave] = n_areas
    x0, y0 = ORIGIN
    boxes = shapely.box(
        x0 + ii.ravel() * cell,
        y0 + jj.ravel() * cell,
        x0 + (ii.ravel() + 1) * cell,
        y0 + (jj.ravel() + 1) * cell,
    )
    geometries = [shapely.coverage_union_all(boxes[owner == k]) for k in range(n_areas + 1)]
    order = rng.permutation(n_areas + 1)
    codes = [f"0180R{k:03d}" for k in order]
    return gpd.GeoDataFrame(
        {
            "code": codes,
            "name": [f"Område {k}" for k in order],
            "level": "regso",
            "kommun": "0180",
            "lan": "01",
            "regso": "",
        },
        geometry=geometries,
        crs="EPSG:3006",
    )


def read_regso(path: Path) -> gpd.GeoDataFrame:
    frame = pyogrio.read_dataframe(path)
    frame = frame.rename(
        columns={"regsokod": "code", "regsonamn": "name", "kommunkod": "kommun", "lanskod": "lan"}
    )
    frame["level"], frame["regso"] = "regso", ""
    return frame


def gaps_and_overlaps(geometries: np.ndarray) -> tuple[float, float]:
    """Area of holes in the union and area counted twice, in the geometries' units²."""
    union = shapely.union_all(geometries)
    holes = sum(shapely.area(shapely.polygons(r)) for p in shapely.get_parts(union) for r in p.interiors)
    return holes, float(shapely.area(geometries).sum() - union.area)


def assert_areas_kept(before: np.ndarray, after: np.ndarray, pixel: float) -> None:
    """No area changes by more than a fifth, or by more than 16 tile pixels² (4×4 px, half a screen pixel)
    for areas only a few pixels big at the band's coarsest zoom."""
    change = np.abs(after - before)
    assert (change <= np.maximum(0.2 * before, 16 * pixel**2)).all(), np.max(change / before)


@pytest.fixture(scope="module")
def coverage() -> gpd.GeoDataFrame:
    frame = pixel_coverage()
    assert shapely.coverage_is_valid(frame.geometry.values)
    return frame


@pytest.fixture(scope="module")
def prepared(coverage):
    return prepare_level(coverage, "regso")


def test_ids_follow_sorted_codes(prepared, coverage):
    codes = sorted(coverage["code"])
    assert list(prepared.codes) == codes
    assert list(prepared.ids) == list(range(1, len(codes) + 1))
    assert prepared.id_of(codes[0]) == 1 and prepared.id_of(codes[-1]) == len(codes)
    with pytest.raises(KeyError):
        prepared.id_of("0180R999")
    assert list(prepared.table.columns) == ["id", *AREA_COLUMNS]


def test_properties_omit_empty_parents(prepared):
    first = prepared.properties[0]
    assert first == {
        "code": prepared.codes[0],
        "name": prepared.table["name"][0],
        "kommun": "0180",
        "lan": "01",
    }
    assert set(first) <= set(PROPERTY_COLUMNS) and "regso" not in first


def test_zoom_range_and_bands(prepared):
    assert (prepared.minzoom, prepared.maxzoom) == LEVEL_ZOOMS["regso"]
    covered = sorted(z for band in prepared.bands for z in range(band.minzoom, band.maxzoom + 1))
    assert covered == list(range(prepared.minzoom, prepared.maxzoom + 1))
    vertices = [band.vertices for band in prepared.bands]
    assert vertices == sorted(vertices, reverse=True) and vertices[-1] < vertices[0]
    for z in range(prepared.minzoom, prepared.maxzoom + 1):
        band = prepared.band(z)
        assert band.minzoom <= z <= band.maxzoom
    assert prepared.band(20) is prepared.bands[0] and prepared.band(0) is prepared.bands[-1]


def test_identical_zooms_share_one_band():
    # plain squares have nothing to simplify: every zoom is one band (one copy of the geometry)
    x0, y0 = ORIGIN
    squares = gpd.GeoDataFrame(
        {
            "code": [f"018{i}" for i in range(4)],
            "name": "x",
            "level": "kommun",
            "kommun": "",
            "lan": "01",
            "regso": "",
        },
        geometry=[shapely.box(x0 + i * 5000, y0, x0 + (i + 1) * 5000, y0 + 5000) for i in range(4)],
        crs="EPSG:3006",
    )
    prepared = prepare_level(squares, "kommun", zooms=(3, 12))
    assert len(prepared.bands) == 1
    assert (prepared.bands[0].minzoom, prepared.bands[0].maxzoom) == (3, 12)


def test_no_area_vanishes_or_becomes_invalid(prepared, coverage):
    source = coverage.sort_values("code").to_crs("EPSG:3857").geometry.to_numpy()
    for band in prepared.bands:
        geometries = band.shapes()
        assert len(geometries) == len(source)
        assert shapely.is_valid(geometries).all() and not shapely.is_empty(geometries).any()
        assert np.isin(shapely.get_type_id(geometries), (3, 6)).all()
        assert_areas_kept(shapely.area(source), shapely.area(geometries), band.tolerance)
        # simplification only drops vertices: every simplified geometry stays in its source envelope
        assert shapely.contains(shapely.envelope(source), shapely.envelope(geometries)).all()


def test_neighbours_keep_one_shared_border(prepared, coverage):
    source = coverage.to_crs("EPSG:3857").geometry.to_numpy()
    assert gaps_and_overlaps(source) == pytest.approx((0, 0), abs=1e-3)
    coarsest = prepared.bands[-1]
    assert coarsest.vertices < 0.5 * shapely.get_num_coordinates(source).sum()  # it did simplify a lot
    for band in prepared.bands:
        holes, overlaps = gaps_and_overlaps(band.shapes())
        assert holes < 1e-3 and abs(overlaps) < 1e-3, band.minzoom
    # the check can fail: simplifying areas one by one opens gaps and overlaps
    one_by_one = shapely.simplify(source, 2 * coarsest.tolerance)
    holes, overlaps = gaps_and_overlaps(one_by_one)
    assert holes > 100 or overlaps > 100


def test_enclave_survives_as_hole(prepared, coverage):
    enclave_code = coverage["code"][np.isclose(coverage.geometry.area, 9 * 50.0**2)].iloc[0]
    row = prepared.id_of(enclave_code) - 1
    assert (shapely.get_num_interior_rings(coverage.geometry.values) == 1).sum() == 1
    for band in prepared.bands:
        enclave = band.shapes()[row]
        holders = [g for g in band.shapes() if shapely.get_num_interior_rings(g) == 1]
        assert len(holders) == 1
        assert shapely.polygons(holders[0].interiors[0]).equals(enclave)


def test_bounds_and_center_in_wgs84(prepared, coverage):
    expected = coverage.to_crs("EPSG:4326").total_bounds
    assert prepared.bounds == pytest.approx(tuple(expected), abs=1e-9)
    lon, lat, zoom = prepared.center
    assert expected[0] < lon < expected[2] and expected[1] < lat < expected[3]
    assert prepared.minzoom <= zoom <= prepared.maxzoom


def test_query_finds_areas_by_envelope(prepared):
    band = prepared.bands[0]
    target = 5
    rows = prepared.query(tuple(shapely.bounds(band.shapes()[target])))
    assert target in rows and list(rows) == sorted(rows)
    hits = shapely.intersects(shapely.envelope(band.shapes()), shapely.envelope(band.shapes()[target]))
    assert set(rows) == set(np.flatnonzero(hits))


def test_invalid_coverage_loses_no_area(coverage):
    # shift one area by 37 m: overlaps on one side, a gap on the other (as in real SCB boundaries)
    broken = coverage.copy()
    broken.loc[3, "geometry"] = shapely.affinity.translate(broken.geometry[3], 37.0, 23.0)
    assert not shapely.coverage_is_valid(broken.geometry.values)
    prepared = prepare_level(broken, "regso")
    for band in prepared.bands:
        assert shapely.is_valid(band.shapes()).all() and (shapely.area(band.shapes()) > 0).all()
        assert len(band.shapes()) == len(broken)


def test_repair_replaces_invalid_and_empty_results():
    bowtie = shapely.Polygon([(0, 0), (10, 10), (10, 0), (0, 10)])
    square, triangle = shapely.box(0, 0, 10, 10), shapely.Polygon([(0, 0), (4, 0), (0, 4)])
    simplified = np.array([bowtie, shapely.Polygon(), square], dtype=object)
    repaired, count = _repair(simplified, np.array([square, triangle, square]), tolerance=1.0)
    assert count == 2
    assert shapely.is_valid(repaired).all() and (shapely.area(repaired) > 0).all()
    assert repaired[0].area == pytest.approx(50.0)  # make_valid splits the bowtie into its two triangles
    assert repaired[1].equals(triangle) and repaired[2] is square


def test_bad_input_is_named():
    frame = pixel_coverage(n_areas=3, cells=12)
    with pytest.raises(InputError, match="CRS"):
        prepare_level(frame.set_crs(None, allow_override=True), "regso")
    with pytest.raises(InputError, match="duplicate"):
        prepare_level(frame.assign(code="0180R001"), "regso")
    with pytest.raises(InputError, match="lan"):
        prepare_level(frame.drop(columns="lan"), "regso")
    with pytest.raises(InputError, match="no areas"):
        prepare_level(frame.iloc[:0], "regso")


def test_real_regso_keeps_every_area():
    path = SCB / "regso_2025_goteborgsregionen.gpkg"
    if not path.exists():
        pytest.skip(f"real SCB RegSO file not found at {path} (../shared/data/scb next to the repo)")
    frame = read_regso(path)
    prepared = prepare_level(frame, "regso")
    assert len(prepared.table) == len(frame) == 300
    source = frame.sort_values("code").to_crs("EPSG:3857").geometry.to_numpy()
    for band in prepared.bands:
        geometries = band.shapes()
        assert shapely.is_valid(geometries).all() and not shapely.is_empty(geometries).any()
        assert_areas_kept(shapely.area(source), shapely.area(geometries), band.tolerance)
        holes, overlaps = gaps_and_overlaps(geometries)
        assert holes < 1.0 and abs(overlaps) < 1.0
    assert prepared.bands[-1].vertices < 0.2 * shapely.get_num_coordinates(source).sum()
    lon, lat, _ = prepared.center
    assert 11.5 < lon < 12.5 and 57.5 < lat < 58.0
