"""HTTP routes: each module parses a request, calls the pure parts, and writes a response."""

from __future__ import annotations

from flask import Flask, current_app

from data.tileset import Services


def services() -> Services:
    return current_app.extensions["barometer"]


def register_routes(app: Flask) -> None:
    from tileserver.routes import api, exports, health, measures, orientation, report, styles, tiles, web

    for module in (tiles, styles, api, measures, exports, report, orientation, web, health):
        app.register_blueprint(module.blueprint)
