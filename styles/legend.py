"""Legends: one entry per class (bounds, colour, label in Swedish or English number format, count).

Swedish numbers use a narrow no-break space (a thin space that never breaks) between thousands and a decimal
comma (``1 234,5 %``), English ones a comma and a point (``1,234.5 %``); the unit follows after a non-breaking
space. Legends, map images and reports all format numbers with :func:`format_number`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from indicators.model import Indicator
from styles.classify import AREA_TYPES, Classification, ClassificationError
from styles.palettes import NO_DATA, SUPPRESSED

NBSP = "\u00a0"
THIN = "\u202f"
"""Swedish thousands separator: NARROW NO-BREAK SPACE."""
DASH = "\u2013"

LEVEL_AREAS: dict[str, tuple[str, str]] = {
    "deso": ("DeSO-områden", "DeSO areas"),
    "regso": ("RegSO-områden", "RegSO areas"),
    "kommun": ("kommuner", "municipalities"),
    "lan": ("län", "counties"),
}


@dataclass(frozen=True)
class LegendEntry:
    """One legend row. ``kind`` is ``class``, ``category``, ``no_data`` or ``suppressed``."""

    kind: str
    label: str
    color: str
    count: int | None
    lower: float | None = None
    upper: float | None = None
    category: int | None = None
    pattern: str | None = None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Legend:
    title: str
    unit: str
    source: str
    scope: str
    method: str
    lang: str
    entries: tuple[LegendEntry, ...]

    def to_json(self) -> dict:
        return {**asdict(self), "entries": [e.to_json() for e in self.entries]}


def format_number(value: float, decimals: int = 1, lang: str = "sv", *, signed: bool = False) -> str:
    """``1 234,5`` (sv, narrow no-break space) or ``1,234.5`` (en); ``+`` before positives when ``signed``."""
    if not math.isfinite(value):
        return "–"
    rounded = round(value, decimals)
    if rounded == 0:
        rounded = 0.0  # no "-0,0"
    text = f"{rounded:{'+' if signed and rounded else ''},.{max(decimals, 0)}f}"
    if lang == "en":
        return text
    return text.replace(",", THIN).replace(".", ",")


def format_value(
    value: float, unit: str = "", decimals: int = 1, lang: str = "sv", *, signed: bool = False
) -> str:
    """A number with its unit: ``1 234,5 %``."""
    number = format_number(value, decimals, lang, signed=signed)
    return f"{number}{NBSP}{unit}" if unit else number


def class_label(
    lower: float, upper: float, unit: str = "", decimals: int = 1, lang: str = "sv", *, signed: bool = False
) -> str:
    """``10,0 – 20,0 %``; a single value when both bounds round alike."""
    low = format_number(lower, decimals, lang, signed=signed)
    high = format_number(upper, decimals, lang, signed=signed)
    text = low if low == high else f"{low} {DASH} {high}"
    return f"{text}{NBSP}{unit}" if unit else text


def scope_text(
    lang: str = "sv",
    *,
    area_name: str | None = None,
    level: str | None = None,
    years: Sequence[int] | None = None,
) -> str:
    """``Klasser över Göteborgs DeSO-områden, sammanslaget över 2011–2023`` and its English twin."""
    en = lang == "en"
    areas = LEVEL_AREAS.get(level or "", ("områden", "areas"))[1 if en else 0]
    if area_name:
        owner = (
            (area_name + ("'" if area_name.endswith("s") else "'s"))
            if en
            else (area_name if area_name[-1:].lower() in "sxz" else area_name + "s")
        )
        text = f"{'Classes over' if en else 'Klasser över'} {owner} {areas}"
    else:
        text = f"{'Classes over all' if en else 'Klasser över alla'} {areas}"
    if years:
        first, last = min(years), max(years)
        if first == last:
            text += f", {'in' if en else 'år'} {first}"
        else:
            text += f", {'pooled over' if en else 'sammanslaget över'} {first}{DASH}{last}"
    return text


def build_legend(
    classification: Classification,
    colors: Sequence[str],
    indicator: Indicator,
    *,
    lang: str = "sv",
    scope: str = "",
    title: str | None = None,
    suppressed: int | None = None,
) -> Legend:
    """The legend of a classification drawn with ``colors`` (one per class, low to high).

    A no-data entry always closes the list (count = missing values that are not suppressed); a suppressed
    entry is added when ``suppressed`` (a count) is given. Diverging classifications centred on zero label
    with explicit signs.
    """
    if len(colors) != classification.k:
        raise ClassificationError(
            f"{classification.k} classes need as many colours, got {len(colors)}", option="colors"
        )
    entries: list[LegendEntry] = []
    if classification.is_categorical:
        types = {t.code: t for t in AREA_TYPES}
        for code, color, count in zip(classification.categories, colors, classification.counts, strict=True):
            entries.append(LegendEntry("category", types[code].name(lang), color, count, category=code))
    else:
        signed = classification.method == "diverging" and classification.centre == 0
        for i, (color, count) in enumerate(zip(colors, classification.counts, strict=True)):
            lower, upper = classification.bounds(i)
            label = class_label(lower, upper, indicator.unit, indicator.decimals, lang, signed=signed)
            entries.append(LegendEntry("class", label, color, count, lower=lower, upper=upper))
    if suppressed is not None:
        entries.append(
            LegendEntry(
                "suppressed", SUPPRESSED.label(lang), SUPPRESSED.color, suppressed, pattern=SUPPRESSED.pattern
            )
        )
    no_data = max(classification.missing - (suppressed or 0), 0)  # suppressed values are missing too
    entries.append(
        LegendEntry("no_data", NO_DATA.label(lang), NO_DATA.color, no_data, pattern=NO_DATA.pattern)
    )
    return Legend(
        title=title or indicator.title(lang),
        unit=indicator.unit,
        source=indicator.source,
        scope=scope,
        method=classification.method,
        lang=lang,
        entries=tuple(entries),
    )
