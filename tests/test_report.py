"""The segregation analysis report on the demo: DOCX read back with python-docx, PDF read with Debian's
pdftotext and pdftoppm, the page through the app; numbers checked against the measures API of the same app.

Numbers are formatted here independently (Swedish: narrow no-break space between thousands, decimal comma)."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
from pathlib import Path

import docx
import pytest

from data.cli import main

KOMMUN, OTHER = "0201", "0202"
QUERY = "level=regso&from=2015&to=2023&lang=sv"
pdf_tools = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdftoppm")), reason="needs Debian's poppler-utils"
)


def sv(value: float, decimals: int = 1, *, signed: bool = False) -> str:
    text = f"{value:{'+' if signed else ''},.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


@pytest.fixture(scope="module")
def client():
    from tileserver import create_app

    return create_app({"TESTING": True, "CHECK_EVERY": 0.0}).test_client()


@pytest.fixture(scope="module")
def word(client):
    response = client.get(f"/api/report/{KOMMUN}.docx?{QUERY}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return docx.Document(io.BytesIO(response.data))


def tables_by_caption(document) -> dict[str, list[list[str]]]:
    """Caption text (after "Tabell N.") → the rows of the table that follows it."""
    body = document.element.body
    found, caption = {}, None
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = docx.text.paragraph.Paragraph(child, document)
            if paragraph.style.name == "Caption" and paragraph.text.startswith(("Tabell", "Table")):
                caption = paragraph.text.split(".", 1)[1].strip()
        elif tag == "tbl" and caption:
            table = docx.table.Table(child, document)
            found[caption] = [[cell.text for cell in row.cells] for row in table.rows]
            caption = None
    return found


def row(table: list[list[str]], first: str) -> list[str]:
    return next(r for r in table if r[0] == first)


def test_docx_structure_in_the_documents_own_styles(word):
    headings = {(p.style.name, p.text) for p in word.paragraphs if p.style.name.startswith("Heading")}
    for title in ("Områdestyper", "Ojämlikhetsindex", "Levnadsvillkor per område", "Kön och bakgrund"):
        assert ("Heading 1", title) in headings
    assert ("Heading 1", "Statistik per områdestyp") in headings
    assert ("Heading 1", "Metod och definitioner") in headings
    assert ("Heading 1", "Källor och version") in headings
    assert ("Heading 2", "Arbete") in headings
    assert word.paragraphs[0].style.name == "Title"
    captions = [p.text for p in word.paragraphs if p.style.name == "Caption"]
    assert sum(c.startswith("Tabell") for c in captions) == len(word.tables) >= 10
    figures = [c for c in captions if c.startswith("Figur")]
    assert len(figures) == len(word.inline_shapes) >= 4  # types, official types, three index inputs
    assert any("Förvärvsarbetande" not in c and "Områdestyp 2023" in c for c in figures)
    assert {t.style.name for t in word.tables} == {"Light List Accent 1"}
    # Word's own caption numbering: SEQ fields
    assert "SEQ Tabell" in word.element.xml and "SEQ Figur" in word.element.xml


def test_docx_numbers_equal_the_api(word, client):
    tables = tables_by_caption(word)
    ojamlikhet = client.get(f"/api/measures/ojamlikhet/{KOMMUN}").get_json()["series"]
    table = next(v for k, v in tables.items() if k.startswith("Ojämlikhetsindex 2015–2023"))
    for year in (2015, 2023):
        cells = row(table, str(year))
        by_key = {key: {r["year"]: r["value"] for r in ojamlikhet[key]} for key in ("kommun", "lan", "riket")}
        expected = [sv(values[year]) for values in by_key.values()]
        assert cells[1:] == expected

    compare = client.get(f"/api/measures/compare/regso/employment_rate/2023?kommun={KOMMUN}").get_json()
    work = tables["Arbete: kommun, län och riket"]
    cells = row(work, "Förvärvsarbetande (%)")
    assert cells[1] == "2023"
    assert cells[2] == sv(compare["kommun_value"]) and cells[-1] == sv(compare["national_value"])
    spread = row(tables["Arbete: skillnader mellan RegSO-områden"], "Förvärvsarbetande (%)")
    top = max(compare["areas"], key=lambda a: a["value"] or -1)
    low = min((a for a in compare["areas"] if a["value"] is not None), key=lambda a: a["value"])
    assert spread[1] == f"{top['name']} ({sv(top['value'])})"
    assert spread[2] == f"{low['name']} ({sv(low['value'])})"
    assert spread[3] == sv(top["value"] / low["value"], 2)

    types = client.get(f"/api/measures/omradestyper/regso/2023?kommun={KOMMUN}").get_json()
    summary = types["by_municipality"]["omradestyp"][0]
    table = next(v for k, v in tables.items() if k.startswith("Områdestyper: RegSO-områden"))
    first_type = table[1]
    assert first_type[1] == str(summary["areas_1"])
    assert first_type[2] == sv(summary["population_1"], 0)
    assert first_type[3] == sv(100 * summary["share_1"])
    assert sum(int(r[1]) for r in table[1:]) == len(types["areas"])

    indices = client.get(f"/api/measures/indices/{KOMMUN}/2023").get_json()["indices"]
    table = next(v for k, v in tables.items() if k.startswith("Segregationsindex"))
    assert table[0][-1].endswith("2023")
    assert row(table, "Skillnadsindex (D)")[-1] == sv(indices["dissimilarity"]["value"], 3)
    assert row(table, "Gini")[-1] == sv(indices["gini"]["value"], 3)


def test_per_type_statistics_equal_the_per_type_api(word, client):
    tables = tables_by_caption(word)
    table = tables["Statistik per områdestyp: Norrvik 2023"]
    header = table[0]
    for title, indicator, decimals in (
        ("Folkmängd (personer)", "population", 0),
        ("Låg ekonomisk standard (%)", "low_economic_standard", 1),
    ):
        answer = client.get(f"/api/measures/per_type/{indicator}?scope=kommun&code={KOMMUN}").get_json()
        cells = row(table, title)
        for column, name in enumerate(header[1:-1], start=1):
            last = next(r for r in answer["series"][name.split()[-1]] if r["year"] == 2023)
            assert cells[column] == sv(last["value"], decimals)
    # Oracle for the population: the omradestyper API's areas summed by their official type
    areas = client.get(f"/api/measures/omradestyper/regso/2023?kommun={KOMMUN}").get_json()["areas"]
    cells = row(table, "Folkmängd (personer)")
    for column, name in enumerate(header[1:-1], start=1):
        wanted = int(name.split()[-1])
        total = sum(a["population"] for a in areas if a["omradestyp_official"] == wanted)
        assert cells[column] == sv(total, 0)
    assert cells[-1] == sv(sum(a["population"] for a in areas), 0)


def test_two_municipalities_give_one_report(client):
    response = client.get(f"/api/report/{KOMMUN},{OTHER}.docx?level=deso&from=2020&to=2023&lang=en")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.data))
    names = {m["code"]: m["name"] for m in client.get("/api/catalog").get_json()["municipalities"]}
    assert document.paragraphs[0].text == f"Segregation analysis: {names[KOMMUN]} and {names[OTHER]}"
    tables = tables_by_caption(document)
    types = next(v for k, v in tables.items() if k.startswith("Area types: RegSO areas"))
    both = [client.get(f"/api/areas/regso?kommun={k}").get_json() for k in (KOMMUN, OTHER)]
    assert sum(int(r[1]) for r in types[1:]) == sum(len(a) for a in both)
    inequality = next(v for k, v in tables.items() if k.startswith("Inequality index"))
    assert inequality[0][1:3] == [names[KOMMUN], names[OTHER]]
    indices = next(v for k, v in tables.items() if k.startswith("Segregation indices"))
    assert indices[0][1:] == [f"{names[k]} {y}" for k in (KOMMUN, OTHER) for y in (2020, 2023)]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings.count("Area types") == 1 and "Sources and version" in headings


@pdf_tools
def test_pdf_text_and_pages(client, word, tmp_path):
    response = client.get(f"/api/report/{KOMMUN}.pdf?{QUERY}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True, text=True)
    flat = " ".join(text.stdout.replace("\u202f", " ").split())
    for heading in ("Områdestyper", "Ojämlikhetsindex", "Metod och definitioner", "Källor och version"):
        assert heading in flat
    assert "Tabell 1." in flat and "Figur 1." in flat
    compare = client.get(f"/api/measures/compare/regso/employment_rate/2023?kommun={KOMMUN}").get_json()
    assert f"Förvärvsarbetande (%) 2023 {sv(compare['kommun_value'])}" in flat
    summary = client.get(f"/api/measures/omradestyper/regso/2023?kommun={KOMMUN}").get_json()
    population = summary["by_municipality"]["omradestyp"][0]["population_1"]
    assert sv(population, 0).replace("\u202f", " ") in flat
    # The same tables as the DOCX, in the same order
    captions = [p.text.split(".", 1)[1].strip() for p in word.paragraphs if p.text.startswith("Tabell")]
    at = 0
    for caption in captions:
        at = flat.find(f". {caption}", at)
        assert at > 0, caption
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 5
    from PIL import Image

    first = Image.open(pages[0]).convert("L")
    assert first.getextrema()[0] < 100  # ink on the title page


def test_pdf_fetches_nothing():
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    from data.report.pdf import local_only

    html = '<p>x</p><img src="http://127.0.0.1:9/x.png"><img src="file:///etc/hostname">'
    with pytest.raises(FatalURLFetchingError):
        HTML(string=html, url_fetcher=local_only(), base_url="data:,").write_pdf()


def test_page_shows_progress_then_the_printable_report(client):
    query = f"kommun={KOMMUN}&level=regso&from=2019&to=2023&lang=en"
    first = client.get(f"/report?{query}")
    assert first.status_code == 200 and b"<progress" in first.data
    for _ in range(200):
        status = client.get(f"/api/report/status?{query}").get_json()
        assert status["state"] != "failed", status
        if status["state"] == "ready":
            break
        time.sleep(0.1)
    page = client.get(f"/report?{query}")
    html = page.data.decode()
    assert page.status_code == 200 and "<progress" not in html
    assert "<h2>Area types</h2>" in html and "@page" in html and "window.print()" in html
    assert f"/api/report/{KOMMUN}.docx?level=regso&amp;from=2019&amp;to=2023&amp;lang=en" in html
    indices = client.get(f"/api/measures/indices/{KOMMUN}/2023").get_json()["indices"]
    assert f"{indices['dissimilarity']['value']:.3f}" in html  # English: decimal point


@pytest.mark.parametrize(
    ("query", "parameter", "status"),
    [
        ("level=regso", "kommun", 400),
        (f"kommun={KOMMUN}&level=lan", "level", 404),
        (f"kommun={KOMMUN}&from=1990", "from", 404),
        (f"kommun={KOMMUN}&from=2023&to=2015", "from", 400),
        (f"kommun={KOMMUN}&lang=de", "lang", 400),
        (f"kommun={KOMMUN}&indicators=nope", "indicators", 404),
        (f"kommun={KOMMUN}&group=sex=other", "group", 400),
    ],
)
def test_bad_options_name_the_parameter(client, query, parameter, status):
    response = client.get(f"/report?{query}")
    assert response.status_code == status
    assert response.get_json()["parameter"] == parameter


def test_cli_writes_docx_and_pdf(tmp_path, capsys):
    data = tmp_path / "data"
    assert main(["demo", "--data", str(data)]) == 0
    out = tmp_path / "rapport.docx"
    args = ["report", "--data", str(data), "--kommun", f"{KOMMUN},{OTHER}", "--years", "2021-2023"]
    assert main([*args, "--level", "deso", "--output", str(out)]) == 0
    document = docx.Document(str(out))
    assert "Norrvik" in document.paragraphs[0].text and "2021–2023" in document.paragraphs[1].text
    assert main([*args, "--years", "2023-2015", "--output", str(out)]) == 2
    assert "from" in capsys.readouterr().err
    assert main([*args, "--years", "a-b", "--output", str(out)]) == 2
    assert "--years" in capsys.readouterr().err
    assert main([*args, "--output", str(tmp_path / "x.odt")]) == 2
    assert "--format" in capsys.readouterr().err


@pdf_tools
def test_cli_pdf(tmp_path):
    data = tmp_path / "data"
    assert main(["demo", "--data", str(data)]) == 0
    out = tmp_path / "r.pdf"
    args = ["report", "--data", str(data), "--kommun", KOMMUN, "--format", "pdf", "--output", str(out)]
    assert main(args) == 0
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, check=True, text=True).stdout
    assert "Segregationsanalys" in text and Path(out).stat().st_size > 50_000


@pytest.mark.shared
def test_real_municipality_from_scb_files(tmp_path):
    """Göteborg from SCB's RegSO 2025, kommun and län files and the official områdestyper 2022 export."""
    from data.imports import AreaFile, ValueFile, import_areas, import_values
    from data.report.options import ReportOptions
    from data.report.write import write_report
    from data.store import read_version
    from tests.conftest import SHARED

    if not SHARED.exists():
        pytest.skip(f"real SCB files {SHARED} absent (../shared/data is not part of the repository)")
    data = tmp_path / "data"
    for name in ("regso_2025_goteborgsregionen.gpkg", "kommuner_2025.gpkg", "lan_2025.gpkg"):
        import_areas(data, AreaFile(SHARED / name))
    export = SHARED / "regso_omradestyp_2022_statistikdatabasen.csv"
    import_values(data, ValueFile(export, indicator="omradestyp_official", level="regso"))
    dataset = read_version(data)
    document = docx.Document(io.BytesIO(write_report(dataset, ReportOptions(("1480",)), "docx")))
    assert document.paragraphs[0].text == "Segregationsanalys: Göteborg"
    types = next(v for k, v in tables_by_caption(document).items() if k.startswith("SCB:s officiella"))
    # Oracle: the official types of Göteborg's RegSO counted straight from the export's "Göteborg (…)" rows
    counts = [0] * 5
    for line in export.read_text(encoding="utf-8-sig").splitlines()[1:]:
        cells = [c.strip().strip('"') for c in line.split(",")]
        if len(cells) == 2 and cells[0].startswith("Göteborg (") and cells[1].isdigit():
            counts[int(cells[1]) - 1] += 1
    assert [int(r[1]) for r in types[1:]] == counts and sum(counts) > 100
    notes = [p.text for p in document.paragraphs if p.runs and p.runs[0].italic]
    assert any("ingen folkmängd" in n for n in notes)  # says what the data does not allow
    assert any("inkomstkvintil" in n for n in notes)
    if shutil.which("pdftotext"):
        pdf = tmp_path / "goteborg.pdf"
        pdf.write_bytes(write_report(dataset, ReportOptions(("1480",)), "pdf"))
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True, text=True).stdout
        assert "Områdestyp (SCB) 2022" in text


