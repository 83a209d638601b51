import json
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import box

from styles.classify import assign, classify
from styles.legend import build_legend
from styles.maplibre import build_style
from styles.palettes import COLORBREWER, NO_DATA, SUPPRESSED, area_type_colors, colors_for, hex_to_rgb
from styles.qgis import to_qml, to_sld
from tests.clients import run_qgis
from tests.test_styles_maplibre import SHARE

NAN = float("nan")
SYSTEM_PYTHON = Path("/usr/bin/python3")
SE, OGC, SLD = "{http://www.opengis.net/se}", "{http://www.opengis.net/ogc}", "{http://www.opengis.net/sld}"
VALUES = np.array([1.0, 2.0, 2.5, 4.0, 5.0, 7.5, 9.0, NAN, 12.0, 4.0])
BREAKS = [2.5, 5.0, 9.0]


def manual():
    classification = classify(VALUES, "manual", breaks=BREAKS)
    return classification, colors_for("YlOrRd", classification.k, "higher_worse")


def qml_rules(qml: str) -> tuple[list[dict], dict[str, list[ET.Element]]]:
    root = ET.fromstring(qml)
    renderer = root.find("renderer-v2")
    assert renderer is not None and renderer.get("type") == "RuleRenderer"
    rules = [dict(r.attrib) for r in renderer.find("rules")]
    symbols = {s.get("name"): s.findall("layer") for s in renderer.find("symbols")}
    return rules, symbols


def fill_color(layer: ET.Element) -> str:
    return next(o.get("value") for o in layer.find("Option") if o.get("name") == "color")


def rgba(color: str) -> str:
    return ",".join(map(str, hex_to_rgb(color))) + ",255"


# --- pure XML -------------------------------------------------------------------------------------------


def test_qml_rules_ranges_and_colours():
    classification, colors = manual()
    rules, symbols = qml_rules(to_qml("v", classification, colors))
    assert [r["filter"] for r in rules] == [
        '"v" < 2.5',
        '"v" >= 2.5 AND "v" < 5.0',
        '"v" >= 5.0 AND "v" < 9.0',
        '"v" >= 9.0',
        '"v" IS NULL',
    ]
    for rule, color in zip(rules, colors, strict=False):
        assert fill_color(symbols[rule["symbol"]][0]) == rgba(color)
    no_data = symbols[rules[-1]["symbol"]]
    assert fill_color(no_data[0]) == rgba(NO_DATA.color)
    assert [o.get("value") for o in no_data[1].find("Option") if o.get("name") == "style"] == ["b_diagonal"]
    assert rules[-1]["label"] == "Uppgift saknas"
    assert len({r["key"] for r in rules}) == len(rules)


def test_qml_uses_legend_labels_and_status_rule():
    classification, colors = manual()
    legend = build_legend(classification, colors, SHARE, lang="en")
    rules, _ = qml_rules(
        to_qml("low income", classification, colors, legend=legend, status_attribute="status", lang="en")
    )
    assert rules[0]["label"] == legend.entries[0].label
    assert rules[0]["filter"] == '"low income" < 2.5'
    assert rules[-2]["filter"] == "\"status\" = 'suppressed'"
    assert rules[-1]["filter"] == '"low income" IS NULL AND ("status" IS NULL OR "status" <> \'suppressed\')'
    assert rules[-1]["label"] == "No data"


def test_qml_categorical():
    classification = classify([1, 2, 3, 4, 5], "categorical")
    rules, symbols = qml_rules(to_qml("typ", classification, area_type_colors()))
    assert [r["filter"] for r in rules[:5]] == [f'"typ" = {code}' for code in range(1, 6)]
    assert rules[0]["label"] == "Områden med stora socioekonomiska utmaningar"
    assert fill_color(symbols[rules[4]["symbol"]][0]) == rgba(area_type_colors()[4])


def test_qml_is_deterministic():
    classification, colors = manual()
    assert to_qml("v", classification, colors) == to_qml("v", classification, colors)


