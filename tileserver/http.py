"""Cached, versioned responses: gzip when accepted, strong ETags, 304s, Cache-Control and CORS; headers
every response carries.

URLs that name the dataset version (``?v=<version>``, as TileJSON and styles write their tile URLs) are cached
for a year as immutable: what they answer never changes. A URL naming another version is redirected to the
current one, never answered as immutable. URLs without a version revalidate after a minute (ETag, 304).
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from urllib.parse import urlencode

import orjson
from flask import Flask, Response, abort, g, redirect, request
from werkzeug.utils import get_content_type

from data.cache import SingleFlight, compress

IMMUTABLE = "public, max-age=31536000, immutable"
"""An answer to a URL that names the version it came from."""

SHORT = "public, max-age=60"
"""An answer from whatever version is current: kept a minute, then revalidated with its ETag."""

VERSION = "v"
"""The query parameter naming a dataset version."""


def versioned(version: str) -> str:
    """Cache-Control for an answer from dataset ``version``: immutable when the URL asks for that version,
    short otherwise; a URL asking for another version is redirected to this one (aborts the request)."""
    asked = request.args.get(VERSION)
    if asked is None:
        return SHORT
    if asked == version:
        return IMMUTABLE
    query = request.args.copy()
    query[VERSION] = version
    # relative to the path's last segment, so a prefix added by a proxy stays in front of it
    target = request.path.rsplit("/", 1)[-1] + "?" + urlencode(list(query.items(multi=True)))
    moved = redirect(target, 302)
    moved.autocorrect_location_header = False
    moved.headers["Cache-Control"] = "no-cache"
    moved.headers["Access-Control-Allow-Origin"] = "*"
    abort(moved)


def with_version(url: str, version: str) -> str:
    """``url`` naming ``version`` in its query."""
    return f"{url}{'&' if '?' in url else '?'}{VERSION}={version}"


def cached_bytes(cache: SingleFlight, key: str, produce: Callable[[], bytes]) -> bytes:
    """Gzipped bytes for ``key``, produced once and cached."""
    return cache.get_or_create(key, lambda: compress(produce()))


def respond(gzipped: bytes, mimetype: str, *, cache_control: str = SHORT) -> Response:
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
    cache: SingleFlight, key: str, produce: Callable[[], object], cache_control: str = SHORT
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
