"""The compiled part of Barometer: the MVT layer kernel geo._mvt. Everything else is in pyproject.toml."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "geo._mvt",
            ["geo/_mvt.c"],
            extra_compile_args=["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter"],
        )
    ]
)
