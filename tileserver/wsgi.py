"""Production entry: ``gunicorn 'tileserver.wsgi:app'`` or ``barometer serve --production``.

Metrics of every worker: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder before gunicorn starts
(``barometer serve --production`` does it with :func:`prepare_metrics_folder`).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import Flask
from gunicorn.app.base import BaseApplication

from tileserver import create_app


class _Gunicorn(BaseApplication):
    def __init__(self, app: Flask, options: dict) -> None:
        self.application, self.options = app, options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.application


def serve_gunicorn(app: Flask, bind: str, workers: int) -> None:
    """Serve ``app`` with gunicorn: the dataset is loaded and prepared once, before the workers fork."""
    options = {
        "bind": bind,
        "workers": workers,
        "threads": 4,
        "worker_class": "gthread",
        "preload_app": True,
        "accesslog": "-",
        "logger_class": "tileserver.accesslog.JsonAccessLogger",
        "child_exit": _child_exit,
        "timeout": 60,
    }
    _Gunicorn(app, options).run()


def prepare_metrics_folder() -> Path:
    """The folder where every worker writes its metrics (``$PROMETHEUS_MULTIPROC_DIR``, else a new one),
    emptied of an earlier run's samples. Must run before the app is built: prometheus_client reads the
    variable when it is first imported."""
    folder = Path(os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(prefix="barometer-metrics-"))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)
    return folder


def _child_exit(server, worker) -> None:
    from tileserver import metrics

    metrics.worker_exited(worker.pid)


def __getattr__(name: str) -> Flask:
    if name == "app":
        app = create_app()
        app.extensions["barometer"].tileset().warm()
        globals()["app"] = app
        return app
    raise AttributeError(name)
