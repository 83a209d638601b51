"""How to read each measure, in Swedish and English, from ``methods.toml``: the one source of the page's
method help and of the "For a planner" parts of docs/measures.md (kept equal by a test; ``python -m
indicators.methods`` rewrites them). Indicators get the same help from their catalog entry and kind
(:func:`indicator_help`).

Each entry says what the measure is, its formula in words, how to read it, where it comes from, and what
not to do with it.
"""

from __future__ import annotations

import re
import sys
import tomllib
from dataclasses import asdict, dataclass
from pathlib import Path
from textwrap import fill as wrap

from indicators.model import Indicator

Text = tuple[str, str]
"""(Swedish, English)."""


@dataclass(frozen=True)
class MethodHelp:
    id: str
    title: Text
    definition: Text
    formula: Text
    reading: Text
    source: Text
    caveats: tuple[Text, ...] = ()

    def to_json(self, lang: str | None = None) -> dict:
        """Every text as ``{"sv", "en"}``, or in one language."""
        pick = (lambda t: t[1] if lang == "en" else t[0]) if lang else (lambda t: {"sv": t[0], "en": t[1]})
        data = asdict(self)
        out = {key: pick(value) for key, value in data.items() if key not in ("id", "caveats")}
        return {"id": self.id, **out, "caveats": [pick(tuple(c)) for c in data["caveats"]]}


SOURCE = Path(__file__).with_name("methods.toml")


def _text(entry: dict) -> Text:
    return entry["sv"], entry["en"]


def load(path: Path = SOURCE) -> tuple[MethodHelp, ...]:
    """The measures of ``methods.toml``, in the order the page and docs/measures.md list them."""
    with path.open("rb") as handle:
        entries = tomllib.load(handle)["measure"]
    fields = ("title", "definition", "formula", "reading", "source")
    return tuple(
        MethodHelp(e["id"], *(_text(e[f]) for f in fields), tuple(_text(c) for c in e.get("caveats", ())))
        for e in entries
    )


MEASURES: tuple[MethodHelp, ...] = load()

KIND_READING: dict[str, Text] = {
    "share": (
        "Andel i procent av dem indikatorn avser.",
        "Share in percent of those the indicator is about.",
    ),
    "rate": ("Kvot: antal per person eller per enhet.", "Rate: a number per person or per unit."),
    "mean": ("Medelvärde för dem som bor i området.", "Mean over the people living in the area."),
    "median": (
        "Median: hälften ligger över, hälften under. Kan inte läggas ihop till större områden.",
        "Median: half lie above, half below. Cannot be added up to larger areas.",
    ),
    "count": ("Antal personer eller enheter.", "Number of persons or units."),
    "index": (
        "Index: läs värdet mot skalan i beskrivningen.",
        "Index: read the value on the scale described.",
    ),
    "category": ("Kategori: en av de namngivna klasserna.", "Category: one of the named classes."),
}
DIRECTION_READING: dict[str, Text] = {
    "higher_better": ("Högre värden är bättre.", "Higher values are better."),
    "higher_worse": (
        "Högre värden pekar på större utmaningar.",
        "Higher values point to greater challenges.",
    ),
    "neutral": ("Varken högre eller lägre är i sig bättre.", "Neither higher nor lower is better in itself."),
}
CHANGE_CAVEAT: Text = (
    "Förändringar av andelar anges i procentenheter, av andra mått i procent av startvärdet.",
    "Changes of shares are given in percentage points, of other measures in percent of the start value.",
)
SUPPRESSED_CAVEAT: Text = (
    "Prickade värden är sekretesskyddade (för få personer) och visas aldrig som noll.",
    "Dotted values are suppressed (too few persons) and never shown as zero.",
)


def indicator_help(indicator: Indicator) -> MethodHelp:
    """Method help of an indicator from its catalog entry and kind."""
    reading = tuple(
        " ".join(
            part[i]
            for part in (KIND_READING.get(indicator.kind, ("", "")), DIRECTION_READING[indicator.direction])
        )
        for i in (0, 1)
    )
    unit = f" ({indicator.unit})" if indicator.unit else ""
    return MethodHelp(
        indicator.id,
        (indicator.title_sv, indicator.title_en),
        (indicator.description_sv or indicator.title_sv, indicator.description_en or indicator.title_en),
        (f"Enhet{unit or ': ingen'}.", f"Unit{unit or ': none'}."),
        reading,  # type: ignore[arg-type]
        (indicator.source, indicator.source),
        (CHANGE_CAVEAT, SUPPRESSED_CAVEAT),
    )


DOCS = Path(__file__).resolve().parents[1] / "docs" / "measures.md"
_BLOCK = re.compile(r"(<!-- methods:(?P<id>[\w-]+) -->\n)(.*?)(<!-- /methods -->)", re.S)


def docs_block(entry: MethodHelp) -> str:
    """The English "For a planner" text of a measure as docs/measures.md shows it."""
    paragraphs = [
        f"**For a planner.** {entry.definition[1]} {entry.reading[1]}",
        f"*How it is computed.* {entry.formula[1]}",
        "*Take care.*\n" + "\n".join(wrap(f"- {c[1]}", 110, subsequent_indent="  ") for c in entry.caveats),
    ]
    return "\n\n".join(p if p.startswith("*Take") else wrap(p, 110) for p in paragraphs) + "\n"


def render_docs(text: str) -> str:
    """docs/measures.md with every ``<!-- methods:ID -->`` block rewritten from :data:`MEASURES`."""
    by_id = {entry.id: entry for entry in MEASURES}
    return _BLOCK.sub(lambda m: m.group(1) + docs_block(by_id[m.group("id")]) + m.group(4), text)


if __name__ == "__main__":
    DOCS.write_text(render_docs(DOCS.read_text()))
    print(f"rewrote the method help blocks of {DOCS}", file=sys.stderr)
