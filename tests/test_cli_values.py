"""Every option of ``barometer import values`` through the command: each test fails if its flag is dropped."""

from __future__ import annotations

import openpyxl
import pytest

from data import store
from indicators.model import DERIVED_FLAG
from tests.cli_data import data_with_areas
from tests.cli_data import import_values as values


@pytest.fixture
def data(tmp_path):
    return data_with_areas(tmp_path)


def rows(root, indicator: str):
    """The imported rows of one indicator (not the kommun/län/riket values a build derives from them)."""
    table = store.read_version(root).values
    return table[(table["indicator"] == indicator) & ~table[DERIVED_FLAG]].set_index("code")


def test_year_names_the_year_of_a_file_without_one(tmp_path, data, capsys):
    file = tmp_path / "no_year.csv"
    file.write_text("kod;andel\n0201C1000;12,5\n0201C1001;20\n", encoding="utf-8")
    before = store.current_version(data)
    assert values(data, file, "--indicator", "andel", "--kind", "share") == 2
    assert "--year" in capsys.readouterr().err
    assert store.current_version(data) == before
    assert values(data, file, "--indicator", "andel", "--kind", "share", "--year", "2019") == 0
    assert set(rows(data, "andel")["year"]) == {2019}
    assert rows(data, "andel").loc["0201C1000", "value"] == 12.5


def test_sheet_picks_the_sheet(tmp_path, data):
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Om tabellen"
    first.append(["kod", "år", "andel"])
    first.append(["0201C1000", 2020, 1.0])
    first.append(["0201C1001", 2020, 2.0])
    second = book.create_sheet("Data")
    second.append(["kod", "år", "andel"])
    second.append(["0201C1000", 2020, 30.0])
    second.append(["0201C1001", 2020, 40.0])
    book.save(tmp_path / "two_sheets.xlsx")
    assert (
        values(
            data, tmp_path / "two_sheets.xlsx", "--indicator", "andel", "--kind", "share", "--sheet", "Data"
        )
        == 0
    )
    assert rows(data, "andel")["value"].to_dict() == {"0201C1000": 30.0, "0201C1001": 40.0}


def test_drop_unknown_drops_rows_of_unknown_codes_and_says_so(tmp_path, data, capsys):
    file = tmp_path / "unknown.csv"
    file.write_text(
        "kod,år,andel\n0201C1000,2020,1\n0201C1001,2020,2\n0201C1002,2020,3\n0201C9999,2020,4\n",
        encoding="utf-8",
    )
    assert values(data, file, "--indicator", "andel", "--kind", "share") == 2
    err = capsys.readouterr().err
    assert "0201C9999" in err and "--drop-unknown" in err
    assert values(data, file, "--indicator", "andel", "--kind", "share", "--drop-unknown") == 0
    out = capsys.readouterr().out
    assert "dropped 1 rows" in out and "0201C9999" in out
    assert sorted(rows(data, "andel").index) == ["0201C1000", "0201C1001", "0201C1002"]


def test_strict_makes_an_unmatched_name_an_error(tmp_path, data, capsys):
    file = tmp_path / "names.csv"
    file.write_text("region;år;antal\nAlfaby;2020;10\nBetaby;2020;20\nGammaby;2020;30\n", encoding="utf-8")
    args = ("--indicator", "antal", "--kind", "count", "--level", "kommun")
    assert values(data, file, *args, "--strict") == 2
    assert "Gammaby" in capsys.readouterr().err
    assert values(data, file, *args) == 0
    assert "Gammaby" in capsys.readouterr().out
    assert rows(data, "antal")["value"].to_dict() == {"0201": 10.0, "0202": 20.0}


def test_map_names_the_columns(tmp_path, data, capsys):
    file = tmp_path / "odd_headers.csv"
    file.write_text(
        "RSO;Tidpunkt;Personer;Kommentar\n0201C1000;2021;120;a\n0201C1001;2021;80;b\n", encoding="utf-8"
    )
    args = ("--indicator", "persons", "--kind", "count")
    assert values(data, file, *args) == 2
    assert "RSO" in capsys.readouterr().err
    mapped = ("--map", "code=RSO", "--map", "year=Tidpunkt", "--map", "value=Personer")
    assert values(data, file, *args, *mapped) == 0
    table = rows(data, "persons")
    assert table["value"].to_dict() == {"0201C1000": 120.0, "0201C1001": 80.0}
    assert set(table["year"]) == {2021}
    assert values(data, file, *args, "--map", "code") == 2
    assert "--map" in capsys.readouterr().err
    assert values(data, file, *args, "--map", "code=Nope") == 2
    assert "--map code=Nope" in capsys.readouterr().err


def test_min_match_fails_imports_that_match_too_few_areas(tmp_path, data, capsys):
    file = tmp_path / "mostly_elsewhere.csv"
    file.write_text(
        "kod,år,andel\n0201C1000,2020,1\n0201C7001,2020,2\n0201C7002,2020,3\n0201C7003,2020,4\n",
        encoding="utf-8",
    )
    args = ("--indicator", "andel", "--kind", "share", "--drop-unknown")
    before = store.current_version(data)
    assert values(data, file, *args) == 2
    err = capsys.readouterr().err
    assert (
        "1 areas in the file match loaded areas, 3 do not" in err
        and "0201C7001" in err
        and "--min-match" in err
    )
    assert store.current_version(data) == before
    assert values(data, file, *args, "--min-match", "0.25") == 0
    assert list(rows(data, "andel").index) == ["0201C1000"]
    assert values(data, file, *args, "--min-match", "1.5") == 2
    assert "--min-match" in capsys.readouterr().err


def test_an_import_where_no_area_matches_fails_and_names_the_keys(tmp_path, data, capsys):
    file = tmp_path / "excel_mangled.csv"
    file.write_text('kommun;år;antal\n"2,01E+02";2020;10\n"2,02E+02";2020;20\n', encoding="utf-8")
    before = store.current_version(data)
    assert values(data, file, "--indicator", "antal", "--kind", "count") == 2
    err = capsys.readouterr().err
    assert "row 2, column 'kommun': '2,01E+02' is a code Excel wrote as a number in scientific" in err
    assert store.current_version(data) == before
    assert len(list((data / "versions").iterdir())) == 2


def test_an_import_into_a_folder_without_areas_fails(tmp_path, capsys):
    file = tmp_path / "v.csv"
    file.write_text("kod,år,andel\n0201C1000,2020,1\n", encoding="utf-8")
    root = tmp_path / "empty"
    assert values(root, file, "--indicator", "andel", "--kind", "share") == 2
    assert "import areas" in capsys.readouterr().err
    assert values(root, file, "--indicator", "andel", "--kind", "share", "--min-match", "0") == 0


def test_format_reads_a_file_whose_name_does_not_say(tmp_path, data, capsys):
    file = tmp_path / "export.dat"
    file.write_text("kod;år;andel\n0201C1000;2020;12\n0201C1001;2020;14\n", encoding="utf-8")
    args = ("--indicator", "andel", "--kind", "share")
    assert values(data, file, *args) == 2
    assert "--format" in capsys.readouterr().err
    assert values(data, file, *args, "--format", "csv") == 0
    assert rows(data, "andel")["value"].to_dict() == {"0201C1000": 12.0, "0201C1001": 14.0}
