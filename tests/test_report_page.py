"""The report page in headless Chromium (Debian's, driven by Playwright): progress while the report builds,
then the printable report with the same numbers as the API; print media hides the toolbar."""

from __future__ import annotations

from pathlib import Path

from tests.clients import chromium_page, live_server

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


def test_report_page_shows_progress_then_the_report():
    from tileserver import create_app

    app = create_app({"TESTING": True})
    query = "kommun=0202&level=deso&from=2016&to=2023&lang=sv"
    with live_server(app) as base_url, chromium_page(1000, 800) as page:
        page.goto(f"{base_url}/report?{query}")
        assert page.locator("progress").count() == 1  # the build has only just started
        page.wait_for_selector("h2", timeout=60_000)  # the page reloads itself when the report is ready
        headings = page.locator("h2").all_inner_texts()
        assert headings[:3] == ["Om underlaget", "Områdestyper", "Ojämlikhetsindex"]
        assert page.locator("figure img").count() >= 4
        assert all(page.locator("figure img").evaluate_all("imgs => imgs.map(i => i.naturalWidth > 0)"))
        value = app.test_client().get("/api/measures/ojamlikhet/0202").get_json()["series"]["kommun"]
        last = f"{next(r['value'] for r in value if r['year'] == 2023):.1f}".replace(".", ",")
        caption = page.locator("p.caption", has_text="Ojämlikhetsindex 2016–2023")
        table = page.locator("div.table", has=caption)
        cells = table.locator("tbody tr").last.locator("td").all_inner_texts()
        assert cells[:2] == ["2023", last]
        assert page.locator("nav.toolbar").is_visible()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "report_page.png"))
        page.emulate_media(media="print")
        assert not page.locator("nav.toolbar").is_visible()
        assert page.errors == []
