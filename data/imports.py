"""Imports: read a file, merge it into the current dataset, write a new version.

Everything is read and validated before anything is written, and a new version becomes current only when it
is complete, so a failed import leaves the served dataset untouched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from data.store import make_dataset, read_or_empty, write_version
from indicators.fetch.scb import with_area_version
from indicators.model import Indicator, InputError, concat_values

DEFAULT_MIN_MATCH = 0.5
"""The share of a value file's areas that must match loaded areas (``--min-match``)."""


@dataclass(frozen=True)
class AreaFile:
    """One area file and how to read it: the options of ``barometer import areas`` or a recipe entry."""

    path: Path
    level: str | None = None
    layer: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ValueFile:
    """One value file and how to read it: the options of ``barometer import values`` or a recipe entry."""

    path: Path
    fmt: str | None = None
    indicator: str | None = None
    level: str | None = None
    year: int | None = None
    sheet: str | None = None
    columns: Mapping[str, str] = field(default_factory=dict)
    strict: bool = False
    drop_unknown: bool = False
    min_match: float = DEFAULT_MIN_MATCH
    definition: Mapping = field(default_factory=dict)
    """Fields of the file's one indicator (``--kind``, ``--unit``, ...), over any definitions entry."""


@dataclass(frozen=True, eq=False)
class ReadValues:
    values: pd.DataFrame
    indicators: dict[str, Indicator]
    report: list[str]
    labels: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Breakdown key → (Swedish, English) text of groups without a built-in label (see dimensions.py)."""


def add_areas(
    areas: gpd.GeoDataFrame, meta: Mapping, spec: AreaFile
) -> tuple[gpd.GeoDataFrame, dict, list[str], set[str]]:
    """``areas`` with the file's level replaced by the file's areas, the meta that records it, a report and
    the file's levels."""
    from geo.read import read_areas

    result = read_areas(spec.path, level=spec.level, layer=spec.layer, columns=dict(spec.columns) or None)
    incoming = result.areas
    kept = areas[~areas["level"].isin(set(incoming["level"]))]
    if len(kept) and kept.crs is not None and incoming.crs != kept.crs:
        incoming = incoming.to_crs(kept.crs)
    parts = [kept, incoming] if len(kept) else [incoming]  # an empty table's CRS is no constraint
    combined = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=incoming.crs or kept.crs)
    meta = {
        **meta,
        "inputs": [*meta.get("inputs", []), {"areas": spec.path.name}],
        "kommun_names": {**meta.get("kommun_names", {}), **result.kommun_names},
    }
    levels = set(incoming["level"])
    meta = with_area_version(meta, levels, result.version)
    read = f"read {len(incoming)} areas ({', '.join(sorted(levels))}) from {spec.path}"
    return combined, meta, [*result.report, read], levels


def import_areas(root: Path, spec: AreaFile) -> list[str]:
    """Replace the areas of the file's level with the file's areas."""
    current = read_or_empty(root)
    areas, meta, report, _ = add_areas(current.areas, current.meta, spec)
    dataset = make_dataset(areas, current.values, current.indicators, meta)
    write_version(root, dataset)
    return [*report, f"dataset version {dataset.version} is now current"]


