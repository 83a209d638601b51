"""Barometer's HTTP layer: a Flask app factory over geo/, indicators/, styles/ and data/."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from flask import Flask

from data import allocation


def create_app(test_config: Mapping[str, object] | None = None) -> Flask:
    """Build the app: configuration, the dataset source, the cache, and the routes."""
    allocation.configure()
    from data.cache import build_cache
    from data.datasource import DatasetSource
    from data.tileset import Services
    from tileserver import basemap, metrics
    from tileserver.config import configure
    from tileserver.errors import register_errors
    from tileserver.http import register_headers
    from tileserver.routes import register_routes
    from tileserver.slow import SlowPool

    app = Flask(__name__, static_folder=None)
    configure(app, test_config)
    app.json.sort_keys = False
    data = app.config["DATA"]
    app.extensions["basemap"] = basemap.parse(app.config["BASEMAP"], data)  # refused here, at start
    demo_areas = app.config["DEMO_AREAS"]
    source = DatasetSource(
        Path(str(data)) if data else None,
        fallback=lambda: demo_dataset(int(demo_areas) if demo_areas else None),
        check_every=float(app.config["CHECK_EVERY"]),
    )
    cache = build_cache(
        app.config["REDIS_URL"],
        int(app.config["CACHE_MB"]) * 2**20,
        on_hit=metrics.cache_lookup,
        on_produce=metrics.produced,
    )
    app.extensions["barometer"] = Services(source, cache)
    app.extensions["barometer.slow"] = SlowPool(int(app.config["SLOW_SLOTS"]), int(app.config["SLOW_QUEUE"]))
    register_errors(app)
    register_headers(app)
    register_routes(app)
    metrics.instrument(app)
    return app


def demo_dataset(areas: int | None = None):
    """The deterministic demo, built in memory."""
    from data.demo import build_demo

    return (build_demo(areas) if areas else build_demo()).dataset()
