"""The compiled part of Barometer: the MVT layer kernel geo._mvt. Everything else is in pyproject.toml.

The kernel is optional: where it cannot be compiled (no C compiler, no Python headers) the build warns and
goes on, and geo/mvt.py encodes tiles with its Python port, geo/_mvt_python.py (same bytes, slower).
"""

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.errors import CCompilerError, CompileError, ExecError, LinkError, PlatformError

FAILURES = (CCompilerError, CompileError, ExecError, LinkError, PlatformError, OSError)


def _warn(error: Exception) -> None:
    print(
        f"WARNING: geo._mvt was not built ({error}); Barometer will encode tiles in Python, much more "
        "slowly. Install a C compiler and Python's headers (Debian: gcc python3-dev) and reinstall.",
        flush=True,
    )


class OptionalBuildExt(build_ext):
    """build_ext that warns instead of failing when the kernel cannot be compiled."""

    def run(self) -> None:
        try:
            super().run()
        except FAILURES as error:  # no compiler at all
            _warn(error)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except FAILURES as error:  # the compiler or the headers failed
            _warn(error)


setup(
    ext_modules=[
        Extension(
            "geo._mvt",
            ["geo/_mvt.c"],
            extra_compile_args=["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
        )
    ],
    cmdclass={"build_ext": OptionalBuildExt},
)
