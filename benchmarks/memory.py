"""A worker's memory and start-up time: ``python -m benchmarks.memory DATA`` prints JSON.

Does what a gunicorn worker does before serving (create the app over the data folder, load the dataset,
prepare every level), then computes the year properties of every level's latest year and renders one tile
per level, and reports the resident set size (VmRSS) and its peak (VmHWM) after each step.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def rss_mib() -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def main(data: str) -> dict:
    from tileserver import create_app

    steps: dict[str, dict[str, float]] = {}

    def step(name: str, start: float) -> None:
        rss, peak = rss_mib()
        steps[name] = {"seconds": round(time.perf_counter() - start, 2), "rss_mib": rss, "peak_mib": peak}

    start = time.perf_counter()
    app = create_app({"DATA": data})
    services = app.extensions["barometer"]
    dataset = services.dataset()
    step("load dataset", start)
    tileset = services.tileset()
    for level in dataset.levels:
        if level == "riket":
            continue
        start = time.perf_counter()
        tileset.prepared(level)
        step(f"prepare {level}", start)
    start = time.perf_counter()
    for level in dataset.levels:
        if level == "riket" or not dataset.years_of(level):
            continue
        prepared = tileset.prepared(level)
        tileset.year_properties(level, dataset.years_of(level)[-1])
        lon, lat, _ = prepared.center
        import mercantile

        tile = mercantile.tile(lon, lat, prepared.minzoom + 2)
        tileset.tile(level, tile.z, tile.x, tile.y, dataset.years_of(level)[-1])
    step("year properties (latest year, every level) and a tile each", start)
    return {"areas": len(dataset.areas), "values": len(dataset.values), "steps": steps}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