def test_sld_rules_filters_and_fills():
    classification, colors = manual()
    root = ET.fromstring(to_sld("v", classification, colors, layer_name="deso", status_attribute="status"))
    assert root.tag == f"{SLD}StyledLayerDescriptor" and root.get("version") == "1.1.0"
    assert root.find(f"{SLD}NamedLayer/{SE}Name").text == "deso"
    rules = root.findall(f".//{SE}Rule")
    assert len(rules) == classification.k + 2
    fills = [r.find(f"{SE}PolygonSymbolizer/{SE}Fill/{SE}SvgParameter[@name='fill']").text for r in rules]
    assert fills == [*colors, SUPPRESSED.color, NO_DATA.color]
    second = rules[1].find(f"{OGC}Filter/{OGC}And")
    assert second[0].tag == f"{OGC}PropertyIsGreaterThanOrEqualTo" and second[0][1].text == "2.5"
    assert second[1].tag == f"{OGC}PropertyIsLessThan" and second[1][1].text == "5.0"
    first = rules[0].find(f"{OGC}Filter")
    assert [c.tag for c in first] == [f"{OGC}PropertyIsLessThan"]
    no_data = rules[-1].find(f"{OGC}Filter/{OGC}And")
    assert no_data[0].tag == f"{OGC}PropertyIsNull" and no_data[0][0].text == "v"
    assert rules[-1].find(f".//{SE}WellKnownName").text == "slash"
    assert rules[-2].find(f"{OGC}Filter/{OGC}PropertyIsEqualTo/{OGC}Literal").text == "suppressed"


# --- real QGIS ------------------------------------------------------------------------------------------

QGIS_SCRIPT = r"""
import json, sys
from qgis.core import QgsApplication
app = QgsApplication([], False)
app.initQgis()
from qgis.core import (QgsColorBrewerColorRamp, QgsExpression, QgsExpressionContext,
    QgsExpressionContextUtils, QgsMapBoxGlStyleConverter, QgsRenderContext, QgsVectorLayer)

job = json.load(open(sys.argv[1], encoding="utf-8"))
out = {}

def load(path):
    layer = QgsVectorLayer(path, "areas", "ogr")
    assert layer.isValid(), path
    return layer

def drawn(layer):
    context = QgsRenderContext()
    context.expressionContext().appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    renderer = layer.renderer().clone()
    renderer.startRender(context, layer.fields())
    result = {}
    for feature in layer.getFeatures():
        context.expressionContext().setFeature(feature)
        result[feature["code"]] = [s.color().name() for s in renderer.symbolsForFeature(feature, context)]
    renderer.stopRender(context)
    return result

for name in ("qml", "qml_categorical"):
    layer = load(job["gpkg"])
    message, ok = layer.loadNamedStyle(job[name])
    renderer = layer.renderer()
    out[name] = {
        "ok": ok, "type": renderer.type(),
        "rules": [[r.filterExpression(), r.symbol().color().name(), r.label()]
                  for r in renderer.rootRule().children()],
        "drawn": drawn(layer),
    }

layer = load(job["gpkg"])
message, ok = layer.loadSldStyle(job["sld"])
out["sld"] = {"ok": ok, "type": layer.renderer().type(),
              "rules": [[r.filterExpression(), r.symbol().color().name()]
                        for r in layer.renderer().rootRule().children()],
              "drawn": drawn(layer)}

converter = QgsMapBoxGlStyleConverter()
result = converter.convert(json.load(open(job["style"], encoding="utf-8")))
styles = converter.renderer().styles()
layer = load(job["gpkg"])
context = QgsExpressionContext()
context.appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
drawn_by_converter = {}
for feature in layer.getFeatures():
    context.setFeature(feature)
    color = None
    for style in styles:
        if style.geometryType() != 2 or style.styleName() == "background":
            continue
        expression = QgsExpression(style.filterExpression())
        if not style.filterExpression() or expression.evaluate(context):
            color = style.symbol().color().name()
    drawn_by_converter[feature["code"]] = color
out["converter"] = {
    "result": int(result), "warnings": converter.warnings(),
    "styles": [[s.styleName(), s.filterExpression(), s.symbol().color().name() if s.symbol() else None]
               for s in styles],
    "drawn": drawn_by_converter,
}

out["colorbrewer"] = {
    name: {k: [QgsColorBrewerColorRamp(name, k).color(i / (k - 1)).name() for i in range(k)]
           for k in range(3, 10)}
    for name in job["schemes"]
}
print("RESULT" + json.dumps(out))
"""


