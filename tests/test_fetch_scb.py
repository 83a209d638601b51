"""`barometer fetch scb` against a local PxWebApi 2.0 stand-in (tests/pxweb_standin.py): values, limits kept,
retries, raw answers kept, offline rebuilds, boundary versions, the folder output, and the served result."""

from __future__ import annotations

import json
import math
import shutil
import tomllib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from data.cli import main
from data.store import current_version, read_version
from indicators.fetch.client import CallWindow, FetchError, PxWebClient, RawCache, _retry_after
from indicators.fetch.schema import SchemaError
from indicators.model import DERIVED_FLAG
from tests.pxweb_standin import DESO_2025, SUPPRESSED, TABLES, UPDATED, StandIn, cell, serve

KOMMUN = "1480"
CODES = [c.split("_")[0] for c in DESO_2025 if c.startswith(KOMMUN)]
FETCHED = "population,foreign_background_share,low_economic_standard"


def write_areas(path: Path, version: str = "2025_v1") -> Path:
    """DeSO squares of the stand-in's municipality 1480, as SCB's DeSO file names its columns."""
    boxes = [
        shapely.box(319_000 + i * 500, 6_399_000, 319_500 + i * 500, 6_399_500) for i in range(len(CODES))
    ]
    frame = gpd.GeoDataFrame(
        {"desokod": CODES, "kommunkod": KOMMUN, "lanskod": "14", "version": version}, geometry=boxes, crs=3006
    )
    frame.to_file(path, driver="GPKG")
    return path


@pytest.fixture
def data(tmp_path) -> Path:
    root = tmp_path / "data"
    assert main(["import", "areas", "--data", str(root), str(write_areas(tmp_path / "deso_2025.gpkg"))]) == 0
    return root


def fetch(data: Path, url: str, *extra: str) -> int:
    args = ["fetch", "scb", "--data", str(data), "--kommun", KOMMUN, "--level", "deso", "--base-url", url]
    return main([*args, "--indicators", FETCHED, *extra])


def expected(table: str, code: str, year: int, **assign: str) -> float | str:
    return cell(table, {"Region": f"{code}_DeSO2025", "Tid": str(year), **assign})


def test_fetch_imports_the_values_keeping_the_limits_and_the_raw_answers(data, capsys):
    standin = StandIn(max_cells=40, max_calls=4, window=1, fail_data=[429, 503])
    with serve(standin) as url:
        assert fetch(data, url) == 0
    dataset = read_version(data)
    values = dataset.values.set_index(["indicator", "code", "year", "breakdown"])

    # values: counts and shares computed from the stand-in's cells, found by their codes
    for code in CODES:
        foreign = expected("TAB6571", code, 2024, UtlBakgrund="1", Kon="1+2")
        total = expected("TAB6571", code, 2024, UtlBakgrund="SA", Kon="1+2")
        row = values.loc[("population", code, 2024, "total")]
        assert row["value"] == total and row["status"] == "ok"
        share = values.loc[("foreign_background_share", code, 2024, "total")]
        group = values.loc[("population", code, 2024, "background=foreign")]
        if (code + "_DeSO2025", "1") == (SUPPRESSED[1], SUPPRESSED[3]):
            assert share["status"] == "suppressed" and math.isnan(share["value"])
            assert group["status"] == "suppressed"
        else:
            assert share["value"] == pytest.approx(100 * foreign / total)
            assert (share["numerator"], share["denominator"]) == (foreign, total)
            assert (group["value"], group["numerator"], group["denominator"]) == (foreign, foreign, total)
        low = values.loc[("low_economic_standard", code, 2024, "total")]
        assert low["value"] == expected("TAB6685", code, 2024, Alder="tot", ContentsCode="000008AC")
        # the 2025 boundaries have no figures before 2024: years without any value are left out
        assert ("population", code, 2023, "total") not in values.index
    fetched = values[~values[DERIVED_FLAG]]  # not the kommun/län/riket values a build adds up from them
    assert set(fetched.loc["population"].index.get_level_values("code")) == set(CODES)  # 1402 not asked for
    persons = [values.loc[("population", code, 2024, "total"), "value"] for code in CODES]
    assert values.loc[("population", KOMMUN, 2024, "total"), "value"] == sum(persons)

    # every answer kept: the JSON-stat document as received, beside its query, table and updated time
    kept = sorted((data / "sources" / "scb" / "TAB6571").glob("*.query.json"))
    bodies = [json.loads(p.read_text()) for p in kept]
    assert len(bodies) >= 2, "the TAB6571 query is larger than maxDataCells: split"
    for sidecar, path in zip(bodies, kept, strict=True):
        assert sidecar["table"] == "TAB6571" and sidecar["updated"] == UPDATED["TAB6571"]
        answer = json.loads(path.with_name(path.name.replace(".query.json", ".json")).read_text())
        assert answer["class"] == "dataset" and answer["id"][0] == "Region"
        chosen = {s["variableCode"]: s["valueCodes"] for s in sidecar["query"]["selection"]}
        assert set(chosen["Region"]) <= {c for c in DESO_2025 if c.startswith(KOMMUN)}
    assert (data / "sources" / "scb" / "config.json").exists()
    assert (data / "sources" / "scb" / "TAB6685" / "metadata.json").exists()

    # the limits the server states were kept, and its failures retried
    assert standin.over_limit == 0
    assert standin.max_calls_seen_in_window() <= 4
    assert all(c.cells <= 40 for c in standin.data_calls())
    assert [c.status for c in standin.data_calls()][:2] == [429, 503]
    ok = standin.data_calls(200)
    assert len(ok) == len(kept) + 1  # TAB6571 split, TAB6685 in one; the share reused population's answers

    # the source names the table, its title, page and updated time, and reaches the catalog
    source = dataset.indicators["foreign_background_share"].source
    assert "TAB6571" in source and "FolkmDesoBakgrKon" in source and "2025-02-21" in source
    assert dataset.meta["area_versions"] == {"deso": "2025_v1"}
    out = capsys.readouterr().out
    assert f"dataset version {dataset.version} is now current" in out
    assert "population: no values in 2022, 2023, left out" in out
    assert set(dataset.years_of("deso")) == {2024}


