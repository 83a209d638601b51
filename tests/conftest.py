"""Shared fixtures: a small dataset written by the tests themselves, an app serving it, the MVT kernels."""

from __future__ import annotations

import importlib
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import geo.mvt
from data.store import make_dataset, write_version
from indicators.model import Dataset, Indicator

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "scb"
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"

INDICATORS = {
    "income": Indicator(
        "income", "Inkomst", "Income", unit="kr", direction="higher_better", decimals=0, kind="median"
    ),
    "unemployment": Indicator(
        "unemployment", "Arbetslöshet", "Unemployment", unit="%", direction="higher_worse", decimals=1
    ),
}


def grid_dataset(n: int = 4, years: tuple[int, ...] = (2020, 2021)) -> Dataset:
    """An n×n grid of 1 km DeSO squares in one municipality (0201), grouped 2×2 into RegSO, in EPSG:3006.

    Values: income grows west to east; unemployment is missing for the first area and suppressed for the
    second in every year.
    """
    x0, y0, size = 650_000.0, 6_580_000.0, 1_000.0
    rows = []
    for j in range(n):
        for i in range(n):
            code = f"0201C{1000 + j * n + i:04d}"
            regso = f"0201R{1 + (j // 2) * (n // 2) + i // 2:03d}"
            box = shapely.box(x0 + i * size, y0 + j * size, x0 + (i + 1) * size, y0 + (j + 1) * size)
            rows.append(
                {
                    "code": code,
                    "name": f"Område {j * n + i}",
                    "level": "deso",
                    "kommun": "0201",
                    "lan": "02",
                    "regso": regso,
                    "geometry": box,
                }
            )
    deso = gpd.GeoDataFrame(rows, crs="EPSG:3006")
    regso = deso.dissolve("regso", as_index=False)[["regso", "geometry"]].rename(columns={"regso": "code"})
    regso = regso.assign(
        name=[f"Del {c[-3:]}" for c in regso["code"]], level="regso", kommun="0201", lan="02", regso=""
    )
    kommun = gpd.GeoDataFrame(
        {
            "code": ["0201"],
            "name": ["Testby"],
            "level": ["kommun"],
            "kommun": ["0201"],
            "lan": ["02"],
            "regso": [""],
        },
        geometry=[deso.union_all()],
        crs="EPSG:3006",
    )
    areas = gpd.GeoDataFrame(pd.concat([deso, regso, kommun], ignore_index=True), crs="EPSG:3006")
    values = []
    for year in years:
        for k, code in enumerate(deso["code"]):
            values.append(
                (
                    "income",
                    "deso",
                    code,
                    year,
                    "total",
                    200_000 + 10_000 * (k % n) + 1_000 * (year - 2020),
                    "ok",
                )
            )
            status = "missing" if k == 0 else "suppressed" if k == 1 else "ok"
            values.append(("unemployment", "deso", code, year, "total", np.nan if k < 2 else 2.0 + k, status))
    frame = pd.DataFrame(
        values, columns=["indicator", "level", "code", "year", "breakdown", "value", "status"]
    )
    return make_dataset(areas, frame, INDICATORS, {"title": "Test grid"})


@pytest.fixture
def dataset() -> Dataset:
    return grid_dataset()


@pytest.fixture
def data_dir(tmp_path: Path, dataset: Dataset) -> Path:
    root = tmp_path / "data"
    write_version(root, dataset)
    return root


@pytest.fixture
def app(data_dir: Path):
    from tileserver import create_app

    return create_app({"DATA": str(data_dir), "TESTING": True, "CHECK_EVERY": 0.0})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture(scope="module", params=["compiled", "python"])
def kernel(request):
    """Each MVT layer kernel in turn as geo.mvt's: geo._mvt, then its Python port geo._mvt_python."""
    try:
        module = importlib.import_module("geo._mvt" if request.param == "compiled" else "geo._mvt_python")
    except ImportError:
        pytest.skip("geo._mvt was not built (no C compiler when the package was installed)")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(geo.mvt, "KERNEL", module)
        yield module
