"""The MVT encoder (geo.mvt with each of its kernels, geo._mvt and its Python port) and tile rendering,
against hand-computed tiles, a plain-Python transcription of the MVT 2.1 polygon rules, and
mapbox_vector_tile."""

from __future__ import annotations

import math

import geopandas as gpd
import mapbox_vector_tile
import numpy as np
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from mapbox_vector_tile.Mapbox import vector_tile_pb2

from geo.grid import pixel_size, tile_bounds, tiles_covering
from geo.mvt import IDENTITY, encode_layer, encode_polygon_layer, encode_tile
from geo.prepare import prepare_level
from geo.properties import PropertyTable
from geo.protobuf import varint
from geo.tiles import render_tile, render_tile_reference
from tests.test_geo_prepare import SCB, pixel_coverage, read_regso

pytestmark = pytest.mark.usefixtures("kernel")

Z, X, Y = 10, 562, 297


def decode(data: bytes) -> dict:
    return mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})


def shoelace(ring) -> float:
    """Twice the signed area with y down: positive for rings clockwise on screen (MVT exteriors)."""
    return sum(ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] for i in range(len(ring) - 1))


def polygons_of(feature: dict) -> list:
    geometry = feature["geometry"]
    return geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]


def rotated(ring) -> tuple:
    """A ring without its closing point, started at its smallest point; orientation kept."""
    points = [tuple(p) for p in ring[:-1]]
    start = points.index(min(points))
    return tuple(points[start:] + points[:start])


def normalised(data: bytes, layer: str = "l") -> dict:
    """Features by id: rings with non-zero area, repeated points dropped, started at the smallest point, as a
    sorted tuple, plus the properties. Orientation is normalised too (it is checked separately)."""
    out = {}
    for feature in decode(data).get(layer, {}).get("features", []):
        rings = []
        for polygon in polygons_of(feature):
            for ring in polygon:
                points = [tuple(p) for p in ring[:-1]]
                points = [p for i, p in enumerate(points) if p != points[i - 1]] or points
                closed = [*points, points[0]]
                area = shoelace(closed)
                if area == 0:
                    continue
                rings.append(rotated(closed if area > 0 else closed[::-1]))
        if rings:
            out[feature["id"]] = (tuple(sorted(rings)), feature["properties"])
    return out


def px_box(x0: float, y0: float, x1: float, y1: float):
    """A box given in tile coordinates (y down) of tile Z/X/Y, in EPSG:3857 metres."""
    minx, _, _, maxy = tile_bounds(Z, X, Y)
    p = pixel_size(Z)
    return shapely.box(minx + x0 * p, maxy - y1 * p, minx + x1 * p, maxy - y0 * p)


@pytest.fixture(scope="module")
def hand_level():
    """DeSO-like areas placed on tile pixels of Z/X/Y, in EPSG:3857."""
    donut = shapely.Polygon(px_box(200, 200, 800, 800).exterior, [px_box(400, 400, 600, 600).exterior])
    rows = [
        ("0180C1030", "A", "0180R001", px_box(1024, 1024, 2048, 2048)),
        ("0180C1020", "B", "0180R001", px_box(2048, 1024, 3072, 2048)),
        ("0180C1010", "Ö", "", px_box(3072, 1024, 4596, 2048)),  # reaches 500 px past the east edge
        ("0180C1040", "donut", "0180R002", donut),
        ("0180C1050", "enclave", "0180R002", px_box(400, 400, 600, 600)),
        ("0180C1060", "speck", "0180R003", px_box(3000.1, 3000.1, 3000.35, 3000.35)),
    ]
    frame = gpd.GeoDataFrame(
        {
            "code": [r[0] for r in rows],
            "name": [r[1] for r in rows],
            "level": "deso",
            "kommun": "0180",
            "lan": "01",
            "regso": [r[2] for r in rows],
        },
        geometry=[r[3] for r in rows],
        crs="EPSG:3857",
    )
    return prepare_level(frame, "deso", zooms=(8, 14))


