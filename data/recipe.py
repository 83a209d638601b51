"""A dataset recipe: one TOML file that names every input of a dataset, built into one version from scratch.

::

    title = "Göteborgsregionen"
    attribution = "Statistik: SCB (CC BY 4.0)"
    definitions = "indicators.toml"            # optional: [indicators.<id>] tables, also allowed inline

    [default_view]                             # where the web page starts
    kommun = "1480"
    level = "regso"
    indicator = "omradestyp_official"
    year = 2022

    [[areas]]                                  # the options of `barometer import areas`
    file = "data/regso.gpkg"                   # paths are relative to the recipe
    level = "regso"
    map = { code = "regsokod", name = "regsonamn" }

    [[values]]                                 # the options of `barometer import values`
    file = "data/omradestyp.csv"
    indicator = "omradestyp_official"
    level = "regso"

The same recipe over the same files gives the same version (the version is a content hash).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from data.imports import (
    DEFAULT_MIN_MATCH,
    AreaFile,
    ValueFile,
    add_areas,
    read_value_file,
    value_pairs,
    with_labels,
)
from data.store import make_dataset
from indicators.definitions import check_definition, definitions_from, load_definitions
from indicators.model import Dataset, Indicator, InputError, concat_values, empty_areas, empty_values

VIEW_KEYS = ("kommun", "level", "indicator", "year")
"""Keys of ``default_view`` (stored as such in the dataset's meta for the web page)."""
AREA_KEYS = {"file": str, "level": str, "layer": str, "map": dict}
VALUE_KEYS = {
    "file": str,
    "format": str,
    "indicator": str,
    "level": str,
    "year": int,
    "sheet": str,
    "map": dict,
    "strict": bool,
    "drop_unknown": bool,
    "min_match": float,
}
"""Options of a ``[[values]]`` entry besides the indicator fields (``kind``, ``unit``, ...)."""
TOP_KEYS = {"title", "attribution", "definitions", "default_view", "areas", "values", "indicators"}


@dataclass(frozen=True)
class Recipe:
    path: Path
    title: str = ""
    attribution: str = ""
    areas: tuple[AreaFile, ...] = ()
    values: tuple[ValueFile, ...] = ()
    definitions: Mapping[str, Mapping] = field(default_factory=dict)
    default_view: Mapping[str, object] = field(default_factory=dict)


def load_recipe(path: Path) -> Recipe:
    """The recipe of a TOML file, every key checked; paths resolved against the recipe's folder."""
    where = str(path)
    try:
        doc = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"not valid TOML: {error}", file=where) from error
    _no_unknown(doc, TOP_KEYS, "the recipe", where)
    folder = Path(path).parent
    definitions: dict[str, dict] = {}
    if "definitions" in doc:
        definitions |= load_definitions(folder / _typed(doc, "definitions", str, "", where))
    definitions |= definitions_from(doc.get("indicators", {}), where)
    areas = tuple(
        _area_file(entry, folder, f"[[areas]] {i + 1}", where)
        for i, entry in enumerate(_list(doc, "areas", where))
    )
    values = tuple(
        _value_file(entry, folder, f"[[values]] {i + 1}", where)
        for i, entry in enumerate(_list(doc, "values", where))
    )
    if not areas:
        raise InputError("the recipe names no [[areas]] files", file=where)
    view = doc.get("default_view", {})
    if not isinstance(view, Mapping):
        raise InputError("[default_view] must be a table", file=where)
    _no_unknown(view, set(VIEW_KEYS), "[default_view]", where)
    return Recipe(
        path=Path(path),
        title=_typed(doc, "title", str, "", where),
        attribution=_typed(doc, "attribution", str, "", where),
        areas=areas,
        values=values,
        definitions=definitions,
        default_view=dict(view),
    )


def build(recipe: Recipe) -> tuple[Dataset, list[str]]:
    """The recipe's dataset, from nothing but its files, and a report."""
    areas, meta, report = empty_areas(), {}, []
    level_of: dict[str, str] = {}
    for spec in recipe.areas:
        areas, meta, lines, levels = add_areas(areas, meta, spec)
        for level in sorted(levels):
            if level in level_of:
                raise InputError(
                    f"{spec.path.name} and {level_of[level]} both give the {level} areas: merge them into "
                    "one file (a GIS's merge), or leave one out",
                    file=str(recipe.path),
                )
            level_of[level] = spec.path.name
        report += lines
    tables: list[pd.DataFrame] = [empty_values()]
    indicators: dict[str, Indicator] = {}
    origin: dict[tuple[str, str], str] = {}
    for spec in recipe.values:
        read = read_value_file(spec, areas, recipe.definitions, indicators, meta.get("kommun_names"))
        for pair in sorted(value_pairs(read.values)):
            if pair in origin:
                raise InputError(
                    f"{spec.path.name} and {origin[pair]} both give {pair[0]} values at level {pair[1]}",
                    file=str(recipe.path),
                )
            origin[pair] = spec.path.name
        tables.append(read.values)
        indicators |= read.indicators
        meta["inputs"] = [*meta.get("inputs", []), {"values": spec.path.name}]
        meta = with_labels(meta, read.labels)
        report += [*read.report, f"read {len(read.values)} values from {spec.path}"]
    meta |= {"title": recipe.title, "attribution": recipe.attribution}
    if recipe.default_view:
        meta["default_view"] = dict(recipe.default_view)
    dataset = make_dataset(areas, concat_values(tables), indicators, meta)
    check_view(dataset, recipe.default_view, str(recipe.path))
    return dataset, report