def test_a_second_build_offline_gives_the_same_version(data, tmp_path):
    standin = StandIn(fail_data=[])
    with serve(standin) as url:
        assert fetch(data, url) == 0
        calls = len(standin.calls)
        first = current_version(data)
        assert fetch(data, url) == 0  # resumed: every answer is on disk, only /config is asked again
        assert standin.over_limit == 0 and standin.max_calls_seen_in_window() <= standin.max_calls
        assert [c.path for c in standin.calls[calls:]] == ["/api/v2/config"]
    assert current_version(data) == first
    assert fetch(data, "http://127.0.0.1:9/api/v2", "--offline") == 0  # nothing listens there
    assert current_version(data) == first

    # a fresh folder with the same areas and the kept answers builds the very same version
    other = tmp_path / "other"
    (tmp_path / "b").mkdir()
    assert (
        main(["import", "areas", "--data", str(other), str(write_areas(tmp_path / "b" / "deso_2025.gpkg"))])
        == 0
    )
    shutil.copytree(data / "sources", other / "sources")
    assert fetch(other, "http://127.0.0.1:9/api/v2", "--offline") == 0
    assert current_version(other) == first


def test_offline_without_the_answers_fails_and_changes_nothing(data, capsys):
    before = current_version(data)
    assert fetch(data, "http://127.0.0.1:9/api/v2", "--offline") == 2
    assert "offline" in capsys.readouterr().err
    assert current_version(data) == before


def test_values_of_other_boundaries_are_refused_naming_both(data, capsys):
    before = current_version(data)
    with serve(StandIn(fail_data=[])) as url:
        args = ["fetch", "scb", "--data", str(data), "--kommun", KOMMUN, "--base-url", url]
        assert main([*args, "--indicators", "employment_rate"]) == 2
        err = capsys.readouterr().err
        assert "DeSO 2018" in err and "DeSO 2025" in err and "TAB5880" in err
        assert main([*args, "--indicators", "population", "--boundaries", "2018"]) == 2
        assert "--boundaries 2018" in capsys.readouterr().err
    assert current_version(data) == before


def test_deso_counts_are_summed_into_regso_through_a_key_table(tmp_path, capsys):
    deso = [f"1480C{1010 + 10 * i}" for i in range(10)]  # the stand-in's DeSO 2018 codes of 1480
    regso = {code: f"1480R{1 + i // 3:03d}" for i, code in enumerate(deso)}
    key = tmp_path / "koppling_deso2018_regso2020.csv"
    rows = [f"1480,Göteborg,{d},Område {r[-3:]},{r}" for d, r in regso.items()]
    key.write_text("\ufeffKommun,Kommunnamn,DeSO_2018,RegSO_2020,RegSOkod_2020\n" + "\n".join(rows) + "\n")
    codes = sorted(set(regso.values()))
    boxes = [
        shapely.box(319_000 + i * 900, 6_399_000, 319_900 + i * 900, 6_399_900) for i in range(len(codes))
    ]
    areas = gpd.GeoDataFrame(
        {"regsokod": codes, "regsonamn": codes, "version": "2020_v3"}, geometry=boxes, crs=3006
    )
    areas.to_file(tmp_path / "regso_2020.gpkg", driver="GPKG")
    data = tmp_path / "data"
    assert main(["import", "areas", "--data", str(data), str(tmp_path / "regso_2020.gpkg")]) == 0
    args = ["fetch", "scb", "--data", str(data), "--kommun", KOMMUN, "--level", "regso"]
    with serve(StandIn(fail_data=[])) as url:
        args += ["--base-url", url, "--indicators", "employment_rate"]
        assert main(args) == 2
        assert "no regso codes (--key" in capsys.readouterr().err
        assert main([*args, "--key", str(key)]) == 0
    values = read_version(data).values.set_index(["indicator", "code", "year"])
    for target in codes:
        parts = [d for d, r in regso.items() if r == target]
        jobs = sum(
            cell("TAB5880", {"Region": d, "Tid": "2021", "Sysselsattning": "FÖRV", "Kon": "1+2"})
            for d in parts
        )
        total = sum(
            cell("TAB5880", {"Region": d, "Tid": "2021", "Sysselsattning": "total", "Kon": "1+2"})
            for d in parts
        )
        row = values.loc[("employment_rate", target, 2021)]
        assert (row["numerator"], row["denominator"]) == (jobs, total)
        assert row["value"] == pytest.approx(100 * jobs / total)


