"""First load of the web page in Chromium: bytes transferred and time until the map is drawn.

``.venv/bin/python benchmarks/page.py [--runs 5] [--areas N]``

The app runs under gunicorn (``barometer serve --production``) on the demo; each run opens ``/`` in a fresh
browser context (empty cache) in Debian's Chromium with software WebGL (SwiftShader), and reads the page's
own mark of when its first map went idle after drawing (``body[data-drawn-at]``, ms after navigation
start) and the page's main-thread task and script time until then (Chromium's ``Performance.getMetrics``:
less sensitive than the clock to other jobs on the machine). The reference, in the same run, is the same
page fetched with ``Accept-Encoding: identity``: what a client gets without compression, as every asset was
sent before the build precompressed them. Prints a Markdown table of medians; nothing here is a pass/fail
test.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import PYTHON, free_port, ratio, run, table
from benchmarks.throughput import start_ours, stop, wait_ready
from tests.clients import CHROMIUM, CHROMIUM_ARGS

TARGET_KB, TARGET_MS = 600, 1000


def first_load(browser, url: str, headers: dict[str, str]) -> dict:
    """One cold load: bytes over the wire (headers and bodies as sent), the drawn-at mark and the main
    thread's task and script time until it."""
    context = browser.new_context(viewport={"width": 1280, "height": 800}, extra_http_headers=headers)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    finished: list = []
    page.on("requestfinished", lambda request: finished.append(request))
    page.goto(url)
    page.wait_for_selector("body[data-drawn-at]", timeout=60_000)
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    drawn = int(page.get_attribute("body", "data-drawn-at") or 0)
    page.wait_for_load_state("networkidle")
    sizes = [request.sizes() for request in finished]
    context.close()
    transferred = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
    return {
        "ms": drawn,
        "task_ms": round(metrics["TaskDuration"] * 1000),
        "script_ms": round(metrics["ScriptDuration"] * 1000),
        "kb": transferred / 1000,
        "requests": len(sizes),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--areas", type=int, help="DeSO areas of the demo (default: the built-in small demo)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="barometer-page-") as folder:
        data = Path(folder) / "data"
        demo = [PYTHON, "-m", "data.cli", "demo", "--data", str(data)]
        run(demo + (["--areas", str(args.areas)] if args.areas else []))
        port = free_port()
        server = start_ours(data, port)
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_ready(url + "api/health", server)
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                first_load(browser, url, {})  # warms the server's tile and style caches, not the browser's
                results = {
                    name: [first_load(browser, url, headers) for _ in range(args.runs)]
                    for name, headers in (("built", {}), ("identity", {"Accept-Encoding": "identity"}))
                }
                browser.close()
        finally:
            stop(server)

    def med(name: str, key: str) -> float:
        return statistics.median(r[key] for r in results[name])

    rows = [
        [
            "transferred (kB)",
            f"{med('built', 'kb'):.0f}",
            f"{med('identity', 'kb'):.0f}",
            ratio(med("built", "kb"), med("identity", "kb")),
            f"< {TARGET_KB}",
        ],
        [
            "map drawn after navigation (ms)",
            f"{med('built', 'ms'):.0f}",
            f"{med('identity', 'ms'):.0f}",
            ratio(med("built", "ms"), med("identity", "ms")),
            f"< {TARGET_MS}",
        ],
        *(
            [
                label,
                f"{med('built', key):.0f}",
                f"{med('identity', key):.0f}",
                ratio(med("built", key), med("identity", key)),
                "",
            ]
            for label, key in (
                ("main-thread tasks until drawn (ms)", "task_ms"),
                ("of them script (ms)", "script_ms"),
            )
        ),
        ["requests", f"{med('built', 'requests'):.0f}", f"{med('identity', 'requests'):.0f}", "", ""],
    ]
    print(f"First load of / on the demo, median of {args.runs} cold loads each (Chromium, SwiftShader):\n")
    print(table(["", "as built (br)", "uncompressed", "ratio", "target"], rows))
    print(f"\nall runs: {results}")


if __name__ == "__main__":
    main()
