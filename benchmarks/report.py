"""Time the segregation analysis report of the largest municipality of the demo at DeSO level over all years.

Usage: ``.venv/bin/python benchmarks/report.py [--areas 6000] [--runs 3]``. Prints the median of the runs
for gathering the facts (tables, maps, chart), writing the DOCX and writing the PDF, and as a reference
measured in the same run the XLSX download of the same municipality, level and years (``data/export.py``),
with the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from data.demo import build_demo
from data.export import export_table, xlsx_bytes
from data.report.content import build_report
from data.report.document import Figure
from data.report.docx import render_docx
from data.report.options import ReportOptions
from data.report.pdf import render_pdf


def median_time(produce, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = produce()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--areas", type=int, help="DeSO areas in the demo (default: build_demo()'s)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # pandas' fragmentation warnings from the XLSX reference

    demo = build_demo(args.areas) if args.areas else build_demo()
    dataset = demo.dataset()
    deso = dataset.area_frame("deso")
    kommun = deso["kommun"].value_counts().idxmax()
    years = dataset.years_of("deso")
    options = ReportOptions((kommun,), "deso", years[0], years[-1])
    print(
        f"municipality {kommun}: {int((deso['kommun'] == kommun).sum())} DeSO, {len(years)} years "
        f"{years[0]}-{years[-1]}; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    build_report(dataset, ReportOptions((kommun,), "deso", years[-1], years[-1]))  # warm-up: imports, fonts
    facts, report = median_time(lambda: build_report(dataset, options), args.runs)
    word, docx = median_time(lambda: render_docx(report), args.runs)
    pdf_time, pdf = median_time(lambda: render_pdf(report), args.runs)
    xlsx, _ = median_time(
        lambda: xlsx_bytes(dataset, export_table(dataset, kommun, "deso", list(years)), "sv"), args.runs
    )
    figures = sum(isinstance(block, Figure) for block in report.blocks)
    print(f"facts (tables, {figures} figures): {facts:.2f} s")
    print(f"docx: {word:.2f} s ({len(docx) / 1e6:.1f} MB); pdf: {pdf_time:.2f} s ({len(pdf) / 1e6:.1f} MB)")
    for name, writing in (("DOCX", word), ("PDF", pdf_time)):
        total = facts + writing
        print(f"{name} report: {total:.2f} s (target < 20 s); report / XLSX = {total / xlsx:.2f}x")
    print(f"reference, XLSX of the same areas and years: {xlsx:.2f} s")


if __name__ == "__main__":
    main()
