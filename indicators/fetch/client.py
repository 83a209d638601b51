"""A PxWebApi 2.0 client that keeps the server's limits and every raw answer.

The server states its limits at ``/config``: at most ``maxDataCells`` cells per data call and
``maxCallsPerTimeWindow`` calls per ``timeWindow`` seconds. The client reads them first, waits before a call
that would exceed them (counting its own calls in a sliding window, retries included), retries 429 and 5xx
answers and network errors with exponential backoff (or as long as ``Retry-After`` says), gives every call a
timeout, and checks every answer against the specification's schema (:mod:`indicators.fetch.schema`).

Every answer is kept under a cache folder (``<data>/sources/scb`` by default)::

    config.json                      the server's /config
    <table>/metadata.json            GET /tables/<table>/metadata
    <table>/<key>.json               a data answer (JSON-stat 2.0), exactly as received
    <table>/<key>.query.json         its query, table id, URL, the table's ``updated`` time and when it came

``<key>`` is a hash of the table, language and query, so an answer on disk is never fetched again (a fetch
that stopped half way resumes where it stopped) and ``offline=True`` builds from the folder alone.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from indicators.fetch.schema import check
from indicators.model import BarometerError

SCB_API = "https://statistikdatabasen.scb.se/api/v2"
"""SCB's PxWebApi 2.0 (from public clients; see README's "Real statistics")."""
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
USER_AGENT = "barometer (PxWebApi 2.0 client)"
MAX_ANSWER_BYTES = 512 * 2**20
"""The largest answer read (150,000 JSON-stat cells take a few MB): a larger one is an error, not memory."""


class FetchError(BarometerError):
    """A call that failed for good, or an answer the cache does not hold in offline mode."""


@dataclass(frozen=True)
class Limits:
    """What the server allows: cells per data call, calls per window of ``window`` seconds."""

    max_cells: int
    max_calls: int
    window: float


class CallWindow:
    """At most ``max_calls`` calls in any ``window`` seconds: remembers the last ``max_calls`` call times."""

    def __init__(
        self,
        max_calls: int,
        window: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        margin: float = 0.05,
    ) -> None:
        self.max_calls, self.window, self.margin = max(1, max_calls), float(window), margin
        self._times: deque[float] = deque(maxlen=self.max_calls)
        self._clock, self._sleep = clock, sleep
        self.waited = 0.0

    def acquire(self) -> None:
        """Wait until one more call keeps the limit, then count it."""
        if len(self._times) == self.max_calls:
            pause = self._times[0] + self.window + self.margin - self._clock()
            if pause > 0:
                self._sleep(pause)
                self.waited += pause
        self._times.append(self._clock())

    def resize(self, max_calls: int, window: float) -> None:
        """New limits; the calls already made still count."""
        self.max_calls, self.window = max(1, max_calls), float(window)
        self._times = deque(self._times, maxlen=self.max_calls)

    def defer(self, seconds: float) -> None:
        """Sleep as the server asked (``Retry-After``)."""
        if seconds > 0:
            self._sleep(seconds)
            self.waited += seconds


class RawCache:
    """Raw answers on disk, written atomically (a stopped fetch leaves no half-written answer)."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, table: str | None, name: str) -> Path:
        return self.root / name if table is None else self.root / _safe(table) / name

    def read(self, path: Path) -> Any | None:
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except ValueError as exc:
            raise FetchError(
                f"cached answer {path} is not JSON ({exc}); delete it to fetch it again"
            ) from exc

    def write(self, path: Path, body: bytes | str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        data = body.encode("utf-8") if isinstance(body, str) else body
        handle, tmp = tempfile.mkstemp(prefix=".part-", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _safe(table: str) -> str:
    if not table or not all(ch.isalnum() or ch in "_-" for ch in table):
        raise FetchError(f"table id {table!r} may hold only letters, digits, '_' and '-'")
    return table


def query_key(table: str, selection: Mapping, lang: str) -> str:
    """The cache key of one data query: a hash of its table, language and canonical JSON body."""
    canonical = json.dumps(
        {"table": table, "lang": lang, "query": selection}, sort_keys=True, ensure_ascii=False
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:20]


class PxWebClient:
    """Calls one PxWebApi 2.0 service (``base_url`` ends in ``/api/v2``), or only its cached answers."""

    def __init__(
        self,
        base_url: str,
        cache: RawCache,
        *,
        offline: bool = False,
        refresh: bool = False,
        timeout: float = 60.0,
        retries: int = 5,
        backoff: float = 1.0,
        lang: str = "sv",
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.cache, self.offline, self.refresh = cache, offline, refresh
        self.timeout, self.retries, self.backoff, self.lang = timeout, retries, backoff, lang
        self._sleep = sleep
        self.window = CallWindow(1, 1.0, sleep=sleep)
        """One call a second until the server's ``/config`` says more."""
        self.calls = 0
        """HTTP calls made (retries included)."""
        self.cached = 0
        """Answers read from the cache instead."""

    # -- the API ---------------------------------------------------------------------------------------------
    def limits(self) -> Limits:
        """The server's limits from ``/config`` (the cached config offline); the call window follows them."""
        path = self.cache.path(None, "config.json")
        config = self.cache.read(path) if self.offline else None
        if config is None:
            self._need_online(path)
            config = self._call("GET", "/config", None)
            check("ConfigResponse", config, f"{self.base_url}/config")
            self.cache.write(path, json.dumps(config, ensure_ascii=False, indent=1))
        calls, window = int(config["maxCallsPerTimeWindow"]), float(config["timeWindow"])
        limits = Limits(int(config["maxDataCells"]), calls, window)
        self.window.resize(calls, window)  # the /config call counts too
        return limits

    def tables(self, query: str, page_size: int = 100) -> list[dict]:
        """Every table whose metadata matches ``query``, over all pages of ``/tables``."""
        found: list[dict] = []
        page = 1
        while True:
            params = {"query": query, "lang": self.lang, "pageNumber": page, "pageSize": page_size}
            answer = self._call("GET", "/tables?" + urllib.parse.urlencode(params), None)
            check("TablesResponse", answer, f"{self.base_url}/tables page {page}")
            found.extend(answer["tables"])
            if page >= int(answer["page"]["totalPages"]) or not answer["tables"]:
                return found
            page += 1

    def table(self, table: str) -> dict:
        """A table's description from ``/tables/<id>``: label, ``updated``, periods (never cached)."""
        url = f"/tables/{urllib.parse.quote(_safe(table))}?" + urllib.parse.urlencode({"lang": self.lang})
        answer = self._call("GET", url, None)
        check("TableResponse", answer, f"table {table}")
        return answer

    def metadata(self, table: str) -> dict:
        """A table's metadata (JSON-stat 2.0 without values), from the cache unless ``refresh``."""
        path = self.cache.path(table, "metadata.json")
        doc = None if self.refresh and not self.offline else self.cache.read(path)
        if doc is not None:
            self.cached += 1
            return doc
        self._need_online(path)
        url = f"/tables/{urllib.parse.quote(table)}/metadata?" + urllib.parse.urlencode({"lang": self.lang})
        doc = self._call("GET", url, None)
        check("Dataset", doc, f"metadata of table {table}")
        self.cache.write(path, json.dumps(doc, ensure_ascii=False))
        return doc

    def data(self, table: str, selection: Mapping) -> tuple[dict, Path]:
        """One data answer (JSON-stat 2.0) for a ``VariablesSelection`` body, and where it is kept."""
        check("VariablesSelection", selection, f"query of table {table}")
        key = query_key(table, selection, self.lang)
        path = self.cache.path(table, f"{key}.json")
        doc = self.cache.read(path)
        if doc is not None:
            self.cached += 1
            return doc, path
        self._need_online(path)
        params = {"lang": self.lang, "outputFormat": "json-stat2"}
        url = f"/tables/{urllib.parse.quote(table)}/data?" + urllib.parse.urlencode(params)
        raw = self._call("POST", url, selection, raw=True)
        try:
            doc = json.loads(raw)
        except ValueError as exc:
            raise FetchError(f"table {table}: the answer is not JSON ({exc})") from exc
        check("Dataset", doc, f"answer of table {table} (query {key})")
        sidecar = {
            "table": table,
            "url": self.base_url + url,
            "method": "POST",
            "query": selection,
            "label": doc.get("label", ""),
            "updated": doc.get("updated", ""),
            "fetched": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self.cache.write(path.with_suffix(".query.json"), json.dumps(sidecar, ensure_ascii=False, indent=1))
        self.cache.write(path, raw)
        return doc, path

    # -- HTTP ------------------------------------------------------------------------------------------------
    def _need_online(self, path: Path) -> None:
        if self.offline:
            raise FetchError(f"offline, and {path} is not in the cache: fetch once without --offline")

    def _call(self, method: str, url: str, body: Mapping | None, *, raw: bool = False) -> Any:
        data = json.dumps(body).encode("utf-8") if body is not None else None
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        if data is not None:
            headers["Content-Type"] = "application/json"
        last = ""
        for attempt in range(self.retries + 1):
            self.window.acquire()
            self.calls += 1
            request = urllib.request.Request(self.base_url + url, data=data, headers=headers, method=method)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                    payload = answer.read(MAX_ANSWER_BYTES + 1)
                if len(payload) > MAX_ANSWER_BYTES:
                    raise FetchError(
                        f"{method} {self.base_url}{url}: the answer exceeds {MAX_ANSWER_BYTES} bytes"
                    )
                return payload if raw else json.loads(payload)
            except urllib.error.HTTPError as error:
                detail = _problem(error)
                if error.code not in RETRY_STATUSES:
                    raise FetchError(f"{method} {self.base_url}{url}: HTTP {error.code} {detail}") from error
                last = f"HTTP {error.code} {detail}"
                wait = _retry_after(error.headers.get("Retry-After"))
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                last, wait = f"{getattr(error, 'reason', error)}", None
            except ValueError as error:
                raise FetchError(
                    f"{method} {self.base_url}{url}: the answer is not JSON ({error})"
                ) from error
            if attempt < self.retries:
                self.window.defer(wait if wait is not None else min(60.0, self.backoff * 2**attempt))
        raise FetchError(f"{method} {self.base_url}{url} failed {self.retries + 1} times; last: {last}")


def _problem(error: urllib.error.HTTPError) -> str:
    """The ``title``/``detail`` of an RFC 7807 problem answer, or the start of the body."""
    try:
        body = error.read(4096)
        problem = json.loads(body)
        return (
            ": ".join(str(problem[k]) for k in ("title", "detail") if problem.get(k)) or body.decode()[:200]
        )
    except (ValueError, OSError, AttributeError):
        return str(error.reason)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (seconds or an HTTP date), capped at five minutes."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, min(seconds, 300.0))
