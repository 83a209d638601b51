"""Match area names to codes, as SCB's Statistikdatabasen exports name areas: ``Kommun (RegSO-namn)``.

RegSO/DeSO names are only unique within a municipality, so they are matched as ``kommun name (area name)``;
kommun and län areas by their own names. Matching ignores case, stray spaces and dash variants (– — -).
Kommun names come from ``kommun_names`` (code → name), from ``areas.attrs["kommun_names"]`` (set by
``geo.read.read_areas``) or from kommun-level rows of the areas.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

import geopandas as gpd

_DASHES = re.compile(r"\s*[-\u2010\u2011\u2012\u2013\u2014\u2015\u2212]\s*")
_LABEL = re.compile(r"^(?P<kommun>[^()]*?)\s*\((?P<area>.*)\)\s*$")


def normalise_name(text: object) -> str:
    """``" Kortedala  södra "`` → ``"kortedala södra"``; ``"Kungshamn – Smögen"`` → ``"kungshamn-smögen"``."""
    text = unicodedata.normalize("NFC", str(text)).casefold()
    text = _DASHES.sub("-", text)
    text = re.sub(r"\(\s*", "(", re.sub(r"\s*\)", ")", text))
    return " ".join(text.split())


def kommun_part(label: str) -> str:
    """The municipality of a ``Kommun (Area)`` label, or the whole label."""
    match = _LABEL.match(label)
    return match.group("kommun") if match else label


class NameMatcher:
    """Codes of the loaded areas by normalised name; names that fit several areas are left out."""

    def __init__(
        self, areas: gpd.GeoDataFrame, level: str | None = None, kommun_names: Mapping[str, str] | None = None
    ) -> None:
        names = dict(kommun_names or areas.attrs.get("kommun_names") or {})
        kommun_rows = areas[areas["level"] == "kommun"]
        names.update(
            {c: n for c, n in zip(kommun_rows["code"], kommun_rows["name"], strict=True) if c not in names}
        )
        self.kommun_names = {normalise_name(n) for n in names.values()}
        candidates = areas if level is None else areas[areas["level"] == level]
        self.needs_kommun_names = False
        keys: dict[str, set[str]] = {}
        for code, name, lv, kommun in zip(
            candidates["code"], candidates["name"], candidates["level"], candidates["kommun"], strict=True
        ):
            if lv in ("deso", "regso"):
                if kommun not in names:
                    self.needs_kommun_names = True
                    continue
                key = f"{names[kommun]} ({name})"
            else:
                key = name
            keys.setdefault(normalise_name(key), set()).add(code)
        self.ambiguous = sorted(key for key, codes in keys.items() if len(codes) > 1)
        self.codes = {key: next(iter(codes)) for key, codes in keys.items() if len(codes) == 1}

    def match(self, label: object) -> str | None:
        return self.codes.get(normalise_name(label))

    def in_known_kommun(self, label: str) -> bool:
        """Whether an unmatched label names one of the areas' municipalities (likely a naming problem)."""
        return normalise_name(kommun_part(label)) in self.kommun_names


def describe_unmatched(unmatched: list[tuple[int, str]], matched: int, matcher: NameMatcher) -> list[str]:
    """Report lines: how many rows matched, how many did not and why they probably did not."""
    total = matched + len(unmatched)
    lines = [f"matched {matched} of {total} rows to areas by name; {len(unmatched)} unmatched"]
    inside = [(row, label) for row, label in unmatched if matcher.in_known_kommun(label)]
    outside = len(unmatched) - len(inside)
    if outside:
        lines.append(f"{outside} unmatched rows name municipalities without loaded areas")
    if inside:
        examples = "; ".join(f"row {row}: {label!r}" for row, label in inside[:10])
        lines.append(f"{len(inside)} unmatched rows name municipalities of the loaded areas: {examples}")
    if matcher.ambiguous:
        lines.append(
            f"{len(matcher.ambiguous)} names fit several areas and were not used: {matcher.ambiguous[:5]}"
        )
    return lines