def features_by_code(data: bytes) -> dict:
    return {f["properties"]["code"]: f for f in decode(data)["deso"]["features"]}


def test_hand_tile_coordinates_ids_and_winding(hand_level):
    tile = render_tile(hand_level, Z, X, Y, layer="deso")
    features = features_by_code(tile)
    assert set(features) == {"0180C1010", "0180C1020", "0180C1030", "0180C1040", "0180C1050"}  # speck dropped
    for code, feature in features.items():
        assert feature["id"] == hand_level.id_of(code)
    assert [f["id"] for f in decode(tile)["deso"]["features"]] == [1, 2, 3, 4, 5]  # in code order
    # exteriors run clockwise on screen (y down): from the top-left corner right along the top edge
    assert rotated(polygons_of(features["0180C1030"])[0][0]) == (
        (1024, 1024),
        (2048, 1024),
        (2048, 2048),
        (1024, 2048),
    )
    assert rotated(polygons_of(features["0180C1020"])[0][0]) == (
        (2048, 1024),
        (3072, 1024),
        (3072, 2048),
        (2048, 2048),
    )
    # clipped 64 px (the buffer) past the east edge
    assert rotated(polygons_of(features["0180C1010"])[0][0]) == (
        (3072, 1024),
        (4160, 1024),
        (4160, 2048),
        (3072, 2048),
    )
    # the donut: exterior clockwise, hole counter-clockwise, in that order
    [donut] = polygons_of(features["0180C1040"])
    assert rotated(donut[0]) == ((200, 200), (800, 200), (800, 800), (200, 800))
    assert rotated(donut[1]) == ((400, 400), (400, 600), (600, 600), (600, 400))
    assert shoelace(donut[0]) > 0 > shoelace(donut[1])


def test_properties_and_extra_values(hand_level):
    extra = {
        "0180C1030": {
            "share": 0.25,
            "count": 12,
            "label": "hög",
            "missing": math.nan,
            "none": None,
            "zero": 0.0,
            "flag": True,
            "negative": -5,
            "npfloat": np.float64(1.5),
            "npint": np.int64(7),
            "npnan": np.float64("nan"),
            "big": 2**63 + 5,
            "small": -(2**62),
            "huge": 10**30,
        },
        "0180C1020": {"share": math.nan},
    }
    features = features_by_code(render_tile(hand_level, Z, X, Y, layer="deso", extra=extra))
    base = {"code": "0180C1030", "name": "A", "kommun": "0180", "lan": "01", "regso": "0180R001"}
    assert features["0180C1030"]["properties"] == {
        **base,
        "share": 0.25,
        "count": 12,
        "label": "hög",
        "zero": 0.0,
        "flag": True,
        "negative": -5,
        "npfloat": 1.5,
        "npint": 7,
        "big": 2**63 + 5,
        "small": -(2**62),
        "huge": 1e30,
    }
    assert "share" not in features["0180C1020"]["properties"]  # missing is omitted, never zero
    assert features["0180C1010"]["properties"] == {
        "code": "0180C1010",
        "name": "Ö",
        "kommun": "0180",
        "lan": "01",
    }


def test_geometry_tile_is_the_year_tile_without_values(hand_level):
    plain = render_tile(hand_level, Z, X, Y, layer="deso")
    assert render_tile(hand_level, Z, X, Y, layer="deso", extra={}) == plain
    with_values = render_tile(hand_level, Z, X, Y, layer="deso", extra={"0180C1030": {"v": 1.0}})
    assert with_values != plain
    assert {k: v[0] for k, v in normalised(with_values, "deso").items()} == {
        k: v[0] for k, v in normalised(plain, "deso").items()
    }


@pytest.mark.parametrize("buffer", [0, 16, 64])
def test_clipped_to_the_buffer(hand_level, buffer):
    tile = render_tile(hand_level, Z, X, Y, layer="deso", buffer=buffer)
    coords = [p for f in decode(tile)["deso"]["features"] for poly in polygons_of(f) for r in poly for p in r]
    xs, ys = np.array(coords).T
    assert xs.min() >= -buffer and ys.min() >= -buffer
    assert xs.max() == 4096 + buffer and ys.max() <= 4096 + buffer  # area Ö is cut exactly at the buffer


