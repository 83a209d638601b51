"""What checking a version costs: ``python -m benchmarks.version_check``.

Before a version is written or served, every level is checked the way preparation would take it
(``data.store.check_dataset``: reprojection, finite coordinates, validity after repair). Prints its time on
the demo at 6000 DeSO areas against the reference measured in the same run, preparing every level for tiles
(what a server does next anyway), and their ratio.
"""

from __future__ import annotations

import json
import time


def main() -> dict:
    from data.store import check_dataset
    from geo.prepare import prepare_level
    from tileserver import demo_dataset

    dataset = demo_dataset(6000)
    start = time.perf_counter()
    check_dataset(dataset)
    check = time.perf_counter() - start
    start = time.perf_counter()
    for level in dataset.levels:
        if level != "riket":
            prepare_level(dataset.area_frame(level).reset_index(drop=True), level)
    prepare = time.perf_counter() - start
    return {
        "areas": len(dataset.areas),
        "check_s": round(check, 3),
        "prepare_s": round(prepare, 3),
        "check_to_prepare": round(check / prepare, 3),
    }


if __name__ == "__main__":
    print(json.dumps(main(), indent=1))
