"""Instructions per cold tile, counted by valgrind: ``.venv/bin/python benchmarks/instructions.py``.

Wall time on a shared machine varies by ±30 % from run to run; the number of instructions a tile takes does
not, so this is the measure to compare two versions of the encoder with. For z12 and z14 (where tiles are
small and a fixed cost per tile dominates), geometry and year tiles of the cold-tile sample of run.py, it
runs one process per kind under ``valgrind --tool=callgrind`` and counts only the rendering: instrumentation
starts once the dataset is loaded and prepared, and collection is limited to a ``functools.reduce`` call
that renders the tiles. Needs Debian's valgrind. Nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import PYTHON, ROOT, demo_folder, sample_tiles, table

ZOOMS = (12, 14)


def render(data: str, z: int, year: bool) -> None:
    """In the process under valgrind: load and warm, switch instrumentation on, render the tiles once."""
    from data.store import read_version
    from data.tileset import TileSet

    tileset = TileSet(read_version(data))
    tiles = [t for t in sample_tiles(tileset, 8) if t.z == z]
    latest = {t.level: tileset.dataset.years_of(t.level)[-1] for t in tiles}

    def one(_: object, t) -> bytes:
        return tileset.tile(t.level, t.z, t.x, t.y, latest[t.level] if year else None)

    functools.reduce(one, tiles, b"")  # year properties, prepared levels: built before counting
    subprocess.Popen(["callgrind_control", "-i", "on", str(os.getpid())], stdout=subprocess.DEVNULL)
    until = time.monotonic() + 3  # callgrind takes the request while this process runs code
    while time.monotonic() < until:
        pass
    functools.reduce(one, tiles, b"")
    print(len(tiles))


def count(data: Path, z: int, year: bool) -> float:
    """Instructions per tile of one kind at one zoom."""
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "callgrind.log"
        done = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                "--toggle-collect=functools_reduce",
                f"--callgrind-out-file={folder}/out",
                f"--log-file={log}",
                PYTHON,
                __file__,
                "--render",
                str(data),
                str(z),
                "year" if year else "geometry",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        collected = re.search(r"Collected : ([\d,]+)", log.read_text())
        assert collected, log.read_text()
        return int(collected.group(1).replace(",", "")) / int(done.stdout.split()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=6000)
    parser.add_argument("--render", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.render:
        data, z, kind = args.render
        render(data, int(z), kind == "year")
        return
    data = demo_folder(args.areas)
    kinds = [(z, year) for z in ZOOMS for year in (False, True)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        counts = list(pool.map(lambda k: count(data, *k), kinds))
    rows = [
        [z, "year" if year else "geometry", f"{n / 1e6:.2f}"]
        for (z, year), n in zip(kinds, counts, strict=True)
    ]
    print(table(["z", "tile", "million instructions per tile"], rows))


if __name__ == "__main__":
    main()
