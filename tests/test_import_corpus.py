"""Files as people download and save them, each imported through ``barometer import values`` unedited.

Every fixture is written here, byte for byte as the tool that makes it would (Windows line ends, a Windows
round trip's ``\\r\\r\\n``, Excel's cp1252 and mangled codes, SCB's headers and footers, gzip, zip, an XLSX
written by openpyxl); the values that come out of the data folder are compared with the values written.
"""

from __future__ import annotations

import gzip
import math
import zipfile

import geopandas as gpd
import openpyxl
import pytest
from shapely.geometry import box

from data.cli import main
from data.store import current_version, make_dataset, read_version, write_version
from indicators.catalog import CATALOG
from indicators.dimensions import breakdown_label
from indicators.importers import read_values, stream
from indicators.model import DERIVED_FLAG, InputError, empty_values

KOMMUNER = {"0180": "Stockholm", "0114": "Upplands Väsby", "1480": "Göteborg", "1481": "Mölndal"}
REGSO = {"1480R001": "Centrum", "1480R002": "Kortedala södra", "1481R001": "Centrum"}


@pytest.fixture
def data(tmp_path):
    """A data folder with kommun and RegSO areas (and their names) but no values yet."""
    rows = [
        {"code": c, "name": n, "level": "kommun", "kommun": "", "lan": c[:2], "regso": ""}
        for c, n in KOMMUNER.items()
    ] + [
        {"code": c, "name": n, "level": "regso", "kommun": c[:4], "lan": c[:2], "regso": ""}
        for c, n in REGSO.items()
    ]
    areas = gpd.GeoDataFrame(
        rows, geometry=[box(i * 10, 0, i * 10 + 9, 9) for i in range(len(rows))], crs="EPSG:3006"
    )
    folder = tmp_path / "data"
    write_version(folder, make_dataset(areas, empty_values(), {}, {"title": "corpus"}))
    return folder


def run(data, path, *flags: str, kind: str = "mean") -> int:
    """``barometer import values``; a new indicator gets ``--kind KIND`` (built-in ones keep theirs)."""
    named = flags[flags.index("--indicator") + 1] if "--indicator" in flags else None
    described = ("--kind", kind) if named not in CATALOG else ()
    return main(["import", "values", "--data", str(data), str(path), *flags, *described])


def imported(data) -> dict[tuple[str, str, int, str], float | str]:
    """(indicator, code, year, breakdown) → value, or the status of a value that is not a number, of the
    imported rows (not those a build derives from them for coarser levels)."""
    values = read_version(data).values
    values = values[~values[DERIVED_FLAG]]
    return {
        (str(r.indicator), str(r.code), int(r.year), str(r.breakdown)): r.value
        if r.status == "ok"
        else r.status
        for r in values.itertuples()
    }


LONG = "kod;år;värde\n0180;2022;12,5\n1480;2022;7\n0114;2022;..\n"
WIDE = "region;Antal 2021;Antal 2022\n0180 Stockholm;10;11\n1480 Göteborg;20;\n"
EXPECTED = {
    LONG: {
        ("x", "0180", 2022, "total"): 12.5,
        ("x", "1480", 2022, "total"): 7.0,
        ("x", "0114", 2022, "total"): "suppressed",
    },
    WIDE: {
        ("x", "0180", 2021, "total"): 10.0,
        ("x", "0180", 2022, "total"): 11.0,
        ("x", "1480", 2021, "total"): 20.0,
        ("x", "1480", 2022, "total"): "missing",
    },
}


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r", "\r\r\n"], ids=["lf", "crlf", "cr", "cr-cr-lf"])
@pytest.mark.parametrize("shape", [LONG, WIDE], ids=["long", "wide"])
def test_any_line_ending(data, tmp_path, ending, shape):
    path = tmp_path / "values.csv"
    path.write_bytes(shape.replace("\n", ending).encode("utf-8"))
    assert run(data, path, "--indicator", "x") == 0
    assert imported(data) == EXPECTED[shape]


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b"")],
    ids=["utf8", "bom", "cp1252"],
)
@pytest.mark.parametrize("separator", [";", "\t", ","], ids=["semicolon", "tab", "comma"])
def test_encodings_and_separators(data, tmp_path, capsys, encoding, prefix, separator):
    value = '"12,5"' if separator == "," else "12,5"
    text = f"Kommunkod{separator}År{separator}Värde\n0180{separator}2022{separator}{value}\n"
    text += f"1480{separator}2022{separator}7\n"
    path = tmp_path / "kön och ålder.csv"
    path.write_bytes(prefix + text.encode(encoding))
    assert run(data, path, "--indicator", "x") == 0
    assert imported(data) == {("x", "0180", 2022, "total"): 12.5, ("x", "1480", 2022, "total"): 7.0}
    out = capsys.readouterr().out
    assert f"CSV separated by {separator!r}" in out
    assert ("Windows-1252" in out) == (encoding == "cp1252")


