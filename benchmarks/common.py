"""What every benchmark shares: the demo data folder, the fixed tile sample, and small helpers."""

from __future__ import annotations

import gzip
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "benchmarks"
WORK = BENCH / ".work"
PYTHON = sys.executable
ZOOMS = (5, 6, 8, 10, 12, 14)
NATIONAL_ZOOMS = (3, 4, 5, 6, 8, 10, 12, 14)
"""The national benchmark also samples the zooms where the whole country fits on a screen."""


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def level_at(z: int, levels: Sequence[str] | None = None) -> str | None:
    """The finest level (of ``levels``, default all) the server serves at zoom ``z`` (LEVEL_ZOOMS)."""
    from geo.prepare import LEVEL_ZOOMS

    for level in ("deso", "regso", "kommun", "lan"):
        low, high = LEVEL_ZOOMS[level]
        if low <= z <= high and (levels is None or level in levels):
            return level
    return None


@dataclass(frozen=True)
class SampleTile:
    level: str
    z: int
    x: int
    y: int

    def path(self, year: int | None) -> str:
        return f"/tiles/{self.level}{'' if year is None else f'/{year}'}/{self.z}/{self.x}/{self.y}.mvt"


def demo_folder(areas: int | None, national: bool = False) -> Path:
    """A data folder holding ``build_demo(areas, national=national)`` (deterministic, so built once and
    reused); ``areas`` None is the demo's own default size."""
    name = "-".join(["demo", *(["national"] if national else []), *([str(areas)] if areas else [])])
    folder = WORK / name
    if not (folder / "CURRENT").exists():
        print(f"building {name} into {folder} …", flush=True)
        command = [PYTHON, "-m", "data.cli", "demo", "--data", str(folder)]
        command += [*(["--areas", str(areas)] if areas else []), *(["--national"] if national else [])]
        run(command)
    return folder


def sample_tiles(
    tileset, per_zoom: int, seed: int = 7, zooms: Sequence[int] = ZOOMS, levels: Sequence[str] | None = None
) -> list[SampleTile]:
    """Per zoom in ``zooms``, ``per_zoom`` tiles of the level served there: half the densest tiles (most area
    centres), half drawn at random, weighted by area count, from the rest — always tiles with areas."""
    rng = np.random.default_rng(seed)
    out = []
    for z in zooms:
        level = level_at(z, levels)
        if level is None:
            continue
        prepared = tileset.prepared(level)
        points = shapely.point_on_surface(prepared.bands[0].shapes())
        xs, ys = shapely.get_x(points), shapely.get_y(points)
        from geo.grid import ORIGIN, tile_size

        size = tile_size(z)
        keys = np.floor((xs + ORIGIN) / size).astype(np.int64) * (1 << z) + np.floor(
            (ORIGIN - ys) / size
        ).astype(np.int64)
        codes, counts = np.unique(keys, return_counts=True)
        order = np.argsort(-counts, kind="stable")
        dense = list(order[: (per_zoom + 1) // 2])
        rest = order[(per_zoom + 1) // 2 :]
        if len(rest):
            weights = counts[rest] / counts[rest].sum()
            take = min(per_zoom - len(dense), len(rest))
            dense += list(rng.choice(rest, size=take, replace=False, p=weights))
        for i in dense:
            out.append(SampleTile(level, z, int(codes[i] >> z), int(codes[i] & ((1 << z) - 1))))
    return out


def timed_together(
    functions: Mapping[str, Callable[[], object]], repeat: int
) -> dict[str, tuple[float, object]]:
    """Median wall time (seconds) and last result of each function, called in turns: one warm-up call each,
    then ``repeat`` rounds of one call each, so every function meets the same moments of a shared machine."""
    results = {name: function() for name, function in functions.items()}
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            start = time.perf_counter()
            results[name] = function()
            times[name].append(time.perf_counter() - start)
    return {name: (statistics.median(times[name]), results[name]) for name in functions}


def gz(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=6, mtime=0)


def run(command: Sequence[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(list(command), check=True, cwd=ROOT, **kwargs)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}" if theirs else "n/a"


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
