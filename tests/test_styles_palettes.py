import re

import pytest

from styles.classify import ClassificationError
from styles.palettes import (
    AREA_TYPE_COLORS,
    COLORBREWER,
    DIVERGING,
    NO_DATA,
    REGISTRY,
    SEQUENTIAL,
    SUPPRESSED,
    Palette,
    area_type_colors,
    colors_for,
    default_palette,
    hex_to_rgb,
)

REQUIRED_SEQUENTIAL = {"Blues", "Greens", "Oranges", "Purples", "Reds", "YlGnBu", "YlOrRd", "PuBuGn"}
REQUIRED_DIVERGING = {"RdBu", "PuOr", "BrBG", "PiYG"}


def luminance(color: str) -> float:
    """Relative luminance (WCAG 2) of a hex colour: an independent measure of light and dark."""
    channels = [c / 255 for c in hex_to_rgb(color)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def saturation(color: str) -> int:
    rgb = hex_to_rgb(color)
    return max(rgb) - min(rgb)


def test_required_schemes_present_with_3_to_9_classes():
    assert set(REGISTRY.names("sequential")) >= REQUIRED_SEQUENTIAL
    assert set(REGISTRY.names("diverging")) >= REQUIRED_DIVERGING
    for name in (*SEQUENTIAL, *DIVERGING):
        palette = REGISTRY.get(name)
        assert palette.sizes == tuple(range(3, 10))
        for k in palette.sizes:
            assert len(palette.colors[k]) == k
            assert all(re.fullmatch(r"#[0-9a-f]{6}", c) for c in palette.colors[k])
            assert len(set(palette.colors[k])) == k


def test_known_colorbrewer_values():
    # Straight from colorbrewer2.org.
    assert COLORBREWER["Blues"][9 - 3] == (
        "#f7fbff",
        "#deebf7",
        "#c6dbef",
        "#9ecae1",
        "#6baed6",
        "#4292c6",
        "#2171b5",
        "#08519c",
        "#08306b",
    )
    assert COLORBREWER["RdBu"][5 - 3] == ("#ca0020", "#f4a582", "#f7f7f7", "#92c5de", "#0571b0")
    assert COLORBREWER["YlOrRd"][3 - 3] == ("#ffeda0", "#feb24c", "#f03b20")


@pytest.mark.parametrize("name", SEQUENTIAL)
def test_sequential_schemes_get_darker(name):
    for k, colors in REGISTRY.get(name).colors.items():
        values = [luminance(c) for c in colors]
        assert values == sorted(values, reverse=True), (name, k)


@pytest.mark.parametrize("name", DIVERGING)
def test_diverging_schemes_have_neutral_centre_and_warm_worse_end(name):
    for k, colors in REGISTRY.get(name).colors.items():
        if k % 2:  # the centre class is the lightest: #f7f7f7 (or pale yellow in RdYlBu)
            assert luminance(colors[k // 2]) == max(luminance(c) for c in colors)
        red, _, blue = hex_to_rgb(colors[0])
        assert red > blue  # red, orange, brown or pink first: the worse end


def test_direction_orients_sequential_ramps():
    blues = COLORBREWER["Blues"][5 - 3]
    assert colors_for("Blues", 5, "higher_worse") == blues
    assert colors_for("Blues", 5, "neutral") == blues
    assert colors_for("Blues", 5, "higher_better") == blues[::-1]
    # Worse always darker: for higher_better the lowest class (worst) is the darkest.
    better = colors_for("YlOrRd", 7, "higher_better")
    assert luminance(better[0]) < luminance(better[-1])
    worse = colors_for("YlOrRd", 7, "higher_worse")
    assert luminance(worse[-1]) < luminance(worse[0])


def test_direction_orients_diverging_ramps():
    rdbu = COLORBREWER["RdBu"][5 - 3]
    assert colors_for("RdBu", 5, "higher_better") == rdbu  # low = red = worse
    assert colors_for("RdBu", 5, "higher_worse") == rdbu[::-1]  # high = red = worse
    assert colors_for("RdBu", 5, "higher_worse")[2] == "#f7f7f7"


def test_small_and_zero_class_counts():
    assert colors_for("RdBu", 1) == ("#f7f7f7",)
    assert colors_for("Blues", 2) == ("#deebf7", "#3182bd")
    assert colors_for("Blues", 2, "higher_better") == ("#3182bd", "#deebf7")
    assert colors_for("Blues", 0) == ()


def test_too_many_classes_and_unknown_palette():
    with pytest.raises(ClassificationError) as error:
        colors_for("Blues", 10)
    assert error.value.option == "classes"
    with pytest.raises(ClassificationError) as error:
        colors_for("Viridis", 5)
    assert error.value.option == "palette"


def test_registry_is_frozen_and_register_returns_new_registry():
    custom = Palette("Mono", "sequential", {3: ("#eeeeee", "#888888", "#222222")})
    extended = REGISTRY.register(custom)
    assert extended.get("Mono") is custom
    assert "Mono" not in REGISTRY.names()
    assert colors_for("Mono", 3, "higher_better", registry=extended) == ("#222222", "#888888", "#eeeeee")
    with pytest.raises(TypeError):
        REGISTRY.palettes["Mono"] = custom  # read-only mapping
    with pytest.raises(AttributeError):
        REGISTRY.palettes = {}  # frozen


def test_defaults_are_colourblind_safe_schemes():
    assert default_palette("higher_worse") == "YlOrRd"
    assert default_palette("higher_better") == "YlOrRd"
    assert default_palette("neutral") == "Blues"
    assert default_palette("neutral", diverging=True) == "RdBu"
    assert all(REGISTRY.get(n).cvd_safe(5) for n in ("YlOrRd", "Blues", "RdBu"))


def test_no_data_and_suppressed_are_distinct_greys():
    assert saturation(NO_DATA.color) == 0 and saturation(SUPPRESSED.color) == 0
    assert NO_DATA.color != SUPPRESSED.color and NO_DATA.pattern != SUPPRESSED.pattern
    assert NO_DATA.label("sv") == "Uppgift saknas" and NO_DATA.label("en") == "No data"
    all_class_colors = {c for colors in COLORBREWER.values() for k in colors for c in k}
    assert NO_DATA.color not in all_class_colors and SUPPRESSED.color not in all_class_colors


def test_area_type_colors_go_from_darkest_to_palest():
    colors = area_type_colors()
    assert colors == tuple(AREA_TYPE_COLORS[code] for code in (1, 2, 3, 4, 5))
    values = [luminance(c) for c in colors]
    assert values == sorted(values)


def test_hex_to_rgb():
    assert hex_to_rgb("#ff0010") == (255, 0, 16)
    with pytest.raises(ClassificationError):
        hex_to_rgb("red")
