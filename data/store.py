"""Immutable, versioned datasets on disk.

Layout of a data folder::

    versions/<version>/areas.parquet    GeoParquet: every level's areas in their source CRS
    versions/<version>/values.parquet   the long value table
    versions/<version>/manifest.json    indicator catalog, metadata, build inputs
    CURRENT                             the served version's name, replaced atomically

A version's name is a content hash of its tables and manifest, so the same inputs give the same version and a
new import gives a new one. Writing never touches an existing version; ``CURRENT`` moves only after the new
version is complete, so a failed import leaves the served dataset untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import shapely

from indicators.derive import DERIVED_META, with_derived
from indicators.model import (
    AREA_COLUMNS,
    DERIVED_FLAG,
    LEVELS,
    Dataset,
    Indicator,
    InputError,
    empty_areas,
    empty_values,
    normalise_values,
)

CURRENT = "CURRENT"
_HASH_CHUNK = 1 << 20
"""Rows hashed per pass when a version's content hash is computed."""
VERSIONS = "versions"


def content_version(areas: gpd.GeoDataFrame, values: pd.DataFrame, manifest: Mapping) -> str:
    """A short content hash of a dataset's tables and manifest."""
    digest = hashlib.sha256()
    ordered = areas.sort_values(["level", "code"])
    digest.update(pd.util.hash_pandas_object(ordered[list(AREA_COLUMNS)], index=False).to_numpy().tobytes())
    for wkb in shapely.to_wkb(ordered.geometry.to_numpy(), output_dimension=2):
        digest.update(wkb)
    crs = areas.crs
    digest.update(str(crs.to_epsg() or crs.to_wkt() if crs is not None else "").encode())
    keys = ["indicator", "level", "code", "year", "breakdown"]
    sortable = [
        values[k].cat.codes if isinstance(values[k].dtype, pd.CategoricalDtype) else values[k] for k in keys
    ]
    order = np.lexsort([column.to_numpy() for column in reversed(sortable)])  # as sort_values(keys) orders
    for start in range(0, len(order), _HASH_CHUNK):  # in chunks: no sorted copy of a table of millions
        keyed = values.take(order[start : start + _HASH_CHUNK])
        digest.update(
            pd.util.hash_pandas_object(keyed.astype({"status": str}), index=False).to_numpy().tobytes()
        )
    digest.update(json.dumps(manifest, sort_keys=True, ensure_ascii=False, default=str).encode())
    return digest.hexdigest()[:16]


def make_dataset(
    areas: gpd.GeoDataFrame,
    values: pd.DataFrame,
    indicators: Mapping[str, Indicator],
    meta: Mapping | None = None,
) -> Dataset:
    """A Dataset with its derived measures and content version, tables normalised and sorted."""
    areas = order_areas(areas)
    derived = with_derived(normalise_values(values), indicators, areas)
    kept = {k: v for k, v in (meta or {}).items() if k not in DERIVED_META}
    meta = {**kept, **derived.meta}
    manifest = _manifest(derived.indicators, meta)
    version = content_version(areas, derived.values, manifest)
    return Dataset(
        version=version, areas=areas, values=derived.values, indicators=derived.indicators, meta=meta
    )


def order_areas(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Areas with the model's columns only, codes as strings, sorted by level (finest first) and code."""
    out = areas[[*AREA_COLUMNS, "geometry"]].copy()
    for column in AREA_COLUMNS:
        out[column] = out[column].fillna("").astype(str)
    out["_rank"] = out["level"].map({level: i for i, level in enumerate(LEVELS)})
    return out.sort_values(["_rank", "code"]).drop(columns="_rank").reset_index(drop=True)


def check_dataset(dataset: Dataset) -> None:
    """Raise InputError unless every level's areas can be prepared for tiles: a version that is written or
    served is one that works."""
    from geo.prepare import check_level

    for level in dataset.levels:
        if level != "riket":  # the country has values, not tiles
            check_level(dataset.area_frame(level).reset_index(drop=True), level)


def write_version(root: Path | str, dataset: Dataset) -> Path:
    """Write ``dataset`` as a new version (if absent) and make it current, after checking that every level
    prepares. Returns the version folder."""
    root = Path(root)
    check_dataset(dataset)
    target = root / VERSIONS / dataset.version
    if not target.exists():
        (root / VERSIONS).mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root / VERSIONS))
        try:
            dataset.areas.to_parquet(staging / "areas.parquet", index=False)
            dataset.values.to_parquet(staging / "values.parquet", index=False)
            manifest = {"version": dataset.version, **_manifest(dataset.indicators, dataset.meta)}
            (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
            os.replace(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    _point_current(root, dataset.version)
    return target


def current_version(root: Path | str) -> str | None:
    """The served version's name, or None when the folder holds no dataset yet."""
    try:
        return (Path(root) / CURRENT).read_text().strip() or None
    except FileNotFoundError:
        return None


def read_version(root: Path | str, version: str | None = None) -> Dataset:
    """Load a version (the current one by default)."""
    root = Path(root)
    version = version or current_version(root)
    if version is None:
        raise InputError("holds no dataset yet: run `barometer demo` or `barometer import`", file=str(root))
    folder = root / VERSIONS / version
    manifest = json.loads((folder / "manifest.json").read_text())
    areas = gpd.read_parquet(folder / "areas.parquet")
    table = pq.read_table(folder / "values.parquet")
    values = normalise_values(table.to_pandas(self_destruct=True, split_blocks=True))  # no second copy
    if DERIVED_FLAG not in values.columns:  # a version written before values were flagged
        values[DERIVED_FLAG] = False
    indicators = {key: Indicator.from_json(item) for key, item in manifest["indicators"].items()}
    return Dataset(
        version=version, areas=areas, values=values, indicators=indicators, meta=manifest.get("meta", {})
    )


def read_checked(root: Path | str, version: str) -> Dataset:
    """Load a version and check that every level prepares (what a server does before serving it)."""
    dataset = read_version(root, version)
    check_dataset(dataset)
    return dataset


def versions_newest_first(root: Path | str) -> list[str]:
    """The names of the complete versions of a folder, the most recently written first."""
    folders = [f for f in (Path(root) / VERSIONS).glob("*") if f.is_dir() and not f.name.startswith(".")]
    return [f.name for f in sorted(folders, key=lambda f: f.stat().st_mtime, reverse=True)]


def read_or_empty(root: Path | str) -> Dataset:
    """The current version, or an empty dataset to build on when there is none."""
    if current_version(root) is None:
        return make_dataset(empty_areas(), empty_values(), {})
    return read_version(root)


def _manifest(indicators: Mapping[str, Indicator], meta: Mapping) -> dict:
    return {"indicators": {key: ind.to_json() for key, ind in indicators.items()}, "meta": dict(meta)}


def _point_current(root: Path, version: str) -> None:
    handle, tmp = tempfile.mkstemp(prefix=".current-", dir=root)
    with os.fdopen(handle, "w") as out:
        out.write(version + "\n")
    os.replace(tmp, root / CURRENT)