def test_page_is_served_when_the_cache_keeps_nothing():
    """A cache of 0 bytes evicts every report at once: the finished job's result is served, not a loop."""
    from tileserver import create_app

    client = create_app({"TESTING": True, "CHECK_EVERY": 0.0, "CACHE_MB": 0}).test_client()
    query = f"kommun={OTHER}&level=regso&from=2022&to=2023&lang=sv"
    assert b"<progress" in client.get(f"/report?{query}").data
    for _ in range(300):
        if client.get(f"/api/report/status?{query}").get_json()["state"] == "ready":
            break
        time.sleep(0.1)
    page = client.get(f"/report?{query}").data.decode()
    assert "<progress" not in page and "<h2>Områdestyper</h2>" in page


def test_jobs_are_bounded():
    from concurrent.futures import Future

    from werkzeug.exceptions import ServiceUnavailable

    from data.cache import build_cache
    from data.report.options import ReportOptions
    from data.tileset import TileSet
    from tileserver import demo_dataset
    from tileserver.reports import ReportJobs

    pending: list[Future] = []

    def submit(*_args) -> Future:
        pending.append(Future())
        return pending[-1]

    jobs = ReportJobs(build_cache(None, 2**20), submit=submit, max_jobs=2)
    tileset = TileSet(demo_dataset())
    first = jobs.start(tileset, ReportOptions(("0201",)), "pdf", bytes)
    assert jobs.start(tileset, ReportOptions(("0201",)), "pdf", bytes) is first  # one job per options
    jobs.start(tileset, ReportOptions(("0202",)), "pdf", bytes)
    with pytest.raises(ServiceUnavailable):
        jobs.start(tileset, ReportOptions(("0203",)), "pdf", bytes)
    pending[0].set_result(b"done")  # a finished job makes room
    assert jobs.start(tileset, ReportOptions(("0203",)), "pdf", bytes).status()["state"] == "running"
    assert len(pending) == 3