@pytest.mark.parametrize(
    "footer",
    ["\nKälla: SCB\n", "Källa: SCB\n", "Källa: SCB;;\n", '\n"Anm: Områdestyp 1\r\nOmrådestyp 5";\n;\n'],
    ids=["after-blank", "no-blank-short-line", "no-blank-full-line", "after-blank-multiline"],
)
@pytest.mark.parametrize("shape", [LONG, WIDE], ids=["long", "wide"])
def test_footers_with_or_without_a_blank_line(data, tmp_path, capsys, footer, shape):
    path = tmp_path / "values.csv"
    path.write_text(shape + footer, encoding="utf-8")
    assert run(data, path, "--indicator", "x") == 0
    assert imported(data) == EXPECTED[shape]
    assert "footer lines below the data" in capsys.readouterr().out


def test_excel_mangled_codes_are_repaired_or_refused(data, tmp_path, capsys):
    path = tmp_path / "excel.csv"
    path.write_text("kommunkod;år;värde\n180;2022;1\n1480.0;2022;2\n114;2022;3\n", encoding="cp1252")
    assert run(data, path, "--indicator", "x") == 0
    assert imported(data) == {
        ("x", "0180", 2022, "total"): 1.0,
        ("x", "1480", 2022, "total"): 2.0,
        ("x", "0114", 2022, "total"): 3.0,
    }
    out = capsys.readouterr().out
    assert "repaired 3 codes" in out and "row 2: 180 → 0180" in out and "row 3: 1480.0 → 1480" in out
    before = current_version(data)
    path.write_text("kommunkod;år;värde\n0180;2022;1\n1,48E+03;2022;2\n", encoding="cp1252")
    assert run(data, path, "--indicator", "x") == 2
    err = capsys.readouterr().err
    assert "file excel.csv, row 3, column 'kommunkod': '1,48E+03' is a code Excel wrote" in err
    assert "format the code column as text" in err
    assert current_version(data) == before


def test_gz_and_zip_as_downloaded(data, tmp_path, capsys):
    gz = tmp_path / "values.csv.gz"
    gz.write_bytes(gzip.compress(LONG.replace("\n", "\r\n").encode("cp1252")))
    assert run(data, gz, "--indicator", "x") == 0
    assert imported(data) == EXPECTED[LONG]
    packed = tmp_path / "000005QX.zip"
    with zipfile.ZipFile(packed, "w") as book:
        book.writestr("README.md", "Statistikdatabasen, hämtad 2026-12-01")
        book.writestr("export/befolkning.csv", WIDE.encode("utf-8-sig"))
    assert run(data, packed, "--indicator", "y") == 0
    assert imported(data)[("y", "1480", 2021, "total")] == 20.0
    with zipfile.ZipFile(packed, "a") as book:
        book.writestr("export/andra.csv", WIDE)
    assert run(data, packed, "--indicator", "y") == 2
    err = capsys.readouterr().err
    assert "file 000005QX.zip: a zip must hold exactly one data file" in err
    assert "export/andra.csv" in err


def test_names_instead_of_codes_as_statistikdatabasen_exports_them(data, tmp_path):
    path = tmp_path / "statdb.csv"
    text = (
        ',"Antal 2022"\r\n"Göteborg (Centrum)",5\r\n"Mölndal (Centrum)",6\r\n'
        '"Göteborg (Kortedala  södra)",7\r\n'
    )
    path.write_bytes(("\ufeff" + text + '"Källa: SCB",\r\n').encode("utf-8"))
    assert run(data, path, "--indicator", "antal", "--level", "regso", kind="count") == 0
    assert imported(data) == {
        ("antal", "1480R001", 2022, "total"): 5.0,
        ("antal", "1481R001", 2022, "total"): 6.0,
        ("antal", "1480R002", 2022, "total"): 7.0,
    }


