"""Cached, versioned responses: gzip when accepted, strong ETags, 304s, Cache-Control and CORS; headers
every response carries."""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable

import orjson
from flask import Flask, Response, g, request
from werkzeug.utils import get_content_type

from tileserver.cache import SingleFlight

LONG = "public, max-age=86400, stale-while-revalidate=604800"
"""Versioned content (every URL answers from the current dataset, so a day, not forever)."""

SHORT = "public, max-age=60"


def compress(body: bytes) -> bytes:
    return gzip.compress(body, compresslevel=6, mtime=0)


def cached_bytes(cache: SingleFlight, key: str, produce: Callable[[], bytes]) -> bytes:
    """Gzipped bytes for ``key``, produced once and cached."""
    return cache.get_or_create(key, lambda: compress(produce()))


def respond(gzipped: bytes, mimetype: str, *, cache_control: str = LONG) -> Response:
    """A response from stored gzip bytes, honouring Accept-Encoding and If-None-Match."""
    digest = hashlib.blake2b(gzipped, digest_size=12).hexdigest()
    accepts_gzip = request.accept_encodings["gzip"] > 0  # q-values count: gzip;q=0 refuses it
    etag = f"{digest}-gz" if accepts_gzip else digest
    headers = {
        "Cache-Control": cache_control,
        "Vary": "Accept-Encoding",
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": "ETag",
    }
    if request.if_none_match.contains(etag):
        response = Response(status=304, headers=headers)
        response.set_etag(etag)
        return response
    body = gzipped if accepts_gzip else gzip.decompress(gzipped)
    response = Response(body, headers=headers)
    response.content_type = mimetype if "charset=" in mimetype else get_content_type(mimetype, "utf-8")
    if accepts_gzip and body:
        response.headers["Content-Encoding"] = "gzip"
    response.set_etag(etag)
    return response


def json_bytes(data: object) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY | orjson.OPT_NON_STR_KEYS)


def respond_json(
    cache: SingleFlight, key: str, produce: Callable[[], object], cache_control: str = LONG
) -> Response:
    """A cached JSON document."""
    return respond(
        cached_bytes(cache, key, lambda: json_bytes(produce())),
        "application/json",
        cache_control=cache_control,
    )


def vary_on_host() -> None:
    """Mark the response as depending on the Host header (it embeds the request's own URL)."""
    g.vary_host = True


def register_headers(app: Flask) -> None:
    @app.after_request
    def common_headers(response: Response) -> Response:
        response.headers["X-Content-Type-Options"] = "nosniff"
        if g.get("vary_host"):
            response.vary.add("Host")
        return response
