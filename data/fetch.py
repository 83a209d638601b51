"""``barometer fetch scb``: the tables the recipes name, into a new dataset version or a folder of files.

Every raw answer stays under ``<data>/sources/scb`` (see :mod:`indicators.fetch.client`), so a second run
fetches only what is missing, and ``offline=True`` builds the same version again from the folder alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from data.store import make_dataset, read_or_empty, write_version
from indicators.fetch.client import SCB_API, FetchError, PxWebClient, RawCache
from indicators.fetch.recipes import Recipe, builtin_recipes
from indicators.fetch.scb import (
    Query,
    Scope,
    VersionError,
    boundary_name,
    boundary_version,
    plan,
    recipe_problems,
    rows_from_answer,
    source_text,
)
from indicators.model import VALUE_COLUMNS, Dataset, Indicator, InputError, ParameterError, normalise_values

SOURCES = Path("sources") / "scb"
"""Where raw answers are kept, under the data folder."""
DEFAULT_VERSION = "2025"


@dataclass
class FetchReport:
    """What a fetch did: lines for the user, refused recipes, and the counts of calls and cached answers."""

    lines: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    calls: int = 0
    cached: int = 0
    version: str | None = None


def fetch_scb(
    root: Path,
    *,
    kommun: Sequence[str] = (),
    lan: Sequence[str] = (),
    level: str = "deso",
    years: tuple[int, int] | None = None,
    indicators: Sequence[str] | None = None,
    base_url: str = SCB_API,
    out: Path | None = None,
    offline: bool = False,
    refresh: bool = False,
    boundaries: str | None = None,
    key: Path | None = None,
    timeout: float = 60.0,
    progress: bool = True,
    client: PxWebClient | None = None,
) -> FetchReport:
    """Fetch the recipes' tables for the areas asked for and write them (see the module docstring)."""
    report = FetchReport()
    recipes = _chosen(indicators, level, report)
    current = read_or_empty(root)
    version = _version(current.meta, level, boundaries, report)
    client = client or PxWebClient(
        base_url, RawCache(Path(root) / SOURCES), offline=offline, refresh=refresh, timeout=timeout
    )
    limits = client.limits()
    scope = Scope(tuple(kommun), tuple(lan))
    deso_to_regso = read_key(key) if key is not None else None
    queries: list[Query] = []
    for recipe in recipes:
        try:
            queries += plan(
                recipe,
                client.metadata(recipe.table),
                level=level,
                version=version,
                scope=scope,
                years=years,
                max_cells=limits.max_cells,
                key=deso_to_regso,
            )
        except VersionError as error:
            if indicators:
                raise
            report.refused.append(f"{recipe.id}: {error}")
    rows: list[dict] = []
    updated: dict[str, list[str]] = {}
    for query in tqdm(queries, desc="fetch scb", unit="query", disable=not progress):
        doc, path = client.data(query.recipe.table, query.body)
        rows += rows_from_answer(query.recipe, query.level, doc, str(path), query.via)
        updated.setdefault(query.recipe.id, []).append(str(doc.get("updated", "")))
    report.calls, report.cached = client.calls, client.cached
    fetched = {q.recipe.id: q.recipe for q in queries}
    found = {rid: r.to_indicator(source_text(r, updated.get(rid, []))) for rid, r in fetched.items()}
    values = normalise_values(pd.DataFrame(rows, columns=list(VALUE_COLUMNS)))
    values = _known_areas(_published_years(values, report), current, level, report)
    report.lines.append(
        f"{len(queries)} queries ({client.calls} HTTP calls, {client.cached} answers from the cache); "
        f"{len(values)} values of {len(found)} indicators, {boundary_name(level, version)}"
    )
    if out is not None:
        report.lines.append(write_folder(out, values, found, current, level))
        return report
    if values.empty:
        raise InputError("nothing fetched: no recipe matched the areas and years asked for", file=str(root))
    source = {"fetch": "scb", "level": level, "tables": sorted({q.recipe.table for q in queries})}
    dataset = store_values(Path(root), current, values, found, source)
    report.version = dataset.version
    report.lines.append(f"dataset version {dataset.version} is now current")
    return report


