"""Small area files as a user's GIS would save them, for tests of the ``barometer`` command."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely

from data.cli import main

CODES = ("0201C1000", "0201C1001", "0201C1002", "0201C1003")
"""Four DeSO areas of municipality 0201 (Alfaby); municipality 0202 (Betaby) has none."""


def write_area_files(folder: Path) -> tuple[Path, Path]:
    """``deso.gpkg`` (four 1 km squares) and ``kommun.gpkg`` (Alfaby 0201, Betaby 0202), EPSG:3006."""
    boxes = [shapely.box(650_000 + i * 1000, 6_580_000, 651_000 + i * 1000, 6_581_000) for i in range(4)]
    deso, kommun = folder / "deso.gpkg", folder / "kommun.gpkg"
    gpd.GeoDataFrame(
        {"deso": list(CODES), "desonamn": [f"Område {i}" for i in range(4)]}, geometry=boxes, crs="EPSG:3006"
    ).to_file(deso)
    gpd.GeoDataFrame(
        {"kommunkod": ["0201", "0202"], "kommunnamn": ["Alfaby", "Betaby"]},
        geometry=[
            shapely.box(650_000, 6_570_000, 660_000, 6_590_000),
            shapely.box(660_000, 6_570_000, 670_000, 6_590_000),
        ],
        crs="EPSG:3006",
    ).to_file(kommun)
    return deso, kommun


def data_with_areas(folder: Path) -> Path:
    """A data folder into which ``barometer import areas`` loaded both area files."""
    root = folder / "data"
    for file in write_area_files(folder):
        assert main(["import", "areas", "--data", str(root), str(file)]) == 0
    return root


def import_values(root: Path, *args: object) -> int:
    """``barometer import values --data ROOT ARGS...``: the exit status."""
    return main(["import", "values", "--data", str(root), *map(str, args)])
