"""Real QGIS (Debian python3-qgis, headless, in the system Python) opens a downloaded GeoPackage styled."""

import json
import os
import subprocess
from pathlib import Path

import pytest

from styles.palettes import NO_DATA, SUPPRESSED

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
    probe = (
        subprocess.run([str(SYSTEM_PYTHON), "-c", "import qgis.core"], capture_output=True, check=False)
        if SYSTEM_PYTHON.exists()
        else None
    )
    if probe is None or probe.returncode != 0:
        pytest.skip("QGIS (Debian python3-qgis for /usr/bin/python3) is not installed")
    files = {}
    for name, query in (("income", "indicator=income"), ("unemployment", "indicator=unemployment&classes=3")):
        response = client.get(f"/api/export/0201.gpkg?years=2020,2021&{query}")
        assert response.status_code == 200
        files[name] = str(tmp_path / f"{name}.gpkg")
        Path(files[name]).write_bytes(response.data)
    (tmp_path / "job.json").write_text(json.dumps(files), encoding="utf-8")
    (tmp_path / "check.py").write_text(QGIS_SCRIPT, encoding="utf-8")
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(runtime)}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [str(SYSTEM_PYTHON), str(tmp_path / "check.py"), str(tmp_path / "job.json")],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT")), None)
    assert line is not None, done.stdout + done.stderr
    return json.loads(line[len("RESULT") :])


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
