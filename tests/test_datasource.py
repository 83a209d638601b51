"""A data folder whose current version is broken: the server keeps serving the newest version that works
and says why; `barometer serve` starts on it instead of exiting with a traceback."""

from __future__ import annotations

import shutil
import time
import urllib.request
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely

from data.datasource import DatasetSource
from data.store import TILES, VERSIONS, current_version, write_version
from tests.conftest import grid_dataset
from tests.test_serve import production_server


def _break_geometry(folder: Path) -> None:
    """Write one area's outline with a NaN coordinate straight into the GeoParquet, as no import would, in a
    version written before its tile geometry was stored with it (prepared when it is loaded)."""
    shutil.rmtree(folder / TILES)
    table = pq.read_table(folder / "areas.parquet")
    wkb = table.column("geometry").to_pylist()
    with np.errstate(invalid="ignore"):
        broken = shapely.Polygon([(650_000, 6_580_000), (np.nan, 6_580_000), (650_000, 6_581_000)])
    wkb[0] = shapely.to_wkb(broken)
    index = table.schema.get_field_index("geometry")
    table = table.set_column(index, table.schema.field(index), pa.array(wkb, type=pa.binary()))
    pq.write_table(table, folder / "areas.parquet")


def _replace(path: Path, content: bytes) -> None:
    """A file of this version only made unreadable (versions over the same areas share their prepared
    geometry through hard links, so writing into it would damage every one of them)."""
    path.unlink()
    path.write_bytes(content)


BREAKS = {
    "corrupt values": lambda folder: (folder / "values.arrow").write_bytes(b"ARROW1 not really"),
    "corrupt tile geometry": lambda folder: _replace(folder / TILES / "deso.arrow", b"ARROW1 not really"),
    "missing file": lambda folder: (folder / "areas.parquet").unlink(),
    "NaN geometry": _break_geometry,
}


def _broken_folder(data_dir: Path, how: str) -> tuple[str, str]:
    """data_dir (one good version) plus a newer current version broken ``how``: (good, broken)."""
    good = current_version(data_dir)
    time.sleep(0.01)  # a later modification time
    newer = grid_dataset(years=(2020, 2021, 2022))
    BREAKS[how](write_version(data_dir, newer))
    return good, newer.version


@pytest.mark.filterwarnings("ignore:invalid value encountered in from_wkb:RuntimeWarning")  # reading NaN
@pytest.mark.parametrize("how", list(BREAKS))
def test_a_broken_current_version_at_start_serves_the_last_good_one(data_dir, how, caplog):
    good, broken = _broken_folder(data_dir, how)
    assert current_version(data_dir) == broken
    source = DatasetSource(data_dir, fallback=lambda: pytest.fail("no demo for a data folder"))
    assert source.get().version == good
    assert broken in source.problem and good in source.problem
    assert any(broken in r.getMessage() for r in caplog.records if r.levelname == "ERROR")


@pytest.mark.filterwarnings("ignore:invalid value encountered in from_wkb:RuntimeWarning")  # reading NaN
@pytest.mark.parametrize("how", list(BREAKS))
def test_a_version_that_breaks_while_serving_is_not_swapped_in(data_dir, how):
    source = DatasetSource(data_dir, fallback=lambda: pytest.fail("no demo"), check_every=0.0)
    good = source.get().version
    _, broken = _broken_folder(data_dir, how)
    assert source.get().version == good and broken in source.problem
    fixed = grid_dataset(years=(2020, 2021, 2023))
    write_version(data_dir, fixed)  # the next good import is picked up and clears the problem
    assert source.get().version == fixed.version and source.problem is None


def test_no_working_version_is_a_clear_error(data_dir):
    from indicators.model import InputError

    for folder in (data_dir / VERSIONS).iterdir():
        (folder / "values.arrow").write_bytes(b"garbage")
    with pytest.raises(InputError, match="no dataset version can be served"):
        DatasetSource(data_dir, fallback=lambda: pytest.fail("no demo")).get()


def test_serve_starts_on_a_folder_whose_current_version_has_nan_geometry(data_dir):
    good, broken = _broken_folder(data_dir, "NaN geometry")
    with production_server(data_dir, workers=1) as served:
        assert served.health is not None and good in served.health
        tile = f"http://127.0.0.1:{served.port}/tiles/deso/8/140/72.mvt"
        with urllib.request.urlopen(tile, timeout=5) as response:
            assert response.status == 200
    assert f"warning: dataset version {broken}" in served.output
    assert f"serving version {good} instead" in served.output and "Traceback" not in served.output
