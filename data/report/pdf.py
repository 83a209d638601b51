"""A report as PDF: WeasyPrint lays out the report's HTML page (fonts from the system: Debian's Liberation and
DejaVu). Nothing is fetched: figures are inline data: URLs, and the fetcher refuses every other protocol (a
refused URL stops the rendering instead of leaving a hole)."""

from __future__ import annotations

from data.report.document import Report
from data.report.html import render_html


def local_only():
    """WeasyPrint's URL fetcher for reports: data: URLs only, never the network or the file system."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False, fail_on_errors=True)


def render_pdf(report: Report) -> bytes:
    from weasyprint import HTML  # loads Pango on the first PDF, not in every worker

    return HTML(string=render_html(report), url_fetcher=local_only(), base_url="data:,").write_pdf()