def read_value_file(
    spec: ValueFile,
    areas: gpd.GeoDataFrame,
    definitions: Mapping[str, Mapping] | None = None,
    earlier: Mapping[str, Indicator] | None = None,
    kommun_names: Mapping[str, str] | None = None,
) -> ReadValues:
    """The values of one file, checked against ``areas``, and its indicators as the user defines them.

    ``definitions`` are definitions-file entries (id → fields); ``earlier`` the indicators the dataset
    already has (a re-import keeps their definitions); ``kommun_names`` (code → name) match area names.
    """
    from indicators.catalog import CATALOG
    from indicators.definitions import check_id, define
    from indicators.importers import read_values

    definitions, earlier = definitions or {}, earlier or {}
    where = spec.path.name
    if spec.indicator:
        check_id(spec.indicator, "--indicator")
    if not 0 <= spec.min_match <= 1:
        raise InputError(f"--min-match takes a share from 0 to 1, not {spec.min_match}", file=where)
    kinds = {i: ind.kind for i, ind in {**CATALOG, **earlier}.items()}
    kinds |= {i: d["kind"] for i, d in definitions.items() if "kind" in d}
    if spec.indicator and "kind" in spec.definition:
        kinds[spec.indicator] = spec.definition["kind"]
    options = {
        "year": spec.year,
        "sheet": spec.sheet,
        "columns": dict(spec.columns) or None,
        "kommun_names": dict(kommun_names or {}) or None,
    }
    result = read_values(
        spec.path,
        fmt=spec.fmt,
        areas=areas if len(areas) else None,
        level=spec.level,
        indicator=spec.indicator,
        strict=spec.strict,
        drop_unknown=spec.drop_unknown,
        kinds=kinds,
        **{key: value for key, value in options.items() if value is not None},
    )
    if spec.definition and len(result.indicators) > 1:
        raise InputError(
            f"the file holds {len(result.indicators)} indicators {sorted(result.indicators)}: flags like "
            "--kind and --unit describe one; name it with --indicator or describe each in --definitions",
            file=where,
        )
    matches = match_report(result.values, result.unmatched, areas, spec, kommun_names)
    report = [*_report_lines(result.report), *matches]
    indicators = {}
    for ident, found in result.indicators.items():
        check_id(ident, f"file {where}: indicator id")
        definition = {**definitions.get(ident, {}), **spec.definition}
        indicators[ident] = define(
            found, definition, file=where, earlier=earlier.get(ident), builtin=CATALOG.get(ident)
        )
    return ReadValues(result.values, indicators, report, result.labels)


def match_report(
    values: pd.DataFrame,
    unmatched: tuple[tuple[int, str], ...],
    areas: gpd.GeoDataFrame,
    spec: ValueFile,
    kommun_names: Mapping[str, str] | None = None,
) -> list[str]:
    """How many of the file's areas match loaded areas; an error when none do, or fewer than
    ``spec.min_match`` of those within the loaded areas' reach.

    Counted over distinct areas. Within reach: codes and names of municipalities that have loaded areas of
    their level, and labels that name no municipality. Areas of other municipalities (a national file over
    a regional map) and of levels without loaded areas are counted apart: they match nothing on this map.
    """
    where = spec.path.name
    if values.empty:
        dropped = (
            f"no area in the file matches a loaded area, e.g. {_examples(unmatched)}: " if unmatched else ""
        )
        raise InputError(f"{dropped}the file gave no values", file=where)
    keys = value_pairs(values, ("level", "code"))
    if not len(areas):
        if spec.min_match > 0:
            raise InputError(
                "no areas are loaded to match the values to: import them first (barometer import areas "
                "FILE) or pass --min-match 0",
                file=where,
            )
        return [f"no areas are loaded: {len(keys)} area codes were not checked"]
    known = set(zip(areas["level"], areas["code"], strict=True))
    matched = keys & known
    reach = _reach(areas, kommun_names or {})
    missed = [(row, label) for row, label in unmatched if reach(label)]
    outside = len(keys - matched) + len({label for row, label in unmatched if not reach(label)})
    labels = {label for _, label in missed}
    line = f"{len(matched)} areas in the file match loaded areas, {len(labels)} do not"
    if missed:
        line += f" ({_examples(missed)})"
    if outside:
        line += f"; {outside} lie outside them (other municipalities, or levels without loaded areas)"
    if matched and len(matched) >= spec.min_match * (len(matched) + len(labels)):
        return [line]
    if not matched:
        problem = "no area in the file matches a loaded area"
    else:
        problem = f"fewer than {spec.min_match:.0%} (--min-match) of the areas within reach match"
    examples = _examples(missed or unmatched) or ", ".join(sorted(c for _, c in keys - matched)[:5])
    raise InputError(
        f"{line}: {problem}, e.g. {examples}. Check the area column (--map code=COLUMN) and the level "
        "(--level), import the missing areas, or lower --min-match",
        file=where,
    )


