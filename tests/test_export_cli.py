"""``barometer export``: map images and tables of a municipality into a folder, without a server."""

import io

import openpyxl
import pyogrio
from PIL import Image

from data.cli import main


def test_export_writes_every_format(data_dir, tmp_path, capsys):
    out = tmp_path / "report"
    argv = ["export", "--data", str(data_dir), "--kommun", "0201", "--out", str(out), "--dpi", "72"]
    assert main([*argv, "--year", "2021", "--indicators", "income,unemployment"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [
            "income_0201_deso_2021.png",
            "income_0201_deso_2021.svg",
            "unemployment_0201_deso_2021.png",
            "unemployment_0201_deso_2021.svg",
            *(f"barometer_0201_deso_2021.{f}" for f in ("gpkg", "xlsx", "csv", "geojson")),
        ]
    )
    image = Image.open(out / "income_0201_deso_2021.png")
    assert image.size == (595, 842) and round(image.info["dpi"][0]) == 72  # A4 portrait at 72 DPI
    assert "Inkomst 2021" in (out / "income_0201_deso_2021.svg").read_text(encoding="utf-8")
    book = openpyxl.load_workbook(io.BytesIO((out / "barometer_0201_deso_2021.xlsx").read_bytes()))
    assert book.sheetnames == ["Data", "Definitions"]
    layers = dict(pyogrio.list_layers(out / "barometer_0201_deso_2021.gpkg"))
    assert set(layers) == {"deso_0201", "layer_styles"}
    csv_head = (out / "barometer_0201_deso_2021.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert csv_head == "code;name;kommun;lan;regso;income_2021;unemployment_2021;unemployment_2021_status"
    assert "wrote 8 files" in capsys.readouterr().out


def test_export_only_some_formats_in_landscape(data_dir, tmp_path):
    out = tmp_path / "maps"
    argv = ["export", "--data", str(data_dir), "--kommun", "0201", "--out", str(out)]
    assert (
        main(
            [
                *argv,
                "--formats",
                "png",
                "--indicators",
                "income",
                "--dpi",
                "100",
                "--orientation",
                "landscape",
            ]
        )
        == 0
    )
    (only,) = out.iterdir()
    assert only.name == "income_0201_deso_2021.png"  # the latest year by default
    assert Image.open(only).size == (1169, 827)  # A4 landscape at 100 DPI


def test_export_errors_name_the_option(data_dir, tmp_path, capsys):
    argv = ["export", "--data", str(data_dir), "--out", str(tmp_path / "x")]
    assert main([*argv, "--kommun", "0999"]) == 2
    assert "kommun" in capsys.readouterr().err
    assert main([*argv, "--kommun", "0201", "--formats", "pdf"]) == 2
    assert "formats" in capsys.readouterr().err
    assert main([*argv, "--kommun", "0201", "--dpi", "600"]) == 2
    assert "DPI limit" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
