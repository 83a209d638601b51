"""A flood of distinct legend URLs against one worker: ``python -m benchmarks.memo_flood [N]``.

Each URL has its own ``breaks=``, so each computes classes the worker would keep. Runs N legends of the demo
at 6000 DeSO areas twice, each in a fresh process: with a memo budget of BUDGET_MB (``BAROMETER_MEMO_MB``)
and, as the reference, with a budget no flood reaches (what the unbounded dicts did). Prints the resident
set growth of both (after a warm-up, heap trimmed before each reading), the memo's accounted bytes, and the
ratio of the growths.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from benchmarks.memory import rss_mib

UNBOUNDED_MB = 1 << 20
BUDGET_MB = 16


def _held_mib() -> float:
    import gc

    from data import allocation

    gc.collect()
    allocation.release()
    return rss_mib()[0]


def flood(n: int, memo_mb: int) -> dict:
    from tileserver import create_app  # first: it sets the allocators up before pyarrow loads
    from indicators.memo import MEMO  # isort: skip

    app = create_app({"DEMO_AREAS": 6000, "MEMO_MB": memo_mb})
    client = app.test_client()
    for i in range(n + 10):  # the first 10 warm up
        url = f"/api/legend/deso/employment_rate/2023?breaks=60,{70 + i / 1000:.3f},90"
        assert client.get(url).status_code == 200
        if i == 9:
            before = _held_mib()
    return {
        "memo_mb": memo_mb,
        "legends": n,
        "rss_growth_mib": round(_held_mib() - before, 1),
        "memo_accounted_mib": round(MEMO.bytes / 2**20, 1),
        "memo_entries": len(MEMO),
    }


def main(n: int) -> dict:
    runs = {}
    for name, budget in (("budget", BUDGET_MB), ("unbounded", UNBOUNDED_MB)):
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.memo_flood", "--run", str(n), str(budget)],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        runs[name] = json.loads(out.stdout.strip().splitlines()[-1])
    growth = runs["budget"]["rss_growth_mib"] / max(runs["unbounded"]["rss_growth_mib"], 0.1)
    return {**runs, "rss_growth_ratio_budget_to_unbounded": round(growth, 2)}


if __name__ == "__main__":
    if sys.argv[1:2] == ["--run"]:
        print(json.dumps(flood(int(sys.argv[2]), int(sys.argv[3]))))
    else:
        print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 400), indent=1))
