"""Accessibility measured: axe-core (from npm, web/node_modules) in Debian's Chromium over every view of the
web page, in Swedish and English, at WCAG 2.1 A and AA. The demo dataset; one page per view and language."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests import test_web_map as web
from tests.test_web_map import CHROMIUM, DIST, KOMMUN

app, api, base_url, browser, new_page = web.app, web.api, web.base_url, web.browser, web.new_page

AXE = Path(__file__).resolve().parents[1] / "web" / "node_modules" / "axe-core" / "axe.min.js"
pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium at /usr/bin/chromium"),
    pytest.mark.skipif(not DIST.exists(), reason="web map not built: run `npm ci && npm run build` in web/"),
    pytest.mark.skipif(not AXE.exists(), reason="axe-core not installed: run `npm ci` in web/"),
]
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MAP = f"k={KOMMUN}&i=employment_rate&y=2023"

# view: (path and query, what the page must show before it is measured, an action that opens a part)
VIEWS = {
    "explore": (f"/?{MAP}", "view-map:value:", None),
    "mobile": (f"/?{MAP}", "view-map:value:", None),  # at 360 px
    "compare": (f"/?{MAP}&m=years&ya=2015", "view-map:years:", None),
    "change": (f"/?{MAP}&m=change&ya=2015", "view-map:change:", None),
    "types": (f"/?{MAP}&lv=regso&m=types", "view-map:types:", None),
    "overview": (f"/?v=overview&k={KOMMUN}&y=2023", f"view-overview:{KOMMUN}", None),
    "table": (f"/?v=table&{MAP}&ti=employment_rate,unemployment_rate", f"view-table:{KOMMUN}", None),
    "embed": (f"/embed?{MAP}", "view-map:value:", None),
    "share": (f"/?{MAP}", "view-map:value:", "share"),
    "detail": (f"/?{MAP}", "view-map:value:", "detail"),
    "pertype": (f"/?v=pertype&{MAP}&ps=lan", "view-pertype:employment_rate:lan:", None),
    "county": (f"/?v=county&k={KOMMUN}&y=2022", f"view-county:{KOMMUN[:2]}:2022", None),
    "national": ("/?v=national&y=2023&ni=ojamlikhetsindex", "view-national:ojamlikhetsindex:kommun:", None),
    "help": (f"/?{MAP}", "view-map:value:", "help"),
}


def _axe(page) -> list[dict]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return result.violations.map((v) => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.map((n) => n.target.join(' ')).slice(0, 8),
            }));
        }""",
        WCAG_21_AA,
    )


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("view", list(VIEWS))
def test_no_wcag_21_aa_violations(new_page, base_url, api, view, lang):
    path, rendered, action = VIEWS[view]
    page = (new_page(width=360, height=800) if view == "mobile" else new_page()).open(
        f"{base_url}{path}&l={lang}"
    )
    element, expected = rendered.split(":", 1)
    page.wait_rendered(element, expected)
    assert page.page.locator("html").get_attribute("lang") == lang
    if action == "share":
        page.page.click("#share-btn")
        page.page.locator("#share-dialog").wait_for(state="visible")
    elif action == "help":
        page.page.click("#ind-help button.help-btn")
        page.page.locator("#ind-help .help-panel").wait_for(state="visible")
    elif action == "detail":
        code = api(f"/api/areas/deso?kommun={KOMMUN}")[0]["code"]
        page.page.evaluate("(c) => window.barometer.store.set({sel: [c]})", code)
        page.page.wait_for_function("document.getElementById('detail').dataset.codes !== undefined")
        page.page.locator("#detail").wait_for(state="visible")
    violations = _axe(page.page)
    report = "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["targets"]) for v in violations
    )
    assert violations == [], f"{view} ({lang}):\n{report}"
    assert page.errors == []


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_report_page_while_it_builds_and_when_ready_has_no_violations(new_page, base_url, lang):
    page = new_page()
    page.page.goto(f"{base_url}/report?kommun={KOMMUN}&level=deso&from=2016&to=2023&lang={lang}")
    states = {}
    if page.page.locator("progress").count():  # still building: the progress page
        states["progress"] = _axe(page.page)
    page.page.wait_for_selector("h2", timeout=90_000)  # the page reloads itself when the report is ready
    states["report"] = _axe(page.page)
    assert page.page.locator("html").get_attribute("lang") == lang
    assert states == {name: [] for name in states}, states
    assert page.errors == []


def test_keyboard_table_view_sorting_and_share_dialog_keep_the_focus(new_page, base_url, api):
    page = new_page().open(f"{base_url}/?{MAP}")
    keyboard = page.page.keyboard
    page.tab_to(".skip-link", limit=1)  # the first stop skips to the content
    keyboard.press("Enter")
    assert page.page.evaluate("document.activeElement.id") == "main"
    page.tab_to("[data-view='table']", back=True)
    keyboard.press("Enter")
    page.wait_rendered("view-table", f"{KOMMUN}:employment_rate:2023")
    assert page.page.locator("[data-view='table']").get_attribute("aria-current") == "page"
    # the indicator's column: highest first
    page.tab_to("#data-table thead th:nth-child(3) button.sort", limit=120)
    keyboard.press("Enter")
    header = page.page.locator("#data-table thead th").nth(2)
    page.page.wait_for_function(
        "document.querySelectorAll('#data-table thead th')[2].getAttribute('aria-sort') === 'descending'"
    )
    assert page.page.evaluate("document.activeElement.dataset.key") == "sort:2"  # focus survives the redraw
    values = api(f"/api/values/deso/2023?kommun={KOMMUN}")["values"]
    names = {a["code"]: a["name"] for a in api(f"/api/areas/deso?kommun={KOMMUN}")}
    best = max((v["employment_rate"], c) for c, v in values.items() if "employment_rate" in v)[1]
    assert page.page.locator("#data-table tbody tr").first.locator("th").inner_text() == names[best]
    keyboard.press("Enter")  # again: lowest first, and still focused
    page.page.wait_for_function(
        "document.querySelectorAll('#data-table thead th')[2].getAttribute('aria-sort') === 'ascending'"
    )
    assert header.locator("button").evaluate("(b) => b === document.activeElement")
    page.tab_to("#share-btn", limit=120, back=True)  # its dialog takes the focus and gives it back
    keyboard.press("Enter")
    page.page.locator("#share-dialog").wait_for(state="visible")
    assert page.page.evaluate("document.getElementById('share-dialog').contains(document.activeElement)")
    keyboard.press("Escape")
    page.page.locator("#share-dialog").wait_for(state="hidden")
    assert page.page.evaluate("document.activeElement.id") == "share-btn"
    assert page.errors == []