@pytest.fixture(scope="module")
def qgis_run(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("qgis")
    codes = [f"A{i}" for i in range(len(VALUES))]
    areas = gpd.GeoDataFrame(
        {"code": codes, "v": VALUES, "typ": [1, 2, 3, 4, 5, 1, 2, 3, 4, 5]},
        geometry=[box(i * 1000, 0, i * 1000 + 900, 900) for i in range(len(VALUES))],
        crs="EPSG:3006",
    )
    gpkg = tmp / "areas.gpkg"
    areas.to_file(gpkg, layer="areas", driver="GPKG")
    classification, colors = manual()
    (tmp / "style.qml").write_text(to_qml("v", classification, colors), encoding="utf-8")
    categorical = classify(areas["typ"], "categorical")
    (tmp / "typ.qml").write_text(to_qml("typ", categorical, area_type_colors()), encoding="utf-8")
    (tmp / "style.sld").write_text(to_sld("v", classification, colors, layer_name="areas"), encoding="utf-8")
    style = build_style(
        tiles_url="https://example.org/{z}/{x}/{y}.pbf",
        source_layer="areas",
        property="v",
        classification=classification,
        colors=colors,
        indicator=SHARE,
        year=2023,
        legend=build_legend(classification, colors, SHARE),
        client="qgis",
    )
    (tmp / "style.json").write_text(json.dumps(style), encoding="utf-8")
    job = {
        "gpkg": str(gpkg),
        "qml": str(tmp / "style.qml"),
        "qml_categorical": str(tmp / "typ.qml"),
        "sld": str(tmp / "style.sld"),
        "style": str(tmp / "style.json"),
        "schemes": sorted(COLORBREWER),
    }
    result = run_qgis(QGIS_SCRIPT, job, tmp)
    expected = {
        code: (NO_DATA.color if index < 0 else colors[index])
        for code, index in zip(codes, assign(VALUES, classification), strict=True)
    }
    return result, expected, colors


@pytest.mark.qgis
def test_qgis_loads_qml_and_draws_each_area_in_its_class_colour(qgis_run):
    out, expected, colors = qgis_run
    qml = out["qml"]
    assert qml["ok"] and qml["type"] == "RuleRenderer"
    assert [r[1] for r in qml["rules"]] == [*colors, NO_DATA.color]
    assert qml["rules"][1][0] == '"v" >= 2.5 AND "v" < 5.0'
    # Exactly one symbol per area, of the colour the MapLibre step gives it (2.5 and 5.0 go up).
    assert {code: colors_ for code, colors_ in qml["drawn"].items()} == {c: [x] for c, x in expected.items()}


@pytest.mark.qgis
def test_qgis_loads_categorical_qml(qgis_run):
    out, _, _ = qgis_run
    categorical = out["qml_categorical"]
    assert categorical["ok"]
    assert [r[1] for r in categorical["rules"][:5]] == list(area_type_colors())
    assert categorical["drawn"]["A2"] == [area_type_colors()[2]]  # typ 3


@pytest.mark.qgis
def test_qgis_loads_sld(qgis_run):
    out, expected, _ = qgis_run
    sld = out["sld"]
    assert sld["ok"] and sld["type"] == "RuleRenderer"
    assert {code: c[0] for code, c in sld["drawn"].items()} == expected


@pytest.mark.qgis
def test_mapbox_gl_converter_gives_one_rule_per_class(qgis_run):
    out, expected, colors = qgis_run
    converted = out["converter"]
    assert converted["result"] == 0 and converted["warnings"] == []
    classes = [s for s in converted["styles"] if s[0].startswith("class-")]
    assert [s[2] for s in classes] == list(colors)
    assert classes[1][1] == '("v" >= 2.5) AND ("v" < 5)'
    assert [s[1:] for s in converted["styles"] if s[0] == "no-data"] == [['"v" IS NULL', NO_DATA.color]]
    assert converted["drawn"] == expected


@pytest.mark.qgis
def test_colorbrewer_tables_match_qgis(qgis_run):
    out, _, _ = qgis_run
    for name, tables in COLORBREWER.items():
        assert [tuple(out["colorbrewer"][name][str(k)]) for k in range(3, 10)] == list(tables), name