def test_neighbour_tile_gets_the_overhang(hand_level):
    east = features_by_code(render_tile(hand_level, Z, X + 1, Y, layer="deso"))
    assert set(east) == {"0180C1010"}  # A's east edge is 2048 px away; only Ö reaches in
    assert rotated(polygons_of(east["0180C1010"])[0][0]) == (
        (-64, 1024),
        (500, 1024),
        (500, 2048),
        (-64, 2048),
    )


def test_empty_tiles(hand_level):
    assert render_tile(hand_level, Z, 0, 0, layer="deso") == b""
    assert decode(b"") == {}
    assert render_tile(hand_level, 7, X // 8, Y // 8, layer="deso") == b""  # below the level's minzoom
    assert render_tile_reference(hand_level, Z, 0, 0, layer="deso") == b""
    assert encode_tile([b"", b""]) == b""


def commands(geometries, transform=IDENTITY) -> dict[int, list[int]]:
    """The geometry command integers of each feature by id (1, 2, …); collapsed geometries are absent."""
    layer = encode_layer(
        "l", np.array(geometries, dtype=object), range(1, len(geometries) + 1), [], 4096, transform
    )
    tile = vector_tile_pb2.tile()
    tile.ParseFromString(encode_tile([layer]))
    return {f.id: list(f.geometry) for layer in tile.layers for f in layer.features}


def test_commands_by_hand():
    # counter-clockwise on screen, with a repeated point and jitter that rounds away
    square = shapely.Polygon([(2, 2), (2, 12.2), (2, 12), (11.8, 12), (12, 2)])
    donut = shapely.Polygon([(30, 0), (30, 30), (0, 30), (0, 0)], [[(10, 10), (20, 10), (20, 20), (10, 20)]])
    box = shapely.Polygon([(21, 20), (21, 21), (20, 21), (20, 20)])
    got = commands([square, donut, box])
    # reversed to clockwise, from the old last point (12, 2): MoveTo(1) then LineTo(3) then ClosePath, with
    # zigzag deltas (n -> 2n, -n -> 2n - 1)
    assert got[1] == [9, 24, 4, 26, 0, 20, 19, 0, 0, 19, 15]
    # new feature: the cursor restarts at (0, 0); the hole is reversed to counter-clockwise and starts
    # relative to the end of the exterior ring (0, 0)
    assert got[2] == [9, 60, 0, 26, 0, 60, 59, 0, 0, 59, 15, 9, 20, 40, 26, 20, 0, 0, 19, 19, 0, 15]
    assert got[3] == [9, 42, 40, 26, 0, 2, 1, 0, 0, 1, 15]  # from (0, 0), not from (10, 10) where #2 ended


def test_transform_maps_metres_to_tile_coordinates():
    # tile x = (x - 100) * 2, tile y = (y - 50) * -2: the box's corners (105, 45), (105, 50), (100, 50),
    # (100, 45) are (10, 10), (10, 0), (0, 0), (0, 10), counter-clockwise on screen, so written from (0, 10)
    assert commands([shapely.box(100, 45, 105, 50)], (100.0, 50.0, 2.0, -2.0)) == {
        1: [9, 0, 20, 26, 0, 19, 20, 0, 0, 20, 15]
    }
    # round half to even, as numpy's rint: (2.5, 0.5) (2.5, 1.5) (0.5, 1.5) (0.5, 0.5) become (2, 0) (2, 2)
    # (0, 2) (0, 0), clockwise with y down
    assert commands([shapely.box(0.5, 0.5, 2.5, 1.5)]) == {1: [9, 4, 0, 26, 0, 4, 3, 0, 0, 3, 15]}


def test_collapsed_rings_and_parts_are_dropped():
    line = shapely.Polygon([(0, 0), (10, 0.2), (20, 0.4)])  # zero area once rounded
    # (invalid: the hole lies outside, as rounding can leave it) a hole without its exterior is dropped too
    exterior_gone = shapely.Polygon([(0, 0), (0.3, 0), (0.3, 0.3)], [[(5, 5), (9, 5), (9, 9)]])
    hole_gone = shapely.Polygon(
        [(0, 0), (30, 0), (30, 30), (0, 30)], [[(10, 10), (10.2, 10), (10.2, 10.2), (10, 10.2)]]
    )
    partly = shapely.MultiPolygon([shapely.box(0, 0, 0.2, 0.2), shapely.box(5, 5, 8, 8)])
    got = commands([line, exterior_gone, hole_gone, partly, shapely.Polygon()])
    assert set(got) == {3, 4}  # the others are left out as features
    assert got[3].count(15) == 1 and len(got[3]) == 11  # one ring left
    assert got[4][:3] == [9, 16, 10] and len(got[4]) == 11  # only the 5..8 box, from (8, 5)
    assert encode_layer("l", np.array([line]), [1], []) == b""


def test_only_polygons_are_encoded():
    with pytest.raises(ValueError, match="polygons"):
        encode_layer("l", np.array([shapely.LineString([(0, 0), (1, 1)])]), [1], [])


def test_bad_input_raises_instead_of_crashing(kernel):
    square = shapely.to_wkb(shapely.box(0, 0, 10, 10), byte_order=1)
    ids = np.array([1], dtype=np.int64)
    with pytest.raises(ValueError, match="ids"):
        encode_layer("l", np.array([shapely.box(0, 0, 1, 1)]), [1, 2], [])
    with pytest.raises(ValueError, match="rows"):
        encode_layer("l", np.array([shapely.box(0, 0, 1, 1)]), [1], [PropertyTable.from_records([{}, {}])])
    for broken in (square[:-3], square[:7], b"\x00" + square[1:], b""):
        with pytest.raises(ValueError, match="WKB"):
            kernel.encode_layer(b"l", 4096, [broken], IDENTITY, ids, [], [])
    with pytest.raises(ValueError, match="2\\*\\*31"):
        encode_layer("l", np.array([shapely.box(0, 0, 2**32, 10)]), [1], [])
    with pytest.raises(ValueError, match="2\\*\\*31"):
        encode_layer("l", np.array([shapely.box(0, 0, 10, 10)]), [1], [], 4096, (0.0, 0.0, math.nan, 1.0))
    table = PropertyTable.from_records([{"a": 1}])
    codes = np.array([[5]], dtype=np.int32)  # beyond the table's one value
    with pytest.raises(ValueError, match="beyond"):
        kernel.encode_layer(b"l", 4096, [square], IDENTITY, ids, [(codes, *_table_parts(table))], [0])
    with pytest.raises(ValueError, match="key_ids"):
        kernel.encode_layer(b"l", 4096, [square], IDENTITY, ids, [(table.codes, *_table_parts(table))], [])
    keys, values, offsets = _table_parts(table)
    with pytest.raises(ValueError, match="offsets"):  # a value said to reach past the values
        kernel.encode_layer(
            b"l", 4096, [square], IDENTITY, ids, [(table.codes, keys, values, offsets + 99)], [0]
        )
    with pytest.raises(ValueError, match="codes"):  # two rows for one geometry
        kernel.encode_layer(
            b"l", 4096, [square], IDENTITY, ids, [(np.vstack([codes, codes]), keys, values, offsets)], [0]
        )


def _table_parts(table: PropertyTable) -> tuple:
    return table.key_fields, table.values, table.offsets


def reference_commands(geometry: shapely.Geometry, scale: float) -> list[int]:
    """MVT 2.1 polygon commands of one geometry at ``scale``, transcribed from the spec ring by ring."""
    out: list[int] = []
    cursor = (0, 0)
    polygons = shapely.get_parts(geometry) if geometry.geom_type == "MultiPolygon" else [geometry]
    for polygon in polygons:
        for k, ring in enumerate([polygon.exterior, *polygon.interiors]):
            points: list[tuple[int, int]] = []
            for x, y in ring.coords:
                point = (int(np.rint(x * scale)), int(np.rint(y * scale)))
                if not points or points[-1] != point:
                    points.append(point)
            points = points[:-1]  # the closing point
            n = len(points)
            area = sum(
                points[i][0] * points[(i + 1) % n][1] - points[(i + 1) % n][0] * points[i][1]
                for i in range(n)
            )
            if n < 3 or area == 0:
                if k == 0:
                    break  # the exterior takes its holes with it
                continue
            if (area < 0) if k == 0 else (area > 0):
                points = points[::-1]
            deltas = []
            for point in points:
                deltas += [point[0] - cursor[0], point[1] - cursor[1]]
                cursor = point
            zigzag = [(d << 1) ^ (d >> 63) for d in deltas]
            out += [9, *zigzag[:2], ((n - 1) << 3) | 2, *zigzag[2:], 15]
    return out


rings = st.lists(st.tuples(st.integers(-40, 40), st.integers(-40, 40)), min_size=3, max_size=12).map(
    lambda points: [(x / 4, y / 4) for x, y in points]
)  # quarter units: rounding makes repeats


@st.composite
def polygon_sets(draw) -> list:
    """Polygons with holes, multipolygons, both windings, repeated and collapsing points."""
    out = []
    for _ in range(draw(st.integers(1, 6))):
        parts = []
        for _ in range(draw(st.integers(1, 3))):
            shell = shapely.Polygon(draw(rings)).convex_hull
            if shell.geom_type != "Polygon" or shell.is_empty:
                continue
            holes = [shapely.Polygon(draw(rings)).convex_hull for _ in range(draw(st.integers(0, 2)))]
            for hole in holes:
                if hole.geom_type == "Polygon" and shell.contains(hole):
                    shell = shapely.Polygon(shell.exterior.coords, [*shell.interiors, hole.exterior.coords])
            if draw(st.booleans()):  # the other winding
                reverse = [ring.coords[::-1] for ring in shell.interiors]
                shell = shapely.Polygon(shell.exterior.coords[::-1], reverse)
            parts.append(shell)
        if parts:
            out.append(parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts))
    return out


