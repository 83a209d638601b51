"""A report as one self-contained HTML page (figures inline as data: URLs): the web page, printable, and the
input of the PDF."""

from __future__ import annotations

import base64
from html import escape

from data.report.document import Figure, Heading, Paragraph, Report, Table, label

CSS = """
@page { size: A4; margin: 22mm 20mm 20mm 20mm;
  @bottom-left { content: string(title); font-size: 8pt; color: #666; }
  @bottom-right { content: counter(page) " / " counter(pages); font-size: 8pt; color: #666; } }
@page :first { @bottom-left { content: none; } }
html { font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif; font-size: 10pt; color: #1f2328;
  line-height: 1.4; }
body { margin: 0 auto; max-width: 180mm; padding: 0 4mm 12mm; }
header.title { border-bottom: 3px solid #1d4e89; margin: 6mm 0 8mm; padding-bottom: 4mm; }
header.title h1 { string-set: title content(); font-size: 22pt; margin: 0 0 2mm; color: #1d4e89;
  line-height: 1.15; }
header.title .subtitle { font-size: 13pt; color: #444; margin: 0 0 3mm; }
header.title p.colophon { margin: 0; font-size: 8.5pt; color: #555; }
h2 { font-size: 15pt; color: #1d4e89; margin: 9mm 0 2mm; border-bottom: 1px solid #c9d3df;
  padding-bottom: 1mm; break-after: avoid; }
h3 { font-size: 11.5pt; color: #1f2328; margin: 6mm 0 1.5mm; break-after: avoid; }
p { margin: 0 0 2.5mm; }
p.note { font-style: italic; color: #555; }
figure { margin: 3mm 0 5mm; break-inside: avoid; }
figure img { width: 100%; height: auto; border: 1px solid #d8dde3; }
figcaption, p.caption { font-size: 8.5pt; color: #333; text-align: left; margin: 1.5mm 0; }
figcaption b, p.caption b { color: #1d4e89; }
table { border-collapse: collapse; width: 100%; margin: 0; font-size: 8.5pt; break-inside: auto; }
p.caption { break-after: avoid; margin: 1.5mm 0; }
div.table { margin: 2mm 0 5mm; }
div.whole { break-inside: avoid; }
thead { display: table-header-group; }
th { background: #1d4e89; color: #fff; font-weight: bold; text-align: left; padding: 1.2mm 1.5mm;
  vertical-align: bottom; }
th:first-child, td:first-child { min-width: 38mm; }
td { padding: 1mm 1.5mm; border-bottom: 1px solid #e1e6ec; vertical-align: top; }
tr { break-inside: avoid; }
tbody tr:nth-child(even) td { background: #f4f7fa; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
nav.toolbar { margin: 0 0 4mm; padding: 2mm 3mm; background: #eef2f7; border-radius: 2px; font-size: 9.5pt; }
nav.toolbar a { color: #1d4e89; }
@media screen { body { padding-top: 6mm; } }
@media print { body { max-width: none; padding: 0; } .noprint { display: none; } }
"""


def render_html(report: Report, *, extra_head: str = "", toolbar: str = "") -> str:
    """The report as an HTML document; ``extra_head``/``toolbar`` let the web page add its own controls."""
    parts = [
        '<header class="title">',
        f"<h1>{escape(report.title)}</h1>",
        f'<p class="subtitle">{escape(report.subtitle)}</p>',
        *(f'<p class="colophon">{escape(line)}</p>' for line in report.colophon),
        "</header>",
    ]
    tables = figures = 0
    for block in report.blocks:
        if isinstance(block, Heading):
            tag = "h2" if block.level == 1 else "h3"
            parts.append(f"<{tag}>{escape(block.text)}</{tag}>")
        elif isinstance(block, Paragraph):
            parts.append(
                f'<p class="note">{escape(block.text)}</p>' if block.note else f"<p>{escape(block.text)}</p>"
            )
        elif isinstance(block, Table):
            tables += 1
            parts.append(_table(block, f"{label(report.lang, 'table')} {tables}"))
        elif isinstance(block, Figure):
            figures += 1
            data = base64.b64encode(block.png).decode()
            parts.append(
                f'<figure><img src="data:image/png;base64,{data}" width="{block.width_px}" '
                f'height="{block.height_px}" alt="{escape(block.caption)}">'
                f"<figcaption><b>{label(report.lang, 'figure')} {figures}.</b> "
                f"{escape(block.caption)}</figcaption>"
                "</figure>"
            )
    body = "\n".join(parts)
    return (
        f'<!DOCTYPE html>\n<html lang="{report.lang}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
        f"<title>{escape(report.title)}</title><style>{CSS}</style>{extra_head}</head>"
        f"<body>{toolbar}\n{body}\n</body></html>\n"
    )


WHOLE_ROWS = 20
"""Tables of up to this many rows are not split over two pages (nor from their caption)."""


def _table(table: Table, number: str) -> str:
    def cell(tag: str, text: str, column: int) -> str:
        cls = ' class="num"' if table.is_numeric(column) else ""
        return f"<{tag}{cls}>{escape(text)}</{tag}>"

    head = "".join(cell("th", h, i) for i, h in enumerate(table.header))
    rows = "".join(
        "<tr>" + "".join(cell("td", c, i) for i, c in enumerate(row)) + "</tr>" for row in table.rows
    )
    whole = " whole" if len(table.rows) <= WHOLE_ROWS else ""
    return (
        f'<div class="table{whole}"><p class="caption"><b>{number}.</b> {escape(table.caption)}</p>'
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
    )
