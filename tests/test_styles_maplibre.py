import itertools
import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from indicators.model import Indicator
from styles.classify import ClassificationError, assign, classify
from styles.legend import build_legend, scope_text
from styles.maplibre import build_style, class_filters
from styles.palettes import NO_DATA, SUPPRESSED, area_type_colors, colors_for

NAN = float("nan")
REPO = Path(__file__).resolve().parents[1]
VALIDATOR = REPO / "web" / "node_modules" / ".bin" / "gl-style-validate"
TILES = "https://example.org/tiles/{year}/deso/{z}/{x}/{y}.pbf"
SHARE = Indicator(
    "low_income",
    "Andel med låg inkomst",
    "Share with low income",
    unit="%",
    direction="higher_worse",
    source="SCB",
)
AREA_TYPE = Indicator("omradestyp", "Områdestyp", "Area type", kind="category", source="SCB")
VALUES = np.concatenate([np.round(np.random.default_rng(7).gamma(2.0, 6.0, 500), 1), [NAN] * 5])
AREA_TYPES = np.array([1, 2, 2, 3, 3, 3, 4, 5, NAN])


def make_style(method="quantiles", k=5, client="maplibre", values=None, **options):
    indicator = AREA_TYPE if method == "categorical" else SHARE
    if values is None:
        values = AREA_TYPES if method == "categorical" else VALUES
    if method == "manual":
        classification = classify(values, method, breaks=[5, 10, 20][: k - 1])
    else:
        classification = classify(values, method, k)
    if method == "categorical":
        colors = area_type_colors()
    else:
        palette = "RdBu" if method == "diverging" else "YlOrRd"
        colors = colors_for(palette, classification.k, indicator.direction)
    legend = build_legend(
        classification, colors, indicator, scope=scope_text("sv", area_name="Göteborg", years=[2011, 2023])
    )
    style = build_style(
        tiles_url=TILES,
        source_layer="deso",
        property="v",
        classification=classification,
        colors=colors,
        indicator=indicator,
        year=2023,
        legend=legend,
        minzoom=3,
        maxzoom=12,
        bounds=(10.5, 55.0, 24.2, 69.1),
        client=client,
        **options,
    )
    return style, classification, colors


# --- an independent evaluator of the expressions and filters this module emits --------------------------


def evaluate(expression, feature: dict):
    if not isinstance(expression, list):
        return expression
    op, *args = expression
    if op == "get":
        return feature.get(args[0])
    if op == "has":
        return args[0] in feature
    if op == "!":
        return not evaluate(args[0], feature)
    if op == "all":
        return all(evaluate(a, feature) for a in args)
    if op == "to-number":
        return float(evaluate(args[0], feature))
    if op in ("==", "!=", "<", ">="):
        left, right = evaluate(args[0], feature), evaluate(args[1], feature)
        if op in ("<", ">=") and (left is None or right is None):
            return False
        return {
            "==": left == right,
            "!=": left != right,
            "<": left is not None and left < right,
            ">=": left is not None and left >= right,
        }[op]
    if op == "step":
        value = evaluate(args[0], feature)
        output = args[1]
        for stop, color in zip(args[2::2], args[3::2], strict=True):
            if value >= stop:
                output = color
        return output
    if op == "match":
        value = evaluate(args[0], feature)
        pairs = args[1:-1]
        return next((c for label, c in zip(pairs[::2], pairs[1::2], strict=True) if label == value), args[-1])
    raise AssertionError(f"unexpected operator {op}")


def drawn_color(style: dict, feature: dict) -> str | None:
    """The colour of the topmost fill layer whose filter matches ``feature``."""
    color = None
    for layer in style["layers"]:
        if layer["type"] == "fill" and ("filter" not in layer or evaluate(layer["filter"], feature)):
            color = evaluate(layer["paint"]["fill-color"], feature)
    return color


# --- structure ------------------------------------------------------------------------------------------


