"""What deriving coarser levels costs when a version is built: ``python -m benchmarks.derive [regso|demo]``.

- ``regso``: a country of RegSO-only values (3,400 RegSO in 290 municipalities and 21 counties, 13 years;
  three counts in five groups, two shares with counts, a mean with its denominators), every kommun, län and
  riket value derived. Reference: one pandas groupby-sum of the same rows by municipality.
- ``demo``: the 6,000-DeSO demo, where every level is imported and nothing needs deriving. Reference: one
  pandas groupby-size of the table by (indicator, level, year, breakdown).

Prints JSON: seconds of the derivation and of the reference, their ratio, rows derived, and the process's
peak RSS (VmHWM) before and after. Run each case in a fresh process (the peak is per process).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from indicators.model import Indicator, normalise_values


def peak_mib() -> float:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
    return int(fields["VmHWM"].split()[0]) / 1024


def regso_country(seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Indicator]]:
    rng = np.random.default_rng(seed)
    kommun = np.repeat([f"{1 + i // 14:02d}{i % 14 + 1:02d}" for i in range(290)], 12)[:3400]
    regso = [f"{k}R{i:03d}" for i, k in enumerate(kommun)]
    areas = pd.DataFrame({"code": regso, "name": regso, "level": "regso", "kommun": kommun, "regso": ""})
    areas["lan"] = areas["kommun"].str[:2]
    indicators = {
        **{f"count{i}": Indicator(f"count{i}", "c", "c", kind="count") for i in range(3)},
        **{f"share{i}": Indicator(f"share{i}", "s", "s", kind="share") for i in range(2)},
        "mean": Indicator("mean", "m", "m", kind="mean"),
    }
    frames = []
    n = len(regso)
    for year in range(2011, 2024):
        for i in range(3):
            for group in ("total", *(f"age={a}" for a in range(4))):
                frames.append(_rows(f"count{i}", regso, year, group, rng.integers(10, 5000, n), None, None))
        for i in range(2):
            den = rng.integers(100, 5000, n).astype(float)
            num = np.floor(den * rng.uniform(0.05, 0.9, n))
            frames.append(_rows(f"share{i}", regso, year, "total", 100 * num / den, num, den))
        den = rng.integers(100, 5000, n).astype(float)
        frames.append(_rows("mean", regso, year, "total", rng.uniform(200, 600, n), None, den))
    return areas, normalise_values(pd.concat(frames, ignore_index=True)), indicators


def _rows(ind, codes, year, group, value, num, den) -> pd.DataFrame:
    nan = np.full(len(codes), np.nan)
    return pd.DataFrame(
        {
            "indicator": ind,
            "level": "regso",
            "code": codes,
            "year": year,
            "breakdown": group,
            "value": value,
            "numerator": nan if num is None else num,
            "denominator": nan if den is None else den,
        }
    )


def main(case: str) -> dict:
    from indicators.derive import with_derived

    if case == "demo":
        from data.demo import build_demo

        demo = build_demo(6000)
        areas, values, indicators = demo.areas, normalise_values(demo.values), dict(demo.indicators)

        def reference() -> None:
            values.groupby(["indicator", "level", "year", "breakdown"], observed=True).size()

    else:
        areas, values, indicators = regso_country()

        def reference() -> None:
            kommun = values["code"].astype(str).str[:4]
            values.groupby([values["indicator"], kommun, values["year"], values["breakdown"]], observed=True)[
                ["value", "numerator", "denominator"]
            ].sum()

    before = peak_mib()
    start = time.perf_counter()
    derived = with_derived(values, indicators, areas)
    seconds = time.perf_counter() - start
    after = peak_mib()
    start = time.perf_counter()
    reference()
    ref_seconds = time.perf_counter() - start
    return {
        "case": case,
        "rows": len(values),
        "derived_rows": int(derived.values["derived"].sum()),
        "seconds": round(seconds, 2),
        "reference_seconds": round(ref_seconds, 2),
        "ratio": round(seconds / ref_seconds, 1),
        "peak_mib_before": round(before),
        "peak_mib_after": round(after),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1] if len(sys.argv) > 1 else "regso")))
