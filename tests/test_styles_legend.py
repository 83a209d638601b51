import pytest

from indicators.model import Indicator
from styles.classify import ClassificationError, classify
from styles.legend import (
    NBSP,
    THIN,
    build_legend,
    class_label,
    format_number,
    format_value,
    scope_text,
)
from styles.palettes import NO_DATA, SUPPRESSED, area_type_colors, colors_for

NAN = float("nan")
SHARE = Indicator(
    "low_income",
    "Andel med låg inkomst",
    "Share with low income",
    unit="%",
    decimals=1,
    direction="higher_worse",
    source="SCB",
)
INCOME = Indicator(
    "median_income",
    "Medianinkomst",
    "Median income",
    unit="tkr",
    decimals=0,
    direction="higher_better",
    source="SCB",
)


@pytest.mark.parametrize(
    ("value", "decimals", "lang", "expected"),
    [
        (1234.5, 1, "sv", f"1{THIN}234,5"),
        (1234.5, 1, "en", "1,234.5"),
        (1234567.891, 2, "sv", f"1{THIN}234{THIN}567,89"),
        (0.05, 0, "sv", "0"),
        (-0.04, 1, "sv", "0,0"),  # never "-0,0"
        (-12.345, 2, "en", "-12.35"),  # binary -12.345 is just above ...345: rounds up in magnitude
        (999.96, 1, "sv", f"1{THIN}000,0"),
    ],
)
def test_format_number(value, decimals, lang, expected):
    assert format_number(value, decimals, lang) == expected


def test_format_value_signed_and_missing():
    assert format_value(1234.5, "%", 1, "sv") == f"1{THIN}234,5{NBSP}%"
    assert format_value(1234.5, "%", 1, "en") == f"1,234.5{NBSP}%"
    assert format_value(2.0, "", 1, "sv", signed=True) == "+2,0"
    assert format_value(-2.0, "", 1, "sv", signed=True) == "-2,0"
    assert format_value(0.0, "", 1, "sv", signed=True) == "0,0"
    assert format_number(NAN) == "–"


def test_class_label():
    assert class_label(10, 20, "%", 1, "sv") == f"10,0 – 20,0{NBSP}%"
    assert class_label(10, 20, "%", 1, "en") == f"10.0 – 20.0{NBSP}%"
    assert class_label(30, 30, "kr", 0, "sv") == f"30{NBSP}kr"


def test_scope_text():
    assert scope_text("en", area_name="Göteborg", years=[2011, 2015, 2023]) == (
        "Classes over Göteborg's areas, pooled over 2011–2023"
    )
    assert scope_text("sv", area_name="Göteborg", level="deso", years=range(2011, 2024)) == (
        "Klasser över Göteborgs DeSO-områden, sammanslaget över 2011–2023"
    )
    assert scope_text("sv", area_name="Borås", years=[2020]) == "Klasser över Borås områden, år 2020"
    assert scope_text("en", area_name="Borås", level="regso") == "Classes over Borås' RegSO areas"
    assert scope_text("sv") == "Klasser över alla områden"


def test_class_legend_entries():
    c = classify([5.0, 12.5, 20.0, 1500.0, NAN, NAN], "manual", breaks=[10, 100])
    colors = colors_for("YlOrRd", 3, SHARE.direction)
    legend = build_legend(c, colors, SHARE, lang="sv", scope="Klasser över alla områden")
    classes = [e for e in legend.entries if e.kind == "class"]
    assert [e.label for e in classes] == [
        f"5,0 – 10,0{NBSP}%",
        f"10,0 – 100,0{NBSP}%",
        f"100,0 – 1{THIN}500,0{NBSP}%",
    ]
    assert [e.count for e in classes] == [1, 2, 1]
    assert [e.color for e in classes] == list(colors)
    assert [(e.lower, e.upper) for e in classes] == [(5.0, 10.0), (10.0, 100.0), (100.0, 1500.0)]
    no_data = legend.entries[-1]
    assert (no_data.kind, no_data.count, no_data.color, no_data.label) == (
        "no_data",
        2,
        NO_DATA.color,
        "Uppgift saknas",
    )
    assert (legend.title, legend.unit, legend.source, legend.method) == (
        "Andel med låg inkomst",
        "%",
        "SCB",
        "manual",
    )
    assert legend.to_json()["entries"][0]["label"] == f"5,0 – 10,0{NBSP}%"


def test_english_legend_with_suppressed_entry():
    c = classify([12345.0, 23456.0, 34567.0], "manual", breaks=[20000])
    legend = build_legend(c, colors_for("Blues", 2), INCOME, lang="en", suppressed=4)
    assert legend.entries[0].label == f"12,345 – 20,000{NBSP}tkr"
    assert legend.title == "Median income"
    suppressed = legend.entries[-2]
    assert (suppressed.kind, suppressed.count, suppressed.color) == ("suppressed", 4, SUPPRESSED.color)
    assert suppressed.label == "Suppressed (too few persons)"
    assert legend.entries[-1].kind == "no_data" and legend.entries[-1].count == 0


def test_diverging_legend_is_signed():
    c = classify([-4.0, 1.0, 2.0], "diverging", 3)
    legend = build_legend(c, colors_for("RdBu", 3), SHARE, title="Förändring 2011–2023")
    labels = [e.label for e in legend.entries if e.kind == "class"]
    assert labels[0] == f"-4,0 – -1,3{NBSP}%"
    assert labels[2] == f"+1,3 – +4,0{NBSP}%"
    assert legend.title == "Förändring 2011–2023"


def test_categorical_legend():
    area_type = Indicator("omradestyp", "Områdestyp", "Area type", unit="", kind="category")
    c = classify([1, 1, 3, 5, NAN], "categorical")
    legend = build_legend(c, area_type_colors(), area_type, lang="sv")
    categories = [e for e in legend.entries if e.kind == "category"]
    assert [e.category for e in categories] == [1, 2, 3, 4, 5]
    assert categories[0].label == "Områden med stora socioekonomiska utmaningar"
    assert categories[4].label == "Områden med mycket goda socioekonomiska förutsättningar"
    assert [e.count for e in categories] == [2, 0, 1, 0, 1]
    assert categories[0].color == area_type_colors()[0]
    assert legend.entries[-1].count == 1
    english = build_legend(c, area_type_colors(), area_type, lang="en")
    assert english.entries[2].label == "Socioeconomically mixed areas"


def test_all_missing_legend_has_only_no_data():
    c = classify([NAN, NAN], "quantiles", 5)
    legend = build_legend(c, (), SHARE)
    assert [(e.kind, e.count) for e in legend.entries] == [("no_data", 2)]


def test_colour_count_must_match():
    c = classify([1.0, 2.0, 3.0], "manual", breaks=[2])
    with pytest.raises(ClassificationError):
        build_legend(c, colors_for("Blues", 3), SHARE)
