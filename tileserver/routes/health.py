"""Probes for orchestrators and load balancers: ``/healthz`` (the process answers) and ``/readyz`` (it has
a dataset loaded and its tile geometry prepared, so a request will not wait for either)."""

from __future__ import annotations

from flask import Blueprint, Response

from tileserver.http import json_bytes
from tileserver.routes import services

blueprint = Blueprint("health", __name__)


def _probe(status: int, body: dict) -> Response:
    response = Response(json_bytes(body), status=status, mimetype="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/healthz")
def healthz() -> Response:
    """Alive: answers without touching the dataset."""
    return _probe(200, {"status": "ok"})


@blueprint.get("/readyz")
def readyz() -> Response:
    """Ready once the dataset is loaded and every level's geometry is prepared; 503 until then."""
    service = services()
    reason = service.not_ready()
    if reason is not None:
        return _probe(503, {"status": "not ready", "detail": reason})
    return _probe(200, {"status": "ready", "version": service.dataset().version})
