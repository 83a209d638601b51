"""Answers checked against the PxWebApi 2.0 specification's own schemas.

``pxapi2_schemas.json`` is the specification's ``components/schemas``, copied unchanged (Apache License 2.0,
see the file's ``$comment``). OpenAPI 3.0 schemas are not quite JSON Schema: :func:`json_schema` turns
``nullable`` into a ``null`` type and points ``$ref`` at ``$defs``. One deliberate relaxation: the
specification's ``updated`` patterns accept a date only, while its own examples (and SCB's answers, as public
clients show them) carry a date and time (``2022-02-07T14:32:00Z``); both are accepted here. One correction:
``VariableSelection`` requires ``values`` but defines ``valueCodes``, the name the PxWeb user guide and every
public client use; ``valueCodes`` is required here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator

from indicators.model import BarometerError

SCHEMA_FILE = "pxapi2_schemas.json"
DATE_OR_DATETIME = (
    r"^((19|20)\d\d)-(0?[1-9]|1[012])-(0?[1-9]|[12][0-9]|3[01])([T ][0-9:.]+(Z|[+-][0-9:]+)?)?$"
)
"""The ``updated`` pattern used instead of the specification's date-only one (see the module docstring)."""


class SchemaError(BarometerError):
    """An answer or a query that does not follow the specification's schema."""


@cache
def spec_schemas() -> Mapping[str, Any]:
    """The specification's component schemas, as shipped."""
    text = resources.files("indicators.fetch").joinpath(SCHEMA_FILE).read_text(encoding="utf-8")
    return json.loads(text)["schemas"]


def json_schema(name: str, schemas: Mapping[str, Any] | None = None) -> dict:
    """A JSON Schema (draft 2020-12) document for one component schema, with every other as ``$defs``."""
    schemas = spec_schemas() if schemas is None else schemas
    defs = {key: _convert(value) for key, value in schemas.items()}
    for key in ("updated",):
        defs[key] = {**defs[key], "pattern": DATE_OR_DATETIME}
    table = dict(defs["Table"])
    table["properties"] = {**table["properties"], "updated": {**table["properties"]["updated"]}}
    table["properties"]["updated"]["pattern"] = DATE_OR_DATETIME
    defs["Table"] = table
    defs["VariableSelection"] = {**defs["VariableSelection"], "required": ["variableCode", "valueCodes"]}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": f"#/$defs/{name}",
        "$defs": defs,
    }


def _convert(node: Any) -> Any:
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, Mapping):
        return node
    out = {key: _convert(value) for key, value in node.items() if key not in ("nullable", "example")}
    if "$ref" in out:
        out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/$defs/")
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        else:  # a nullable $ref or composition: null or the schema
            out = {"anyOf": [{"type": "null"}, out]}
    return out


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator for one component schema (``ConfigResponse``, ``Dataset``, ``VariablesSelection``...)."""
    return Draft202012Validator(json_schema(name))


def check(name: str, document: object, where: str) -> None:
    """Raise :class:`SchemaError` naming ``where`` and the first violations when ``document`` does not fit."""
    errors = sorted(validator(name).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        shown = "; ".join(
            f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:160]}" for e in errors[:3]
        )
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise SchemaError(f"{where} does not follow the PxWebApi 2.0 schema {name}: {shown}{more}")
