"""What the Python port of the MVT kernel costs where the compiled one could not be built:
``.venv/bin/python benchmarks/python_kernel.py [--areas 6000] [--per-zoom 8] [--repeat 5]``.

Cold tiles of the cold-tile sample of run.py (geometry and year tiles, clipping included, year properties
and prepared geometry built before timing), rendered with ``geo._mvt`` and with ``geo._mvt_python`` in
turns in the same process; prints the median time per tile of each and their ratio, and checks that both
wrote the same bytes. Nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import ZOOMS, demo_folder, ratio, sample_tiles, table, timed_together


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=6000)
    parser.add_argument("--per-zoom", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import geo.mvt
    from data.store import read_version
    from data.tileset import TileSet
    from geo import _mvt, _mvt_python

    tileset = TileSet(read_version(demo_folder(args.areas)))
    tiles = sample_tiles(tileset, args.per_zoom)
    latest = {t.level: tileset.dataset.years_of(t.level)[-1] for t in tiles}
    rows = []
    for z in ZOOMS:
        for kind in ("geometry", "year"):
            chosen = [t for t in tiles if t.z == z]

            def render(kernel, chosen=chosen, kind=kind) -> list[bytes]:
                geo.mvt.KERNEL = kernel
                return [
                    tileset.tile(t.level, t.z, t.x, t.y, latest[t.level] if kind == "year" else None)
                    for t in chosen
                ]

            timed = timed_together(
                {"compiled": lambda r=render: r(_mvt), "python": lambda r=render: r(_mvt_python)}, args.repeat
            )
            (compiled, a), (python, b) = timed["compiled"], timed["python"]
            assert a == b, f"the kernels disagree at z{z} ({kind})"
            n = len(chosen)
            rows.append(
                [z, kind, n, f"{compiled / n * 1e3:.2f}", f"{python / n * 1e3:.2f}", ratio(python, compiled)]
            )
    geo.mvt.KERNEL = _mvt
    print(table(["z", "tile", "tiles", "compiled ms/tile", "python ms/tile", "python / compiled"], rows))


if __name__ == "__main__":
    main()
