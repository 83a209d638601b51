"""Swedish-sounding fictional place names for the demo geography, avoiding real municipality names."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

import numpy as np
import pandas as pd

_PREFIX_WORDS = (
    "Ek Björk Gran Tall Lind Al Sjö Berg Sten Kvarn Hag Löv Äng Bäck Myr Fur Ljung Hassel Rönn "
    "Ask Vik Holm Näs Dal Norr Sör Öster Väster Hög Lill Stor Mal Sand Kall Varg Björn Örn Svan "
    "Tran Hjort Rosen Lilje Kloster Kyrk Gull Silver Järn"
)
_DISTRICT_WORDS = (
    "vik by backa dal berga hult torp sund holm ås lunda ängen hagen lid sjö tofta vreten "
    "gården heden åker ryd skog strand udden slätt höjden kulla"
)
_REAL_WORDS = (
    "Eksjö Hagfors Ljungby Norrköping Nässjö Storfors Tranås Västervik Västerås Östersund "
    "Österåker Lindesberg Sundbyberg Ekerö Sigtuna Malmö Holmsund"
)
_PREFIXES = tuple(_PREFIX_WORDS.split())
_SUFFIXES = {
    "city": ("vik", "köping", "stad", "hamn", "sund", "holm"),
    "suburb": ("by", "berga", "tuna", "backa", "lunda", "näs", "bro"),
    "rural": ("ås", "hult", "fors", "mark", "dal", "torp", "ryd", "boda", "mo", "heden"),
    "district": tuple(_DISTRICT_WORDS.split()),
}
_REAL = frozenset(_REAL_WORDS.split())
"""Real Swedish municipality (and a few town) names the combinations could produce."""
_FIRST = {"city": "Norrvik", "suburb": "Björkby", "rural": "Granåsen"}
_DIRECTIONS = ("Östra", "Norra", "Västra", "Södra")


def _join(prefix: str, suffix: str) -> str:
    """``Kall`` + ``lunda`` is ``Kallunda``: Swedish spelling never triples a letter."""
    name = prefix + suffix
    for letter in set(name):
        name = name.replace(letter * 3, letter * 2)
    return name


@cache
def _names(kind: str) -> tuple[str, ...]:
    names = [_join(p, s) for p in _PREFIXES for s in _SUFFIXES[kind]]
    return tuple(n for n in dict.fromkeys(names) if n not in _REAL)


def _pool(kind: str, rng: np.random.Generator) -> list[str]:
    names = _names(kind)
    return [names[i] for i in rng.permutation(len(names))]


def municipality_names(characters: Sequence[str], rng: np.random.Generator) -> list[str]:
    """Unique municipality names; the first of each character is fixed (Norrvik, Björkby, Granåsen)."""
    pools = {kind: _pool(kind, rng) for kind in ("city", "suburb", "rural")}
    used: set[str] = set()
    out = []
    for character in characters:
        name = _FIRST[character] if _FIRST[character] not in used else None
        while name is None or name in used:
            name = pools[character].pop() if pools[character] else f"{pools['rural'][0]} {len(used)}"
        used.add(name)
        out.append(name)
    return out


def county_name(city: str) -> str:
    """``Norrviks län``: the county is named after its main city."""
    return f"{city} län" if city[-1] in "sxz" else f"{city}s län"


def _direction(dx: float, dy: float) -> str:
    return _DIRECTIONS[int(((np.degrees(np.arctan2(dy, dx)) + 45) % 360) // 90)]


def regso_names(
    kommun: str, centre: tuple[float, float], groups: pd.DataFrame, rng: np.random.Generator
) -> list[str]:
    """Names for the RegSOs of one municipality, unique within it.

    ``groups`` has one row per RegSO with columns x, y (mean seed), rural (mostly A-type DeSOs) and distance
    (closest seed's distance from the centre in core radii). The most central urban RegSO is "<kommun>
    centrum", rural ones "<direction> <kommun> landsbygd", the rest get compound names.
    """
    pool = [n for n in _pool("district", rng) if n != kommun]
    urban = groups.index[~groups["rural"].to_numpy()]
    central = groups.loc[urban, "distance"].idxmin() if len(urban) else None
    n_rural = int(groups["rural"].sum())
    used: set[str] = set()
    out = []
    for key, row in groups.iterrows():
        if key == central:
            name = f"{kommun} centrum"
        elif row["rural"]:
            name = f"{kommun} landsbygd"
            if n_rural > 1:
                name = f"{_direction(row['x'] - centre[0], row['y'] - centre[1])} {name}"
        else:
            name = pool.pop() if pool else f"{kommun} {len(used) + 1}"
        base, k = name, 2
        while name in used:
            name, k = f"{base} {k}", k + 1
        used.add(name)
        out.append(name)
    return out


def deso_names(regso: pd.Series, regso_name: pd.Series) -> list[str]:
    """A DeSO is named after its RegSO, numbered when the RegSO has several (rows in code order)."""
    size = regso.map(regso.value_counts())
    number = regso.groupby(regso).cumcount() + 1
    return [name if n == 1 else f"{name} {k}" for name, n, k in zip(regso_name, size, number, strict=True)]
