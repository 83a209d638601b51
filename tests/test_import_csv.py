"""indicators.importers on CSV and XLSX: encodings, separators, the three table shapes, markers, bad input."""

from __future__ import annotations

import math

import geopandas as gpd
import openpyxl
import pytest
from shapely.geometry import box

from indicators.importers import guess_format, read_values
from indicators.importers.common import parse_number
from indicators.model import VALUE_COLUMNS, InputError


def kommun_areas(*codes: str) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "code": list(codes),
            "name": list(codes),
            "level": "kommun",
            "kommun": "",
            "lan": [c[:2] for c in codes],
            "regso": "",
        },
        geometry=[box(i, 0, i + 1, 1) for i in range(len(codes))],
        crs="EPSG:3006",
    )


def value_of(result, code, year=2022, indicator=None, breakdown="total"):
    v = result.values
    mask = (v["code"] == code) & (v["year"] == year) & (v["breakdown"] == breakdown)
    if indicator:
        mask &= v["indicator"] == indicator
    (row,) = v[mask].itertuples()
    return row


def test_latin1_semicolon_long_form_with_decimal_commas(tmp_path):
    text = (
        "Kod;År;Indikator;Värde\n"
        "180;2022;Andel förvärvsarbetande;72,5\n"
        "1480;2022;Andel förvärvsarbetande;1 234,5\n"
        "1480;2021;Andel förvärvsarbetande;..\n"
        "1481;2022;Andel förvärvsarbetande;-3,25\n"
    )
    path = tmp_path / "sysselsättning.csv"
    path.write_bytes(text.encode("cp1252"))
    result = read_values(path)
    assert list(result.values.columns) == list(VALUE_COLUMNS)
    assert len(result.values) == 4
    assert set(result.values["indicator"]) == {"andel_forvarvsarbetande"}
    assert result.indicators["andel_forvarvsarbetande"].title_sv == "Andel förvärvsarbetande"
    assert value_of(result, "0180").value == 72.5
    assert value_of(result, "1480").value == 1234.5
    assert value_of(result, "1481").value == -3.25
    suppressed = value_of(result, "1480", 2021)
    assert suppressed.status == "suppressed" and math.isnan(suppressed.value)
    assert set(result.values["level"]) == {"kommun"}
    assert "not UTF-8: read as Windows-1252 (Latin-1)" in result.report
    assert "CSV separated by ';'" in result.report
    assert any("row 2: 180 → 0180" in line for line in result.report)


