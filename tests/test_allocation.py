"""A server process gives back the memory it frees (data/allocation.py)."""

from __future__ import annotations

import os
import subprocess
import sys


def run_fresh(code: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout.strip()


SERVER = (
    "import data.cli, pyarrow\n"  # what `barometer serve` imports first: pyarrow is loaded by then
    "from tileserver import create_app\n"
    "create_app()\n"
    "print(pyarrow.default_memory_pool().backend_name)"
)


def test_a_server_puts_arrow_on_the_system_allocator():
    assert run_fresh("import pyarrow; print(pyarrow.default_memory_pool().backend_name)") != "system"
    assert run_fresh(SERVER) == "system"


def test_an_operator_setting_is_kept():
    env = {**os.environ, "ARROW_DEFAULT_MEMORY_POOL": "jemalloc"}
    out = subprocess.run([sys.executable, "-c", SERVER], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "jemalloc"
