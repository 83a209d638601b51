"""Recipes: one small TOML file per indicator naming the SCB table, the cells, and what they mean.

A recipe (``recipes/<id>.toml``)::

    id = "low_economic_standard"          # the indicator id (the catalog's where it has one)
    available = true                      # false: not public at DeSO/RegSO; ``reason`` says why
    levels = ["deso", "regso"]

    [indicator]                           # the Indicator's metadata: titles, kind, unit, domain...
    title_sv = "..."
    kind = "share"

    [table]                               # the SCB table: id, its own title and page, its variables
    id = "TAB6685"
    title = "..."
    url = "https://www.statistikdatabasen.scb.se/..."
    region = "Region"                     # the region and time variables (these two are filled per query)
    time = "Tid"
    select = { ContentsCode = ["000008AC"], Alder = ["tot"] }

    [[output]]                            # one per breakdown: which cells give the value
    breakdown = "total"
    value = { ContentsCode = "000008AC" } # a cell; a list of codes sums the cells
    # or: numerator = {...} and denominator = {...}: value = factor × numerator / denominator
    # (factor 100 for shares); counts keep value as numerator and the denominator given as their total

    [provenance]                          # where each fact was seen (public code, pages); never verified live
    table = "..."

A variable the cells do not name must have a single selected value, so every cell is one cell of the answer.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import get_args

from indicators.model import TOTAL, Indicator, InputError, Kind

FETCH_LEVELS = ("deso", "regso")
KINDS = frozenset(get_args(Kind))
Cells = Mapping[str, tuple[str, ...]]

_TOP = {"id", "available", "reason", "levels", "indicator", "table", "output", "provenance"}
_INDICATOR = {
    "title_sv",
    "title_en",
    "kind",
    "unit",
    "decimals",
    "domain",
    "direction",
    "description_sv",
    "description_en",
}
_TABLE = {"id", "title", "url", "region", "time", "select"}
_OUTPUT = {"breakdown", "value", "numerator", "denominator", "factor"}


@dataclass(frozen=True)
class Output:
    """One breakdown of an indicator: the cells summed into its value, or its numerator and denominator."""

    breakdown: str
    value: Cells | None = None
    numerator: Cells | None = None
    denominator: Cells | None = None
    factor: float = 1.0


@dataclass(frozen=True)
class Recipe:
    """One indicator's recipe; ``available`` False keeps an indicator SCB does not publish in the catalog."""

    id: str
    path: str
    available: bool
    reason: str = ""
    levels: tuple[str, ...] = FETCH_LEVELS
    indicator: Mapping[str, object] = field(default_factory=dict)
    table: str = ""
    table_title: str = ""
    table_url: str = ""
    region: str = "Region"
    time: str = "Tid"
    select: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    outputs: tuple[Output, ...] = ()
    provenance: Mapping[str, object] = field(default_factory=dict)

    def selection(self, regions: list[str], years: list[str]) -> dict:
        """The ``VariablesSelection`` body of a data call for these region codes and years."""
        chosen = {self.region: list(regions), **{k: list(v) for k, v in self.select.items()}}
        chosen[self.time] = list(years)
        return {"selection": [{"variableCode": k, "valueCodes": v} for k, v in chosen.items()]}

    def cells_per_area_year(self) -> int:
        count = 1
        for codes in self.select.values():
            count *= len(codes)
        return count

    def to_indicator(self, source: str) -> Indicator:
        """The Indicator this recipe fetches, with ``source`` naming the table and its updated time."""
        meta = dict(self.indicator)
        return Indicator(
            id=self.id,
            title_sv=str(meta.get("title_sv", self.id)),
            title_en=str(meta.get("title_en", meta.get("title_sv", self.id))),
            unit=str(meta.get("unit", "")),
            domain=str(meta.get("domain", "other")),
            direction=meta.get("direction", "neutral"),  # type: ignore[arg-type]
            decimals=int(meta.get("decimals", 1)),  # type: ignore[call-overload]
            kind=meta.get("kind", "share"),  # type: ignore[arg-type]
            source=source,
            description_sv=str(meta.get("description_sv", "")),
            description_en=str(meta.get("description_en", "")),
            breakdowns=tuple(out.breakdown for out in self.outputs) or (TOTAL,),
        )


def builtin_recipes() -> dict[str, Recipe]:
    """The recipes Barometer ships (``indicators/fetch/recipes/*.toml``), by id."""
    folder = resources.files("indicators.fetch").joinpath("recipes")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)
    recipes = [parse_recipe(tomllib.loads(f.read_text(encoding="utf-8")), f"recipes/{f.name}") for f in files]
    return {recipe.id: recipe for recipe in recipes}


