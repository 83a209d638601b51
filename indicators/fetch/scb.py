"""Planning SCB queries from recipes, and turning the answers into the model's value table.

Boundary versions. SCB publishes DeSO and RegSO in two versions: DeSO 2018 with RegSO 2020 (reference years
up to 2023) and DeSO 2025 with RegSO 2025 (from 2024). In Statistikdatabasen's tables the 2025 codes carry a
suffix (``0114A0010_DeSO2025``, ``0114R001_RegSO2025``), the older ones none (``0114A0010``); a table can hold
both. Barometer names the pair by its DeSO year: version ``"2018"`` or ``"2025"``. Values are fetched only in
the version of the loaded areas; a table without codes of that version is refused with a message naming both.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from indicators.fetch.recipes import Cells, Output, Recipe
from indicators.importers.common import parse_number
from indicators.importers.pxweb import _categories, _cell
from indicators.model import InputError, level_of_code

BOUNDARY_NAMES: Mapping[str, Mapping[str, str]] = {
    "2018": {"deso": "DeSO 2018", "regso": "RegSO 2020"},
    "2025": {"deso": "DeSO 2025", "regso": "RegSO 2025"},
}
"""Barometer's boundary versions and the names SCB gives each level's version."""
_SUFFIX = re.compile(r"^(?P<code>.+?)_(?P<level>DeSO|RegSO)(?P<year>\d{4})$")
_VINTAGE = {"2018": "2018", "2020": "2018", "2025": "2025"}


class VersionError(InputError):
    """A table that publishes the level in another boundary version than the loaded areas."""


def region_code(code: str) -> tuple[str, str | None, str | None]:
    """``(plain code, level, version)`` of an SCB region code: ``0114A0010_DeSO2025`` → DeSO, 2025."""
    match = _SUFFIX.match(code)
    plain = match["code"] if match else code
    level = level_of_code(plain)
    if level not in ("deso", "regso"):
        return plain, level, None
    if match is None:
        return plain, level, "2018"
    return plain, level, _VINTAGE.get(match["year"], match["year"])


def boundary_version(file_version: object) -> str | None:
    """Barometer's version of an area file's ``version`` value (SCB's files: ``2025_v1``, ``2020_v3``)."""
    match = re.match(r"^\s*(\d{4})", str(file_version or ""))
    return _VINTAGE.get(match[1]) if match else None


def with_area_version(meta: Mapping, levels: Iterable[str], file_version: str) -> dict:
    """Dataset metadata recording the boundary version an area file states (``area_versions``: level →
    ``2025_v1``) for the levels it replaces; a file that states none leaves those levels without one."""
    kept = {k: v for k, v in meta.get("area_versions", {}).items() if k not in set(levels)}
    versions = kept | {level: file_version for level in levels if file_version}
    return {**meta, "area_versions": versions} if versions or "area_versions" in meta else dict(meta)


def boundary_name(level: str, version: str) -> str:
    return BOUNDARY_NAMES.get(version, {}).get(level, f"{level} {version}")


@dataclass(frozen=True)
class Scope:
    """The municipalities and counties asked for; both empty means the whole country."""

    kommun: tuple[str, ...] = ()
    lan: tuple[str, ...] = ()

    def holds(self, code: str) -> bool:
        return (not self.kommun and not self.lan) or code[:4] in self.kommun or code[:2] in self.lan


@dataclass(frozen=True)
class Query:
    """One data call: a recipe's table and ``VariablesSelection`` body, at most ``max_cells`` cells."""

    recipe: Recipe
    level: str
    body: Mapping
    cells: int
    via: Mapping[str, str] | None = None
    """DeSO code → RegSO code when the table's DeSO values are summed into RegSO through a key table."""


def plan(
    recipe: Recipe,
    metadata: Mapping,
    *,
    level: str,
    version: str,
    scope: Scope,
    years: tuple[int, int] | None,
    max_cells: int,
    key: Mapping[str, str] | None = None,
) -> list[Query]:
    """The data calls that fetch ``recipe`` for the areas in ``scope``, split to keep ``max_cells``.

    ``key`` (DeSO code → RegSO code, SCB's key table of the same boundary version) lets a table that has no
    RegSO codes of that version give RegSO values: its DeSO counts are fetched and summed per RegSO.
    """
    where = f"table {recipe.table} ({recipe.id})"
    problems = recipe_problems(recipe, metadata)
    if problems:
        raise InputError(f"{where}: {problems[0]} (recipe {recipe.path})")
    region_codes = _categories(metadata["dimension"][recipe.region])[0]
    time_codes = _categories(metadata["dimension"][recipe.time])[0]
    coded = [(code, *region_code(code)) for code in region_codes]
    of_level = [(code, plain, v) for code, plain, lv, v in coded if lv == level]
    versions = sorted({v for _, _, v in of_level if v})
    via = None
    if version not in versions and key and level == "regso":
        of_level = [(code, plain, v) for code, plain, lv, v in coded if lv == "deso" and key.get(plain)]
        if version in {v for _, _, v in of_level}:
            _summable(recipe, where)
            via = key
            of_level = [(code, plain, v) for code, plain, v in of_level if scope.holds(key[plain])]
    if not of_level:
        hint = " (--key sums its DeSO counts through SCB's key table)" if level == "regso" and not key else ""
        raise VersionError(f"{where}: the table has no {level} codes{hint}")
    if version not in versions and via is None:
        have = ", ".join(boundary_name(level, v) for v in versions)
        raise VersionError(
            f"{where} publishes {have}, but the loaded {level} areas are {boundary_name(level, version)}: "
            f"load {have} areas (or fetch with --boundaries {versions[-1]})"
        )
    holds = (lambda plain: scope.holds(via[plain])) if via else scope.holds
    regions = sorted(code for code, plain, v in of_level if v == version and holds(plain))
    if not regions:
        raise InputError(f"{where}: no {boundary_name(level, version)} areas in the municipalities asked for")
    chosen = [t for t in time_codes if years is None or _year_in(t, years)]
    if not chosen:
        raise InputError(
            f"{where}: no years in {years[0]}-{years[1]}; the table has {time_codes[0]}-{time_codes[-1]}"
        )
    per_cell = recipe.cells_per_area_year()
    if per_cell > max_cells:
        raise InputError(
            f"{where}: one area and year is {per_cell} cells, more than the server's {max_cells}"
        )
    year_chunk = min(len(chosen), max(1, max_cells // per_cell))
    region_chunk = max(1, max_cells // (per_cell * year_chunk))
    queries = []
    for y in range(0, len(chosen), year_chunk):
        for r in range(0, len(regions), region_chunk):
            part, span = regions[r : r + region_chunk], chosen[y : y + year_chunk]
            body = recipe.selection(part, span)
            queries.append(Query(recipe, level, body, len(part) * len(span) * per_cell, via))
    return queries


def recipe_problems(recipe: Recipe, metadata: Mapping) -> list[str]:
    """What a table's metadata lacks of what the recipe names: variables and their value codes."""
    dimensions = metadata.get("dimension") if isinstance(metadata, Mapping) else None
    if not isinstance(dimensions, Mapping):
        return ["its metadata has no dimensions"]
    problems = [
        f"the table has no variable {var!r} (it has {sorted(dimensions)})"
        for var in (recipe.region, recipe.time, *recipe.select)
        if var not in dimensions
    ]
    for var, codes in recipe.select.items():
        if var in dimensions:
            unknown = sorted(set(codes) - set(_categories(dimensions[var])[0]))
            if unknown:
                problems.append(f"the table has no value {unknown} of variable {var!r}")
    return problems


def _summable(recipe: Recipe, where: str) -> None:
    """Only counts, numerators and denominators add up; published shares and medians do not."""
    if recipe.indicator.get("kind") != "count" and any(out.value is not None for out in recipe.outputs):
        raise VersionError(f"{where}: its published values cannot be summed from DeSO to RegSO through a key")


def _year_in(code: str, years: tuple[int, int]) -> bool:
    return code[:4].isdigit() and years[0] <= int(code[:4]) <= years[1]


class _Cube:
    """Cells of one JSON-stat 2.0 answer by category codes (the categories are read by the pxweb importer)."""

    def __init__(self, doc: Mapping, where: str) -> None:
        self.doc, self.where = doc, where
        self.ids = list(doc["id"])
        self.codes = {d: _categories(doc["dimension"][d])[0] for d in self.ids}
        self.position = {d: {c: i for i, c in enumerate(codes)} for d, codes in self.codes.items()}
        self.stride: dict[str, int] = {}
        step = 1
        for d, size in zip(reversed(self.ids), reversed(list(doc["size"])), strict=True):
            self.stride[d] = step
            step *= int(size)

    def raw(self, assign: Mapping[str, str]) -> object:
        flat = 0
        for d in self.ids:
            code = assign.get(d)
            if code is None:
                if len(self.codes[d]) != 1:
                    raise InputError(
                        f"{self.where}: variable {d!r} has several values and the recipe chose none"
                    )
                code = self.codes[d][0]
            flat += self.position[d][code] * self.stride[d]
        value = _cell(self.doc.get("value"), flat)
        return _cell(self.doc.get("status"), flat) if value is None else value

    def total(self, fixed: Mapping[str, str], cells: Cells) -> tuple[float, str]:
        """The sum of the cells (every combination of the listed codes) and its status."""
        combos: list[dict[str, str]] = [dict(fixed)]
        for var, codes in cells.items():
            combos = [{**combo, var: code} for combo in combos for code in codes]
        total, statuses = 0.0, set()
        for combo in combos:
            parsed = parse_number(self.raw(combo))
            if parsed is None:
                raise InputError(f"{self.where}: cell {combo} is neither a number nor a status marker")
            value, status = parsed
            statuses.add(status)
            total += value if status == "ok" else 0.0
        for status in ("suppressed", "missing"):
            if status in statuses:
                return math.nan, status
        return total, "ok"


def rows_from_answer(
    recipe: Recipe, level: str, doc: Mapping, where: str, via: Mapping[str, str] | None = None
) -> list[dict]:
    """The value rows (VALUE_COLUMNS) of one answer: every region, year and output of the recipe. With
    ``via`` (DeSO → RegSO), the cells of the DeSO areas are summed per RegSO before shares are taken."""
    cube = _Cube(doc, where)
    count = recipe.indicator.get("kind") == "count"
    groups: dict[tuple[str, str, int], list[tuple[Part, Part, Part]]] = {}
    for code in cube.codes.get(recipe.region, []):
        plain = region_code(code)[0]
        target = via.get(plain) if via is not None else plain
        if target is None:
            continue
        for year in cube.codes.get(recipe.time, []):
            fixed = {recipe.region: code, recipe.time: year}
            for i, out in enumerate(recipe.outputs):
                parts = tuple(
                    cube.total(fixed, c) if c else _ABSENT
                    for c in (out.value, out.numerator, out.denominator)
                )
                groups.setdefault((target, year, i), []).append(parts)  # type: ignore[arg-type]
    rows = []
    for (target, year, i), found in groups.items():
        value, num, den = (_sum(part[k] for part in found) for k in range(3))
        rows.append(
            {"indicator": recipe.id, "level": level, "code": target, "year": int(year[:4])}
            | _output_values(value, num, den, recipe.outputs[i], count)
        )
    return rows


Part = tuple[float, str]
"""A sum of cells and its status (``ok``, ``missing``, ``suppressed``; empty where the output has none)."""
_ABSENT: Part = (math.nan, "")


def _sum(parts: Iterable[Part]) -> Part:
    parts = list(parts)
    statuses = {status for _, status in parts}
    for status in ("", "suppressed", "missing"):
        if status in statuses:
            return math.nan, status
    return sum(value for value, _ in parts), "ok"


def _output_values(value_part: Part, num_part: Part, den_part: Part, out: Output, count: bool) -> dict:
    nan = math.nan
    (num, num_status), (den, den_status) = num_part, den_part
    if out.value is not None:
        value, status = value_part
        value *= out.factor
        if count:
            num, den = value, (den if out.denominator else value)
    elif den_status == "ok" and num_status == "ok":
        value, status = (out.factor * num / den, "ok") if den > 0 else (nan, "missing")
    else:
        value, status = nan, "suppressed" if "suppressed" in (num_status, den_status) else "missing"
    return {
        "breakdown": out.breakdown,
        "value": value,
        "status": status,
        "numerator": num,
        "denominator": den,
    }


def source_text(recipe: Recipe, updated: Iterable[str]) -> str:
    """The source of a fetched indicator: SCB's table with its title, page and the time it was updated."""
    latest = max((u for u in updated if u), default="")
    when = f", uppdaterad {latest[:10]}" if latest else ""
    return f"SCB, Statistikdatabasen, tabell {recipe.table}: {recipe.table_title} ({recipe.table_url}){when}"


def parse_years(text: str | None) -> tuple[int, int] | None:
    """``"2015-2023"`` → (2015, 2023); ``"2023"`` → (2023, 2023); None → every year."""
    if not text:
        return None
    match = re.fullmatch(r"\s*(\d{4})\s*(?:-\s*(\d{4}))?\s*", text)
    if not match:
        raise ValueError(f"years take the form 2015-2023 or 2023, not {text!r}")
    first, last = int(match[1]), int(match[2] or match[1])
    if first > last:
        raise ValueError(f"years {text!r} run backwards")
    return first, last


def split_codes(values: Sequence[str] | None) -> tuple[str, ...]:
    """Codes given as repeated options and/or comma-separated: ``["1480,1401", "1402"]``."""
    return tuple(c.strip() for v in values or () for c in v.split(",") if c.strip())
