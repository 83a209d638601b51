"""Parsing of path and query parameters into values or ParameterErrors that name the parameter."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

from flask import request

from indicators.model import TOTAL, Dataset, NotFoundError, ParameterError

_INTEGER = re.compile(r"-?[0-9]{1,18}")
_NUMBER = re.compile(r"-?[0-9]{1,18}(?:\.[0-9]{1,18})?(?:[eE][-+]?[0-9]{1,3})?")
"""ASCII digits only: Python's int() and float() also read full-width and other Unicode digits, ``1_000``,
``nan`` and ``inf``, which would make distinct URLs of the same value."""


def integer(name: str, raw: str | None, *, low: int | None = None, high: int | None = None) -> int:
    if raw is None or not _INTEGER.fullmatch(raw):
        raise ParameterError(name, f"must be a whole number (ASCII digits), not {raw!r}")
    value = int(raw)
    if (low is not None and value < low) or (high is not None and value > high):
        raise ParameterError(name, f"{value} is outside {low}..{high}")
    return value


def numbers(name: str, raw: str) -> tuple[float, ...]:
    """Finite decimal numbers (ASCII) separated by commas."""
    parts = raw.split(",")
    if not all(_NUMBER.fullmatch(part) for part in parts):
        raise ParameterError(name, f"must be numbers separated by commas, not {raw!r}")
    values = tuple(float(part) for part in parts)
    if not all(math.isfinite(v) for v in values):
        raise ParameterError(name, f"must be finite numbers, not {raw!r}")
    return values


def choice(name: str, raw: str, allowed: Iterable[str], *, not_found: bool = False) -> str:
    allowed = list(allowed)
    if raw not in allowed:
        error = NotFoundError if not_found else ParameterError
        shown = ", ".join(allowed[:30]) + (" …" if len(allowed) > 30 else "")
        raise error(name, f"unknown {name} {raw!r}; one of: {shown}")
    return raw


def level(dataset: Dataset, raw: str, *, tiled: bool = True) -> str:
    """A level of the dataset; the country (``riket``) has values but no tiles."""
    levels = [lv for lv in dataset.levels if lv != "riket" or not tiled]
    return choice("level", raw, levels, not_found=True)


def year(dataset: Dataset, level_name: str, raw: str) -> int:
    value = integer("year", raw)
    years = dataset.years_of(level_name)
    if value not in years:
        span = f"{years[0]}..{years[-1]}" if years else "none"
        raise NotFoundError("year", f"no values for {value} at level {level_name}; years: {span}")
    return value


def indicator(dataset: Dataset, raw: str) -> str:
    return choice("indicator", raw, dataset.indicators, not_found=True)


def breakdown(dataset: Dataset, name: str = "breakdown", default: str = TOTAL) -> str:
    """A breakdown (``sex=female``) the dataset has values of; ``default`` when the query names none."""
    return choice(name, request.args.get(name) or default, dataset.all_breakdowns)


def kommun(dataset: Dataset, raw: str | None) -> str:
    """A municipality code of the dataset."""
    return choice("kommun", raw or "", dataset.municipalities["code"], not_found=True)


def kommun_list(dataset: Dataset) -> tuple[str, ...]:
    """``kommun=a,b``: known municipality codes, each once, in the order given."""
    codes = tuple(dict.fromkeys(c for c in request.args.get("kommun", "").split(",") if c))
    known = set(dataset.municipalities["code"])
    for code in codes:
        if code not in known:
            kommun(dataset, code)
    return codes


def query_int(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    return default if raw in (None, "") else integer(name, raw, low=low, high=high)


def optional_year(dataset: Dataset, level_name: str, name: str) -> int | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return None
    try:
        return year(dataset, level_name, raw)
    except ParameterError as error:
        raise type(error)(name, error.message) from None


def tile_view(dataset: Dataset, level_name: str) -> tuple[str, int | None, str | None] | tuple[()]:
    """(breakdown, since, deviation) from the query; () for plain values."""
    breakdown_value = breakdown(dataset)
    since = optional_year(dataset, level_name, "since")
    deviation = request.args.get("deviation") or None
    if deviation is not None:
        choice("deviation", deviation, ("kommun", "riket"))
    if since is not None and deviation is not None:
        raise ParameterError("deviation", "a map shows a change (since) or a deviation, not both")
    if (breakdown_value, since, deviation) == (TOTAL, None, None):
        return ()
    return (breakdown_value, since, deviation)


def flag(name: str, default: bool = False) -> bool:
    raw = (request.args.get(name) or ("1" if default else "0")).lower()
    if raw not in ("0", "1", "true", "false", "yes", "no"):
        raise ParameterError(name, f"is 1/true or 0/false, not {raw!r}")
    return raw in ("1", "true", "yes")
