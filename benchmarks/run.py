"""All tile benchmarks in one run: ``.venv/bin/python benchmarks/run.py [--areas N] [--national] [--quick]``.

1. cold tiles: our render_tile vs PostGIS ST_AsMVT(ST_AsMVTGeom(...)) on a fixed sample at z5–z14 (client
   time, and PostGIS's own execution time without the round trip);
2. full seed: ``barometer seed`` vs tippecanoe --detect-shared-borders (time, archive size, tile sizes);
3. warm tiles: gunicorn (``barometer serve --production --workers 2``) vs tileserver-gl-light under wrk;
4. memory: a worker with the demo loaded and prepared.
``--national`` runs them on the national demo (a Sweden-sized coverage with real-like borders, coasts and
islands) at z3–z14, then cold tiles and the seed on SCB's real RegSO, kommun and län files of
../shared/data/scb when they are there, then the memory of a production server (gunicorn, 4 workers) at
start and after three new versions (``benchmarks/serve_memory.py``).
Prints Markdown tables with ratios against the references measured in this run and writes them, with the
raw figures, to benchmarks/.work/results.md and results.json. Nothing here is a pass/fail test.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import postgis, seeding, throughput
from benchmarks.common import (
    NATIONAL_ZOOMS,
    PYTHON,
    ROOT,
    WORK,
    ZOOMS,
    demo_folder,
    median,
    ratio,
    run,
    sample_tiles,
    table,
)

KIB = 1024


SCB = ROOT.parent / "shared" / "data" / "scb"
SCB_FILES = ("regso_2025_goteborgsregionen.gpkg", "kommuner_2025.gpkg", "lan_2025.gpkg")
QUICK_SEED_MAXZOOM = 10
"""--quick seeds (ours and tippecanoe alike) up to this zoom only."""
READY_TIMEOUT = 900
"""Seconds a server may take to load and prepare a version (minutes for a national one on a busy host)."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--areas", type=int, help="DeSO areas in the demo (default 6000; national 6200)")
    parser.add_argument(
        "--national", action="store_true", help="the national demo at z3–z14, and SCB's files"
    )
    parser.add_argument("--quick", action="store_true", help="fewer sample tiles, 1 repeat, 3 s wrk runs")
    args = parser.parse_args()
    per_zoom, repeat, seconds = (3, 1, 3) if args.quick else (8, 9, 10)
    seed_maxzoom = QUICK_SEED_MAXZOOM if args.quick else None
    WORK.mkdir(parents=True, exist_ok=True)
    report: list[str] = [f"# Benchmark run {time.strftime('%Y-%m-%d %H:%M')}", "", machine(), ""]
    load_before = os.getloadavg()
    raw: dict = {"args": vars(args)}

    started = time.perf_counter()
    areas = args.areas if args.areas or args.national else 6000
    data = demo_folder(areas, national=args.national)
    raw["demo_build_s"] = round(time.perf_counter() - started, 1)
    zooms = NATIONAL_ZOOMS if args.national else ZOOMS

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

    title = "the national demo" if args.national else f"the {areas}-area demo"
    sections, results = compare_with_references(
        data, title, per_zoom, repeat, zooms, seed_maxzoom, WORK / "seed"
    )
    raw.update(results)
    report += sections
    if args.national:
        report += scb_sections(per_zoom, repeat, seed_maxzoom, raw)
    save(report, raw)

    print("warm throughput …", flush=True)
    seeded = [t for t in results["sample_tiles"] if seed_maxzoom is None or t.z <= seed_maxzoom]
    warm = warm_throughput(data, WORK / "seed", seeded, results["years"], seconds)
    raw["warm"] = warm
    report += [
        "## Warm tiles vs tileserver-gl-light",
        "",
        warm_table(warm),
        "",
        memory_section(memory, warm),
        "",
    ]
    save(report, raw)

    if args.national:
        print("memory of a production server across swaps …", flush=True)
        raw["server_memory"] = server_memory(data)
        report += [server_memory_section(raw["server_memory"]), ""]
        save(report, raw)

    report.append(
        f"Load average (1 min) at the start {load_before[0]:.1f}, at the end {os.getloadavg()[0]:.1f} "
        "(other jobs share the machine)."
    )
    print("\n" + "\n".join(report))
    save(report, raw)
    print(f"\nwritten to {WORK / 'results.md'} and results.json")


