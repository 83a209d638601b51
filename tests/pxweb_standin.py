"""A local stand-in for SCB's PxWebApi 2.0 (``/api/v2``): a small WSGI app on a free loopback port.

It answers ``/config``, ``/tables`` (paged), ``/tables/<id>``, ``/tables/<id>/metadata`` and
``POST /tables/<id>/data`` (JSON-stat 2.0) from the fixture tables below, in the shapes of the
specification's schemas, and keeps the limits it states: more than ``max_calls`` calls in ``window`` seconds
get 429 with ``Retry-After``, more than ``max_cells`` cells 403, unknown codes 400 (RFC 7807 problems, as the
specification's error responses). It records every call, and can answer the first data calls with chosen
failures (429, 503) or delays.

Cell values come from :func:`cell`, keyed by category codes: the tests compute what they expect from it, never
from the flat JSON-stat order the client has to get right.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

DESO_2025 = [f"1480C{1010 + 10 * i}_DeSO2025" for i in range(12)] + [
    f"1402C{1010 + 10 * i}_DeSO2025" for i in range(3)
]
DESO_2018 = [f"1480C{1010 + 10 * i}" for i in range(10)] + [f"1402C{1010 + 10 * i}" for i in range(3)]
REGSO = [f"1480R{i:03d}_RegSO2025" for i in range(1, 5)] + [f"1480R{i:03d}" for i in range(1, 5)]
OTHER = ["00", "14", "1402", "1480"]
SUPPRESSED = ("TAB6571", "1480C1030_DeSO2025", "2024", "1")
"""(table, region, year, UtlBakgrund) of the one cell the fixture marks ``..`` (too uncertain to publish)."""
UPDATED = {
    "TAB6571": "2025-02-21T07:00:00Z",
    "TAB6685": "2025-05-20T07:00:00Z",
    "TAB5880": "2022-11-30T07:00:00Z",
}


@dataclass(frozen=True)
class Table:
    id: str
    label: str
    dims: tuple[tuple[str, str, tuple[str, ...]], ...]
    """(variable code, label, value codes) in the table's order."""


TABLES = {
    t.id: t
    for t in (
        Table(
            "TAB6571",
            "Folkmängden per region efter utländsk/svensk bakgrund och kön. År 2022-2024",
            (
                ("Region", "region", tuple(OTHER + DESO_2018 + DESO_2025 + REGSO)),
                ("UtlBakgrund", "utländsk/svensk bakgrund", ("1", "2", "SA")),
                ("Kon", "kön", ("1", "2", "1+2")),
                ("ContentsCode", "tabellinnehåll", ("000007Y4",)),
                ("Tid", "år", ("2022", "2023", "2024")),
            ),
        ),
        Table(
            "TAB6685",
            "Låg respektive hög ekonomisk standard efter region och ålder. År 2023-2024",
            (
                ("Region", "region", tuple(OTHER + DESO_2025 + REGSO)),
                ("Alder", "ålder", ("tot", "0-19", "20-64")),
                ("ContentsCode", "tabellinnehåll", ("000008AC", "000008AD")),
                ("Tid", "år", ("2023", "2024")),
            ),
        ),
        Table(
            "TAB5880",
            "Befolkningen 16-64 år efter region, sysselsättning och kön. År 2020-2021",
            (
                ("Region", "region", tuple(OTHER + DESO_2018)),
                ("Sysselsattning", "sysselsättning", ("FÖRV", "EJFÖRV", "total")),
                ("Kon", "kön", ("1", "2", "1+2")),
                ("ContentsCode", "tabellinnehåll", ("00000569",)),
                ("Tid", "år", ("2020", "2021")),
            ),
        ),
    )
}


def _base(*parts: str) -> int:
    return 20 + int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:6], 16) % 900


def cell(table: str, assign: dict[str, str]) -> float | str | None:
    """The fixture's value of one cell by its codes: a number, a status marker, or None (no value)."""
    region, year = assign["Region"], assign["Tid"]
    if (region.endswith("_DeSO2025") or region.endswith("_RegSO2025")) and int(year) < 2024:
        return "."  # the 2025 boundaries have no figures before 2024: cannot occur
    if table == "TAB6571":
        if (table, region, year, assign["UtlBakgrund"]) == SUPPRESSED:
            return ".."
        backgrounds = ("1", "2") if assign["UtlBakgrund"] == "SA" else (assign["UtlBakgrund"],)
        sexes = ("1", "2") if assign["Kon"] == "1+2" else (assign["Kon"],)
        return float(sum(_base(region, year, b, s) for b in backgrounds for s in sexes))
    if table == "TAB6685":
        return round(_base(region, year, assign["Alder"], assign["ContentsCode"]) / 31.0, 1)
    if table == "TAB5880":
        jobs = ("FÖRV", "EJFÖRV") if assign["Sysselsattning"] == "total" else (assign["Sysselsattning"],)
        sexes = ("1", "2") if assign["Kon"] == "1+2" else (assign["Kon"],)
        return float(sum(_base(region, year, j, s) for j in jobs for s in sexes))
    raise KeyError(table)