def test_long_table_with_names_falls_back_to_name_matching(data, tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("kommun;år;värde\nStockholm;2022;1\nGöteborg;2022;2\n", encoding="utf-8")
    assert run(data, path, "--indicator", "x", "--level", "kommun") == 0
    assert imported(data) == {("x", "0180", 2022, "total"): 1.0, ("x", "1480", 2022, "total"): 2.0}


def test_scb_dimension_names_become_breakdowns_with_labels(data, tmp_path):
    path = tmp_path / "bakgrund.csv"
    path.write_text(
        "region;födelseregion;kön;år;värde\n"
        "0180 Stockholm;Född i Sverige;män;2022;100\n"
        "0180 Stockholm;Utrikes född;kvinnor;2022;40\n"
        "0180 Stockholm;totalt;totalt;2022;300\n"
        "0180 Stockholm;Utrikes född;totalt;2022;80\n",
        encoding="utf-8",
    )
    assert run(data, path, "--indicator", "residents", kind="count") == 0
    assert imported(data) == {
        ("residents", "0180", 2022, "background=swedish;sex=male"): 100.0,
        ("residents", "0180", 2022, "background=foreign;sex=female"): 40.0,
        ("residents", "0180", 2022, "total"): 300.0,
        ("residents", "0180", 2022, "background=foreign"): 80.0,
    }
    wide = tmp_path / "boende.csv"
    wide.write_text(
        "region;upplåtelseform;2022\n1480;hyresrätt;50\n1480;bostadsrätt;30\n1480;äganderätt;20\n"
        "1480;specialbostad;2\n1480;samtliga upplåtelseformer;102\n1480;Övrigt ägande;0\n",
        encoding="utf-8",
    )
    assert run(data, wide, "--indicator", "dwellings", kind="count") == 0
    got = {k[3]: v for k, v in imported(data).items() if k[0] == "dwellings"}
    assert got == {
        "tenure=rental": 50.0,
        "tenure=cooperative": 30.0,
        "tenure=owner": 20.0,
        "tenure=special": 2.0,
        "total": 102.0,
        "tenure=ovrigt_agande": 0.0,
    }
    labels = read_values(wide, indicator="dwellings").labels
    assert labels == {
        "tenure=ovrigt_agande": ("upplåtelseform: Övrigt ägande", "upplåtelseform: Övrigt ägande")
    }
    assert breakdown_label("tenure=owner", "sv") == "Upplåtelseform: äganderätt"
    assert breakdown_label("tenure=ovrigt_agande", "en", labels) == "upplåtelseform: Övrigt ägande"


def test_xlsx_as_saved_with_numbers_as_codes_and_a_formula_without_result(data, tmp_path, capsys):
    book = openpyxl.Workbook()
    book.active.title = "Om tabellen"
    book.active.append(["Källa: SCB"])
    sheet = book.create_sheet("Tabell")
    sheet.append(["Kommunkod", "Kommun", 2021, 2022.0])
    sheet.append([180, "Stockholm", 12.5, 13])
    sheet.append([1480, "Göteborg", "..", 14])
    path = tmp_path / "tabell.xlsx"
    book.save(path)
    assert run(data, path, "--indicator", "x", "--format", "xlsx") == 2  # the first sheet has no table
    assert "choose with --sheet NAME" in capsys.readouterr().err
    result = read_values(path, indicator="x", sheet="Tabell", areas=read_version(data).areas)
    assert {(str(r.code), int(r.year)): r.value for r in result.values.itertuples() if r.status == "ok"} == {
        ("0180", 2021): 12.5,
        ("0180", 2022): 13.0,
        ("1480", 2022): 14.0,
    }
    del book["Om tabellen"]
    book.save(path)
    assert run(data, path, "--indicator", "x") == 0
    assert imported(data)[("x", "0180", 2021, "total")] == 12.5
    sheet["C3"] = "=B2*2"  # written by a program: the workbook stores no result for it
    book.save(path)
    capsys.readouterr()
    before = current_version(data)
    assert run(data, path, "--indicator", "x") == 2
    err = capsys.readouterr().err
    assert "row 3, column '2021': '=B2*2' is a formula without a stored result" in err
    assert current_version(data) == before


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("1e999", "'1e999' is not a finite number"),
        ("inf", "'inf' is not a finite number"),
        ("-Infinity", "'-Infinity' is not a finite number"),
        ("nan", "'nan' is not a number"),
        ("NaN", "'NaN' is not a number"),
    ],
)
def test_infinities_and_nan_text_are_errors(data, tmp_path, capsys, cell, message):
    path = tmp_path / "bad.csv"
    path.write_text(f"kod;år;värde\n0180;2022;1\n1480;2022;{cell}\n", encoding="utf-8")
    assert run(data, path, "--indicator", "x") == 2
    assert f"file bad.csv, row 3, column 'värde': {message}" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("indicator", "cell", "allowed"),
    [
        ("employment_rate", "150", "within 0..100"),
        ("employment_rate", "-5", "within 0..100"),
        ("sickness_rate", "-1", "0 or more"),
    ],
)
def test_shares_and_rates_outside_their_range_are_errors(data, tmp_path, capsys, indicator, cell, allowed):
    path = tmp_path / "range.csv"
    path.write_text(f"kod;år;värde\n0180;2022;50\n1480;2022;{cell}\n", encoding="utf-8")
    assert run(data, path, "--indicator", indicator) == 2
    err = capsys.readouterr().err
    assert f"row 3, column 'värde': {float(cell):g} is not a possible" in err
    assert allowed in err and "--kind" in err
    result = read_values(path, indicator=indicator, kinds={indicator: "mean"})  # the user's kind wins
    assert sorted(result.values["value"]) == sorted([50.0, float(cell)])
    assert sorted(read_values(path, indicator="own_id").values["value"]) == sorted([50.0, float(cell)])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "pass --year YEAR"),
        ({"year": 2023, "areas": "kommun0180"}, "pass --drop-unknown to drop such rows"),
        (
            {"year": 2023, "level": "regso"},
            "'0180' is not a regso code (it is a kommun code: pass --level kommun)",
        ),
    ],
)
def test_messages_name_the_flag_that_fixes_the_problem(tmp_path, data, options, message):
    path = tmp_path / "noyear.csv"
    path.write_text("kod;värde\n0180;1\n1234;2\n", encoding="utf-8")
    if options.get("areas"):
        options["areas"] = read_version(data).areas
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_values(path, indicator="x", **options)
    assert "=True" not in message and "year=" not in message