def read_key(path: Path) -> dict[str, str]:
    """SCB's key table from DeSO to RegSO (``koppling_deso2018_regso2020``): DeSO code → RegSO code, from the
    columns whose every value has the shape of a DeSO code and of a RegSO code."""
    try:
        frame = pd.read_csv(path, dtype=str, sep=None, engine="python", encoding="utf-8-sig")
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read the key table: {exc}", file=str(path)) from exc

    def column(pattern: str) -> str:
        for name in frame.columns:
            cells = frame[name].dropna().str.strip()
            if len(cells) and cells.str.fullmatch(pattern).all():
                return name
        raise InputError(
            f"no column of codes like {pattern} (columns: {list(frame.columns)})", file=str(path)
        )

    deso, regso = column(r"\d{4}[A-C]\d{4}"), column(r"\d{4}R\d{3}")
    pairs = frame[[deso, regso]].dropna()
    return dict(zip(pairs[deso].str.strip(), pairs[regso].str.strip(), strict=True))


def store_values(
    root: Path, current: Dataset, values: pd.DataFrame, indicators: dict[str, Indicator], source: dict
) -> Dataset:
    """``current`` with ``values`` added (the same indicator, level, code, year and breakdown replaced) and
    ``indicators`` set, written as the new current version, as ``barometer import values`` does; ``source``
    is recorded once among the inputs, so fetching the same again gives the same version."""
    key = ["indicator", "level", "code", "year", "breakdown"]
    merged = pd.concat([current.values, values], ignore_index=True).drop_duplicates(key, keep="last")
    inputs = list(current.meta.get("inputs", []))
    meta = {**current.meta, "inputs": inputs if source in inputs else [*inputs, source]}
    dataset = make_dataset(current.areas, merged, {**current.indicators, **indicators}, meta)
    write_version(root, dataset)
    return dataset


def check_recipes(client: PxWebClient) -> tuple[list[str], int]:
    """Every available recipe against the service: its table exists, and its variables and codes are in the
    table's metadata (fetched again). Lines to print and the number of recipes with problems."""
    client.refresh = True
    client.limits()
    lines, failed = [], 0
    for recipe in (r for r in builtin_recipes().values() if r.available):
        try:
            table = client.table(recipe.table)
            problems = recipe_problems(recipe, client.metadata(recipe.table))
        except FetchError as error:
            table, problems = {}, [str(error)]
        failed += bool(problems)
        found = f"{table.get('label', '')!r}, updated {str(table.get('updated', ''))[:10]}" if table else ""
        lines.append(f"{'ok' if not problems else 'FAILS':5s} {recipe.id} ({recipe.table}) {found}".rstrip())
        lines += [f"      {problem}" for problem in problems]
    return lines, failed


def search_lines(client: PxWebClient, text: str) -> list[str]:
    """The service's tables whose metadata matches ``text`` (every page): id, period, updated, label."""
    client.limits()
    return [
        f"{t['id']:9s} {t.get('firstPeriod') or ''}-{t.get('lastPeriod') or ''} "
        f"{str(t.get('updated') or '')[:10]} {t.get('label') or ''}"
        for t in client.tables(text)
    ]


def catalog_lines() -> list[str]:
    """The recipes: what each fetches from which table, and why the others cannot be fetched."""
    lines = []
    for recipe in builtin_recipes().values():
        title = recipe.indicator.get("title_sv", recipe.id)
        if recipe.available:
            lines.append(f"{recipe.id:32s} {recipe.table:8s} {title} ({', '.join(recipe.levels)})")
        else:
            lines.append(f"{recipe.id:32s} {'-':8s} {title}: not fetched. {recipe.reason}")
    return lines


def _chosen(indicators: Sequence[str] | None, level: str, report: FetchReport) -> list[Recipe]:
    recipes = builtin_recipes()
    if indicators:
        unknown = [i for i in indicators if i not in recipes]
        if unknown:
            raise ParameterError(
                "indicators", f"no recipe for {unknown}; known: {', '.join(sorted(recipes))}"
            )
        chosen = [recipes[i] for i in indicators]
        for recipe in chosen:
            if not recipe.available:
                raise ParameterError("indicators", f"{recipe.id} cannot be fetched: {recipe.reason}")
            if level not in recipe.levels:
                raise ParameterError("level", f"{recipe.id} is published for {list(recipe.levels)} only")
        return chosen
    unavailable = sorted(r.id for r in recipes.values() if not r.available)
    if unavailable:
        report.lines.append(f"not public at DeSO/RegSO (see the catalog): {', '.join(unavailable)}")
    return [r for r in recipes.values() if r.available and level in r.levels]


