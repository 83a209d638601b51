"""Prometheus metrics of every worker: requests and latency per route, cache lookups per tier, the time cold
responses take to produce, and the dataset version served.

Under gunicorn (``barometer serve --production``) each worker writes its samples to files in
``PROMETHEUS_MULTIPROC_DIR`` (prometheus_client's multiprocess mode; tileserver.wsgi sets it up before the
app is built) and ``/metrics`` on any worker adds up all of them. Without that variable,
the one process's own registry answers. Label values are bounded: routes are the app's URL rules (never the
requested path), statuses are HTTP codes and kinds are the cache key kinds of the code.
"""

from __future__ import annotations

import os
import re
import time

from flask import Flask, Response, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)

disable_created_metrics()

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

REQUESTS = Counter("barometer_requests_total", "HTTP requests answered", ["route", "method", "status"])
LATENCY = Histogram(
    "barometer_request_duration_seconds", "Time to answer a request", ["route"], buckets=LATENCY_BUCKETS
)
CACHE_LOOKUPS = Counter(
    "barometer_cache_lookups_total", "Cached responses looked up, by the tier that answered", ["tier"]
)
PRODUCE = Histogram(
    "barometer_produce_duration_seconds",
    "Time to produce a response that no cache held (tile, style, legend, image, export...)",
    ["kind"],
    buckets=LATENCY_BUCKETS,
)
DATASET = Gauge(
    "barometer_dataset_info",
    "1 for the dataset version a worker serves (0 for the one it served before)",
    ["version"],
    multiprocess_mode="livemax",
)
KIND = re.compile(r"^[a-z_]{1,24}$")


def worker_exited(pid: int) -> None:
    """gunicorn's ``child_exit`` hook: a dead worker's live gauges stop counting."""
    if os.environ.get(MULTIPROC_ENV):
        multiprocess.mark_process_dead(pid)


def cache_lookup(tier: str) -> None:
    """One lookup answered by ``memory`` or ``redis``, or a ``miss``."""
    CACHE_LOOKUPS.labels(tier).inc()


def produced(key: str, seconds: float) -> None:
    """A cache miss: the response of ``key`` (``<version>:<kind>:...``) took ``seconds`` to produce."""
    CACHE_LOOKUPS.labels("miss").inc()
    parts = key.split(":", 2)
    kind = parts[1] if len(parts) > 1 and KIND.match(parts[1]) else "other"
    PRODUCE.labels(kind).observe(seconds)


_served: list[str] = []


def serving(version: str) -> None:
    """Mark the dataset version this process serves (cheap when it has not changed)."""
    if _served and _served[0] == version:
        return
    if _served:
        DATASET.labels(_served[0]).set(0)
    DATASET.labels(version).set(1)
    _served[:] = [version]


def exposition() -> bytes:
    """The text format of every worker's metrics (or this process's)."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()


def instrument(app: Flask) -> None:
    """Count and time every request by its URL rule, and serve ``/metrics``."""

    @app.before_request
    def start_timer() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def observe(response: Response) -> Response:
        dataset = app.extensions["barometer"].source.loaded
        if dataset is not None:
            serving(dataset.version)
        started = g.pop("metrics_started", None)
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        if started is not None:
            LATENCY.labels(route).observe(time.perf_counter() - started)
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        response = Response(exposition(), content_type=CONTENT_TYPE_LATEST)
        response.headers["Cache-Control"] = "no-store"
        return response