@settings(max_examples=300, deadline=None)
@given(polygon_sets(), st.sampled_from([0.5, 1.0, 3.0]))
def test_commands_follow_the_spec_on_random_polygons(polygons, scale):
    expected = {i + 1: reference_commands(g, scale) for i, g in enumerate(polygons)}
    assert commands(polygons, (0.0, 0.0, scale, scale)) == {i: c for i, c in expected.items() if c}


def damaged_wkb(polygon: shapely.Geometry, data: st.DataObject) -> bytes:
    """The polygon's WKB cut short and/or with up to four bytes overwritten, as hypothesis draws them."""
    wkb = bytearray(shapely.to_wkb(polygon, byte_order=1))
    cut = data.draw(st.integers(0, len(wkb)))
    for _ in range(data.draw(st.integers(0, 4))):
        wkb[data.draw(st.integers(0, len(wkb) - 1))] = data.draw(st.integers(0, 255))
    return bytes(wkb[:cut]) if data.draw(st.booleans()) else bytes(wkb)


@settings(max_examples=300, deadline=None)
@given(polygon_sets(), st.data())
def test_damaged_wkb_is_refused_or_encoded_never_read_past(kernel, polygons, data):
    """Truncated or overwritten WKB (counts included) raises ValueError or encodes; it never reads past."""
    assume(polygons)
    damaged = damaged_wkb(polygons[0], data)
    try:
        layer = kernel.encode_layer(b"l", 4096, [damaged], IDENTITY, np.array([1], dtype=np.int64), [], [])
    except ValueError as error:
        assert "WKB" in str(error) or "polygons" in str(error) or "2**31" in str(error)
    else:
        assert isinstance(layer, bytes)