@dataclass
class Call:
    at: float
    method: str
    path: str
    status: int
    cells: int = 0
    query: str = ""


@dataclass
class StandIn:
    """The WSGI app. ``fail_data``: statuses to answer to the first data calls, in order."""

    max_cells: int = 40
    max_calls: int = 4
    window: int = 1
    fail_data: list[int] = field(default_factory=lambda: [429, 503])
    slow_data: list[float] = field(default_factory=list)
    """Seconds to wait before answering the first data calls (after any ``fail_data``), in order."""
    broken_answer: bool = False
    """Answer data calls with a document that lacks ``size`` (a schema violation)."""
    calls: list[Call] = field(default_factory=list)
    over_limit: int = 0
    """Calls refused because the client exceeded the stated call limit (a well-behaved client causes none)."""

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    # -- what the tests read ---------------------------------------------------------------------------------
    def max_calls_seen_in_window(self) -> int:
        times = sorted(c.at for c in self.calls)
        most, start = 0, 0
        for end, t in enumerate(times):
            while t - times[start] >= self.window:
                start += 1
            most = max(most, end - start + 1)
        return most

    def data_calls(self, status: int | None = None) -> list[Call]:
        return [c for c in self.calls if c.path.endswith("/data") and (status is None or c.status == status)]

    # -- WSGI ------------------------------------------------------------------------------------------------
    def __call__(self, environ: dict, start_response: Callable) -> list[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        query = parse_qs(environ.get("QUERY_STRING", ""))
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        with self._lock:
            now = time.monotonic()
            recent = sum(1 for c in self.calls if now - c.at < self.window)
            call = Call(now, method, path, 200, query=environ.get("QUERY_STRING", ""))
            self.calls.append(call)
            if recent >= self.max_calls:
                self.over_limit += 1
                return self._problem(start_response, call, 429, "Too many requests", "call limit", retry=True)
            if method == "POST" and path.endswith("/data") and self.fail_data:
                status = self.fail_data.pop(0)
                return self._problem(
                    start_response, call, status, "Injected", "a failure", retry=status == 429
                )
            delay = self.slow_data.pop(0) if method == "POST" and self.slow_data else 0.0
        time.sleep(delay)
        try:
            status, document = self._route(method, path, query, body, call)
        except LookupError as error:
            return self._problem(start_response, call, 404, "Not Found", str(error))
        except ValueError as error:
            return self._problem(start_response, call, 400, "Bad Request", str(error))
        if status != 200:
            return self._problem(start_response, call, status, "Forbidden", document)
        payload = json.dumps(document, ensure_ascii=False).encode()
        start_response("200 OK", [("Content-Type", "application/json; charset=utf-8")])
        return [payload]

    def _problem(self, start_response, call: Call, status: int, title: str, detail: str, retry=False):
        call.status = status
        reasons = {400: "Bad Request", 403: "Forbidden", 404: "Not Found", 429: "Too Many Requests"}
        headers = [("Content-Type", "application/problem+json")]
        if retry:
            headers.append(("Retry-After", str(self.window)))
        start_response(f"{status} {reasons.get(status, 'Service Unavailable')}", headers)
        return [json.dumps({"title": title, "status": status, "detail": detail}).encode()]

    def _route(self, method: str, path: str, query: dict, body: bytes, call: Call) -> tuple[int, object]:
        parts = path.strip("/").split("/")
        if parts[:2] != ["api", "v2"]:
            raise LookupError(path)
        parts = parts[2:]
        if parts == ["config"]:
            return 200, self._config()
        if parts == ["tables"]:
            return 200, self._tables(query)
        if len(parts) == 2 and parts[0] == "tables" and parts[1] in TABLES:
            return 200, {**_table_item(TABLES[parts[1]]), "language": "sv"}
        if len(parts) == 3 and parts[0] == "tables" and parts[1] in TABLES:
            table = TABLES[parts[1]]
            if parts[2] == "metadata" and method == "GET":
                return 200, _dataset(
                    table, {code: list(codes) for code, _, codes in table.dims}, values=False
                )
            if parts[2] == "data" and method == "POST":
                return self._data(table, json.loads(body or b"{}"), call)
        raise LookupError(path)

    def _config(self) -> dict:
        return {
            "apiVersion": "2.0.0",
            "appVersion": "stand-in",
            "languages": [{"id": "sv", "label": "Svenska"}, {"id": "en", "label": "English"}],
            "defaultLanguage": "sv",
            "maxDataCells": self.max_cells,
            "maxCallsPerTimeWindow": self.max_calls,
            "timeWindow": self.window,
            "license": "CC0",
            "sourceReferences": [{"language": "sv", "text": "Källa: SCB"}],
            "defaultDataFormat": "json-stat2",
            "dataFormats": ["json-stat2", "csv", "px"],
        }

    def _tables(self, query: dict) -> dict:
        size = int(query.get("pageSize", ["100"])[0])
        number = int(query.get("pageNumber", ["1"])[0])
        ids = sorted(TABLES)
        pages = max(1, -(-len(ids) // size))
        chosen = ids[(number - 1) * size : number * size]
        return {
            "language": "sv",
            "tables": [_table_item(TABLES[i]) for i in chosen],
            "page": {"pageNumber": number, "pageSize": size, "totalElements": len(ids), "totalPages": pages},
        }

    def _data(self, table: Table, selection: dict, call: Call) -> tuple[int, object]:
        chosen: dict[str, list[str]] = {}
        for item in selection.get("selection", []):
            code = item["variableCode"]
            known = next((codes for c, _, codes in table.dims if c == code), None)
            if known is None:
                raise ValueError(f"{code} is not a variable of {table.id}")
            unknown = sorted(set(item["valueCodes"]) - set(known))
            if unknown:
                raise ValueError(f"{unknown} are not valid value codes for variable {code}")
            chosen[code] = [c for c in known if c in set(item["valueCodes"])]
        missing = [c for c, _, _ in table.dims if c not in chosen]
        if missing:
            raise ValueError(f"no selection for the mandatory variables {missing}")
        cells = 1
        for codes in chosen.values():
            cells *= len(codes)
        call.cells = cells
        if cells > self.max_cells:
            return 403, f"The query resulted in {cells} cells, more than the {self.max_cells} allowed."
        document = _dataset(table, chosen, values=True)
        if self.broken_answer:
            del document["size"]
        return 200, document


def _table_item(table: Table) -> dict:
    return {
        "type": "Table",
        "id": table.id,
        "label": table.label,
        "updated": UPDATED[table.id],
        "firstPeriod": table.dims[-1][2][0],
        "lastPeriod": table.dims[-1][2][-1],
        "variableNames": [label for _, label, _ in table.dims],
        "links": [{"rel": "self", "hreflang": "sv", "href": f"/api/v2/tables/{table.id}"}],
    }


def _dataset(table: Table, chosen: dict[str, list[str]], *, values: bool) -> dict:
    """A JSON-stat 2.0 dataset of the chosen categories, in the table's order of variables."""
    ids = [code for code, _, _ in table.dims]
    dimension = {
        code: {
            "label": label,
            "category": {
                "index": {c: i for i, c in enumerate(chosen[code])},
                "label": {c: c.split("_")[0] for c in chosen[code]},
            },
            "extension": {"elimination": code not in ("Region", "ContentsCode", "Tid")},
        }
        for code, label, _ in table.dims
    }
    document = {
        "version": "2.0",
        "class": "dataset",
        "label": table.label,
        "source": "SCB",
        "updated": UPDATED[table.id],
        "role": {"time": ["Tid"], "geo": ["Region"], "metric": ["ContentsCode"]},
        "id": ids,
        "size": [len(chosen[c]) for c in ids],
        "dimension": dimension,
        "extension": {"px": {"tableid": table.id, "decimals": 0, "language": "sv"}},
        "value": [],
    }
    if values:
        flat: list[float | None] = []
        status: dict[str, str] = {}
        for assign in _combinations(ids, chosen):
            value = cell(table.id, assign)
            if isinstance(value, str):
                status[str(len(flat))] = value
                flat.append(None)
            else:
                flat.append(value)
        document["value"] = flat
        if status:
            document["status"] = status
    return document


def _combinations(ids: list[str], chosen: dict[str, list[str]]) -> Iterator[dict[str, str]]:
    """Every combination of categories in JSON-stat order (the last variable changes fastest)."""
    combos: list[dict[str, str]] = [{}]
    for code in ids:
        combos = [{**combo, code: value} for combo in combos for value in chosen[code]]
    yield from combos


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


@contextmanager
def serve(app: StandIn) -> Iterator[str]:
    """Serve ``app`` on a free loopback port; yields the base URL (``http://127.0.0.1:<port>/api/v2``)."""
    server = make_server("127.0.0.1", 0, app, server_class=_ThreadingServer, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/api/v2"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
