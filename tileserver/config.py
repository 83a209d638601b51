"""Configuration: defaults, then ``BAROMETER_*`` environment variables, then test overrides."""

from __future__ import annotations

import os
from collections.abc import Mapping

from flask import Flask

from indicators.model import Dataset

DEFAULTS: dict[str, object] = {
    "DATA": None,  # data folder written by `barometer import`/`barometer demo`; none: the built-in demo
    "DEMO_AREAS": None,  # size of the built-in demo (DeSO areas); none: the small default
    "PUBLIC_URL": None,  # base URL behind a proxy, e.g. https://karta.example.se/barometer
    "CACHE_MB": 64,  # in-process cache budget per worker (Redis is the shared, larger one)
    "REDIS_URL": None,  # shared cache, e.g. redis://127.0.0.1:6379/0 (also read from REDIS_URL)
    "FRAME_ANCESTORS": "*",  # who may embed /embed in an iframe (CSP frame-ancestors)
    "CHECK_EVERY": 2.0,  # seconds between looks for a new dataset version
    "ATTRIBUTION": None,  # credit line of tiles and styles; none: the dataset's (its recipe's attribution)
    "BASEMAP": None,  # style URL, XYZ template, PMTiles URL or data-folder file; none: the light default
}


def attribution(configured: object, dataset: Dataset) -> str:
    """The credit line: the operator's ``BAROMETER_ATTRIBUTION`` when set, else the dataset's own."""
    return str(configured or dataset.attribution)


def configure(app: Flask, overrides: Mapping[str, object] | None) -> None:
    app.config.from_mapping(DEFAULTS)
    app.config.from_prefixed_env("BAROMETER")
    if os.environ.get("REDIS_URL") and not app.config["REDIS_URL"]:
        app.config["REDIS_URL"] = os.environ["REDIS_URL"]
    unknown = sorted(
        k for k in app.config if k.isupper() and k not in DEFAULTS and k not in app.default_config
    )
    for key in unknown:
        app.logger.warning("unknown configuration key %s is ignored", key)
    if overrides:
        app.config.from_mapping(overrides)
