"""Kolada's API answers (v2/v3): ``{"values": [{"kpi", "municipality", "period", "values": [...]}]}``.

Gender ``T``/``K``/``M`` becomes the total, ``sex=female``, ``sex=male``. Kolada's ``0000`` is the whole
country (riket ``00``) and ``00XX`` the region of län ``XX``. Unit-level rows (``ou``) are skipped and
reported. Row numbers in errors count the entries of ``values`` (1-based).
"""

from __future__ import annotations

from collections.abc import Mapping

from indicators.importers.common import TOTAL, Context, Record

GENDERS = {"T": TOTAL, "K": "sex=female", "M": "sex=male"}


def is_kolada(doc: object) -> bool:
    items = doc.get("values") if isinstance(doc, Mapping) else doc
    return isinstance(items, list) and bool(items) and isinstance(items[0], Mapping) and "kpi" in items[0]


def kolada_area(code: object) -> str:
    """``"0000"`` → ``"00"`` (riket), ``"0014"`` → ``"14"`` (län), municipality codes unchanged."""
    text = str(code).strip()
    return text[2:] if len(text) == 4 and text.startswith("00") else text


def records_from_kolada(doc: object, ctx: Context) -> list[Record]:
    items = doc.get("values") if isinstance(doc, Mapping) else doc
    if not isinstance(items, list):
        raise ctx.error("not a Kolada answer: no list of values")
    records, units = [], 0
    kpis = {item.get("kpi") for item in items if isinstance(item, Mapping)}
    for row, item in enumerate(items, start=1):
        if not isinstance(item, Mapping) or "kpi" not in item:
            raise ctx.error("a Kolada entry needs kpi, municipality, period and values", row, "kpi")
        if item.get("municipality") is None:
            if "ou" not in item:
                raise ctx.error("no municipality", row, "municipality")
            units += 1
            continue
        indicator = ctx.indicator if ctx.indicator and len(kpis) == 1 else str(item["kpi"])
        for entry in item.get("values") or []:
            gender = str(entry.get("gender", "T")).upper()
            if gender not in GENDERS:
                raise ctx.error(f"unknown gender {gender!r} (T, K or M)", row, "gender")
            records.append(
                Record(
                    indicator,
                    kolada_area(item["municipality"]),
                    item.get("period"),
                    entry.get("value"),
                    row,
                    GENDERS[gender],
                    code_column="municipality",
                    year_column="period",
                    value_column="value",
                )
            )
    if units:
        ctx.report.append(f"skipped {units} entries for organisational units (ou), not areas")
    return records
