"""One call from options to the bytes of a report in a format: what the CLI and the benchmark run."""

from __future__ import annotations

from data.report.content import Progress, build_report
from data.report.document import Report
from data.report.options import ReportOptions
from indicators.model import Dataset

FORMATS = ("docx", "pdf", "html")


def render(report: Report, fmt: str) -> bytes:
    """The report written as ``docx``, ``pdf`` or ``html``."""
    if fmt == "docx":
        from data.report.docx import render_docx

        return render_docx(report)
    if fmt == "pdf":
        from data.report.pdf import render_pdf

        return render_pdf(report)
    from data.report.html import render_html

    return render_html(report).encode()


def write_report(
    dataset: Dataset, options: ReportOptions, fmt: str, progress: Progress | None = None
) -> bytes:
    return render(build_report(dataset, options, progress), fmt)
