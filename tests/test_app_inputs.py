"""Hostile and odd requests: every input is checked before it keys a cache, memos keep to their byte budget,
and every response carries the headers that keep browsers and caches honest."""

from __future__ import annotations

import gzip
import resource

import pytest

from indicators.memo import MEMO, SizedLRU, size_of
from tileserver import create_app


def _error(response, status: int, parameter: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["parameter"] == parameter, body
    return body


@pytest.fixture
def demo():
    return create_app({"TESTING": True}).test_client()


def test_unknown_breakdown_is_refused_naming_what_exists(client):
    body = _error(client.get("/api/values/deso/2021?breakdown=bogus"), 400, "breakdown")
    assert "bogus" in body["detail"] and "total" in body["detail"]
    _error(client.get("/tiles/deso/2021/8/140/72.mvt?breakdown=sex%3Dbogus"), 400, "breakdown")
    _error(client.get("/api/legend/deso/income/2021?breakdown=x"), 400, "breakdown")
    _error(client.get("/api/series/deso/income?breakdown=x"), 400, "breakdown")
    assert client.get("/api/values/deso/2021?breakdown=total").status_code == 200


def test_unknown_group_is_refused_naming_the_groups(demo):
    body = _error(demo.get("/api/measures/indices/0201/2023?group=bogus"), 400, "group")
    assert "background=foreign" in body["detail"]
    assert demo.get("/api/measures/indices/0201/2023?group=background=foreign").status_code == 200


def test_unknown_municipalities_and_codes_are_refused(client):
    body = _error(client.get("/api/values/deso/2021?kommun=9999"), 404, "kommun")
    assert "0201" in body["detail"]
    _error(client.get("/api/areas/deso?kommun=9999"), 404, "kommun")
    _error(client.get("/api/legend/deso/income/2021?kommun=0201,9999"), 404, "kommun")
    _error(client.get("/api/series/deso/income?codes=0201C1000,nope"), 404, "codes")
    assert client.get("/api/series/deso/income?codes=0201C1000").status_code == 200


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/tiles/deso/%EF%BC%99/140/72.mvt", "z"),  # full-width 9
        ("/tiles/deso/8/%D9%A1%D9%A4%D9%A0/72.mvt", "x"),  # Arabic-Indic 140
        ("/tiles/deso/%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%91/8/140/72.mvt", "year"),
        ("/tiles/deso/8/1_40/72.mvt", "x"),
        ("/api/legend/deso/income/2021?classes=%EF%BC%93", "classes"),
        ("/api/legend/deso/income/2021?breaks=1,nan", "breaks"),
        ("/api/legend/deso/income/2021?breaks=1,1e999", "breaks"),
        ("/api/legend/deso/income/2021?breaks=%EF%BC%91,2", "breaks"),
        ("/maps/deso/income/2021.png?bbox=%EF%BC%91%EF%BC%98,59,18.1,59.1", "bbox"),
    ],
)
def test_numbers_are_ascii_digits_only(client, url, parameter):
    _error(client.get(url), 400, parameter)


@pytest.mark.parametrize(
    "path",
    [
        "/maps/kommun/employment_rate/2023.png",
        "/maps/kommun/employment_rate/2023.svg",
        "/maps/lan/employment_rate/2023.png",
    ],
)
def test_a_map_scoped_to_a_municipality_without_areas_of_its_level_is_refused(demo, path):
    body = _error(demo.get(f"{path}?kommun=0201"), 400, "kommun")
    assert "deso" in body["detail"]  # names the levels kommun= scopes


def test_a_style_scoped_to_no_areas_is_refused_not_given_null_bounds(demo):
    _error(demo.get("/styles/kommun/employment_rate/2023.json?kommun=0201"), 400, "kommun")
    _error(demo.get("/styles/lan/employment_rate/2023.json?kommun=0201"), 400, "kommun")
    style = demo.get("/styles/deso/employment_rate/2023.json?kommun=0201").get_json()
    west, south, east, north = style["sources"]["barometer"]["bounds"]
    assert 10 < west < east < 25 and 55 < south < north < 70