def check_view(dataset: Dataset, view: Mapping[str, object], where: str) -> None:
    """An error naming the ``default_view`` key that does not fit the dataset."""
    if not view:
        return
    missing = [key for key in VIEW_KEYS if key not in view]
    if missing:
        raise InputError(f"[default_view] needs {', '.join(VIEW_KEYS)}; missing {missing}", file=where)
    kommun, level, indicator, year = (view[key] for key in VIEW_KEYS)
    problems = {
        "kommun": str(kommun) not in set(dataset.municipalities["code"]),
        "level": level not in dataset.levels,
        "indicator": indicator not in dataset.indicators,
        "year": not isinstance(year, int) or year not in dataset.years_of(str(level)),
    }
    bad = next((key for key, wrong in problems.items() if wrong), None)
    if bad is not None:
        raise InputError(f"[default_view] {bad} = {view[bad]!r} is not in the built dataset", file=where)
    rows = dataset.series(str(indicator), str(level))
    in_view = rows[(rows["year"] == year) & rows["code"].astype(str).str.startswith(str(kommun))]
    if not (in_view["status"] == "ok").any():
        raise InputError(
            f"[default_view] {indicator} has no {level} values in {kommun} for {year}", file=where
        )


def _area_file(entry: object, folder: Path, name: str, where: str) -> AreaFile:
    entry = _entry(entry, AREA_KEYS, name, where)
    return AreaFile(
        path=folder / entry["file"],
        level=entry.get("level"),
        layer=entry.get("layer"),
        columns=_map(entry, name, where),
    )


def _value_file(entry: object, folder: Path, name: str, where: str) -> ValueFile:
    entry = _entry(entry, VALUE_KEYS, name, where, extra=True)
    fields = {key: value for key, value in entry.items() if key not in VALUE_KEYS}
    indicator = entry.get("indicator")
    if fields and not indicator:
        raise InputError(f"{name}: indicator fields {sorted(fields)} need an indicator = id", file=where)
    definition = check_definition(indicator, fields, f"{where} {name}") if fields else {}
    min_match = entry.get("min_match", DEFAULT_MIN_MATCH)
    return ValueFile(
        path=folder / entry["file"],
        fmt=entry.get("format"),
        indicator=indicator,
        level=entry.get("level"),
        year=entry.get("year"),
        sheet=entry.get("sheet"),
        columns=_map(entry, name, where),
        strict=entry.get("strict", False),
        drop_unknown=entry.get("drop_unknown", False),
        min_match=float(min_match),
        definition=definition,
    )


def _entry(entry: object, keys: Mapping[str, type], name: str, where: str, extra: bool = False) -> dict:
    if not isinstance(entry, Mapping):
        raise InputError(f"{name} must be a table", file=where)
    if "file" not in entry:
        raise InputError(f"{name} needs file = PATH", file=where)
    if not extra:
        _no_unknown(entry, set(keys), name, where)
    for key, wanted in keys.items():
        value = entry.get(key)
        ok = isinstance(value, wanted) or (wanted is float and isinstance(value, int))
        if value is not None and (not ok or (wanted is not bool and isinstance(value, bool))):
            raise InputError(f"{name}: {key} must be a {wanted.__name__}", file=where)
    return dict(entry)


def _map(entry: Mapping, name: str, where: str) -> dict[str, str]:
    mapping = entry.get("map", {})
    if not all(isinstance(v, str) for v in mapping.values()):
        raise InputError(f"{name}: map takes column names (strings)", file=where)
    return dict(mapping)


def _list(doc: Mapping, key: str, where: str) -> list:
    entries = doc.get(key, [])
    if not isinstance(entries, list):
        raise InputError(f"{key} must be an array of tables: [[{key}]]", file=where)
    return entries


def _typed(doc: Mapping, key: str, wanted: type, default: object, where: str):
    value = doc.get(key, default)
    if not isinstance(value, wanted):
        raise InputError(f"{key} must be a {wanted.__name__}", file=where)
    return value


def _no_unknown(table: Mapping, known: set[str], name: str, where: str) -> None:
    unknown = sorted(set(table) - known)
    if unknown:
        raise InputError(f"{name}: unknown keys {unknown}; known: {sorted(known)}", file=where)