def save(report: list[str], raw: dict) -> None:
    """The report so far (a run that fails later keeps what it measured)."""
    (WORK / "results.md").write_text("\n".join(report) + "\n")
    (WORK / "results.json").write_text(json.dumps(raw, indent=1, default=str))


def compare_with_references(
    data: Path,
    title: str,
    per_zoom: int,
    repeat: int,
    zooms,
    seed_maxzoom: int | None,
    seeds: Path,
    with_years: bool = True,
) -> tuple[list[str], dict]:
    """Cold tiles against PostGIS and the seed against tippecanoe on the dataset in ``data``."""
    from data.store import read_version
    from data.tileset import TileSet

    tileset = TileSet(read_version(data))
    dataset = tileset.dataset
    served = [lv for lv in ("deso", "regso", "kommun", "lan") if lv in dataset.levels]
    sample = sample_tiles(tileset, per_zoom, zooms=zooms, levels=served)
    levels = sorted({t.level for t in sample}, key=["deso", "regso", "kommun", "lan"].index)
    years = {level: dataset.years_of(level)[-1] for level in levels} if with_years else {}
    raw: dict = {"sample": [t.path(None) for t in sample], "sample_tiles": sample, "years": years}

    print(f"PostGIS on {title} …", flush=True)
    postgis.ensure_server()
    postgis.load(tileset, levels, years)
    cold = postgis.summarise(postgis.compare(tileset, sample, years, repeat))
    raw["cold"] = cold
    report = [f"## Cold tiles vs PostGIS on {title}", "", cold_table(cold), ""]

    print(f"seeding and tippecanoe on {title} …", flush=True)
    seeds.mkdir(parents=True, exist_ok=True)
    ours_geometry_s = seeding.run_ours(data, seeds / "ours.mbtiles", levels, "none", maxzoom=seed_maxzoom)
    ours_year_s = (
        seeding.run_ours(data, seeds / "ours.mbtiles", levels, "latest", geometry=False, maxzoom=seed_maxzoom)
        if years
        else None
    )
    tippecanoe_s = 0.0
    for level in levels:
        prepared = tileset.prepared(level)
        geojson = seeds / f"{level}.geojsonl"
        seeding.write_geojson(dataset, level, geojson)
        maxzoom = min(prepared.maxzoom, seed_maxzoom or prepared.maxzoom)
        tippecanoe_s += seeding.run_tippecanoe(
            geojson, seeds / f"tippecanoe-{level}.mbtiles", level, prepared.minzoom, maxzoom
        )
    seed_rows, size_rows, maximum = seed_tables(seeds, levels, years, tileset, min(zooms))
    raw["seed"] = {
        "ours_geometry_s": ours_geometry_s,
        "ours_year_s": ours_year_s,
        "tippecanoe_s": tippecanoe_s,
        "maxzoom": seed_maxzoom,
    }
    zoom_note = f" up to z{seed_maxzoom}" if seed_maxzoom else ""
    year_rows = (
        [
            [
                f"year tiles ({', '.join(f'{lv} {y}' for lv, y in years.items())}): seconds",
                f"{ours_year_s:.1f}",
                "–",
                "–",
            ]
        ]
        if years
        else []
    )
    report += [
        f"## Full seed vs tippecanoe on {title}{zoom_note}",
        "",
        table(
            ["what", "ours", "tippecanoe", "ratio (target ≤ 1.0)"],
            [
                [
                    f"geometry tiles of {', '.join(levels)}: seconds",
                    f"{ours_geometry_s:.1f}",
                    f"{tippecanoe_s:.1f}",
                    ratio(ours_geometry_s, tippecanoe_s),
                ],
                *seed_rows,
                *year_rows,
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
        f"Largest tile of any of our archives: {maximum[0] / KIB:.1f} KiB ({maximum[1]}) — target < 500 KiB.",
        "",
    ]
    return report, raw


def scb_sections(per_zoom: int, repeat: int, seed_maxzoom: int | None, raw: dict) -> list[str]:
    """Cold tiles and the seed on SCB's real RegSO (Göteborg region), kommun and län boundaries."""
    if not all((SCB / name).exists() for name in SCB_FILES):
        reason = f"SCB's files are not in {SCB} (a fresh clone has no ../shared): skipped."
        raw["scb"] = reason
        return ["## SCB's real boundaries", "", reason, ""]
    folder = WORK / "scb"
    if not (folder / "CURRENT").exists():
        for name in SCB_FILES:
            run([PYTHON, "-m", "data.cli", "import", "areas", "--data", str(folder), str(SCB / name)])
    sections, results = compare_with_references(
        folder, "SCB's files", per_zoom, repeat, NATIONAL_ZOOMS, seed_maxzoom, WORK / "seed-scb", False
    )
    raw["scb"] = {k: v for k, v in results.items() if k != "sample_tiles"}
    note = (
        "SCB's real boundaries (../shared/data/scb): 300 RegSO of the Göteborg region, all 290 kommuner "
        "and 21 län as published (generalised), geometry tiles only (no values imported)."
    )
    return [note, "", *sections]


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
            f"{r['src_exec_s'] * 1000:.2f}",
            f"{r['band_exec_s'] * 1000:.2f}",
            ratio(r["ours_s"], r["src_s"]),
            ratio(r["ours_s"], r["band_s"]),
            ratio(r["ours_s"], r["src_exec_s"]),
            ratio(r["ours_s"], r["band_exec_s"]),
            f"{r['ours_gz'] / KIB:.1f}",
            f"{r['src_gz'] / KIB:.1f}",
        ]
        for r in rows
    ]
    return (
        table(
            [
                "z",
                "level",
                "tile",
                "n",
                "ours ms",
                "PostGIS src ms",
                "PostGIS band ms",
                "src exec ms",
                "band exec ms",
                "ratio src",
                "ratio band",
                "ratio src exec",
                "ratio band exec",
                "ours KiB gz",
                "PostGIS KiB gz",
            ],
            body,
        )
        + "\n\nPostGIS src/band ms: client time of the prepared statement (round trip included); exec ms: "
        "PostGIS's own execution time (EXPLAIN ANALYZE, no planning, no round trip). Ours: the render "
        "in-process. Targets on the national benchmark: ratio exec ≤ 0.5 at z3–z10, ≤ 1.0 at z12–z14."
    )


