"""Peak memory of importing a 4 M-row long CSV: ``python benchmarks/import_memory.py [--rows N]``.

Writes (once, into ``benchmarks/.work/import``) a long-form CSV of N rows (code, year, indicator, value: 6000
DeSO areas x years x indicators, about 200 MB at 4 M rows) and a data folder holding those 6000 areas, then
runs the real CLI, ``barometer import values FILE --data DIR --definitions D.toml`` (every indicator a
share), in a subprocess and reads its peak resident
set size from ``os.wait4``. The reference, measured in the same run on the same file: ``pandas.read_csv``
alone (no checks, no dataset written). Prints the figures, the ratio and the CLI's wall time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / ".work" / "import"
AREAS = 6000
YEARS = tuple(range(2014, 2024))


def write_inputs(rows: int) -> tuple[Path, Path]:
    """The CSV and a data folder with its areas (reused when present for the same row count)."""
    import geopandas as gpd
    import numpy as np
    import shapely

    from data.store import make_dataset, write_version
    from indicators.model import empty_values

    folder = WORK / f"rows-{rows}"
    csv, data = folder / "values.csv", folder / "areas-only"
    if csv.exists() and (folder / "definitions.toml").exists() and any(data.glob("*/*")):
        return csv, data
    folder.mkdir(parents=True, exist_ok=True)
    codes = [f"{101 + i // 40:04d}C{1001 + i % 40:04d}" for i in range(AREAS)]
    areas = gpd.GeoDataFrame(
        {
            "code": codes,
            "name": codes,
            "level": "deso",
            "kommun": [c[:4] for c in codes],
            "lan": [c[:2] for c in codes],
            "regso": "",
        },
        geometry=[shapely.box(i * 100.0, 0, i * 100.0 + 90, 90) for i in range(AREAS)],
        crs="EPSG:3006",
    )
    write_version(data, make_dataset(areas, empty_values(), {}, {"title": "import benchmark"}))
    per_indicator = AREAS * len(YEARS)
    indicators = -(-rows // per_indicator)
    (folder / "definitions.toml").write_text(
        "".join(f'[indicators.andel_indikator_{k:03d}_20_64_ar]\nkind = "share"\n' for k in range(indicators))
    )
    rng = np.random.default_rng(7)
    with csv.open("w", encoding="utf-8", newline="\n") as out:
        out.write("code,year,indicator,value\n")
        written = 0
        for k in range(indicators):
            for year in YEARS:
                n = min(AREAS, rows - written)
                if n <= 0:
                    break
                values = rng.uniform(0, 100, n).round(2)
                out.writelines(
                    f"{c},{year},andel_indikator_{k:03d}_20_64_ar,{v}\n"
                    for c, v in zip(codes[:n], values, strict=True)
                )
                written += n
    return csv, data


def peak_mib(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(peak RSS MiB, seconds, stderr tail) of one subprocess, from the kernel's accounting of that child."""
    start = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    assert child.stderr is not None
    err = child.stderr.read().decode(errors="replace")
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{command} failed ({child.returncode}):\n{err[-2000:]}")
    return usage.ru_maxrss / 1024, time.perf_counter() - start, err


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=4_000_000)
    args = parser.parse_args()
    csv, data = write_inputs(args.rows)
    target = csv.parent / "imported"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(data, target, symlinks=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    reference, ref_seconds, _ = peak_mib(
        [sys.executable, "-c", f"import pandas; pandas.read_csv({str(csv)!r})"], env
    )
    ours, seconds, _ = peak_mib(
        [
            *(sys.executable, "-m", "data.cli", "import", "values", str(csv), "--data", str(target)),
            *("--definitions", str(csv.parent / "definitions.toml")),
        ],
        env,
    )
    size = csv.stat().st_size / 2**20
    print(f"file: {csv} ({args.rows} rows, {size:.0f} MiB)")
    print(f"barometer import values: peak RSS {ours:.0f} MiB, {seconds:.1f} s")
    print(f"pandas.read_csv (reference): peak RSS {reference:.0f} MiB, {ref_seconds:.1f} s")
    print(f"ratio ours / reference: {ours / reference:.2f}")


if __name__ == "__main__":
    main()
