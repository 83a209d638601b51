"""The OpenAPI document: every Flask route and no other, real answers valid against its schemas, and
schemathesis over the live app with no server error and no schema violation."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import jsonschema_rs
import pytest
import schemathesis

from tests.clients import live_server
from tileserver import create_app


@pytest.fixture(scope="module")
def demo_app():
    """The built-in demo: several municipalities, breakdowns and every measure, small enough to render."""
    return create_app({"TESTING": True})


@pytest.fixture(scope="module")
def document(demo_app) -> dict:
    response = demo_app.test_client().get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return response.get_json()


def _openapi_path(rule: str) -> str:
    """``/maps/<level>/<year>.<any(png, svg):fmt>`` → ``/maps/{level}/{year}.{fmt}``."""
    return re.sub(r"<(?:[^:<>]+:)?([a-z_]+)>", r"{\1}", re.sub(r"<any\([^)]*\):([a-z_]+)>", r"{\1}", rule))


def test_every_route_is_documented_and_nothing_else(demo_app, document):
    routes = {_openapi_path(rule.rule) for rule in demo_app.url_map.iter_rules()}
    assert set(document["paths"]) == routes
    for rule in demo_app.url_map.iter_rules():
        operation = document["paths"][_openapi_path(rule.rule)]["get"]
        in_path = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
        assert in_path == set(rule.arguments), rule.rule
    assert document["openapi"] == "3.1.0"


def test_document_is_valid_openapi_3_1(document):
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(document["paths"])


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/api/health", "Health"),
        ("/api/catalog", "Catalog"),
        ("/api/openapi.json", "OpenAPI"),
        ("/api/areas/regso?kommun=0201", "Areas"),
        ("/api/values/deso/2023?kommun=0201", "Values"),
        ("/api/series/regso/population?codes=0201R001,0201R002", "Series"),
        ("/api/legend/deso/median_disposable_income/2023?kommun=0201", "Legend"),
        ("/tiles/deso/2023.json", "TileJSON"),
        ("/styles/regso/employment_rate/2023.json?client=qgis", "Style"),
        ("/api/measures/omradestyper/regso/2023", "Omradestyper"),
        ("/api/measures/ojamlikhet/0201", "Ojamlikhet"),
        ("/api/measures/indices/0201/2023", "Indices"),
        ("/api/measures/compare/deso/employment_rate/2023?kommun=0201", "Compare"),
        ("/api/values/deso/1999", "Error"),
        ("/api/legend/deso/median_disposable_income/2023?classes=99", "Error"),
    ],
)
def test_answers_are_valid_against_their_schemas(demo_app, document, path, name):
    response = demo_app.test_client().get(path)
    assert response.status_code == (200 if name != "Error" else response.status_code)
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    validator = jsonschema_rs.Draft202012Validator(schema)
    errors = [error.message for error in validator.iter_errors(response.get_json())]
    assert not errors, errors[:3]
    # and the schema could fail: an answer of another kind does not pass
    if name not in ("OpenAPI", "Error"):
        assert not validator.is_valid({"unexpected": True} if name != "Areas" else [{"code": 1}])


CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance"
)


def _schemathesis(base: str, workdir: Path, *options: str) -> subprocess.CompletedProcess:
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{base}/api/openapi.json",
        "--checks",
        CHECKS,
    ]
    command += ["--suppress-health-check", "all", "--seed", "1", "--no-color", "-w", "2", *options]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=workdir)  # its cache


def test_schemathesis_finds_no_server_error_and_no_schema_violation(demo_app, tmp_path):
    """Every phase over every operation; map images (up to 5000 × 5000 px, seconds each) skip the coverage
    phase's boundary values to keep the run under a minute, and are fuzzed like the rest."""
    with live_server(demo_app) as base:
        runs = [
            _schemathesis(base, tmp_path, "--max-examples", "5", "--exclude-path-regex", "^/maps/"),
            _schemathesis(
                base,
                tmp_path,
                "--max-examples",
                "5",
                "--include-path-regex",
                "^/maps/",
                "--phases",
                "fuzzing",
            ),
        ]
    for run in runs:
        assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
        assert "passed" in run.stdout and "failed" not in run.stdout.split("SUMMARY")[-1]