@pytest.mark.shared
def test_scbs_key_table_is_read_as_published():
    from data.fetch import read_key
    from tests.conftest import SHARED

    path = SHARED / "koppling_deso2018_regso2020.csv"
    if not path.exists():
        pytest.skip(f"SCB's key table is not at {path} (../shared/data/scb)")
    key = read_key(path)
    assert len(key) == 5984 and key["0114C1010"] == "0114R001"
    assert len(set(key.values())) == 3363


def test_out_writes_value_files_and_a_recipe(data, tmp_path):
    out = tmp_path / "out"
    with serve(StandIn(fail_data=[])) as url:
        assert fetch(data, url, "--out", str(out), "--years", "2024") == 0
    recipe = tomllib.loads((out / "recipe.toml").read_text())
    assert recipe["areas"] == [{"file": "areas_deso.gpkg", "level": "deso"}]
    written = gpd.read_file(out / "areas_deso.gpkg")
    assert sorted(written["code"]) == CODES and set(written["version"]) == {"2025_v1"}
    files = {item["indicator"]: item for item in recipe["values"]}
    assert set(files) == set(FETCHED.split(","))
    definition = recipe["indicators"]["low_economic_standard"]
    assert (
        definition["kind"] == "share" and "TAB6685" in definition["source"] and "breakdowns" not in definition
    )
    table = pd.read_csv(out / files["population"]["file"], dtype={"code": str})
    assert set(table["year"]) == {2024}
    total = table[(table["code"] == CODES[0]) & (table["breakdown"] == "total")]["value"].item()
    assert total == expected("TAB6571", CODES[0], 2024, UtlBakgrund="SA", Kon="1+2")
    # the folder builds as it is: `barometer build` gives the fetched values, areas and definitions
    built = tmp_path / "built"
    assert main(["build", str(out / "recipe.toml"), "--data", str(built)]) == 0
    dataset = read_version(built)
    assert dataset.meta["area_versions"] == {"deso": "2025_v1"}
    assert "TAB6571" in dataset.indicators["foreign_background_share"].source
    mine = dataset.values[(dataset.values["indicator"] == "foreign_background_share")].set_index("code")
    foreign = expected("TAB6571", CODES[0], 2024, UtlBakgrund="1", Kon="1+2")
    assert mine.loc[CODES[0], "value"] == pytest.approx(100 * foreign / total)
    assert set(mine[mine["status"] == "suppressed"].index) == {SUPPRESSED[1].split("_")[0]}


def test_fetched_indicators_are_served_like_imported_ones(data):
    from tileserver import create_app

    with serve(StandIn(fail_data=[])) as url:
        assert fetch(data, url) == 0
    client = create_app({"DATA": str(data), "TESTING": True, "CHECK_EVERY": 0.0}).test_client()
    catalog = client.get("/api/catalog").get_json()
    indicator = next(i for i in catalog["indicators"] if i["id"] == "low_economic_standard")
    assert "TAB6685" in json.dumps(indicator, ensure_ascii=False)
    rows = client.get(f"/api/values/deso/2024?kommun={KOMMUN}").get_json()["values"]
    low = expected("TAB6685", CODES[0], 2024, Alder="tot", ContentsCode="000008AC")
    assert rows[CODES[0]]["low_economic_standard"] == low
    assert "foreign_background_share" not in rows[SUPPRESSED[1].split("_")[0]]  # suppressed: no number
    style = client.get(f"/styles/deso/foreign_background_share/2024.json?kommun={KOMMUN}")
    assert style.status_code == 200 and style.get_json()["layers"]
    csv = client.get(f"/api/export/{KOMMUN}.csv?level=deso&year=2024")
    assert csv.status_code == 200 and "TAB6571" in csv.get_data(as_text=True)
    # the fetched group counts feed the segregation indices: dissimilarity by hand over the published areas
    indices = client.get(f"/api/measures/indices/{KOMMUN}/2024?group=background=foreign").get_json()[
        "indices"
    ]
    kept = [c for c in CODES if c + "_DeSO2025" != SUPPRESSED[1]]
    group = {c: expected("TAB6571", c, 2024, UtlBakgrund="1", Kon="1+2") for c in kept}
    rest = {c: expected("TAB6571", c, 2024, UtlBakgrund="SA", Kon="1+2") - group[c] for c in kept}
    hand = 0.5 * sum(abs(group[c] / sum(group.values()) - rest[c] / sum(rest.values())) for c in kept)
    assert indices["dissimilarity"]["value"] == pytest.approx(hand)
    assert indices["dissimilarity"]["excluded"] == [SUPPRESSED[1].split("_")[0]]


