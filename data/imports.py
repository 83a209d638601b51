"""Imports: read a file, merge it into the current dataset, write a new version.

Everything is read and validated before anything is written, and a new version becomes current only when it
is complete, so a failed import leaves the served dataset untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import pandas as pd

from data.store import make_dataset, read_or_empty, write_version
from indicators.model import Indicator, concat_values


def import_areas(
    root: Path,
    file: Path,
    *,
    level: str | None = None,
    layer: str | None = None,
    columns: Mapping[str, str] | None = None,
) -> list[str]:
    """Replace the areas of the file's level with the file's areas."""
    from geo.read import read_areas

    result = read_areas(file, level=level, layer=layer, columns=columns)
    current = read_or_empty(root)
    incoming = result.areas
    kept = current.areas[~current.areas["level"].isin(set(incoming["level"]))]
    if len(kept) and kept.crs is not None and incoming.crs != kept.crs:
        incoming = incoming.to_crs(kept.crs)
    areas = gpd.GeoDataFrame(pd.concat([kept, incoming], ignore_index=True), crs=incoming.crs or kept.crs)
    meta = {
        **current.meta,
        "inputs": [*current.meta.get("inputs", []), {"areas": file.name}],
        "kommun_names": {**current.meta.get("kommun_names", {}), **result.kommun_names},
    }
    dataset = make_dataset(areas, current.values, current.indicators, meta)
    write_version(root, dataset)
    levels = ", ".join(sorted(set(incoming["level"])))
    return [
        *result.report,
        f"imported {len(incoming)} areas ({levels}) from {file}",
        f"dataset version {dataset.version} is now current",
    ]


def import_values(
    root: Path,
    file: Path,
    *,
    fmt: str | None = None,
    indicator: str | None = None,
    level: str | None = None,
    strict: bool = False,
) -> list[str]:
    """Add or replace the file's values (same indicator, level, code, year and breakdown)."""
    from indicators.catalog import CATALOG
    from indicators.importers import read_values

    current = read_or_empty(root)
    result = read_values(
        file,
        fmt=fmt,
        areas=current.areas if len(current.areas) else None,
        level=level,
        indicator=indicator,
        strict=strict,
    )
    key = ["indicator", "level", "code", "year", "breakdown"]
    incoming = result.values
    merged = concat_values([current.values, incoming])
    if len(merged) > len(incoming):  # the file's values replace the current ones with the same key
        merged = merged[~merged.duplicated(key, keep="last")].reset_index(drop=True)
    indicators: dict[str, Indicator] = dict(current.indicators)
    for ind_id, found in result.indicators.items():
        indicators[ind_id] = CATALOG.get(ind_id, indicators.get(ind_id, found))
    meta = {**current.meta, "inputs": [*current.meta.get("inputs", []), {"values": file.name}]}
    if result.labels:  # groups without a built-in label keep the file's text (see indicators.dimensions)
        meta["breakdown_labels"] = {**current.meta.get("breakdown_labels", {}), **result.labels}
    dataset = make_dataset(current.areas, merged, indicators, meta)
    write_version(root, dataset)
    return [
        *_report_lines(result.report),
        f"imported {len(incoming)} values from {file}",
        f"dataset version {dataset.version} is now current",
    ]


def _report_lines(report: object) -> list[str]:
    if isinstance(report, list | tuple):
        return [str(line) for line in report]
    lines = getattr(report, "lines", None)
    return [str(line) for line in lines] if lines is not None else [str(report)]
