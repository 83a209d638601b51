"""All tile benchmarks in one run: ``.venv/bin/python benchmarks/run.py [--areas 6000] [--quick]``.

1. cold tiles: our render_tile vs PostGIS ST_AsMVT(ST_AsMVTGeom(...)) on a fixed sample at z5–z14;
2. full seed: ``barometer seed`` vs tippecanoe --detect-shared-borders (time, archive size, tile sizes);
3. warm tiles: gunicorn (``barometer serve --production --workers 2``) vs tileserver-gl-light under wrk;
4. memory: a worker with the demo loaded and prepared.
Prints Markdown tables with ratios against the references measured in this run and writes them, with the
raw figures, to benchmarks/.work/results.md and results.json. Nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import postgis, seeding, throughput
from benchmarks.common import PYTHON, ROOT, WORK, demo_folder, median, ratio, sample_tiles, table

KIB = 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, default=6000, help="DeSO areas in the demo (default 6000)")
    parser.add_argument("--quick", action="store_true", help="fewer sample tiles, 1 repeat, 3 s wrk runs")
    args = parser.parse_args()
    per_zoom, repeat, seconds = (3, 1, 3) if args.quick else (8, 9, 10)
    WORK.mkdir(parents=True, exist_ok=True)
    report: list[str] = [f"# Benchmark run {time.strftime('%Y-%m-%d %H:%M')}", "", machine(), ""]
    load_before = os.getloadavg()
    raw: dict = {"args": vars(args)}

    started = time.perf_counter()
    data = demo_folder(args.areas)
    raw["demo_build_s"] = round(time.perf_counter() - started, 1)

    print("memory and preparation …", flush=True)
    memory = json.loads(
        subprocess.run(
            [PYTHON, "-m", "benchmarks.memory", str(data)],
            cwd=ROOT,
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    )
    raw["memory"] = memory

    from data.store import read_version
    from data.tileset import TileSet

    tileset = TileSet(read_version(data))
    dataset = tileset.dataset
    sample = sample_tiles(tileset, per_zoom)
    levels = sorted({t.level for t in sample}, key=["deso", "regso", "kommun", "lan"].index)
    years = {level: dataset.years_of(level)[-1] for level in levels}
    raw["sample"] = [t.path(None) for t in sample]

    print("PostGIS …", flush=True)
    postgis.ensure_server()
    postgis.load(tileset, levels, years)
    cold = postgis.summarise(postgis.compare(tileset, sample, years, repeat))
    raw["cold"] = cold
    report += ["## Cold tiles vs PostGIS", "", cold_table(cold), ""]

    print("seeding and tippecanoe …", flush=True)
    seeds = WORK / "seed"
    seeds.mkdir(exist_ok=True)
    ours_geometry_s = seeding.run_ours(data, seeds / "ours.mbtiles", levels, "none")
    ours_year_s = seeding.run_ours(data, seeds / "ours.mbtiles", levels, "latest", geometry=False)
    tippecanoe_s = 0.0
    for level in levels:
        prepared = tileset.prepared(level)
        geojson = seeds / f"{level}.geojsonl"
        seeding.write_geojson(dataset, level, geojson)
        tippecanoe_s += seeding.run_tippecanoe(
            geojson, seeds / f"tippecanoe-{level}.mbtiles", level, prepared.minzoom, prepared.maxzoom
        )
    seed_rows, size_rows, maximum = seed_tables(seeds, levels, years, tileset)
    raw["seed"] = {
        "ours_geometry_s": ours_geometry_s,
        "ours_year_s": ours_year_s,
        "tippecanoe_s": tippecanoe_s,
    }
    report += [
        "## Full seed vs tippecanoe",
        "",
        table(
            ["what", "ours", "tippecanoe", "ratio"],
            [
                [
                    f"geometry tiles of {', '.join(levels)}: seconds",
                    f"{ours_geometry_s:.1f}",
                    f"{tippecanoe_s:.1f}",
                    ratio(ours_geometry_s, tippecanoe_s),
                ],
                *seed_rows,
                [
                    f"year tiles ({', '.join(f'{lv} {y}' for lv, y in years.items())}): seconds",
                    f"{ours_year_s:.1f}",
                    "–",
                    "–",
                ],
            ],
        ),
        "",
        "Median gzipped tile size per zoom (all tiles of the archive at that zoom):",
        "",
        table(
            [
                "level",
                "z",
                "tiles ours",
                "tiles tippecanoe",
                "median ours KiB",
                "median tippecanoe KiB",
                "ratio (target ≤ 1.5)",
            ],
            size_rows,
        ),
        "",
        f"Largest tile of any of our archives (geometry and year tiles): {maximum[0] / KIB:.1f} KiB "
        f"({maximum[1]}) — target < 500 KiB.",
        "",
    ]

    print("warm throughput …", flush=True)
    warm = warm_throughput(data, seeds, sample, years, seconds)
    raw["warm"] = warm
    report += [
        "## Warm tiles vs tileserver-gl-light",
        "",
        warm_table(warm),
        "",
        memory_section(memory, warm),
        "",
    ]

    report.append(
        f"Load average (1 min) at the start {load_before[0]:.1f}, at the end {os.getloadavg()[0]:.1f} "
        "(other jobs share the machine)."
    )
    text = "\n".join(report)
    print("\n" + text)
    (WORK / "results.md").write_text(text + "\n")
    (WORK / "results.json").write_text(json.dumps(raw, indent=1, default=str))
    print(f"\nwritten to {WORK / 'results.md'} and results.json")


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    return (
        f"Machine: {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB RAM, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}."
    )


def cold_table(rows: list[dict]) -> str:
    body = [
        [
            r["z"],
            r["level"],
            r["kind"],
            r["n"],
            f"{r['ours_s'] * 1000:.2f}",
            f"{r['src_s'] * 1000:.2f}",
            f"{r['band_s'] * 1000:.2f}",
            ratio(r["ours_s"], r["src_s"]),
            ratio(r["ours_s"], r["band_s"]),
            f"{r['ours_gz'] / KIB:.1f}",
            f"{r['src_gz'] / KIB:.1f}",
        ]
        for r in rows
    ]
    return table(
        [
            "z",
            "level",
            "tile",
            "n",
            "ours ms",
            "PostGIS src ms",
            "PostGIS band ms",
            "ratio src",
            "ratio band",
            "ours KiB gz",
            "PostGIS KiB gz",
        ],
        body,
    )


def seed_tables(seeds: Path, levels: list[str], years: dict[str, int], tileset):
    several = [seeds / f"ours-{level}.mbtiles" for level in levels]
    ours_size = sum(p.stat().st_size for p in several)
    theirs_size = sum((seeds / f"tippecanoe-{level}.mbtiles").stat().st_size for level in levels)
    rows = [
        [
            "geometry archives: MiB",
            f"{ours_size / 2**20:.1f}",
            f"{theirs_size / 2**20:.1f}",
            ratio(ours_size, theirs_size),
        ]
    ]
    size_rows, maximum = [], (0, "")
    for level in levels:
        ours = seeding.tile_sizes(seeds / f"ours-{level}.mbtiles")
        theirs = seeding.tile_sizes(seeds / f"tippecanoe-{level}.mbtiles")
        for z in range(5, 9):
            if z in ours or z in theirs:
                a, b = median(ours.get(z, [])), median(theirs.get(z, []))
                size_rows.append(
                    [
                        level,
                        z,
                        len(ours.get(z, [])),
                        len(theirs.get(z, [])),
                        f"{a / KIB:.1f}",
                        f"{b / KIB:.1f}",
                        ratio(a, b),
                    ]
                )
        for name in (f"ours-{level}.mbtiles", f"ours-{level}-{years[level]}.mbtiles"):
            for z, sizes in seeding.tile_sizes(seeds / name).items():
                if max(sizes) > maximum[0]:
                    maximum = (max(sizes), f"{name} z{z}")
    return rows, size_rows, maximum


def warm_throughput(data: Path, seeds: Path, sample, years: dict[str, int], seconds: int) -> dict:
    """Both servers over the same tiles: wrk on the geometry tiles, then on the year tiles."""
    throughput.ensure_tileserver_gl()
    urls: dict[str, dict[str, list[str]]] = {"ours": {}, "tileserver-gl-light": {}}
    sources = {}
    for kind in ("geometry", "year"):
        for server in urls:
            urls[server][kind] = []
        for tile in sample:
            year = None if kind == "geometry" else years[tile.level]
            name = tile.level if year is None else f"{tile.level}-{year}"
            sources[name] = f"ours-{name}.mbtiles"
            urls["ours"][kind].append(tile.path(year))
            urls["tileserver-gl-light"][kind].append(f"/data/{name}/{tile.z}/{tile.x}/{tile.y}.pbf")
    results: dict = {"urls": {k: len(v) for k, v in urls["ours"].items()}, "seconds": seconds}
    servers = {
        "ours": (lambda: throughput.start_ours(data, 8701), "http://127.0.0.1:8701", "/tiles/deso.json"),
        "tileserver-gl-light": (
            lambda: throughput.start_tileserver_gl(seeds, sources, 8702),
            "http://127.0.0.1:8702",
            "/index.json",
        ),
    }
    bodies: dict[str, list[bytes]] = {}
    for name, (start, base, ready) in servers.items():
        process = start()
        try:
            throughput.wait_ready(base + ready, process)
            results[name] = {}
            for kind, paths in urls[name].items():
                fetched = throughput.fetch_all(base, paths)
                bodies.setdefault(name, []).extend(gzip.decompress(b) for b in fetched.values())
                paths_file = WORK / f"paths-{name}-{kind}.txt"
                paths_file.write_text("\n".join(paths) + "\n")
                throughput.wrk(base, paths_file, 3)  # warm-up, not counted
                results[name][kind] = throughput.wrk(base, paths_file, seconds)
            if name == "ours":
                results["ours_workers"] = [
                    throughput.process_rss_mib(p) for p in throughput.children(process.pid)
                ]
        finally:
            throughput.stop(process)
    pairs = zip(bodies["ours"], bodies["tileserver-gl-light"], strict=True)
    results["same_tiles"] = sum(a == b for a, b in pairs)
    return results


def warm_table(warm: dict) -> str:
    rows = []
    for kind in ("geometry", "year"):
        ours, theirs = warm["ours"][kind], warm["tileserver-gl-light"][kind]
        for name, r in (("ours (gunicorn, 2 workers × 4 threads)", ours), ("tileserver-gl-light", theirs)):
            rows.append(
                [kind, name, f"{r['rps']:.0f}", f"{r['p50_ms']:.2f}", f"{r['p99_ms']:.2f}", r["non_2xx"]]
            )
        rows.append(
            [
                kind,
                "**ratio ours / tileserver-gl-light** (target ≥ 1.0)",
                ratio(ours["rps"], theirs["rps"]),
                "",
                "",
                "",
            ]
        )
    total = sum(warm["urls"].values())
    note = (
        f"\n\n{warm['urls']['geometry']} geometry and {warm['urls']['year']} year tile URLs "
        "(the cold sample), "
        f"wrk -t2 -c32 -d{warm['seconds']}s after a 3 s warm-up, each set on its own; "
        f"{warm['same_tiles']}/{total} tiles identical between the servers after gunzip."
    )
    return table(["tiles", "server", "requests/s", "p50 ms", "p99 ms", "non-2xx"], rows) + note


def memory_section(memory: dict, warm: dict) -> str:
    rows = [
        [name, f"{s['seconds']:.2f}", f"{s['rss_mib']:.0f}", f"{s['peak_mib']:.0f}"]
        for name, s in memory["steps"].items()
    ]
    workers = ", ".join(
        f"RSS {w['rss']:.0f} MiB (peak {w['peak']:.0f}, PSS {w['pss']:.0f})"
        for w in warm.get("ours_workers", [])
    )
    return (
        "## Memory (target < 500 MiB per worker)\n\n"
        + table(["step (one fresh process)", "seconds", "RSS MiB", "peak MiB"], rows)
        + f"\n\nGunicorn workers after the warm run: {workers}."
    )


if __name__ == "__main__":
    main()
