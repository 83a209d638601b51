"""Production entry: ``gunicorn 'tileserver.wsgi:app'`` or ``barometer serve --production``.

Metrics of every worker: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty folder before gunicorn starts
(``barometer serve --production`` does it with :func:`prepare_metrics_folder`).
"""

from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

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


TILE_THREADS = 4
"""Threads per worker that slow work (tileserver/slow.py) can never take: they are always free for tiles."""
REQUESTS_PER_CONNECTION = 100
"""A keep-alive connection is closed after this many requests (``Connection: close``), so clients spread
over the workers again: over the replacement of a killed worker too, not only the workers that survived."""


class Worker(ThreadWorker):
    """gunicorn's gthread worker, closing a keep-alive connection after REQUESTS_PER_CONNECTION requests
    and sending a response's headers together with its first body bytes (``HeadersWithBody``)."""

    def handle_request(self, req, conn) -> bool:
        conn.barometer_requests = getattr(conn, "barometer_requests", 0) + 1
        if conn.barometer_requests >= REQUESTS_PER_CONNECTION:
            req.must_close = True  # the response says Connection: close, then the worker closes it
        client = conn.sock
        conn.sock = HeadersWithBody(client)
        try:
            return super().handle_request(req, conn)
        finally:
            conn.sock.flush()  # the headers of a response without a body
            conn.sock = client


class HeadersWithBody:
    """A client socket whose first write (gunicorn's response headers) waits for the next one, so that both
    leave in one send.

    gunicorn writes the headers and the body with separate calls, and under load another thread can run
    between them: a worker killed there leaves the proxy with headers it has already passed on and a body
    that never comes, a failed request that no retry can save. Sent together, a worker that dies
    mid-response has sent nothing, and the proxy asks another replica. Any other use of the socket sends
    the held headers first.
    """

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._held: bytes | None = None
        self._first = True

    def sendall(self, data: bytes) -> None:
        if self._first:
            self._first, self._held = False, bytes(data)
            return
        held, self._held = self._held, None
        if not held:
            self._sock.sendall(data)
            return
        sent = self._sock.sendmsg([held, data])  # one system call, nothing copied
        if sent < len(held):
            self._sock.sendall(held[sent:])
            self._sock.sendall(data)
        elif sent < len(held) + len(data):
            self._sock.sendall(memoryview(data)[sent - len(held) :])

    def flush(self) -> None:
        held, self._held = self._held, None
        if held:
            self._sock.sendall(held)

    def __getattr__(self, name: str) -> object:
        self.flush()
        return getattr(self._sock, name)


def gunicorn_options(app: Flask, bind: str, workers: int) -> dict:
    """Threads per worker: the slow pool's slots and queue, the report downloads that may wait, plus
    TILE_THREADS that only tiles and the other quick routes can use."""
    from tileserver.routes.report import WAITING_DOWNLOADS

    slow = app.extensions["barometer.slow"]
    return {
        "bind": bind,
        "workers": workers,
        "threads": slow.slots + slow.queue + WAITING_DOWNLOADS + TILE_THREADS,
        "worker_class": Worker,
        "preload_app": True,
        "accesslog": "-",
        "logger_class": "tileserver.accesslog.JsonAccessLogger",
        "child_exit": _child_exit,
        "timeout": 60,
        "control_socket_disable": True,  # no runtime control of workers through a socket
        "post_worker_init": _load_in_worker,
    }


def serve_gunicorn(app: Flask, bind: str, workers: int) -> None:
    """Serve ``app`` with gunicorn: the code is imported once, before the workers fork; each worker maps
    the version of the data folder (its stored tables and tile geometry, shared by all of them) before it
    accepts a request, and a new version in the background while it serves the old one."""
    before_fork(app)
    _Gunicorn(app, gunicorn_options(app, bind, workers)).run()


def before_fork(app: Flask) -> None:
    """The master keeps no version of a data folder (the demo, made in memory, it keeps for the workers
    to share); new versions are loaded in the background."""
    services = app.extensions["barometer"]
    services.unload()
    services.source.background = True


def _load_in_worker(worker) -> None:
    """Before the worker accepts a request: its dataset mapped and every level ready."""
    worker.wsgi.extensions["barometer"].tileset().warm()


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
        app.extensions["barometer"].tileset().warm()  # a version that cannot be served fails here, at start
        before_fork(app)
        globals()["app"] = app
        return app
    raise AttributeError(name)
