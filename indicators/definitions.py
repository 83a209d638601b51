"""Indicators the user defines: a definitions file (TOML) or import flags, merged with what a file says.

A definitions file holds one table per indicator id::

    [indicators.mean_income]
    title_sv = "Medelinkomst"
    title_en = "Mean income"
    unit = "tkr"
    kind = "mean"              # share | rate | mean | median | count | index | category
    direction = "higher_better"
    decimals = 0
    source = "SCB, Statistikdatabasen"

Rules (:func:`define`):

* The kind is never guessed: an id outside the built-in catalog needs one (``--kind`` or a definition),
  unless the dataset already defines it (a re-import keeps its definition).
* The source shown is the one the user gave, else the file's name: a built-in id used for a user's file
  never claims the built-in source, and a re-import names the new file.
* Other fields come from the definition, else the dataset's earlier definition, else the built-in catalog,
  else what the file says (a title line, a PxWeb unit), else the id.
"""

from __future__ import annotations

import re
import tomllib
import typing
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from indicators.model import Direction, Indicator, InputError, Kind

KINDS: tuple[str, ...] = typing.get_args(Kind)
DIRECTIONS: tuple[str, ...] = typing.get_args(Direction)
FIELDS: dict[str, type] = {
    "title_sv": str,
    "title_en": str,
    "unit": str,
    "domain": str,
    "direction": str,
    "decimals": int,
    "kind": str,
    "source": str,
    "description_sv": str,
    "description_en": str,
}
"""Fields a definition may set, with their types."""
FLAGS: dict[str, str] = {
    "title_sv": "--title-sv",
    "title_en": "--title-en",
    "unit": "--unit",
    "kind": "--kind",
    "direction": "--direction",
    "decimals": "--decimals",
    "source": "--source",
    "description_sv": "--description",
    "description_en": "--description",
}
"""The import flag that sets each field (for messages)."""
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
"""Ids as URLs and tile properties carry them: ``mean_income``, Kolada's ``N00945``, PxWeb's ``000005QX``."""


def check_id(ident: str, where: str = "indicator id") -> str:
    """``ident`` when it is fit for URLs and tile properties (ASCII letters, digits, ``_.-``)."""
    if not ID_PATTERN.match(ident):
        raise InputError(f"{where} {ident!r}: use letters a-z, digits and _ . - (at most 64, no spaces)")
    return ident


def check_definition(ident: str, definition: Mapping, where: str) -> dict:
    """A definition's fields, checked: known keys, types, kind and direction from their lists."""
    check_id(ident, f"{where}: indicator id")
    out: dict = {}
    for key, value in definition.items():
        if key not in FIELDS:
            raise InputError(f"indicator {ident!r}: unknown key {key!r}; known: {sorted(FIELDS)}", file=where)
        wanted = FIELDS[key]
        if not isinstance(value, wanted) or isinstance(value, bool):
            raise InputError(f"indicator {ident!r}: {key} must be a {wanted.__name__}", file=where)
        out[key] = value
    if out.get("kind", KINDS[0]) not in KINDS:
        raise InputError(f"indicator {ident!r}: kind {out['kind']!r} is not one of {list(KINDS)}", file=where)
    if out.get("direction", DIRECTIONS[0]) not in DIRECTIONS:
        raise InputError(
            f"indicator {ident!r}: direction {out['direction']!r} is not one of {list(DIRECTIONS)}",
            file=where,
        )
    if not 0 <= out.get("decimals", 0) <= 6:
        raise InputError(f"indicator {ident!r}: decimals must be 0 to 6", file=where)
    return out


def definitions_from(tables: Mapping, where: str) -> dict[str, dict]:
    """Checked definitions of an ``indicators`` table (id → fields)."""
    if not isinstance(tables, Mapping):
        raise InputError("[indicators] must be a table of tables, one per indicator id", file=where)
    out = {}
    for ident, definition in tables.items():
        if not isinstance(definition, Mapping):
            raise InputError(f"[indicators.{ident}] must be a table", file=where)
        out[ident] = check_definition(ident, definition, where)
    return out


def load_definitions(path: Path) -> dict[str, dict]:
    """The definitions of a TOML file with ``[indicators.<id>]`` tables."""
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise InputError(f"not valid TOML: {error}", file=str(path)) from error
    unknown = sorted(set(document) - {"indicators"})
    if unknown:
        raise InputError(
            f"unknown top-level keys {unknown}; definitions go in [indicators.<id>]", file=str(path)
        )
    return definitions_from(document.get("indicators", {}), str(path))


def define(
    found: Indicator,
    definition: Mapping | None,
    *,
    file: str,
    earlier: Indicator | None = None,
    builtin: Indicator | None = None,
) -> Indicator:
    """The metadata of an imported indicator: the user's definition over the earlier, built-in and found.

    ``found`` is what the reader saw in the file (id, a title, a unit, the breakdowns with data).
    """
    definition = dict(definition or {})
    base = earlier or builtin
    if base is None and "kind" not in definition:
        raise InputError(
            f"indicator {found.id!r} is not built in: say what kind of number it is with --indicator "
            f"{found.id} --kind {'|'.join(KINDS)}, or in a definitions file (--definitions) entry "
            f"[indicators.{found.id}] with kind = ...",
            file=file,
        )
    merged = replace(base, breakdowns=found.breakdowns) if base is not None else found
    if base is None and not found.unit and definition.get("kind") == "share":
        merged = replace(merged, unit="%")
    merged = replace(merged, **definition)
    return replace(merged, source=definition.get("source") or file)
