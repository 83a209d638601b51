"""The MVT kernel (geo/_mvt.c) built with AddressSanitizer and UBSan, running the encoder's own tests and
the comparisons with its Python port: an out-of-bounds read or write, a use after free or undefined
behaviour (overflow, misaligned access) aborts the run instead of passing unnoticed in the optimised build."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TESTS = [
    "tests/test_geo_mvt.py",
    "tests/test_geo_properties.py",
    *(
        f"tests/test_geo_mvt_fallback.py::test_both_kernels_{name}"
        for name in ("encode_every_tile_alike", "agree_on_random_layers", "refuse_damaged_wkb_alike")
    ),
    "-k",
    "not python",  # the compiled kernel's runs, not those of its Python port
]
RUNNER = """
import sys
import geo
geo.__path__.insert(0, sys.argv[1])  # the sanitized build is found before the installed one
import pytest
from geo import _mvt
assert _mvt.__file__.startswith(sys.argv[1]), _mvt.__file__
sys.exit(pytest.main(["-q", "-x", "-p", "no:cacheprovider", *sys.argv[2:]]))
"""


def _runtime(compiler: str) -> str | None:
    found = subprocess.run(
        [compiler, "-print-file-name=libasan.so"], capture_output=True, text=True
    ).stdout.strip()
    return found if Path(found).is_absolute() and Path(found).exists() else None


def test_the_encoder_tests_pass_under_address_and_undefined_behaviour_sanitizers(tmp_path):
    compiler = shutil.which("gcc")
    if compiler is None or _runtime(compiler) is None:
        pytest.skip("needs gcc with libasan (Debian gcc)")
    suffix = sysconfig.get_config_var("EXT_SUFFIX")
    build = tmp_path / "geo"
    build.mkdir()
    flags = ["-O1", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=undefined"]
    flags += ["-fno-omit-frame-pointer", "-fPIC", "-shared", f"-I{sysconfig.get_paths()['include']}"]
    source, target = ROOT / "geo" / "_mvt.c", build / f"_mvt{suffix}"
    subprocess.run([compiler, *flags, str(source), "-o", str(target)], check=True)
    env = {
        "LD_PRELOAD": _runtime(compiler),
        "ASAN_OPTIONS": "detect_leaks=0:abort_on_error=1",
        "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1",
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, str(build), *TESTS], cwd=ROOT, env=env, capture_output=True, text=True
    )
    report = result.stdout[-3000:] + result.stderr[-3000:]
    assert result.returncode == 0, report
    assert "passed" in result.stdout and "ERROR: AddressSanitizer" not in result.stderr, report
    assert "runtime error" not in result.stderr, report
