"""Immutable, versioned datasets on disk.

Layout of a data folder::

    versions/<version>/areas.parquet        GeoParquet: every level's areas in their source CRS
    versions/<version>/values.arrow         the long value table (Arrow IPC, memory-mapped: data.mapped)
    versions/<version>/tiles/<level>.arrow  the level's tile geometry, prepared (geo.prepare), mapped too
    versions/<version>/manifest.json        indicator catalog, metadata, build inputs
    CURRENT                                 the served version's name, replaced atomically

The value table and the prepared geometry are written once, when the version is built, and every process
that serves the version maps the same files: memory is shared, not copied, and a server answers as soon
as it has mapped them. A version written before these files existed (``values.parquet``, no ``tiles/``) gets
them the first time it is loaded where its folder is writable.

A version's name is a content hash of its tables and manifest, so the same inputs give the same version and a
new import gives a new one. Writing never touches an existing version; ``CURRENT`` moves only after the new
version is complete, so a failed import leaves the served dataset untouched.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from functools import partial
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely

from data import mapped
from geo.prepare import (
    LEVEL_ZOOMS,
    PREPARED_LAYOUT,
    TOLERANCE_PIXELS,
    PreparedLevel,
    check_level,
    level_columns,
    level_from_columns,
    prepare_level,
)
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

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
_HASH_CHUNK = 1 << 20
"""Rows hashed per pass when a version's content hash is computed."""
TILES = "tiles"
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
    values = storage_order(derived.values)
    version = content_version(areas, values, manifest)
    return Dataset(version=version, areas=areas, values=values, indicators=derived.indicators, meta=meta)


def storage_order(values: pd.DataFrame) -> pd.DataFrame:
    """The value table sorted by level, year, breakdown, indicator and code: what a tile, a style or a table
    of one level and year reads is then one run of rows, so a worker touches those pages of the mapped
    table only, not a few bytes of every page."""
    key = np.zeros(len(values), dtype=np.int64)
    for digit in _sort_digits(values):  # one mixed-radix key, built in place: one sort, not a lexsort of five
        key *= int(digit.max(initial=0)) + 1
        key += digit
    if len(key) < 2 or (key[1:] >= key[:-1]).all():
        return values
    return values.take(np.argsort(key, kind="stable")).reset_index(drop=True)


def _sort_digits(values: pd.DataFrame) -> Iterator[np.ndarray]:
    """The storage order's keys as non-negative int64, one array at a time."""
    level = values["level"].cat
    ranks = [LEVELS.index(c) if c in LEVELS else len(LEVELS) for c in level.categories]
    yield np.array(ranks, dtype=np.int64)[level.codes.to_numpy()]
    years = values["year"].to_numpy().astype(np.int64)
    yield years - years.min(initial=0)
    for column in ("breakdown", "indicator", "code"):
        yield values[column].cat.codes.to_numpy().astype(np.int64) + 1


