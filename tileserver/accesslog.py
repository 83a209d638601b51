"""gunicorn's access log as one JSON object per line, for log collectors (Loki, Elasticsearch, journald)."""

from __future__ import annotations

import time

import orjson
from gunicorn.glogging import Logger


class JsonAccessLogger(Logger):
    """Each request: time, client, method, path, query, status, bytes, duration, referrer, user agent."""

    def access(self, resp, req, environ, request_time) -> None:
        if not self.access_log_enabled:
            return
        record = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "remote": environ.get("HTTP_X_FORWARDED_FOR") or environ.get("REMOTE_ADDR"),
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "query": environ.get("QUERY_STRING") or None,
            "status": resp.status_code,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 2),
            "referrer": environ.get("HTTP_REFERER"),
            "agent": environ.get("HTTP_USER_AGENT"),
        }
        try:
            self.access_log.info(orjson.dumps(record).decode())
        except Exception:  # a log line must never fail a request
            self.exception("could not write the access log")