def test_no_row_matching_a_loaded_area_is_an_error(data, tmp_path, capsys):
    path = tmp_path / "other.csv"
    path.write_text("kod;år;värde\n0580;2022;1\n0581;2022;2\n0580;2023;2\n", encoding="utf-8")
    before = current_version(data)
    assert run(data, path, "--indicator", "x", "--drop-unknown") == 2
    err = capsys.readouterr().err
    assert "no area in the file matches a loaded area, e.g. '0580' (row 2), '0581' (row 3)" in err
    assert current_version(data) == before


def test_streamed_batches_keep_row_numbers_and_find_duplicates_across_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "BLOCK_SIZE", 256)  # a batch of a few rows: the file spans many
    codes = [f"{k:04d}" for k in range(101, 400)]
    lines = [f"{c},{2000 + i % 20},ind_{i % 3},{i}.5" for i, c in enumerate(codes)]
    path = tmp_path / "long.csv"
    path.write_text("code,year,indicator,value\n" + "\n".join(lines) + "\n", encoding="utf-8")
    result = read_values(path)
    assert len(result.values) == len(lines)
    by_code = {str(r.code): r.value for r in result.values.itertuples()}
    assert by_code["0399"] == 298.5 and by_code["0101"] == 0.5
    path.write_text(
        "code,year,indicator,value\n" + "\n".join([*lines[:250], "0180,2022,ind_0,abc", *lines[250:]]) + "\n"
    )
    with pytest.raises(InputError, match=r"row 252, column 'value': 'abc' is not a number"):
        read_values(path)
    path.write_text("code,year,indicator,value\n" + "\n".join([*lines, lines[3]]) + "\n")
    with pytest.raises(InputError, match=r"row 301: duplicated value .*\(first in row 5\)"):
        read_values(path)


def test_values_read_as_floats_when_missing_and_suppressed_mix(tmp_path):
    path = tmp_path / "mix.csv"
    path.write_text("kod,år,värde\n0180,2022,1.5\n1480,2022,..\n0114,2022,\n", encoding="utf-8")
    values = read_values(path, indicator="x").values
    assert list(values["status"]) == ["ok", "suppressed", "missing"]
    assert values["value"].iloc[0] == 1.5 and math.isnan(values["value"].iloc[1])