def _version(meta: dict, level: str, boundaries: str | None, report: FetchReport) -> str:
    loaded = boundary_version(meta.get("area_versions", {}).get(level))
    if boundaries and loaded and boundaries != loaded:
        raise VersionError(
            f"--boundaries {boundaries} asks for {boundary_name(level, boundaries)}, but the loaded {level} "
            f"areas are {boundary_name(level, loaded)}"
        )
    version = boundaries or loaded
    if version is None:
        version = DEFAULT_VERSION
        report.lines.append(
            f"the {level} areas state no boundary version; fetching {boundary_name(level, version)} "
            "(--boundaries 2018 for DeSO 2018/RegSO 2020)"
        )
    return version


def _published_years(values: pd.DataFrame, report: FetchReport) -> pd.DataFrame:
    """Without the years in which an indicator has no value at all (a table's years before the boundary
    version existed): they would offer years with nothing to show."""
    if values.empty:
        return values
    published = values["status"] != "missing"
    keep = published.groupby([values["indicator"], values["year"]], observed=True).transform("any")
    dropped = values.loc[~keep, ["indicator", "year"]].drop_duplicates()
    for ind_id, years in dropped.groupby("indicator", observed=True)["year"]:
        report.lines.append(f"{ind_id}: no values in {', '.join(map(str, sorted(years)))}, left out")
    return normalise_values(values[keep].reset_index(drop=True))


def _known_areas(values: pd.DataFrame, current, level: str, report: FetchReport) -> pd.DataFrame:
    """Only the values of loaded areas (when the level is loaded): the rest are reported and left out."""
    if level not in current.levels or values.empty:
        return values
    known = values["code"].astype(str).isin(set(current.area_frame(level)["code"]))
    if not known.all():
        codes = sorted(set(values.loc[~known, "code"].astype(str)))
        report.lines.append(
            f"{len(codes)} fetched {level} codes are not among the loaded areas, left out: {codes[:5]}"
        )
    return normalise_values(values[known].reset_index(drop=True))


DEFINITION_FIELDS = (
    "title_sv",
    "title_en",
    "unit",
    "domain",
    "direction",
    "decimals",
    "kind",
    "source",
    "description_sv",
    "description_en",
)
"""The fields of an ``[indicators.<id>]`` definition in a recipe for ``barometer build``."""


def write_folder(
    out: Path, values: pd.DataFrame, found: dict[str, Indicator], current: Dataset, level: str
) -> str:
    """One long CSV per indicator, the loaded areas as GeoPackages and a ``recipe.toml`` naming them all."""
    out.mkdir(parents=True, exist_ok=True)
    lines = ['title = "SCB, Statistikdatabasen"', 'attribution = "Källa: SCB"', ""]
    for area_level in current.levels:
        name = f"areas_{area_level}.gpkg"
        areas = current.areas[current.areas["level"] == area_level].drop(columns="level")
        if current.meta.get("area_versions", {}).get(area_level):
            areas = areas.assign(version=current.meta["area_versions"][area_level])
        areas.to_file(out / name, driver="GPKG", layer=area_level)
        lines += ["[[areas]]", f"file = {_toml(name)}", f"level = {_toml(area_level)}", ""]
    for ind_id in sorted(found):
        name = f"{ind_id}_{level}.csv"
        rows = values[values["indicator"] == ind_id]
        columns = ["code", "year", "breakdown", "value", "status", "numerator", "denominator"]
        rows[columns].to_csv(out / name, index=False, float_format="%.10g")
        lines += [
            "[[values]]",
            f"file = {_toml(name)}",
            f"indicator = {_toml(ind_id)}",
            f"level = {_toml(level)}",
            "",
        ]
    for ind_id, indicator in sorted(found.items()):
        definition = indicator.to_json()
        lines += [f"[indicators.{ind_id}]", *(f"{k} = {_toml(definition[k])}" for k in DEFINITION_FIELDS), ""]
    (out / "recipe.toml").write_text("\n".join(lines), encoding="utf-8")
    areas = (
        f" and {len(current.levels)} area files" if current.levels else " (no areas loaded: add [[areas]])"
    )
    return f"wrote {len(found)} value files{areas} and recipe.toml to {out}"


def _toml(value: object) -> str:
    """A TOML value: strings, numbers and lists of strings (JSON's escapes are TOML's)."""
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return json.dumps(str(value), ensure_ascii=False)
