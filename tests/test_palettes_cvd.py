"""Every palette the styles offer, seen through simulated colour-vision deficiencies.

Simulation: Machado, Oliveira & Fernandes (2009), "A physiologically-based model for simulation of color
vision deficiency", IEEE TVCG 15(6), the severity-1.0 matrices (protanopia, deuteranopia, tritanopia)
applied to linear sRGB, as colorspacious and colour-science do. Difference: CIEDE2000 (Sharma, Wu & Dalal
2005) in CIELAB under D65, checked against that paper's test pairs. A palette is colour-blind safe at ``k``
classes when, under each of the three simulations, every two neighbouring classes stay ``THRESHOLD`` apart:
the figures in ``CVD_SAFE_CLASSES`` must be exactly what this measures.
"""

from __future__ import annotations

import math
from itertools import pairwise

import pytest

from styles.palettes import (
    AREA_TYPE_COLORS,
    CVD_SAFE_CLASSES,
    REGISTRY,
    colors_for,
    default_palette,
    hex_to_rgb,
)

THRESHOLD = 5.0  # CIEDE2000; about twice a just-noticeable difference, the common bar for map classes
CLASS_COUNTS = range(2, 10)

MACHADO_2009 = {
    "protanopia": (
        (0.152286, 1.052583, -0.204868),
        (0.114503, 0.786281, 0.099216),
        (-0.003882, -0.048116, 1.051998),
    ),
    "deuteranopia": (
        (0.367322, 0.860646, -0.227968),
        (0.280085, 0.672501, 0.047413),
        (-0.011820, 0.042940, 0.968881),
    ),
    "tritanopia": (
        (1.255528, -0.076749, -0.178779),
        (-0.078411, 0.930809, 0.147602),
        (0.004733, 0.691367, 0.303900),
    ),
}

Lab = tuple[float, float, float]


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _lab(rgb: tuple[float, float, float]) -> Lab:
    """CIELAB (D65) of a linear sRGB triple."""
    r, g, b = rgb
    x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047
    y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b
    z = (0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 216 / 24389 else (24389 / 27 * t + 16) / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def seen(color: str, deficiency: str | None = None) -> Lab:
    """CIELAB of a hex colour as seen with a deficiency (``None``: normal vision)."""
    rgb = [_linear(c) for c in hex_to_rgb(color)]
    if deficiency is not None:
        matrix = MACHADO_2009[deficiency]
        rgb = [min(1.0, max(0.0, sum(m * v for m, v in zip(row, rgb, strict=True)))) for row in matrix]
    return _lab(tuple(rgb))


def ciede2000(lab1: Lab, lab2: Lab) -> float:
    """CIEDE2000 colour difference (kL = kC = kH = 1)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1, h2 = math.degrees(math.atan2(b1, a1)) % 360, math.degrees(math.atan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_hue = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    l_mean, c_mean = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_mean = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_mean = (h1 + h2) / 2
    else:
        h_mean = (h1 + h2 + (360 if h1 + h2 < 360 else -360)) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_mean - 30))
        + 0.24 * math.cos(math.radians(2 * h_mean))
        + 0.32 * math.cos(math.radians(3 * h_mean + 6))
        - 0.20 * math.cos(math.radians(4 * h_mean - 63))
    )
    rotation = (
        -math.sin(math.radians(60 * math.exp(-(((h_mean - 275) / 25) ** 2))))
        * 2
        * math.sqrt(c_mean**7 / (c_mean**7 + 25**7))
    )
    sl = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    sc, sh = 1 + 0.045 * c_mean, 1 + 0.015 * c_mean * t
    dl, dc, dhh = (l2 - l1) / sl, (c2 - c1) / sc, d_hue / sh
    return math.sqrt(dl**2 + dc**2 + dhh**2 + rotation * dc * dhh)


def closest_neighbours(colors: tuple[str, ...], deficiency: str | None) -> float:
    return min(ciede2000(seen(a, deficiency), seen(b, deficiency)) for a, b in pairwise(colors))


def worst(colors: tuple[str, ...]) -> tuple[float, str]:
    """The smallest neighbour difference over the three simulations, and the deficiency that gives it."""
    return min((closest_neighbours(colors, d), d) for d in MACHADO_2009)


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [  # Sharma, Wu & Dalal (2005), table 1: pairs 1, 7, 17 and 25
        ((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
        ((50, 0, 0), (50, -1, 2), 2.3669),
        ((50, 2.5, 0), (73, 25, -18), 27.1492),
        ((60.2574, -34.0099, 36.2677), (60.4626, -34.1751, 39.4387), 1.2644),
    ],
)
def test_ciede2000_matches_the_published_test_pairs(lab1, lab2, expected):
    assert ciede2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)


def test_simulations_confuse_what_each_deficiency_confuses():
    # Independent sanity of the matrices: red and green collapse for protan/deutan, not for tritan; blue and
    # green collapse more for tritan than for normal vision. White stays white.
    red, green = "#d62728", "#2ca02c"
    normal = ciede2000(seen(red), seen(green))
    for deficiency in ("protanopia", "deuteranopia"):
        assert ciede2000(seen(red, deficiency), seen(green, deficiency)) < normal / 2
    assert ciede2000(seen(red, "tritanopia"), seen(green, "tritanopia")) > normal / 2
    blue, teal = "#1f77b4", "#2ca02c"
    assert ciede2000(seen(blue, "tritanopia"), seen(teal, "tritanopia")) < ciede2000(seen(blue), seen(teal))
    for deficiency in MACHADO_2009:
        assert seen("#ffffff", deficiency) == pytest.approx((100, 0, 0), abs=0.05)


def test_cvd_safe_classes_of_every_palette_are_what_simulation_measures():
    report, measured = [], {}
    for name in REGISTRY.names():
        safe = 0
        for k in CLASS_COUNTS:
            delta, deficiency = worst(colors_for(name, k))
            if delta < THRESHOLD:
                report.append(f"{name} at {k} classes: {delta:.1f} under {deficiency}")
                break
            safe = k
        measured[name] = safe
    print("\n".join(["palettes with neighbours closer than ΔE00 5 for colour-blind readers:", *report]))
    assert measured == dict(CVD_SAFE_CLASSES), "\n".join(report)
    assert all(REGISTRY.get(name).cvd_safe_classes == k for name, k in measured.items())


@pytest.mark.parametrize("diverging", [False, True])
@pytest.mark.parametrize("direction", ["neutral", "higher_worse", "higher_better"])
def test_default_palettes_are_safe_at_the_default_class_count(direction, diverging):
    colors = colors_for(default_palette(direction, diverging=diverging), 5, direction)
    delta, deficiency = worst(colors)
    assert delta >= THRESHOLD, f"{colors}: {delta:.1f} under {deficiency}"


def test_area_types_stay_distinct_for_colour_blind_readers():
    # categories, not an order: every pair, not only neighbours, must stay apart
    colors = list(AREA_TYPE_COLORS.values())
    for deficiency in (*MACHADO_2009, None):
        pairs = [(a, b) for i, a in enumerate(colors) for b in colors[i + 1 :]]
        delta = min(ciede2000(seen(a, deficiency), seen(b, deficiency)) for a, b in pairs)
        assert delta >= THRESHOLD, f"områdestyper under {deficiency}: {delta:.1f}"
