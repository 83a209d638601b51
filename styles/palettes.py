"""Colour schemes: ColorBrewer tables, direction-aware ramps, no-data/suppressed fills, områdestyp colours.

Convention: whatever the indicator, the *worse* end looks the same. Sequential ramps run light to dark and
dark means worse (or, for neutral indicators, more); diverging ramps run from a warm "worse" end (red,
orange, brown, pink) through a neutral grey centre to a cool end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from styles.classify import ClassificationError

PaletteKind = Literal["sequential", "diverging"]

# ColorBrewer 2.0 (Cynthia Brewer, Mark Harrower, Penn State; Apache-2.0 licence), colours for 3..9 classes,
# listed from low to high value. Cross-checked against QGIS's QgsColorBrewerColorRamp in the tests.
_COLORBREWER_HEX: dict[str, tuple[str, ...]] = {
    "Blues": (
        "deebf7 9ecae1 3182bd",
        "eff3ff bdd7e7 6baed6 2171b5",
        "eff3ff bdd7e7 6baed6 3182bd 08519c",
        "eff3ff c6dbef 9ecae1 6baed6 3182bd 08519c",
        "eff3ff c6dbef 9ecae1 6baed6 4292c6 2171b5 084594",
        "f7fbff deebf7 c6dbef 9ecae1 6baed6 4292c6 2171b5 084594",
        "f7fbff deebf7 c6dbef 9ecae1 6baed6 4292c6 2171b5 08519c 08306b",
    ),
    "Greens": (
        "e5f5e0 a1d99b 31a354",
        "edf8e9 bae4b3 74c476 238b45",
        "edf8e9 bae4b3 74c476 31a354 006d2c",
        "edf8e9 c7e9c0 a1d99b 74c476 31a354 006d2c",
        "edf8e9 c7e9c0 a1d99b 74c476 41ab5d 238b45 005a32",
        "f7fcf5 e5f5e0 c7e9c0 a1d99b 74c476 41ab5d 238b45 005a32",
        "f7fcf5 e5f5e0 c7e9c0 a1d99b 74c476 41ab5d 238b45 006d2c 00441b",
    ),
    "Greys": (
        "f0f0f0 bdbdbd 636363",
        "f7f7f7 cccccc 969696 525252",
        "f7f7f7 cccccc 969696 636363 252525",
        "f7f7f7 d9d9d9 bdbdbd 969696 636363 252525",
        "f7f7f7 d9d9d9 bdbdbd 969696 737373 525252 252525",
        "ffffff f0f0f0 d9d9d9 bdbdbd 969696 737373 525252 252525",
        "ffffff f0f0f0 d9d9d9 bdbdbd 969696 737373 525252 252525 000000",
    ),
    "Oranges": (
        "fee6ce fdae6b e6550d",
        "feedde fdbe85 fd8d3c d94701",
        "feedde fdbe85 fd8d3c e6550d a63603",
        "feedde fdd0a2 fdae6b fd8d3c e6550d a63603",
        "feedde fdd0a2 fdae6b fd8d3c f16913 d94801 8c2d04",
        "fff5eb fee6ce fdd0a2 fdae6b fd8d3c f16913 d94801 8c2d04",
        "fff5eb fee6ce fdd0a2 fdae6b fd8d3c f16913 d94801 a63603 7f2704",
    ),
    "Purples": (
        "efedf5 bcbddc 756bb1",
        "f2f0f7 cbc9e2 9e9ac8 6a51a3",
        "f2f0f7 cbc9e2 9e9ac8 756bb1 54278f",
        "f2f0f7 dadaeb bcbddc 9e9ac8 756bb1 54278f",
        "f2f0f7 dadaeb bcbddc 9e9ac8 807dba 6a51a3 4a1486",
        "fcfbfd efedf5 dadaeb bcbddc 9e9ac8 807dba 6a51a3 4a1486",
        "fcfbfd efedf5 dadaeb bcbddc 9e9ac8 807dba 6a51a3 54278f 3f007d",
    ),
    "Reds": (
        "fee0d2 fc9272 de2d26",
        "fee5d9 fcae91 fb6a4a cb181d",
        "fee5d9 fcae91 fb6a4a de2d26 a50f15",
        "fee5d9 fcbba1 fc9272 fb6a4a de2d26 a50f15",
        "fee5d9 fcbba1 fc9272 fb6a4a ef3b2c cb181d 99000d",
        "fff5f0 fee0d2 fcbba1 fc9272 fb6a4a ef3b2c cb181d 99000d",
        "fff5f0 fee0d2 fcbba1 fc9272 fb6a4a ef3b2c cb181d a50f15 67000d",
    ),
    "YlGnBu": (
        "edf8b1 7fcdbb 2c7fb8",
        "ffffcc a1dab4 41b6c4 225ea8",
        "ffffcc a1dab4 41b6c4 2c7fb8 253494",
        "ffffcc c7e9b4 7fcdbb 41b6c4 2c7fb8 253494",
        "ffffcc c7e9b4 7fcdbb 41b6c4 1d91c0 225ea8 0c2c84",
        "ffffd9 edf8b1 c7e9b4 7fcdbb 41b6c4 1d91c0 225ea8 0c2c84",
        "ffffd9 edf8b1 c7e9b4 7fcdbb 41b6c4 1d91c0 225ea8 253494 081d58",
    ),
    "YlOrRd": (
        "ffeda0 feb24c f03b20",
        "ffffb2 fecc5c fd8d3c e31a1c",
        "ffffb2 fecc5c fd8d3c f03b20 bd0026",
        "ffffb2 fed976 feb24c fd8d3c f03b20 bd0026",
        "ffffb2 fed976 feb24c fd8d3c fc4e2a e31a1c b10026",
        "ffffcc ffeda0 fed976 feb24c fd8d3c fc4e2a e31a1c b10026",
        "ffffcc ffeda0 fed976 feb24c fd8d3c fc4e2a e31a1c bd0026 800026",
    ),
    "PuBuGn": (
        "ece2f0 a6bddb 1c9099",
        "f6eff7 bdc9e1 67a9cf 02818a",
        "f6eff7 bdc9e1 67a9cf 1c9099 016c59",
        "f6eff7 d0d1e6 a6bddb 67a9cf 1c9099 016c59",
        "f6eff7 d0d1e6 a6bddb 67a9cf 3690c0 02818a 016450",
        "fff7fb ece2f0 d0d1e6 a6bddb 67a9cf 3690c0 02818a 016450",
        "fff7fb ece2f0 d0d1e6 a6bddb 67a9cf 3690c0 02818a 016c59 014636",
    ),
    "OrRd": (
        "fee8c8 fdbb84 e34a33",
        "fef0d9 fdcc8a fc8d59 d7301f",
        "fef0d9 fdcc8a fc8d59 e34a33 b30000",
        "fef0d9 fdd49e fdbb84 fc8d59 e34a33 b30000",
        "fef0d9 fdd49e fdbb84 fc8d59 ef6548 d7301f 990000",
        "fff7ec fee8c8 fdd49e fdbb84 fc8d59 ef6548 d7301f 990000",
        "fff7ec fee8c8 fdd49e fdbb84 fc8d59 ef6548 d7301f b30000 7f0000",
    ),
    "RdBu": (
        "ef8a62 f7f7f7 67a9cf",
        "ca0020 f4a582 92c5de 0571b0",
        "ca0020 f4a582 f7f7f7 92c5de 0571b0",
        "b2182b ef8a62 fddbc7 d1e5f0 67a9cf 2166ac",
        "b2182b ef8a62 fddbc7 f7f7f7 d1e5f0 67a9cf 2166ac",
        "b2182b d6604d f4a582 fddbc7 d1e5f0 92c5de 4393c3 2166ac",
        "b2182b d6604d f4a582 fddbc7 f7f7f7 d1e5f0 92c5de 4393c3 2166ac",
    ),
    "PuOr": (
        "f1a340 f7f7f7 998ec3",
        "e66101 fdb863 b2abd2 5e3c99",
        "e66101 fdb863 f7f7f7 b2abd2 5e3c99",
        "b35806 f1a340 fee0b6 d8daeb 998ec3 542788",
        "b35806 f1a340 fee0b6 f7f7f7 d8daeb 998ec3 542788",
        "b35806 e08214 fdb863 fee0b6 d8daeb b2abd2 8073ac 542788",
        "b35806 e08214 fdb863 fee0b6 f7f7f7 d8daeb b2abd2 8073ac 542788",
    ),
    "BrBG": (
        "d8b365 f5f5f5 5ab4ac",
        "a6611a dfc27d 80cdc1 018571",
        "a6611a dfc27d f5f5f5 80cdc1 018571",
        "8c510a d8b365 f6e8c3 c7eae5 5ab4ac 01665e",
        "8c510a d8b365 f6e8c3 f5f5f5 c7eae5 5ab4ac 01665e",
        "8c510a bf812d dfc27d f6e8c3 c7eae5 80cdc1 35978f 01665e",
        "8c510a bf812d dfc27d f6e8c3 f5f5f5 c7eae5 80cdc1 35978f 01665e",
    ),
    "PiYG": (
        "e9a3c9 f7f7f7 a1d76a",
        "d01c8b f1b6da b8e186 4dac26",
        "d01c8b f1b6da f7f7f7 b8e186 4dac26",
        "c51b7d e9a3c9 fde0ef e6f5d0 a1d76a 4d9221",
        "c51b7d e9a3c9 fde0ef f7f7f7 e6f5d0 a1d76a 4d9221",
        "c51b7d de77ae f1b6da fde0ef e6f5d0 b8e186 7fbc41 4d9221",
        "c51b7d de77ae f1b6da fde0ef f7f7f7 e6f5d0 b8e186 7fbc41 4d9221",
    ),
    "RdYlBu": (
        "fc8d59 ffffbf 91bfdb",
        "d7191c fdae61 abd9e9 2c7bb6",
        "d7191c fdae61 ffffbf abd9e9 2c7bb6",
        "d73027 fc8d59 fee090 e0f3f8 91bfdb 4575b4",
        "d73027 fc8d59 fee090 ffffbf e0f3f8 91bfdb 4575b4",
        "d73027 f46d43 fdae61 fee090 e0f3f8 abd9e9 74add1 4575b4",
        "d73027 f46d43 fdae61 fee090 ffffbf e0f3f8 abd9e9 74add1 4575b4",
    ),
}
COLORBREWER: Mapping[str, tuple[tuple[str, ...], ...]] = MappingProxyType(
    {
        name: tuple(tuple(f"#{c}" for c in row.split()) for row in rows)
        for name, rows in _COLORBREWER_HEX.items()
    }
)
SEQUENTIAL: tuple[str, ...] = (
    "Blues",
    "Greens",
    "Greys",
    "Oranges",
    "Purples",
    "Reds",
    "YlGnBu",
    "YlOrRd",
    "PuBuGn",
    "OrRd",
)
DIVERGING: tuple[str, ...] = ("RdBu", "PuOr", "BrBG", "PiYG", "RdYlBu")

# The most classes k for which every count 2..k keeps neighbouring classes at least 5 CIEDE2000 apart under
# simulated protanopia, deuteranopia and tritanopia (Machado et al. 2009, severity 1).
# tests/test_palettes_cvd.py recomputes each figure; 9 means safe at every count offered.
CVD_SAFE_CLASSES: Mapping[str, int] = MappingProxyType(
    {
        "Blues": 5,
        "Greens": 7,
        "Greys": 7,
        "Oranges": 9,
        "Purples": 7,
        "Reds": 9,
        "YlGnBu": 7,
        "YlOrRd": 9,
        "PuBuGn": 7,
        "OrRd": 5,
        "RdBu": 9,
        "PuOr": 9,
        "BrBG": 6,
        "PiYG": 6,
        "RdYlBu": 9,
    }
)


@dataclass(frozen=True)
class Palette:
    """A named colour scheme: ``colors[k]`` holds ``k`` hex colours from low to high value."""

    name: str
    kind: PaletteKind
    colors: Mapping[int, tuple[str, ...]]
    cvd_safe_classes: int = 0
    """Up to this many classes neighbours stay distinguishable for colour-blind readers (0: not checked)."""

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(sorted(self.colors))

    def cvd_safe(self, k: int) -> bool:
        """Whether ``k`` classes stay distinguishable for the common colour-vision deficiencies."""
        return k <= self.cvd_safe_classes


@dataclass(frozen=True)
class PaletteRegistry:
    """An immutable name → palette lookup; :meth:`register` returns a new registry."""

    palettes: Mapping[str, Palette] = field(default_factory=dict)

    def register(self, palette: Palette) -> PaletteRegistry:
        return PaletteRegistry(MappingProxyType({**self.palettes, palette.name: palette}))

    def get(self, name: str) -> Palette:
        try:
            return self.palettes[name]
        except KeyError:
            raise ClassificationError(
                f"unknown palette {name!r}; expected one of {', '.join(sorted(self.palettes))}",
                option="palette",
            ) from None

    def names(self, kind: PaletteKind | None = None) -> tuple[str, ...]:
        return tuple(n for n, p in self.palettes.items() if kind is None or p.kind == kind)


def _brewer(name: str) -> Palette:
    kind: PaletteKind = "diverging" if name in DIVERGING else "sequential"
    colors = MappingProxyType({len(c): c for c in COLORBREWER[name]})
    return Palette(name, kind, colors, CVD_SAFE_CLASSES[name])


REGISTRY = PaletteRegistry()
for _name in (*SEQUENTIAL, *DIVERGING):
    REGISTRY = REGISTRY.register(_brewer(_name))

DEFAULT_SEQUENTIAL = "YlOrRd"
"""Default for indicators with a direction: yellow (better) to dark red (worse)."""
DEFAULT_NEUTRAL = "Blues"
"""Default for neutral indicators: no alarm colours, darker means more (colour-blind safe up to 5 classes)."""
DEFAULT_DIVERGING = "RdBu"
"""Default for change and deviation maps: red (worse) – grey – blue (better)."""


@dataclass(frozen=True)
class FillSpec:
    """A fixed fill with a pattern hint (``hatch``/``dots``) for renderers that support patterns."""

    color: str
    pattern: str
    label_sv: str
    label_en: str
    pattern_color: str

    def label(self, lang: str = "sv") -> str:
        return self.label_en if lang == "en" else self.label_sv


NO_DATA = FillSpec("#e6e6e6", "hatch", "Uppgift saknas", "No data", "#9e9e9e")
"""Light grey, lighter than any class colour; QGIS styles add a diagonal hatch."""
SUPPRESSED = FillSpec(
    "#b3b3b3", "dots", "Sekretess (för få personer)", "Suppressed (too few persons)", "#616161"
)
"""Mid grey, distinct from no data; QGIS styles add dots."""

AREA_TYPE_COLORS: Mapping[int, str] = MappingProxyType(
    {
        1: "#b30000",
        2: "#e34a33",
        3: "#fc8d59",
        4: "#fdcc8a",
        5: "#fef0d9",
    }
)
"""Områdestyper 1 (major challenges, darkest red) to 5 (very good conditions, palest): OrRd, reversed."""


def default_palette(direction: str = "neutral", *, diverging: bool = False) -> str:
    """The default palette name for a direction and map kind, colour-blind safe at the page's 5 classes."""
    if diverging:
        return DEFAULT_DIVERGING
    return DEFAULT_NEUTRAL if direction == "neutral" else DEFAULT_SEQUENTIAL