def test_utf8_bom_comma_wide_by_indicator(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(
        'kod,år,Medianinkomst (tkr),Andel utrikes födda\n0180,2022,"345,5",27.1\n1480,2022,301,x\n',
        encoding="utf-8-sig",
    )
    result = read_values(path)
    assert set(result.indicators) == {"medianinkomst_tkr", "andel_utrikes_fodda"}
    assert result.indicators["medianinkomst_tkr"].title_sv == "Medianinkomst (tkr)"
    assert value_of(result, "0180", indicator="medianinkomst_tkr").value == 345.5
    assert value_of(result, "1480", indicator="medianinkomst_tkr").value == 301.0
    assert value_of(result, "0180", indicator="andel_utrikes_fodda").value == pytest.approx(27.1)
    assert value_of(result, "1480", indicator="andel_utrikes_fodda").status == "suppressed"
    assert "CSV separated by ','" in result.report


def test_wide_by_year_with_a_breakdown_column_and_coded_names(tmp_path):
    path = tmp_path / "befolkning.csv"
    path.write_text(
        "region,kön,Antal 2021,Antal 2022\n"
        "0180 Stockholm,män,100,110\n0180 Stockholm,kvinnor,120,130\n0180 Stockholm,totalt,220,240\n"
        "\nKälla: SCB\n",
        encoding="utf-8",
    )
    result = read_values(path, indicator="befolkning")
    assert set(result.values["indicator"]) == {"befolkning"}
    assert value_of(result, "0180", 2021, breakdown="sex=male").value == 100
    assert value_of(result, "0180", 2022, breakdown="sex=female").value == 130
    assert value_of(result, "0180", 2022).value == 240
    assert result.indicators["befolkning"].breakdowns == ("total", "sex=female", "sex=male")
    assert any(line.startswith("ignored 1 footer lines") for line in result.report)


def test_wide_by_year_with_several_labels_gives_several_indicators(tmp_path):
    path = tmp_path / "two.csv"
    path.write_text("kommun,Antal 2022,Andel 2022\n1480,5,0.5\n", encoding="utf-8")
    result = read_values(path, indicator="utrikes")
    assert value_of(result, "1480", indicator="utrikes_antal").value == 5
    assert value_of(result, "1480", indicator="utrikes_andel").value == 0.5


def test_long_form_with_counts_status_and_breakdown(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(
        "code;year;indicator;breakdown;value;status;numerator;denominator\n"
        "0180R001;2022;low_income;sex=female;12,5;;25;200\n"
        "0180R001;2022;low_income;kvinnor;;suppressed;;\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"row 3: duplicated value .* \(first in row 2\)"):
        read_values(path)
    path.write_text(
        "code;year;indicator;breakdown;value;status;numerator;denominator\n"
        "0180R001;2022;low_income;sex=female;12,5;;25;200\n"
        "0180R002;2022;low_income;män;;suppressed;;\n",
        encoding="utf-8",
    )
    result = read_values(path)
    first = value_of(result, "0180R001", breakdown="sex=female")
    assert (first.value, first.numerator, first.denominator, first.level) == (12.5, 25.0, 200.0, "regso")
    second = value_of(result, "0180R002", breakdown="sex=male")
    assert second.status == "suppressed" and math.isnan(second.value)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("..", "suppressed"),
        ("x", "suppressed"),
        ("X", "suppressed"),
        ("*", "suppressed"),
        (".", "missing"),
        ("-", "missing"),
        ("–", "missing"),
        ("", "missing"),
    ],
)
def test_markers_are_never_zero(tmp_path, cell, expected):
    path = tmp_path / "m.csv"
    path.write_text(f"kod;år;värde\n0180;2022;{cell}\n", encoding="utf-8")
    row = value_of(read_values(path, indicator="i"), "0180")
    assert row.status == expected
    assert math.isnan(row.value)


def test_parse_number_forms():
    assert parse_number("1.234,5") == (1234.5, "ok")
    assert parse_number("1,234.5") == (1234.5, "ok")
    assert parse_number("12\u00a0345") == (12345.0, "ok")
    assert parse_number("\u22123,25") == (-3.25, "ok")
    assert parse_number(7) == (7.0, "ok")
    assert parse_number("12 %") is None
    assert parse_number("abc") is None


@pytest.mark.parametrize(
    ("body", "kwargs", "message"),
    [
        ("0180;2022;abc\n", {}, r"file bad\.csv, row 2, column 'värde': 'abc' is not a number"),
        (
            "0180;2022;1\n0180;1850;2\n",
            {},
            r"file bad\.csv, row 3, column 'år': year 1850 is outside 1990\.\.2100",
        ),
        ("0180;2022;1\n0180;20x2;2\n", {}, r"row 3, column 'år': '20x2' is not a year"),
        (
            "0180;2022;1\n1480;2022;1\n",
            {"areas": "0180"},
            r"row 3, column 'kod': unknown kommun code '1480': not among the loaded areas",
        ),
        (
            "0180;2022;1\n0180R001;2022;1\n",
            {"level": "kommun"},
            r"row 3, column 'kod': '0180R001' is not a kommun",
        ),
        ("0180;2022;1\n;2022;1\n", {}, r"row 3, column 'kod': empty area code"),
        (
            "0180;2022;1\n0180;2022;2\n",
            {},
            r"row 3: duplicated value for indicator 'i', area 0180, year 2022",
        ),
    ],
)
def test_bad_values_name_file_row_and_column(tmp_path, body, kwargs, message):
    path = tmp_path / "bad.csv"
    path.write_text("kod;år;värde\n" + body, encoding="utf-8")
    if "areas" in kwargs:
        kwargs["areas"] = kommun_areas(kwargs["areas"])
    with pytest.raises(InputError, match=message):
        read_values(path, indicator="i", **kwargs)


def test_unknown_codes_can_be_dropped_and_other_levels_pass(tmp_path):
    path = tmp_path / "v.csv"
    path.write_text("kod;år;värde\n0180;2022;1\n1480;2022;2\n14;2022;3\n", encoding="utf-8")
    result = read_values(path, indicator="i", areas=kommun_areas("0180"), drop_unknown=True)
    assert sorted(result.values["code"]) == ["0180", "14"]
    assert any(line.startswith("dropped 1 rows") for line in result.report)
    assert any("levels ['lan'] are not among the loaded areas" in line for line in result.report)


def test_xlsx_named_sheet_with_numeric_codes(tmp_path):
    book = openpyxl.Workbook()
    book.active.title = "Info"
    book.active.append(["Den här fliken är inte data"])
    sheet = book.create_sheet("Data")
    sheet.append(["Kommunkod", "År", "Andel (%)"])
    sheet.append([180, 2022, 12.5])
    sheet.append([1480, 2022.0, ".."])
    sheet.append([1, 2022, 3])
    path = tmp_path / "data.xlsx"
    book.save(path)
    assert guess_format(path) == "xlsx"
    result = read_values(path, sheet="Data")
    assert value_of(result, "0180").value == 12.5
    assert value_of(result, "1480").status == "suppressed"
    assert value_of(result, "01").level == "lan"
    assert result.indicators["andel"].title_sv == "Andel (%)"
    assert any("row 2: 180 → 0180" in line and "row 4: 1 → 01" in line for line in result.report)
    with pytest.raises(InputError, match=r"no sheet 'Blad1'"):
        read_values(path, sheet="Blad1")
    with pytest.raises(InputError, match=r"file data\.xlsx, row 1: no data rows below the header"):
        read_values(path)  # the first sheet holds no table


def test_export_with_title_line_unit_column_and_riket(tmp_path):
    path = tmp_path / "livslangd.csv"
    path.write_text(
        "Medellivslängd efter region och år\n\n"
        'region,Kommunnamn,Enhet,2021,2022\n00,Riket,år,"82,4","83,1"\n0180,Stockholm,år,83.0,83.5\n',
        encoding="utf-8",
    )
    result = read_values(path, level="kommun", indicator="medellivslangd")
    assert result.indicators["medellivslangd"].title_sv == "Medellivslängd efter region och år"
    assert set(result.values["breakdown"]) == {"total"}
    assert (value_of(result, "00").level, value_of(result, "00").value) == ("riket", 83.1)
    assert value_of(result, "0180", 2021).value == 83.0
    assert "ignored column 'Enhet': the same text in every row" in result.report


def test_xlsx_years_as_numbers_in_the_header(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["kod", 2021.0, 2022])
    book.active.append(["0180", 1, 2])
    path = tmp_path / "years.xlsx"
    book.save(path)
    result = read_values(path, indicator="i")
    assert value_of(result, "0180", 2021).value == 1
    assert value_of(result, "0180", 2022).value == 2
