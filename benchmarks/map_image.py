"""Time a 300 DPI A4 map image of the largest municipality of the demo (``build_demo()`` by default).

Usage: ``.venv/bin/python benchmarks/map_image.py [--areas N] [--runs 5]``. Prints the median of the runs
for the whole image (areas and fills, layout, rasterize, legend and text, PNG encoding), and for its SVG.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.demo import build_demo
from styles.choropleth import MapOptions, classes_for
from styles.render import map_sheet, page_size, render_png, render_svg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--areas", type=int, help="DeSO areas in the demo (default: build_demo()'s)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--indicator", default="median_disposable_income")
    args = parser.parse_args()

    demo = build_demo(args.areas) if args.areas else build_demo()
    dataset = demo.dataset()
    deso = dataset.area_frame("deso")
    kommun = deso["kommun"].value_counts().idxmax()
    year = dataset.years_of("deso")[-1]
    options = MapOptions("deso", args.indicator, year, kommun=(kommun,))
    classes = classes_for(dataset, options)
    page = page_size(paper="A4", dpi=300)

    def png() -> bytes:
        return render_png(map_sheet(dataset, classes), page)

    def svg() -> bytes:
        return render_svg(map_sheet(dataset, classes), page).encode()

    print(
        f"municipality {kommun}: {int((deso['kommun'] == kommun).sum())} DeSO, {args.indicator} {year}, "
        f"A4 300 DPI = {page.width} x {page.height} px; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    for name, produce in (("png", png), ("svg", svg)):
        produce()  # warm-up: fonts, imports
        times, size = [], 0
        for _ in range(args.runs):
            start = time.perf_counter()
            size = len(produce())
            times.append(time.perf_counter() - start)
        print(
            f"{name}: median {statistics.median(times):.2f} s over {args.runs} runs "
            f"(min {min(times):.2f} s, max {max(times):.2f} s), {size / 1e6:.2f} MB"
        )


if __name__ == "__main__":
    main()