def _reach(areas: gpd.GeoDataFrame, kommun_names: Mapping[str, str]):
    """Whether an unmatched label (a code, ``Kommun (Area)`` or a name) lies within the loaded areas."""
    from indicators.importers.names import kommun_part, normalise_name
    from indicators.model import level_of_code

    loaded = set(zip(areas["level"], areas["kommun"], strict=True))
    levels = set(areas["level"])
    names = {**kommun_names, **dict(zip(*_kommun_rows(areas), strict=True))}
    codes = {normalise_name(name): code for code, name in names.items()}
    fine = {kommun for level, kommun in loaded if level in ("deso", "regso")}

    def within(label: str) -> bool:
        level = level_of_code(label)
        if level in ("deso", "regso"):
            return (level, label[:4]) in loaded
        if level is not None:
            return level in levels
        kommun = kommun_part(label)
        return kommun == label or codes.get(normalise_name(kommun)) in fine

    return within


def _kommun_rows(areas: gpd.GeoDataFrame) -> tuple[list[str], list[str]]:
    rows = areas[areas["level"] == "kommun"]
    return list(rows["code"]), list(rows["name"])


def _examples(unmatched: tuple[tuple[int, str], ...], n: int = 5) -> str:
    first: dict[str, int] = {}
    for row, label in unmatched:
        first.setdefault(label, row)
    shown = ", ".join(f"{label!r} (row {row})" for label, row in list(first.items())[:n])
    return shown + (f" and {len(first) - n} more" if len(first) > n else "")


def value_pairs(
    values: pd.DataFrame, columns: tuple[str, str] = ("indicator", "level")
) -> set[tuple[str, str]]:
    """The distinct (indicator, level) pairs of a value table, or of two other columns (found as categories:
    no string per row)."""
    pairs = values[list(columns)].drop_duplicates()
    return set(zip(*(pairs[column].astype(str) for column in columns), strict=True))


def with_labels(meta: dict, labels: Mapping[str, tuple[str, str]]) -> dict:
    """``meta`` with the breakdown labels an import kept (``breakdown_labels``: key → [Swedish, English])."""
    if not labels:
        return meta
    return {**meta, "breakdown_labels": {**meta.get("breakdown_labels", {}), **labels}}


def import_values(root: Path, spec: ValueFile, definitions: Mapping[str, Mapping] | None = None) -> list[str]:
    """Add the file's values; they replace the values the dataset had of the same indicators and levels."""
    current = read_or_empty(root)
    names = current.meta.get("kommun_names")
    read = read_value_file(spec, current.areas, definitions, current.indicators, names)
    incoming = read.values
    replaced = value_pairs(incoming)
    old = current.values
    drop = np.zeros(len(old), dtype=bool)
    for indicator, level in replaced & value_pairs(old):  # compared as categories: no string per row
        drop |= ((old["indicator"] == indicator) & (old["level"] == level)).to_numpy()
    kept = old[~drop] if drop.any() else old
    merged = concat_values([kept, incoming])
    indicators = {**current.indicators, **read.indicators}
    meta = {**current.meta, "inputs": [*current.meta.get("inputs", []), {"values": spec.path.name}]}
    meta = with_labels(meta, read.labels)
    dataset = make_dataset(current.areas, merged, indicators, meta)
    write_version(root, dataset)
    dropped = int(len(old) - len(kept))
    return [
        *read.report,
        f"imported {len(incoming)} values from {spec.path}"
        + (f", replacing {dropped} earlier values of {sorted(replaced)}" if dropped else ""),
        f"dataset version {dataset.version} is now current",
    ]


def _report_lines(report: object) -> list[str]:
    if isinstance(report, list | tuple):
        return [str(line) for line in report]
    lines = getattr(report, "lines", None)
    return [str(line) for line in lines] if lines is not None else [str(report)]