def test_answers_that_break_the_schema_are_refused(tmp_path):
    standin = StandIn(fail_data=[], broken_answer=True)
    with serve(standin) as url:
        client = PxWebClient(url, RawCache(tmp_path / "cache"))
        client.limits()
        body = {"selection": [{"variableCode": "Region", "valueCodes": ["00"]}]}
        body["selection"] += [
            {"variableCode": v, "valueCodes": [c[0]]} for v, _, c in TABLES["TAB6685"].dims[1:]
        ]
        with pytest.raises(SchemaError, match="size"):
            client.data("TAB6685", body)
    assert not list((tmp_path / "cache").glob("TAB6685/*.json")), "a refused answer is not kept"


def test_table_lists_are_read_over_all_pages(tmp_path, capsys):
    standin = StandIn(fail_data=[])
    with serve(standin) as url:
        client = PxWebClient(url, RawCache(tmp_path / "cache"))
        client.limits()
        tables = client.tables("DeSO", page_size=2)
    assert sorted(t["id"] for t in tables) == sorted(TABLES)
    pages = [c.query for c in standin.calls if c.path.endswith("/tables")]
    assert len(pages) == 2 and "pageNumber=2" in pages[1]
    with serve(StandIn(fail_data=[])) as url:
        assert main(["fetch", "scb", "--search", "DeSO", "--base-url", url, "--data", str(tmp_path)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed] == sorted(TABLES)
    assert "2022-2024 2025-02-21 Folkmängden per region" in listed[sorted(TABLES).index("TAB6571")]


def test_check_names_the_recipes_the_service_does_not_confirm(tmp_path, capsys):
    with serve(StandIn(fail_data=[])) as url:
        assert main(["fetch", "scb", "--check", "--base-url", url, "--data", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "ok    population (TAB6571) 'Folkmängden per region" in out
    assert "ok    low_economic_standard (TAB6685)" in out
    assert "FAILS rental_housing (TAB6253)" in out and "HTTP 404" in out  # not among the stand-in's tables


def test_a_failing_server_gives_up_after_its_retries(tmp_path):
    standin = StandIn(fail_data=[503, 503, 503])
    with serve(standin) as url:
        client = PxWebClient(url, RawCache(tmp_path / "cache"), retries=2, backoff=0.01)
        client.limits()
        with pytest.raises(FetchError, match="failed 3 times; last: HTTP 503"):
            client.data("TAB6685", {"selection": [{"variableCode": "Region", "valueCodes": ["00"]}]})


def test_a_call_past_its_timeout_is_retried(tmp_path):
    standin = StandIn(fail_data=[], slow_data=[1.0])
    body = {"selection": [{"variableCode": "Region", "valueCodes": ["00"]}]}
    body["selection"] += [{"variableCode": v, "valueCodes": [c[0]]} for v, _, c in TABLES["TAB6685"].dims[1:]]
    with serve(standin) as url:
        client = PxWebClient(url, RawCache(tmp_path / "cache"), timeout=0.3, backoff=0.01)
        client.limits()
        doc, path = client.data("TAB6685", body)
    assert doc["value"] == [
        cell("TAB6685", {"Region": "00", "Alder": "tot", "ContentsCode": "000008AC", "Tid": "2023"})
    ]
    assert len(standin.data_calls()) == 2 and path.exists()


def test_the_call_window_never_holds_more_calls_than_allowed():
    now = [0.0]
    window = CallWindow(
        3, 1.0, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s), margin=0
    )
    times = []
    for _ in range(10):
        window.acquire()
        times.append(now[0])
        now[0] += 0.1
    assert all(times[i + 3] - times[i] >= 1.0 for i in range(len(times) - 3))
    assert times[3] == pytest.approx(1.0)  # waits exactly as long as needed, no longer
    assert _retry_after("2") == 2.0 and _retry_after("Thu, 01 Jan 1970 00:00:00 GMT") == 0.0
    assert _retry_after(None) is None and _retry_after("9999") == 300.0