def test_maplibre_style_structure():
    style, classification, colors = make_style()
    assert style["version"] == 8
    assert "glyphs" not in style and "sprite" not in style
    assert {layer["type"] for layer in style["layers"]} == {"background", "fill", "line"}
    source = style["sources"]["barometer"]
    assert source["tiles"] == ["https://example.org/tiles/2023/deso/{z}/{x}/{y}.pbf"]
    assert (source["type"], source["minzoom"], source["maxzoom"]) == ("vector", 3, 12)
    assert source["bounds"] == [10.5, 55.0, 24.2, 69.1]
    fill = next(layer for layer in style["layers"] if layer["id"] == "classes")
    stops = [x for t, c in zip(classification.thresholds, colors[1:], strict=True) for x in (t, c)]
    assert fill["paint"]["fill-color"] == ["step", ["to-number", ["get", "v"]], colors[0], *stops]
    assert fill["filter"] == ["has", "v"] and fill["source-layer"] == "deso"
    no_data = next(layer for layer in style["layers"] if layer["id"] == "no-data")
    assert no_data["filter"] == ["!", ["has", "v"]]
    assert no_data["paint"]["fill-color"] == NO_DATA.color
    outline = next(layer for layer in style["layers"] if layer["type"] == "line")
    assert outline["paint"]["line-width"][:3] == ["interpolate", ["linear"], ["zoom"]]


def test_metadata_carries_legend_and_classification():
    style, classification, _ = make_style("natural_breaks", 4)
    meta = style["metadata"]
    assert meta["title"] == style["name"] == "Andel med låg inkomst"
    assert (meta["unit"], meta["source"], meta["method"], meta["year"]) == (
        "%",
        "SCB",
        "natural_breaks",
        2023,
    )
    assert meta["breaks"] == list(classification.breaks) and meta["counts"] == list(classification.counts)
    assert meta["scope"] == "Klasser över Göteborgs områden, sammanslaget över 2011–2023"
    assert meta["legend"]["entries"][-1] == {
        "kind": "no_data",
        "label": "Uppgift saknas",
        "color": NO_DATA.color,
        "count": 5,
        "lower": None,
        "upper": None,
        "category": None,
        "pattern": "hatch",
    }
    assert json.loads(json.dumps(style)) == style  # plain JSON


@pytest.mark.parametrize("method", ["quantiles", "equal_interval", "natural_breaks", "std_mean", "diverging"])
def test_both_clients_draw_exactly_the_classified_colours(method):
    maplibre, classification, colors = make_style(method, 6)
    qgis, _, _ = make_style(method, 6, client="qgis")
    probes = np.concatenate([VALUES, classification.thresholds, [-1e9, 1e9]])
    expected = assign(probes, classification)
    for value, index in zip(probes, expected, strict=True):
        feature = {} if np.isnan(value) else {"v": float(value)}
        want = NO_DATA.color if index < 0 else colors[index]
        assert drawn_color(maplibre, feature) == want, value
        assert drawn_color(qgis, feature) == want, value


def test_qgis_form_has_one_constant_fill_per_class():
    style, classification, colors = make_style("manual", 4, client="qgis")
    fills = [layer for layer in style["layers"] if layer["id"].startswith("class-")]
    assert [layer["paint"]["fill-color"] for layer in fills] == list(colors)
    assert [layer["filter"] for layer in fills] == [
        ["all", ["has", "v"], ["<", ["get", "v"], 5.0]],
        ["all", [">=", ["get", "v"], 5.0], ["<", ["get", "v"], 10.0]],
        ["all", [">=", ["get", "v"], 10.0], ["<", ["get", "v"], 20.0]],
        ["all", ["has", "v"], [">=", ["get", "v"], 20.0]],
    ]
    assert classification.k == 4
    serialized = json.dumps(style["layers"])
    assert '"step"' not in serialized and '"match"' not in serialized and '"case"' not in serialized


def test_categorical_match_and_qgis_filters():
    values = np.array([1, 2, 3, 4, 5, 5, NAN])
    style, classification, colors = make_style("categorical", values=values)
    fill = next(layer for layer in style["layers"] if layer["id"] == "classes")
    assert fill["paint"]["fill-color"] == [
        "match",
        ["get", "v"],
        1,
        colors[0],
        2,
        colors[1],
        3,
        colors[2],
        4,
        colors[3],
        5,
        colors[4],
        NO_DATA.color,
    ]
    qgis, _, _ = make_style("categorical", client="qgis", values=values)
    for code in range(1, 6):
        assert drawn_color(style, {"v": code}) == drawn_color(qgis, {"v": code}) == colors[code - 1]
    assert class_filters("v", classification)[2] == ["==", ["get", "v"], 3]