def load_recipe(path: Path | str) -> Recipe:
    """One recipe file."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"cannot read the recipe: {exc}", file=str(path)) from exc
    return parse_recipe(data, str(path))


def parse_recipe(data: Mapping, where: str) -> Recipe:
    """A validated recipe from parsed TOML; errors name the file and the key."""

    def fail(message: str, key: str | None = None) -> InputError:
        return InputError(message, file=where, column=key)

    _no_unknown(data, _TOP, where, "")
    ident = data.get("id")
    if not isinstance(ident, str) or not ident.replace("_", "").isalnum():
        raise fail("needs an id of letters, digits and '_'", "id")
    available = data.get("available", True)
    provenance = data.get("provenance")
    if not isinstance(provenance, Mapping) or not provenance:
        raise fail("names no provenance: say where each fact was seen", "provenance")
    indicator = data.get("indicator", {})
    _no_unknown(indicator, _INDICATOR, where, "indicator.")
    if not available:
        reason = data.get("reason")
        if not isinstance(reason, str) or not reason.strip():
            raise fail("an unavailable recipe must say why (reason = ...)", "reason")
        return Recipe(ident, where, False, reason=reason, indicator=indicator, provenance=provenance)
    kind = indicator.get("kind", "share")
    if kind not in KINDS:
        raise fail(f"unknown kind {kind!r}; known: {sorted(KINDS)}", "indicator.kind")
    levels = tuple(data.get("levels", FETCH_LEVELS))
    if not levels or set(levels) - set(FETCH_LEVELS):
        raise fail(f"levels must be among {list(FETCH_LEVELS)}", "levels")
    table = data.get("table")
    if not isinstance(table, Mapping):
        raise fail("needs a [table] with id, title, url and select", "table")
    _no_unknown(table, _TABLE, where, "table.")
    for key in ("id", "title", "url"):
        if not isinstance(table.get(key), str) or not table[key]:
            raise fail(f"table.{key} must be a non-empty string", f"table.{key}")
    select = {str(k): _codes(v, f"table.select.{k}", fail) for k, v in dict(table.get("select", {})).items()}
    region, time = str(table.get("region", "Region")), str(table.get("time", "Tid"))
    if region in select or time in select:
        raise fail(f"{region!r} and {time!r} are chosen per query, not in select", "table.select")
    outputs = tuple(_output(item, i, select, kind, fail) for i, item in enumerate(data.get("output", [])))
    if not outputs:
        raise fail("needs at least one [[output]]", "output")
    breakdowns = [out.breakdown for out in outputs]
    if len(set(breakdowns)) != len(breakdowns):
        raise fail(f"breakdowns repeat: {breakdowns}", "output")
    return Recipe(
        ident,
        where,
        True,
        levels=levels,
        indicator=indicator,
        table=table["id"],
        table_title=table["title"],
        table_url=table["url"],
        region=region,
        time=time,
        select=select,
        outputs=outputs,
        provenance=provenance,
    )


def _no_unknown(data: object, known: set[str], where: str, prefix: str) -> None:
    if not isinstance(data, Mapping):
        raise InputError(f"{prefix.rstrip('.') or 'the file'} must be a table", file=where)
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(f"unknown keys {[prefix + k for k in unknown]}; known: {sorted(known)}", file=where)


def _codes(value: object, key: str, fail) -> tuple[str, ...]:
    codes = (value,) if isinstance(value, str) else value
    if not isinstance(codes, list | tuple) or not codes or not all(isinstance(c, str) and c for c in codes):
        raise fail("must be a code or a list of codes", key)
    return tuple(codes)


def _output(item: object, index: int, select: Cells, kind: str, fail) -> Output:
    key = f"output[{index}]"
    if not isinstance(item, Mapping):
        raise fail("must be a table", key)
    unknown = sorted(set(item) - _OUTPUT)
    if unknown:
        raise fail(f"unknown keys {unknown}; known: {sorted(_OUTPUT)}", key)
    breakdown = item.get("breakdown", TOTAL)
    if breakdown != TOTAL and "=" not in str(breakdown):
        raise fail(f"breakdown {breakdown!r} must be 'total' or 'dimension=group'", f"{key}.breakdown")
    cells = {}
    for part in ("value", "numerator", "denominator"):
        if part in item:
            cells[part] = _cells(item[part], select, f"{key}.{part}", fail)
    if "value" not in cells and not {"numerator", "denominator"} <= set(cells):
        raise fail("needs value, or numerator and denominator", key)
    if kind == "count" and "value" not in cells:
        raise fail("a count needs value (and its total as denominator)", key)
    factor = float(item.get("factor", 100.0 if kind == "share" and "value" not in cells else 1.0))
    return Output(str(breakdown), factor=factor, **cells)


def _cells(spec: object, select: Cells, key: str, fail) -> Cells:
    if not isinstance(spec, Mapping):
        raise fail("must be a table of variable = code(s)", key)
    cells = {str(var): _codes(codes, f"{key}.{var}", fail) for var, codes in spec.items()}
    for var, codes in cells.items():
        if var not in select:
            raise fail(f"names variable {var!r}, which table.select does not choose", key)
        missing = sorted(set(codes) - set(select[var]))
        if missing:
            raise fail(f"codes {missing} of {var!r} are not in table.select", key)
    open_vars = sorted(var for var, codes in select.items() if len(codes) > 1 and var not in cells)
    if open_vars:
        raise fail(f"does not say which of the selected codes of {open_vars} it takes", key)
    return cells