def test_size_of_counts_what_a_value_holds():
    import numpy as np
    import pandas as pd

    assert size_of(b"x" * 1000) == 1000
    assert size_of(np.zeros(1000)) == 8000
    frame = pd.DataFrame({"a": np.zeros(1000)})
    assert size_of(frame) == frame.memory_usage(deep=True).sum()
    mapping = {f"0201C{i:04d}": float(i) for i in range(1000)}
    assert size_of(mapping) > 1000 * (49 + 24)  # every key and value, not just the dict's table


def test_sized_lru_evicts_least_recently_used_by_bytes():
    lru = SizedLRU(300, size=len, overhead=0)
    lru.set("a", b"x" * 100)
    lru.set("b", b"x" * 100)
    lru.set("c", b"x" * 100)
    assert lru.get("a") is not None  # a is now the most recent
    lru.set("d", b"x" * 100)
    assert lru.get("b") is None and lru.bytes == 300 and len(lru) == 3
    lru.set("huge", b"x" * 301)
    assert lru.get("huge") is None and lru.bytes == 300
    assert lru.get_or_create("e", lambda: b"y" * 50) == b"y" * 50 and lru.bytes == 250


def _rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def test_ten_thousand_distinct_legends_keep_the_memo_under_its_budget(data_dir):
    """Each distinct ``breaks=`` computes and would keep its classes; the memo keeps 1 MB of them (the
    response cache its own budget), so the process does not grow with the number of URLs."""
    app = create_app({"DATA": str(data_dir), "MEMO_MB": 1, "CACHE_MB": 1})
    client = app.test_client()
    assert client.get("/api/legend/deso/income/2021").status_code == 200
    rss_before = _rss_bytes()
    peak = 0
    for i in range(10_000):
        response = client.get(f"/api/legend/deso/income/2021?breaks=205000,{210000 + i},225000")
        assert response.status_code == 200
        peak = max(peak, MEMO.bytes)
    assert peak <= 2**20
    assert len(MEMO) > 50  # it still memoises
    grown = _rss_bytes() - rss_before
    assert grown < 100 * 2**20, f"RSS grew {grown / 2**20:.0f} MiB over 10,000 legends"


def test_every_response_says_nosniff(client):
    for url in (
        "/api/catalog",
        "/tiles/deso/8/140/72.mvt",
        "/tiles/deso.json",
        "/styles/deso/income/2021.json",
        "/api/values/deso/1999",  # an error
        "/api/export/0201.csv",
        "/",
        "/static/maplibre-gl.LICENSE.txt",
    ):
        response = client.get(url)
        assert response.headers.get("X-Content-Type-Options") == "nosniff", url


def test_gzip_only_when_the_client_accepts_it(client):
    url = "/tiles/deso.json"
    assert client.get(url, headers={"Accept-Encoding": "gzip"}).headers.get("Content-Encoding") == "gzip"
    for refusal in ("gzip;q=0", "identity", "br", "*;q=0", ""):
        response = client.get(url, headers={"Accept-Encoding": refusal})
        assert "Content-Encoding" not in response.headers, refusal
        assert response.get_json()["tilejson"] == "3.0.0"
    zipped = client.get(url, headers={"Accept-Encoding": "br;q=1, gzip;q=0.5"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()).startswith(b"{")
    assert "Accept-Encoding" in zipped.headers["Vary"]


def test_responses_that_embed_the_host_vary_on_it(data_dir, client):
    for url in ("/tiles/deso.json", "/tiles/deso/2021.json", "/styles/deso/income/2021.json"):
        response = client.get(url, headers={"Host": "karta.example.se"})
        assert "karta.example.se" in response.get_data(as_text=True)
        assert {"Accept-Encoding", "Host"} <= set(response.vary), url
    assert "Host" not in client.get("/tiles/deso/8/140/72.mvt").vary
    public = create_app({"DATA": str(data_dir), "PUBLIC_URL": "https://karta.example.se"}).test_client()
    assert "Host" not in public.get("/tiles/deso.json").vary


def test_exactly_one_charset(client):
    assert client.get("/api/export/0201.csv").headers["Content-Type"] == "text/csv; charset=utf-8"
    assert client.get("/styles/deso/income/2021.sld").headers["Content-Type"].count("charset") == 1
    assert client.get("/api/catalog").headers["Content-Type"] == "application/json"
