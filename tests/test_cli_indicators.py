"""Indicators the user defines (import flags, a definitions file) and ``barometer indicators``, through the
command; the kind they give reaches the API (no percentage points for a mean)."""

from __future__ import annotations

import pytest

from data import store
from data.cli import main
from indicators.catalog import CATALOG
from tests.cli_data import data_with_areas, import_values
from tileserver import create_app

INCOME = "kod;år;medel\n0201C1000;2020;300\n0201C1001;2020;250\n0201C1000;2021;330\n0201C1001;2021;200\n"
DESCRIBED = (
    "--indicator",
    "mean_income",
    "--kind",
    "mean",
    "--unit",
    "tkr",
    "--title-sv",
    "Medelinkomst",
    "--title-en",
    "Mean income",
    "--direction",
    "higher_better",
    "--decimals",
    "0",
    "--source",
    "SCB, Statistikdatabasen: sammanräknad förvärvsinkomst",
    "--description",
    "Medelvärde av sammanräknad förvärvsinkomst, 20-64 år",
)


@pytest.fixture
def data(tmp_path):
    return data_with_areas(tmp_path)


def test_a_user_defined_mean_in_tkr_keeps_its_unit_and_changes_in_percent(tmp_path, data, capsys):
    (tmp_path / "income.csv").write_text(INCOME, encoding="utf-8")
    assert import_values(data, tmp_path / "income.csv", *DESCRIBED) == 0
    ind = store.read_version(data).indicators["mean_income"]
    assert (ind.kind, ind.unit, ind.title_sv, ind.title_en, ind.direction, ind.decimals) == (
        "mean",
        "tkr",
        "Medelinkomst",
        "Mean income",
        "higher_better",
        0,
    )
    assert ind.source == "SCB, Statistikdatabasen: sammanräknad förvärvsinkomst"
    assert ind.description_sv == ind.description_en == "Medelvärde av sammanräknad förvärvsinkomst, 20-64 år"
    client = create_app({"DATA": str(data), "TESTING": True}).test_client()
    compare = client.get("/api/measures/compare/deso/mean_income/2021?kommun=0201&base_year=2020").get_json()
    areas = {row["code"]: row for row in compare["areas"]}
    assert areas["0201C1001"]["change_absolute"] == -50.0
    assert areas["0201C1001"]["change_relative"] == pytest.approx(-20.0)  # -50 of 250, in percent
    assert {row["change_relative_unit"] for row in areas.values()} == {"percent"}
    legend = client.get("/api/legend/deso/mean_income/2021").get_json()
    assert legend["unit"] == "tkr" and legend["source"] == ind.source
    capsys.readouterr()
    assert main(["indicators", "show", "mean_income", "--data", str(data)]) == 0
    out = capsys.readouterr().out
    assert "kind:           mean" in out and "unit:           tkr" in out and "2 values, 2020-2021" not in out
    assert "level deso:     4 values, 2020-2021" in out


def test_an_indicator_that_is_not_built_in_needs_a_kind(tmp_path, data, capsys):
    (tmp_path / "income.csv").write_text(INCOME, encoding="utf-8")
    before = store.current_version(data)
    assert import_values(data, tmp_path / "income.csv", "--indicator", "mean_income", "--unit", "tkr") == 2
    err = capsys.readouterr().err
    assert "--kind" in err and "mean_income" in err
    assert store.current_version(data) == before
    assert import_values(data, tmp_path / "income.csv", "--unit", "tkr") == 2
    assert "--indicator" in capsys.readouterr().err
    assert import_values(data, tmp_path / "income.csv", "--indicator", "Mean Income", "--kind", "mean") == 2
    assert "--indicator" in capsys.readouterr().err
    assert (
        import_values(data, tmp_path / "income.csv", "--indicator", "N00945", "--kind", "mean") == 0
    )  # Kolada
    assert store.read_version(data).indicators["N00945"].kind == "mean"


def test_a_builtin_id_for_a_users_file_shows_the_users_source(tmp_path, data):
    file = tmp_path / "sysselsattning.csv"
    file.write_text("kod;år;andel\n0201C1000;2021;71,5\n0201C1001;2021;64\n", encoding="utf-8")
    assert import_values(data, file, "--indicator", "employment_rate") == 0
    ind = store.read_version(data).indicators["employment_rate"]
    assert ind.source == "sysselsattning.csv" != CATALOG["employment_rate"].source
    assert (ind.kind, ind.unit, ind.title_sv) == ("share", "%", CATALOG["employment_rate"].title_sv)
    assert import_values(data, file, "--indicator", "employment_rate", "--source", "Egen enkät") == 0
    assert store.read_version(data).indicators["employment_rate"].source == "Egen enkät"


