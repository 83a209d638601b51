"""Real clients for tests: a live server in a thread, QGIS in the system Python, Chromium via Playwright."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

SYSTEM_PYTHON = Path("/usr/bin/python3")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
    "--ignore-gpu-blocklist",
    "--no-sandbox",
]


@contextmanager
def live_server(app) -> Iterator[str]:
    """Serve ``app`` on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def require_qgis() -> None:
    probe = (
        subprocess.run([str(SYSTEM_PYTHON), "-c", "import qgis.core"], capture_output=True, check=False)
        if SYSTEM_PYTHON.exists()
        else None
    )
    if probe is None or probe.returncode != 0:
        pytest.skip("QGIS (Debian python3-qgis for /usr/bin/python3) is not installed")


def run_qgis(script: str, job: dict, workdir: Path) -> dict:
    """Run a PyQGIS script headless in the system Python with a JSON job (its path is ``sys.argv[1]``);
    returns the JSON the script prints last, or on a line of its own after ``RESULT``."""
    require_qgis()
    runtime = workdir / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    (workdir / "job.json").write_text(json.dumps(job))
    (workdir / "script.py").write_text(script)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_RUNTIME_DIR=str(runtime))
    done = subprocess.run(
        [str(SYSTEM_PYTHON), str(workdir / "script.py"), str(workdir / "job.json")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    answer = next((x[len("RESULT") :] for x in lines if x.startswith("RESULT")), lines[-1] if lines else "")
    return json.loads(answer)


@contextmanager
def chromium_page(width: int = 800, height: int = 600):
    """A Playwright page in Debian's Chromium (never a downloaded browser)."""
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.errors = errors  # type: ignore[attr-defined]
            yield page
        finally:
            browser.close()
