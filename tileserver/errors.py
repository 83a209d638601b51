"""One table from exception type to HTTP status, and JSON error bodies that name the bad parameter."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from indicators.model import BarometerError, InputError, NotFoundError, ParameterError

log = logging.getLogger(__name__)

STATUS: tuple[tuple[type[BarometerError], int], ...] = (
    (NotFoundError, 404),
    (ParameterError, 400),
    (InputError, 400),
    (BarometerError, 400),
)
"""Most specific first: the first matching type decides the status."""


def error_body(status: int, error: str, detail: str = "", parameter: str | None = None):
    body = {"error": error, "detail": detail}
    if parameter:
        body["parameter"] = parameter
    response = jsonify(body)
    response.status_code = status
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def register_errors(app: Flask) -> None:
    for exception_type, status in STATUS:
        app.register_error_handler(exception_type, _handler(status))
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)


def _handler(status: int):
    def handle(error: BarometerError):
        parameter = getattr(error, "parameter", None) or getattr(error, "option", None)
        message = getattr(error, "message", str(error))
        title = "not found" if status == 404 else "bad request"
        detail = f"{parameter}: {message}" if parameter else message
        return error_body(status, title, detail, parameter)

    return handle


def _http_error(error: HTTPException):
    response = error_body(error.code or 500, (error.name or "error").lower(), error.description or "")
    retry_after = dict(error.get_headers()).get("Retry-After")
    if retry_after:
        response.headers["Retry-After"] = retry_after
    return response


def _unexpected(error: Exception):
    log.exception("unhandled error")
    return error_body(500, "internal error", "the server could not answer this request")
