"""SCB's PxWeb API answers in JSON-stat2: one value per combination of the dimensions' categories.

The region dimension (role ``geo``, or ``Region``) gives the area codes, the time dimension (role ``time``,
or ``Tid``) the years, ``ContentsCode`` (role ``metric``) the indicators with their labels and units. Every
other dimension (``Kon``, ``Alder``) becomes a breakdown: ``sex=female``, ``age=20-64``; totals drop out.
Row numbers in errors count values (1-based, in the document's order).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

from indicators import dimensions as dims
from indicators.importers.common import TOTAL, Context, Record

GEO_NAMES = frozenset({"region", "kommun", "lan", "deso", "regso", "omrade", "area"})
TIME_NAMES = frozenset({"tid", "ar", "year", "time", "period"})
METRIC_NAMES = frozenset({"contentscode", "tabellinnehall"})


def is_jsonstat(doc: object) -> bool:
    return isinstance(doc, Mapping) and doc.get("class") == "dataset" and "dimension" in doc


def _categories(dimension: Mapping) -> tuple[list[str], dict[str, str]]:
    category = dimension.get("category", {})
    index = category.get("index")
    labels = category.get("label", {})
    if index is None:
        codes = list(labels)
    elif isinstance(index, Mapping):
        codes = sorted(index, key=lambda code: index[code])
    else:
        codes = list(index)
    return codes, {code: str(labels.get(code, code)) for code in codes}


def _role(doc: Mapping, role: str, names: frozenset[str]) -> str | None:
    given = doc.get("role", {}).get(role) or []
    if given:
        return given[0]
    return next((d for d in doc["id"] if d.casefold() in names), None)


def _cell(container: object, index: int) -> object:
    if isinstance(container, Mapping):
        return container.get(str(index))
    if isinstance(container, list):
        return container[index] if index < len(container) else None
    return None


def _group_keys(name: str, dimension: Mapping, labels: dict[str, str], ctx: Context) -> dict[str, str | None]:
    """Breakdown key (None for a total) per category code of one dimension, named by its label
    (``födelseregion``) or id (``Kon``), whichever is known."""
    label = str(dimension.get("label") or name)
    named = label if dims.is_known_dimension(label) or not dims.is_known_dimension(name) else name
    keys: dict[str, str | None] = {}
    for code, text in labels.items():
        key = keys[code] = dims.group_key(named, text, code)
        if key is not None and key not in ctx.labels and (kept := dims.label_of(key, label, text)):
            ctx.labels[key] = kept
    return keys


def records_from_jsonstat(doc: Mapping, ctx: Context) -> list[Record]:
    """The records of one JSON-stat2 dataset."""
    try:
        ids, sizes, dimensions = list(doc["id"]), list(doc["size"]), doc["dimension"]
        categories = {d: _categories(dimensions[d]) for d in ids}
    except (KeyError, TypeError, AttributeError) as exc:
        raise ctx.error(f"not a JSON-stat2 dataset: missing or malformed {exc}") from exc
    if [len(categories[d][0]) for d in ids] != sizes:
        raise ctx.error("JSON-stat2 'size' does not match the dimensions' categories")
    geo, time = _role(doc, "geo", GEO_NAMES), _role(doc, "time", TIME_NAMES)
    metric = _role(doc, "metric", METRIC_NAMES)
    if geo is None or time is None:
        raise ctx.error(f"no region or time dimension among {ids}")
    if metric is None and not ctx.indicator:
        raise ctx.error("no ContentsCode dimension: name the indicator with --indicator")
    metric_codes = categories[metric][0] if metric else []
    units = dimensions[metric]["category"].get("unit", {}) if metric else {}
    ids_by_code = {
        code: (ctx.indicator if ctx.indicator and len(metric_codes) == 1 else code) for code in metric_codes
    }
    for code, ident in ids_by_code.items():
        ctx.titles.setdefault(ident, categories[metric][1][code])
        unit = units.get(code, {})
        if unit:
            ctx.units[ident] = (str(unit.get("base", "")), int(unit.get("decimals", 1)))
    breakdown_dims = [d for d in ids if d not in (geo, time, metric)]
    group_keys = {d: _group_keys(d, dimensions[d], categories[d][1], ctx) for d in breakdown_dims}
    values, status = doc.get("value", []), doc.get("status")
    records = []
    positions = itertools.product(*(range(size) for size in sizes))
    for flat, position in enumerate(positions):
        chosen = {d: categories[d][0][i] for d, i in zip(ids, position, strict=True)}
        keys = [group_keys[d][chosen[d]] for d in breakdown_dims]
        breakdown = ";".join(k for k in keys if k) or TOTAL
        value = _cell(values, flat)
        marker = _cell(status, flat)
        if value is None and marker is not None:
            value = marker
        records.append(
            Record(
                ids_by_code[chosen[metric]] if metric else str(ctx.indicator),
                chosen[geo],
                chosen[time],
                value,
                flat + 1,
                breakdown,
                code_column=geo,
                year_column=time,
                value_column="value",
            )
        )
    return records
