"""The report as plain data: headings, paragraphs, tables and figures in order, every number already a string.

:mod:`data.report.content` builds it; :mod:`data.report.docx`, :mod:`data.report.html` (and through it
:mod:`data.report.pdf`) only lay it out, so the three outputs show the same text and the same numbers.
Tables and figures are numbered by the writers, in document order ("Tabell 3", "Figur 2").
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1
    """1 (a section) or 2 (a subsection)."""


@dataclass(frozen=True)
class Paragraph:
    text: str
    note: bool = False
    """A note on what the data does not allow (set in italics)."""


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...] = ()
    """Per column: right-aligned numbers."""

    def is_numeric(self, column: int) -> bool:
        return column < len(self.numeric) and self.numeric[column]


@dataclass(frozen=True)
class Figure:
    caption: str
    png: bytes = field(repr=False)
    width_px: int
    height_px: int


Block = Heading | Paragraph | Table | Figure


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    lang: str
    blocks: tuple[Block, ...]
    colophon: tuple[str, ...] = ()
    """Lines under the title: scope, level, years, dataset version and date."""


LABELS: dict[str, dict[str, str]] = {
    "sv": {"table": "Tabell", "figure": "Figur", "contents": "Innehåll"},
    "en": {"table": "Table", "figure": "Figure", "contents": "Contents"},
}


def label(lang: str, kind: str) -> str:
    """``Tabell``/``Table`` or ``Figur``/``Figure``."""
    return LABELS["en" if lang == "en" else "sv"][kind]