@pytest.mark.parametrize("value", [0, 1, 127, 128, 300, 2**14 - 1, 2**14, 2**35, 2**63 + 5])
def test_varints_match_the_protobuf_rule(value):
    out, rest = bytearray(), value
    while True:
        byte, rest = rest & 0x7F, rest >> 7
        out.append(byte | (0x80 if rest else 0))
        if not rest:
            break
    assert varint(value) == bytes(out)


def test_layer_with_many_keys_and_values_matches_oracle():
    # more than 127 keys and values: tags need multi-byte varints
    square = shapely.box(0, 0, 100, 100)
    props = [{f"k{i}": float(i) + 0.5 * g for i in range(150)} | {"code": f"c{g}"} for g in range(3)]
    mine = encode_tile([encode_polygon_layer("l", np.array([square, square, square]), [1, 2, 3], props)])
    reference = mapbox_vector_tile.encode(
        {
            "name": "l",
            "features": [{"geometry": square, "id": i + 1, "properties": p} for i, p in enumerate(props)],
        },
        default_options={"y_coord_down": True},
    )
    assert normalised(mine) == normalised(reference)
    assert decode(mine)["l"]["features"][2]["properties"]["k149"] == 150.0


def random_extra(codes, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    extra = {}
    for code in codes:
        values = {f"ind{i}": float(rng.normal()) if rng.random() > 0.2 else math.nan for i in range(6)}
        values["count"] = int(rng.integers(-5, 10**6))
        values["typ"] = str(rng.choice(["A", "B", "C"]))
        extra[code] = values
    return extra


@pytest.fixture(scope="module")
def synthetic():
    return prepare_level(pixel_coverage(), "regso")


def test_matches_mapbox_vector_tile_on_every_tile(synthetic):
    extra = random_extra(synthetic.codes)
    compared = 0
    for tile in tiles_covering(synthetic.bounds, synthetic.minzoom, synthetic.maxzoom):
        for values in (None, extra):
            mine = render_tile(synthetic, tile.z, tile.x, tile.y, layer="l", extra=values)
            reference = render_tile_reference(synthetic, tile.z, tile.x, tile.y, layer="l", extra=values)
            assert normalised(mine) == normalised(reference), tile
            compared += bool(mine)
    assert compared > 30


def test_winding_and_ring_order_on_every_tile(synthetic):
    for tile in tiles_covering(synthetic.bounds, synthetic.minzoom, synthetic.maxzoom):
        data = render_tile(synthetic, tile.z, tile.x, tile.y, layer="l")
        for feature in decode(data).get("l", {}).get("features", []):
            for polygon in polygons_of(feature):
                assert shoelace(polygon[0]) > 0 and all(shoelace(r) < 0 for r in polygon[1:])


@pytest.mark.parametrize("z", [8, 11, 14])
def test_neighbours_share_borders_in_the_tile(synthetic, z):
    lon, lat, _ = synthetic.center
    [tile] = list(tiles_covering((lon, lat, lon, lat), z, z))
    data = render_tile(synthetic, z, tile.x, tile.y, layer="l", buffer=0)
    polygons = [shapely.Polygon(p[0], p[1:]) for f in decode(data)["l"]["features"] for p in polygons_of(f)]
    union = shapely.union_all(polygons)
    holes = sum(shapely.Polygon(r).area for part in shapely.get_parts(union) for r in part.interiors)
    assert holes == 0  # no gap between neighbours (the enclave is a feature of its own)
    assert sum(p.area for p in polygons) == pytest.approx(union.area, abs=1.0)  # nor overlaps


def test_real_regso_tiles_match_the_oracle():
    path = SCB / "regso_2025_goteborgsregionen.gpkg"
    if not path.exists():
        pytest.skip(f"real SCB RegSO file not found at {path} (../shared/data/scb next to the repo)")
    prepared = prepare_level(read_regso(path), "regso")
    extra = random_extra(prepared.codes, seed=3)
    for z in (6, 9, 12):
        [tile] = list(tiles_covering((11.97, 57.71, 11.97, 57.71), z, z))
        mine = render_tile(prepared, z, tile.x, tile.y, layer="l", extra=extra)
        reference = render_tile_reference(prepared, z, tile.x, tile.y, layer="l", extra=extra)
        assert mine and normalised(mine) == normalised(reference)