def test_one_class_and_no_classes():
    style, classification, colors = make_style(values=np.array([3.0, 3.0]))
    assert classification.k == 1
    assert drawn_color(style, {"v": 3.0}) == colors[0]
    empty, classification, _ = make_style(values=np.array([NAN, NAN]), client="qgis")
    assert classification.k == 0
    assert [layer["id"] for layer in empty["layers"] if layer["type"] == "fill"] == ["no-data"]


def test_municipality_fade_and_filter():
    faded, _, colors = make_style(filter_municipality="1480")
    veil = next(layer for layer in faded["layers"] if layer["id"] == "outside-municipality")
    assert veil["filter"] == ["!=", ["get", "kommun"], "1480"]
    assert drawn_color(faded, {"v": 1.0, "kommun": "0180"}) == "#ffffff"
    assert drawn_color(faded, {"v": 1.0, "kommun": "1480"}) == colors[0]
    for client in ("maplibre", "qgis"):
        only, _, _ = make_style(client=client, filter_municipality="1480", municipality_mode="filter")
        for layer in only["layers"][1:]:
            assert ["==", ["get", "kommun"], "1480"] in (
                layer["filter"][1:] if layer["filter"][0] == "all" else [layer["filter"]]
            )
        assert drawn_color(only, {"v": 1.0, "kommun": "0180"}) is None


def test_suppressed_layer():
    style, _, _ = make_style(status_property="status")
    assert drawn_color(style, {"status": "suppressed"}) == SUPPRESSED.color
    assert drawn_color(style, {}) == NO_DATA.color


def test_bad_arguments():
    with pytest.raises(ClassificationError):
        make_style(client="leaflet")
    classification = classify(VALUES, "quantiles", 5)
    legend = build_legend(classification, colors_for("Blues", 5), SHARE)
    with pytest.raises(ClassificationError):
        build_style(
            tiles_url=TILES,
            source_layer="deso",
            property="v",
            classification=classification,
            colors=colors_for("Blues", 4),
            indicator=SHARE,
            year=2023,
            legend=legend,
        )


# --- the MapLibre style-spec validator ------------------------------------------------------------------


def validate(paths: list[Path]) -> subprocess.CompletedProcess:
    if not VALIDATOR.exists() or shutil.which("node") is None:
        pytest.skip(f"gl-style-validate not installed at {VALIDATOR} (run npm ci in web/)")
    return subprocess.run([str(VALIDATOR), *map(str, paths)], capture_output=True, text=True, timeout=120)


def test_validator_accepts_the_whole_matrix(tmp_path):
    cases = [
        (method, k, client, options)
        for method, k in [
            *itertools.product(["quantiles", "equal_interval", "natural_breaks", "std_mean"], [2, 5, 9]),
            ("manual", 2),
            ("manual", 4),
            ("diverging", 3),
            ("diverging", 8),
            ("categorical", 5),
        ]
        for client in ("maplibre", "qgis")
        for options in (
            {},
            {"filter_municipality": "1480", "status_property": "status"},
            {"filter_municipality": "1480", "municipality_mode": "filter"},
        )
    ]
    cases += [("quantiles", 5, c, {"values": np.array([NAN])}) for c in ("maplibre", "qgis")]
    cases += [("quantiles", 5, c, {"values": np.array([2.0])}) for c in ("maplibre", "qgis")]
    paths = []
    for i, (method, k, client, options) in enumerate(cases):
        style, _, _ = make_style(method, k, client, **options)
        path = tmp_path / f"style_{i}.json"
        path.write_text(json.dumps(style, ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    result = validate(paths)
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr


def test_validator_would_catch_a_broken_style(tmp_path):
    style, _, _ = make_style()
    style["layers"][1]["paint"]["fill-color"] = ["step", ["get", "v"], "#000000", 5]  # dangling stop
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(style), encoding="utf-8")
    result = validate([path])
    assert result.returncode != 0 and "fill-color" in result.stdout
