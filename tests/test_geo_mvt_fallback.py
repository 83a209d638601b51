"""Without the compiled kernel: geo._mvt_python encodes the bytes geo._mvt does, a server whose kernel could
not be built says so once and still serves valid tiles, and a failed compile does not fail the install."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from geo import _mvt_python
from geo.grid import tiles_covering
from geo.mvt import IDENTITY, _key_ids
from geo.properties import PropertyTable
from geo.tiles import render_tile
from tests.test_geo_mvt import damaged_wkb, decode, polygon_sets, random_extra, synthetic  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parents[1]
_mvt = pytest.importorskip("geo._mvt", reason="geo._mvt was not built: nothing to compare the port with")


def both(*args) -> tuple[object, object]:
    """What each kernel makes of the same call: its bytes, or its error's type and message."""
    outcomes = []
    for kernel in (_mvt, _mvt_python):
        try:
            outcomes.append(kernel.encode_layer(*args))
        except (ValueError, TypeError) as error:
            outcomes.append((type(error), str(error)))
    return outcomes[0], outcomes[1]


def test_both_kernels_encode_every_tile_alike(synthetic, monkeypatch):  # noqa: F811
    import geo.mvt

    extra = random_extra(synthetic.codes)
    compared = 0
    for tile in tiles_covering(synthetic.bounds, synthetic.minzoom, synthetic.maxzoom):
        for values in (None, extra):
            tiles = []
            for kernel in (_mvt, _mvt_python):
                monkeypatch.setattr(geo.mvt, "KERNEL", kernel)
                tiles.append(render_tile(synthetic, tile.z, tile.x, tile.y, layer="l", extra=values))
            assert tiles[0] == tiles[1], tile
            compared += bool(tiles[0])
    assert compared > 30


cells = st.one_of(
    st.none(),
    st.integers(-(2**63), 2**64 - 1),
    st.floats(allow_nan=False, width=64),
    st.booleans(),
    st.sampled_from(["", "a", "hög", "x" * 200]),
)


@settings(max_examples=200, deadline=None)
@given(
    polygon_sets(),
    st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=0, max_size=3),
    st.data(),
    st.tuples(st.sampled_from([0.0, -3.5]), st.sampled_from([0.0, 7.25]), st.sampled_from([0.5, 1.0, 3.0])),
)
def test_both_kernels_agree_on_random_layers(polygons, keys, data, transform):
    """Geometry, two property tables (the later one overriding keys where it has a value), ids of every
    size: the same bytes."""
    n = len(polygons)
    tables = [
        PropertyTable.from_records([{k: data.draw(cells) for k in keys} for _ in range(n)]),
        PropertyTable.from_records([{k: data.draw(cells) for k in keys[:1]} for _ in range(n)]),
    ]
    columns = [(t.codes.astype(np.int32), t.key_fields, t.values, t.offsets) for t in tables]
    ids = np.array(data.draw(st.lists(st.integers(0, 2**63 - 1), min_size=n, max_size=n)), dtype=np.int64)
    wkb = shapely.to_wkb(np.array(polygons), output_dimension=2, byte_order=1).tolist()
    ox, oy, scale = transform
    compiled, python = both(b"l", 4096, wkb, (ox, oy, scale, -scale), ids, columns, _key_ids(tables))
    assert compiled == python
    assert isinstance(compiled, bytes)


@settings(max_examples=300, deadline=None)
@given(polygon_sets(), st.data())
def test_both_kernels_refuse_damaged_wkb_alike(polygons, data):
    assume(polygons)
    damaged = damaged_wkb(polygons[0], data)
    compiled, python = both(b"l", 4096, [damaged], IDENTITY, np.array([1], dtype=np.int64), [], [])
    assert compiled == python


HIDDEN = """
import logging, sys
sys.modules["geo._mvt"] = None  # as if it had not been built: importing it raises ImportError
logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
import geo.mvt
from geo.prepare import prepare_level
from geo.tiles import render_tile
from tests.test_geo_prepare import pixel_coverage
assert geo.mvt.KERNEL.__name__ == "geo._mvt_python", geo.mvt.KERNEL
level = prepare_level(pixel_coverage(), "regso")
lon, lat, _ = level.center
import mercantile
tile = mercantile.tile(lon, lat, 11)
sys.stdout.buffer.write(render_tile(level, 11, tile.x, tile.y, layer="l"))
"""


def test_without_the_compiled_kernel_a_warning_and_valid_tiles():
    result = subprocess.run(
        [sys.executable, "-c", HIDDEN], cwd=ROOT, capture_output=True, timeout=300, check=False
    )
    stderr = result.stderr.decode()
    assert result.returncode == 0, stderr
    assert stderr.count("WARNING geo.mvt: the compiled MVT encoder geo._mvt is missing") == 1, stderr
    features = decode(result.stdout)["l"]["features"]
    assert features and all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in features)


def _wheel(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess, list[str]]:
    """``pip wheel`` of a clean copy of the project (no build folder, no kernel compiled in place): its
    output and the files of the wheel."""
    source = tmp_path / "src"
    for name in ("pyproject.toml", "setup.py", "README.md"):
        source.mkdir(exist_ok=True)
        shutil.copy(ROOT / name, source / name)
    for package in ("tileserver", "geo", "indicators", "styles", "data"):
        ignore = shutil.ignore_patterns("__pycache__", "*.so")
        shutil.copytree(ROOT / package, source / package, ignore=ignore)
    command = [sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(tmp_path / "out")]
    result = subprocess.run(
        [*command, str(source)], env={**os.environ, **env}, capture_output=True, text=True, timeout=600
    )
    wheels = list((tmp_path / "out").glob("*.whl"))
    files = zipfile.ZipFile(wheels[0]).namelist() if len(wheels) == 1 else []
    return result, files


def test_without_a_compiler_the_wheel_is_built_without_the_kernel(tmp_path):
    result, files = _wheel(tmp_path, {"CC": "false"})  # a compiler that fails, as a missing one does
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "WARNING: geo._mvt was not built" in result.stdout + result.stderr
    assert "geo/_mvt_python.py" in files and not [f for f in files if f.endswith(".so")]


def test_with_a_compiler_the_wheel_carries_the_kernel(tmp_path):
    compiler = shutil.which("cc")
    if compiler is None or not Path(sysconfig.get_paths()["include"], "Python.h").exists():
        pytest.skip("needs a C compiler and Python's headers")
    result, files = _wheel(tmp_path, {})
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "was not built" not in result.stdout + result.stderr
    assert f"geo/_mvt{sysconfig.get_config_var('EXT_SUFFIX')}" in files
