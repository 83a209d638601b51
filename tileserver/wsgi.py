"""Production entry: ``gunicorn 'tileserver.wsgi:app'`` or ``barometer serve --production``."""

from __future__ import annotations

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
        "timeout": 60,
    }
    _Gunicorn(app, options).run()


def __getattr__(name: str) -> Flask:
    if name == "app":
        app = create_app()
        app.extensions["barometer"].tileset().warm()
        globals()["app"] = app
        return app
    raise AttributeError(name)