def seed_tables(seeds: Path, levels: list[str], years: dict[str, int], tileset, low: int = 5):
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
        for z in range(low, 9):
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
        names = [
            f"ours-{level}.mbtiles",
            *([f"ours-{level}-{years[level]}.mbtiles"] if level in years else []),
        ]
        for name in names:
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
            throughput.wait_ready(base + ready, process, timeout=READY_TIMEOUT)
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


def server_memory(data: Path, swaps: int = 3) -> dict:
    """``benchmarks.serve_memory`` on a copy of the data folder (its swaps write new versions)."""
    copy = WORK / "serve-memory"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(data, copy, copy_function=os.link)  # versions never change: links, not copies
    command = [PYTHON, "-m", "benchmarks.serve_memory", str(copy), "--swaps", str(swaps)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, check=True, text=True)
    return json.loads(result.stdout)


def server_memory_section(result: dict) -> str:
    rows = []
    for i, measured in enumerate(result["runs"]):
        workers = [w["pss"] for w in measured["workers"]]
        rows.append(
            [
                "at start" if i == 0 else f"after swap {i}",
                f"{measured['master']['pss']:.0f}",
                ", ".join(f"{w:.0f}" for w in workers),
                f"{max(workers) / 150:.2f}",
                f"{measured['total_pss']:.0f}",
                f"{measured['total_pss'] / 1024:.2f}",
            ]
        )
    header = [
        "version",
        "master PSS MiB",
        "workers PSS MiB",
        "max worker / 150 MiB",
        "total MiB",
        "total / 1 GiB",
    ]
    return (
        "## Memory of a production server (gunicorn, 4 workers)\n\n"
        + "Targets: PSS per worker < 150 MiB, master + workers < 1 GiB, the same after three swaps.\n\n"
        + f"Answered {result['answered_after_s']:.1f} s after start (target < 5 s).\n\n"
        + table(header, rows)
    )


if __name__ == "__main__":
    main()