def order_areas(areas: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Areas with the model's columns only, codes as strings, sorted by level (finest first) and code."""
    out = areas[[*AREA_COLUMNS, "geometry"]].copy()
    for column in AREA_COLUMNS:
        out[column] = out[column].fillna("").astype(str)
    out["_rank"] = out["level"].map({level: i for i, level in enumerate(LEVELS)})
    return out.sort_values(["_rank", "code"]).drop(columns="_rank").reset_index(drop=True)


def tiled_levels(dataset: Dataset) -> list[str]:
    """The levels that have tiles: all but the country, which has values only."""
    return [level for level in dataset.levels if level != "riket"]


def prepare_levels(dataset: Dataset, folder: Path) -> None:
    """Prepare every tiled level that ``folder`` does not hold yet and store it there, one level at a
    time; an area that cannot be tiled is an InputError (a version that is written or served works).

    A level whose areas another version of the data folder prepared the same way (a new version of values or
    indicators over the same areas) is linked from it instead of prepared again."""
    for level in tiled_levels(dataset):
        path = folder / TILES / f"{level}.arrow"
        if path.exists():
            continue
        areas = dataset.area_geometry(level).reset_index(drop=True)
        source = _source_fingerprint(areas, level)
        earlier = _prepared_from(folder.parent, level, source)
        if earlier is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(earlier, path)
            continue
        columns, meta = level_columns(prepare_level(areas, level, strict=True))
        mapped.write_table(path, columns, {**meta, "source": source})


def _source_fingerprint(areas: gpd.GeoDataFrame, level: str) -> str:
    """A hash of what preparing a level reads (its areas' attributes, geometry and CRS) and of how it
    prepares (the zoom band, the tolerance, the stored layout)."""
    digest = hashlib.sha256(
        json.dumps([PREPARED_LAYOUT, level, LEVEL_ZOOMS.get(level), TOLERANCE_PIXELS]).encode()
    )
    ordered = areas.sort_values("code", kind="stable")
    digest.update(pd.util.hash_pandas_object(ordered[list(AREA_COLUMNS)], index=False).to_numpy().tobytes())
    digest.update(b"".join(shapely.to_wkb(ordered.geometry.to_numpy(), output_dimension=2)))
    digest.update(str(areas.crs.to_wkt() if areas.crs is not None else "").encode())
    return digest.hexdigest()


def _prepared_from(versions: Path, level: str, source: str) -> Path | None:
    """A stored level of another version in ``versions`` prepared from the same ``source``."""
    for other in sorted(versions.glob(f"*/{TILES}/{level}.arrow")):
        try:
            if mapped.MappedTable(other).meta.get("source") == source:
                return other
        except (OSError, ValueError, pa.ArrowException):  # a damaged file is no source
            continue
    return None


def _link_or_copy(source: Path, target: Path) -> None:
    """A hard link (versions never change, so they can share the file), else a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def read_prepared(folder: Path, level: str) -> PreparedLevel | None:
    """The prepared level stored with a version, mapped from its file; None when it has none."""
    path = folder / TILES / f"{level}.arrow"
    return level_from_columns(mapped.MappedTable(path)) if path.exists() else None


def write_version(root: Path | str, dataset: Dataset) -> Path:
    """Write ``dataset`` as a new version (if absent), its tile geometry prepared, and make it current.
    Returns the version folder; nothing changes when a level cannot be prepared."""
    root = Path(root)
    target = root / VERSIONS / dataset.version
    if not target.exists():
        (root / VERSIONS).mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root / VERSIONS))
        try:
            prepare_levels(dataset, staging)
            dataset.areas.to_parquet(staging / "areas.parquet", index=False)
            _write_values(staging, dataset.values)
            manifest = {"version": dataset.version, **_manifest(dataset.indicators, dataset.meta)}
            (staging / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
            os.replace(staging, target)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    _point_current(root, dataset.version)
    return target


def _write_values(folder: Path, values: pd.DataFrame) -> None:
    columns = {
        name: column.array if isinstance(column.dtype, pd.CategoricalDtype) else column.to_numpy()
        for name, column in values.items()
    }
    mapped.write_table(folder / "values.arrow", columns)


def _read_values(folder: Path) -> pd.DataFrame:
    """The value table mapped from ``values.arrow``; from ``values.parquet`` (a private copy) in a version
    written before, whose mapped file is then written where the folder allows it."""
    path = folder / "values.arrow"
    if not path.exists():
        values = normalise_values(pq.read_table(folder / "values.parquet").to_pandas(self_destruct=True))
        if DERIVED_FLAG not in values.columns:  # a version written before values were flagged
            values[DERIVED_FLAG] = False
        values = storage_order(values)  # the layout every mapped table has
        try:
            _write_values(folder, values)
        except OSError as error:
            log.warning(
                "cannot store the mapped value table in %s (%s): each process reads its own", folder, error
            )
            return values
    return mapped.MappedTable(path).frame()  # canonical and in storage order, as it was written


def current_version(root: Path | str) -> str | None:
    """The served version's name, or None when the folder holds no dataset yet."""
    try:
        return (Path(root) / CURRENT).read_text().strip() or None
    except FileNotFoundError:
        return None


def read_version(root: Path | str, version: str | None = None, *, geometry: bool = True) -> Dataset:
    """Load a version (the current one by default); without ``geometry`` the areas' attributes only, their
    geometry read per level when it is asked for (``Dataset.area_geometry``): what a server holds."""
    root = Path(root)
    version = version or current_version(root)
    if version is None:
        raise InputError("holds no dataset yet: run `barometer demo` or `barometer import`", file=str(root))
    folder = root / VERSIONS / version
    manifest = json.loads((folder / "manifest.json").read_text())
    path = folder / "areas.parquet"
    areas = gpd.read_parquet(path) if geometry else _attributes_only(path)
    indicators = {key: Indicator.from_json(item) for key, item in manifest["indicators"].items()}
    return Dataset(
        version=version,
        areas=areas,
        geometry_source=None if geometry else partial(_level_geometry, path),
        values=_read_values(folder),
        indicators=indicators,
        meta=manifest.get("meta", {}),
        folder=folder,
    )


def _attributes_only(path: Path) -> gpd.GeoDataFrame:
    """The area table of a GeoParquet file without reading its geometry (left empty, the CRS kept)."""
    attributes = pq.read_table(path, columns=list(AREA_COLUMNS)).to_pandas()
    crs = gpd.read_parquet(path, columns=["level", "geometry"], filters=[("level", "==", "")]).crs
    return gpd.GeoDataFrame(attributes, geometry=gpd.GeoSeries([None] * len(attributes), crs=crs))


def _level_geometry(path: Path, level: str) -> gpd.GeoSeries:
    """The geometry of one level's areas, indexed by code."""
    frame = gpd.read_parquet(path, columns=["code", "geometry"], filters=[("level", "==", level)])
    return frame.set_index("code").geometry


def read_checked(root: Path | str, version: str) -> Dataset:
    """Load a version with every level's tile geometry prepared (what a server does before serving it):
    a version written before geometry was stored with it is prepared now, and stored where it can be."""
    dataset = read_version(root, version, geometry=False)
    assert dataset.folder is not None
    try:
        prepare_levels(dataset, dataset.folder)
    except OSError as error:
        log.warning(
            "cannot store prepared geometry in %s (%s): each process prepares its own", dataset.folder, error
        )
        for level in tiled_levels(dataset):
            check_level(dataset.area_geometry(level).reset_index(drop=True), level)
        return dataset
    for level in tiled_levels(dataset):
        read_prepared(dataset.folder, level)  # raises when a stored file is damaged
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
