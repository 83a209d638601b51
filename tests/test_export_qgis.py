"""Real QGIS (Debian python3-qgis, headless, in the system Python) opens a downloaded GeoPackage styled."""

from pathlib import Path

import pytest

from styles.palettes import NO_DATA, SUPPRESSED
from tests.clients import run_qgis

SYSTEM_PYTHON = Path("/usr/bin/python3")
QGIS_SCRIPT = r"""
import json, sys
from qgis.core import QgsApplication
app = QgsApplication([], False)
app.initQgis()
from qgis.core import QgsExpressionContextUtils, QgsRenderContext, QgsVectorLayer

out = {}
for name, path in json.load(open(sys.argv[1], encoding="utf-8")).items():
    layer = QgsVectorLayer(path + "|layername=deso_0201", "areas", "ogr")  # no style loaded by hand
    renderer = layer.renderer()
    context = QgsRenderContext()
    context.expressionContext().appendScopes(QgsExpressionContextUtils.globalProjectLayerScopes(layer))
    clone = renderer.clone()
    clone.startRender(context, layer.fields())
    drawn = {}
    for feature in layer.getFeatures():
        context.expressionContext().setFeature(feature)
        drawn[feature["code"]] = [s.color().name() for s in clone.symbolsForFeature(feature, context)]
    clone.stopRender(context)
    count, ids, names, descriptions, error = layer.listStylesInDatabase()
    out[name] = {
        "valid": layer.isValid(),
        "type": renderer.type(),
        "rules": [[r.filterExpression(), r.symbol().color().name(), r.label()]
                  for r in renderer.rootRule().children()] if renderer.type() == "RuleRenderer" else [],
        "drawn": drawn,
        "styles": names,
    }
print("RESULT" + json.dumps(out))
"""


@pytest.fixture
def qgis_result(client, tmp_path):
    files = {}
    for name, query in (("income", "indicator=income"), ("unemployment", "indicator=unemployment&classes=3")):
        response = client.get(f"/api/export/0201.gpkg?years=2020,2021&{query}")
        assert response.status_code == 200
        files[name] = str(tmp_path / f"{name}.gpkg")
        Path(files[name]).write_bytes(response.data)
    return run_qgis(QGIS_SCRIPT, files, tmp_path)


def legend(client, indicator: str, query: str = "") -> dict:
    return client.get(f"/api/legend/deso/{indicator}/2021?{query}").get_json()


@pytest.mark.qgis
def test_qgis_opens_the_geopackage_with_the_default_style_applied(client, qgis_result):
    """One QGIS run checks both downloads (starting QGIS takes seconds)."""
    income = qgis_result["income"]
    assert income["valid"] and income["type"] == "RuleRenderer"
    entries = legend(client, "income")["entries"]
    classes = [e["color"] for e in entries if e["kind"] == "class"]
    assert [r[1] for r in income["rules"]] == [*classes, NO_DATA.color]
    assert [r[2] for r in income["rules"][:-1]] == [e["label"] for e in entries if e["kind"] == "class"]
    assert all('"income_2021"' in r[0] for r in income["rules"])
    # Each area drawn once, in the class colour of its grid column (income grows west to east).
    assert income["drawn"] == {f"0201C{1000 + k}": [classes[k % 4]] for k in range(16)}
    assert income["styles"][0] == "income_2021" and set(income["styles"]) == {
        "income_2020",
        "income_2021",
        "unemployment_2020",
        "unemployment_2021",
    }

    # The unemployment download: three classes, suppressed and missing areas in their greys.
    unemployment = qgis_result["unemployment"]
    entries = legend(client, "unemployment", "classes=3")["entries"]
    classes = [e["color"] for e in entries if e["kind"] == "class"]
    assert len(classes) == 3
    assert [r[1] for r in unemployment["rules"]] == [*classes, SUPPRESSED.color, NO_DATA.color]
    drawn = unemployment["drawn"]
    assert drawn["0201C1000"] == [NO_DATA.color] and drawn["0201C1001"] == [SUPPRESSED.color]
    assert drawn["0201C1002"] == [classes[0]] and drawn["0201C1015"] == [classes[-1]]  # 4 % and 17 %