def colors_for(
    palette: str | Palette, k: int, direction: str = "neutral", *, registry: PaletteRegistry = REGISTRY
) -> tuple[str, ...]:
    """``k`` colours for classes ordered from low to high value, oriented so that worse looks worse.

    Sequential: light → dark, reversed for ``higher_better`` (low values are worse, so dark).
    Diverging: worse end → neutral → other end, reversed for ``higher_worse``. ``k`` of 1 or 2 picks from the
    3-class scheme (a single diverging class is the neutral centre); ``k == 0`` gives no colours.
    """
    scheme = registry.get(palette) if isinstance(palette, str) else palette
    if not 0 <= k <= max(scheme.sizes):
        raise ClassificationError(
            f"palette {scheme.name} has 3 to {max(scheme.sizes)} classes, got {k}", option="classes"
        )
    if k == 0:
        return ()
    smallest = scheme.colors[min(scheme.sizes)]
    if k == 1:
        colors: tuple[str, ...] = (smallest[len(smallest) // 2],)
    elif k < min(scheme.sizes):
        colors = (smallest[0], smallest[-1])
    else:
        colors = scheme.colors[k]
    flip = direction == ("higher_worse" if scheme.kind == "diverging" else "higher_better")
    return colors[::-1] if flip else colors


def area_type_colors() -> tuple[str, ...]:
    """Colours of områdestyper 1..5 in code order."""
    return tuple(AREA_TYPE_COLORS[code] for code in sorted(AREA_TYPE_COLORS))


def hex_to_rgb(color: str) -> tuple[int, int, int]:
    """``(255, 0, 16)`` for ``"#ff0010"``."""
    value = color.lstrip("#")
    if len(value) != 6:
        raise ClassificationError(f"not a #rrggbb colour: {color!r}", option="colors")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