def test_a_reimport_replaces_the_indicators_values_and_keeps_its_definition(tmp_path, data, capsys):
    (tmp_path / "income.csv").write_text(INCOME, encoding="utf-8")
    assert import_values(data, tmp_path / "income.csv", *DESCRIBED) == 0
    (tmp_path / "income_2021.csv").write_text("kod;år;medel\n0201C1002;2021;410\n", encoding="utf-8")
    capsys.readouterr()
    assert import_values(data, tmp_path / "income_2021.csv", "--indicator", "mean_income") == 0
    assert "replacing 4 earlier values of [('mean_income', 'deso')]" in capsys.readouterr().out
    dataset = store.read_version(data)
    rows = dataset.values[dataset.values["indicator"] == "mean_income"]
    assert list(zip(rows["code"], rows["year"], rows["value"], strict=True)) == [("0201C1002", 2021, 410.0)]
    ind = dataset.indicators["mean_income"]
    assert (ind.kind, ind.unit, ind.source) == ("mean", "tkr", "income_2021.csv")


def test_a_definitions_file_describes_several_indicators_of_one_file(tmp_path, data, capsys):
    (tmp_path / "wide.csv").write_text(
        "kod;år;inkomst;bostader\n0201C1000;2021;310;120\n0201C1001;2021;280;95\n", encoding="utf-8"
    )
    (tmp_path / "defs.toml").write_text(
        '[indicators.inkomst]\nkind = "median"\nunit = "tkr"\ntitle_sv = "Medianinkomst"\n'
        '[indicators.bostader]\nkind = "count"\nunit = "bostäder"\ndecimals = 0\n',
        encoding="utf-8",
    )
    assert import_values(data, tmp_path / "wide.csv", "--kind", "count") == 2
    assert "--indicator" in capsys.readouterr().err
    assert import_values(data, tmp_path / "wide.csv", "--definitions", tmp_path / "defs.toml") == 0
    indicators = store.read_version(data).indicators
    assert (indicators["inkomst"].kind, indicators["inkomst"].unit, indicators["inkomst"].title_sv) == (
        "median",
        "tkr",
        "Medianinkomst",
    )
    assert (indicators["bostader"].kind, indicators["bostader"].unit) == ("count", "bostäder")
    (tmp_path / "bad.toml").write_text('[indicators.inkomst]\nkind = "average"\n', encoding="utf-8")
    assert import_values(data, tmp_path / "wide.csv", "--definitions", tmp_path / "bad.toml") == 2
    assert "bad.toml" in capsys.readouterr().err


def test_rename_and_remove_make_new_versions_and_keep_the_old(tmp_path, data, capsys):
    (tmp_path / "income.csv").write_text(INCOME, encoding="utf-8")
    assert import_values(data, tmp_path / "income.csv", *DESCRIBED) == 0
    imported = store.current_version(data)
    assert main(["indicators", "rename", "mean_income", "medelinkomst", "--data", str(data)]) == 0
    renamed = store.read_version(data)
    assert "mean_income" not in renamed.indicators and renamed.indicators["medelinkomst"].unit == "tkr"
    assert set(renamed.values["indicator"]) == {"medelinkomst"}
    capsys.readouterr()
    assert main(["indicators", "list", "--data", str(data)]) == 0
    assert "medelinkomst" in capsys.readouterr().out
    assert main(["indicators", "remove", "medelinkomst", "--data", str(data)]) == 0
    removed = store.read_version(data)
    assert not removed.indicators and removed.values.empty
    assert store.read_version(data, imported).indicators["mean_income"].kind == "mean"  # still on disk
    assert store.read_version(data, renamed.version).indicators["medelinkomst"].kind == "mean"
    assert main(["indicators", "remove", "nothing", "--data", str(data)]) == 2
    assert "ID" in capsys.readouterr().err
    assert main(["indicators", "rename", "x", "Not A Slug", "--data", str(data)]) == 2
    assert store.current_version(data) == removed.version


def test_measures_computed_at_every_build_cannot_be_removed(tmp_path, capsys):
    data = tmp_path / "demo"
    assert main(["demo", "--data", str(data)]) == 0
    before = store.read_version(data)
    for computed in ("socioeconomic_index", "omradestyp"):
        assert computed in before.indicators
        assert main(["indicators", "remove", computed, "--data", str(data)]) == 2
        assert "computed from other indicators" in capsys.readouterr().err
    assert main(["indicators", "remove", "voter_turnout", "--data", str(data)]) == 0
    after = store.read_version(data)
    assert set(before.indicators) - set(after.indicators) == {"voter_turnout"}
    assert "voter_turnout" not in set(after.values["indicator"])