@pytest.mark.parametrize(
    ("literal", "message"),
    [
        ("NaN", "nan is not a number"),
        ("Infinity", "inf is not a finite number"),
        ("1e999", "inf is not a finite"),
    ],
)
def test_kolada_answers_with_nan_or_infinity_are_errors(data, tmp_path, capsys, literal, message):
    path = tmp_path / "kolada.json"
    path.write_text(
        '{"values": [{"kpi": "N00945", "municipality": "0180", "period": 2022, "values": ['
        '{"gender": "T", "value": 1.5}, {"gender": "K", "value": null}, {"gender": "M", "value": '
        + literal
        + "}]}]}",
        encoding="utf-8",
    )
    before = current_version(data)
    assert run(data, path, "--indicator", "N00945") == 2
    assert f"file kolada.json, row 1, column 'value': {message}" in capsys.readouterr().err
    assert current_version(data) == before
    path.write_text(path.read_text().replace(literal, "null"), encoding="utf-8")
    assert run(data, path, "--indicator", "N00945") == 0
    assert imported(data) == {
        ("N00945", "0180", 2022, "total"): 1.5,
        ("N00945", "0180", 2022, "sex=female"): "missing",
        ("N00945", "0180", 2022, "sex=male"): "missing",
    }


def test_progress_bar_for_streamed_files(tmp_path, capsys):
    path = tmp_path / "long.csv"
    path.write_text("code;year;indicator;value\n0180;2022;x;1\n", encoding="utf-8")
    read_values(path, progress=True)
    assert "reading long.csv" in capsys.readouterr().err
    read_values(path, progress=False)
    assert capsys.readouterr().err == ""


def test_xlsx_in_a_zip_and_json_in_gzip(data, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Kommunkod", "År", "Värde"])
    book.active.append(["0180", 2022, 3.5])
    inner = tmp_path / "tabell.xlsx"
    book.save(inner)
    packed = tmp_path / "tabell.zip"
    with zipfile.ZipFile(packed, "w") as archive:
        archive.write(inner, "tabell.xlsx")
    assert run(data, packed, "--indicator", "x") == 0
    assert imported(data) == {("x", "0180", 2022, "total"): 3.5}
    answer = (
        '{"values": [{"kpi": "N00945", "municipality": "1480", "period": 2021, "values": [{"gender": "T", '
    )
    answer += '"value": 7.25}]}]}'
    gz = tmp_path / "kolada.json.gz"
    gz.write_bytes(gzip.compress(answer.encode("utf-8")))
    assert run(data, gz, "--indicator", "N00945") == 0
    assert imported(data)[("N00945", "1480", 2021, "total")] == 7.25


def test_long_table_below_a_title_line_keeps_its_row_numbers(data, tmp_path, capsys):
    path = tmp_path / "titled.csv"
    path.write_text(
        "Andel efter kommun och år\r\n\r\nkod;år;värde\r\n0180;2022;1\r\n1480;2022;abc\r\n", encoding="utf-8"
    )
    assert run(data, path, "--indicator", "x") == 2
    assert "file titled.csv, row 5, column 'värde': 'abc' is not a number" in capsys.readouterr().err
    path.write_text(
        "Andel efter kommun och år\r\n\r\nkod;år;värde\r\n0180;2022;1\r\n1480;2022;2\r\n", encoding="utf-8"
    )
    assert run(data, path, "--indicator", "x") == 0
    assert imported(data) == {("x", "0180", 2022, "total"): 1.0, ("x", "1480", 2022, "total"): 2.0}
    assert "title line 'Andel efter kommun och år' above the table" in capsys.readouterr().out


def test_a_row_with_more_cells_than_the_header_is_named(tmp_path, monkeypatch):
    monkeypatch.setattr(stream, "BLOCK_SIZE", 256)
    lines = [f"{1000 + i:04d};2022;{i},5" for i in range(100)]
    path = tmp_path / "cells.csv"
    path.write_text("kod;år;värde\n" + "\n".join([*lines[:60], "0114;2022;3;4", *lines[60:]]) + "\n")
    with pytest.raises(
        InputError, match=r"file cells\.csv, row 62: 4 cells where the header has 3: '0114;2022;3;4'"
    ):
        read_values(path, indicator="x", level="kommun")
