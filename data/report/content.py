"""A segregation analysis's factual part for one municipality or several, as a :class:`Report`.

:func:`build_report` runs the sections of :mod:`data.report.sections` in order, then writes the methods and
the sources; ``progress(done, total, step)`` is called before each step. No web framework.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from data.report import sections
from data.report.document import Block, Heading, Paragraph, Report, Table
from data.report.options import ReportOptions, resolve
from data.report.scope import Scope
from indicators.model import Dataset

Progress = Callable[[int, int, str], None]
Section = Callable[[Scope], list[Block]]

SECTIONS: tuple[tuple[str, str, Section], ...] = (
    ("områdestyper", "area types", sections.omradestyper),
    ("ojämlikhetsindex", "inequality index", sections.ojamlikhet),
    ("levnadsvillkor per område", "living conditions by domain", sections.domains),
    ("kön och bakgrund", "sex and background", sections.breakdowns),
    ("statistik per områdestyp", "statistics by area type", sections.per_type),
    ("segregationsindex", "segregation indices", sections.indices),
    ("kartor", "maps", sections.maps),
)
"""The factual sections in order: what the progress of a build calls them (sv, en), and their builder."""


def build_report(dataset: Dataset, options: ReportOptions, progress: Progress | None = None) -> Report:
    """The report of the options (resolved against the dataset; bad options raise ParameterError)."""
    scope = Scope(dataset, resolve(dataset, options))
    steps = [*SECTIONS, ("metod", "methods", methods), ("källor", "sources", sources)]
    blocks: list[Block] = [*intro(scope)]
    for done, (sv, en, section) in enumerate(steps):
        if progress:
            progress(done, len(steps), scope.t(sv, en))
        blocks.extend(section(scope))
    if progress:
        progress(len(steps), len(steps), scope.t("klar", "done"))
    return Report(
        title=scope.t("Segregationsanalys: ", "Segregation analysis: ") + scope.scope_name,
        subtitle=scope.t("Faktaunderlag", "Facts") + f" {scope.span}",
        lang=scope.lang,
        blocks=tuple(blocks),
        colophon=colophon(scope),
    )


def colophon(scope: Scope) -> tuple[str, ...]:
    o, t = scope.options, scope.t
    level = "DeSO" if o.level == "deso" else "RegSO"
    return (
        t(
            f"Kommuner: {', '.join(f'{n} ({k})' for k, n in scope.names.items())}",
            f"Municipalities: {', '.join(f'{n} ({k})' for k, n in scope.names.items())}",
        ),
        t(f"Områdesnivå: {level} · år {scope.span}", f"Area level: {level} · years {scope.span}"),
        t(
            f"Dataversion {scope.dataset.version} · {_dataset_date(scope)}",
            f"Dataset version {scope.dataset.version} · {_dataset_date(scope)}",
        ),
    )


def _dataset_date(scope: Scope) -> str:
    created = scope.dataset.meta.get("created")
    if created:
        return scope.t(f"skapad {str(created)[:10]}", f"created {str(created)[:10]}")
    return scope.t(f"rapporten skapad {date.today().isoformat()}", f"report built {date.today().isoformat()}")


def intro(scope: Scope) -> list[Block]:
    t, n = scope.t, len(scope.areas())
    several = scope.options.first != scope.options.last
    change_sv = f" och hur det har förändrats {scope.span}" if several else f" år {scope.span}"
    change_en = f" and how that changed {scope.span}" if several else f" in {scope.span}"
    return [
        Heading(t("Om underlaget", "About this report")),
        Paragraph(
            t(
                f"Det här är faktadelen av en segregationsanalys för {scope.scope_name}: hur "
                "levnadsvillkoren "
                f"skiljer sig mellan de {n} {scope.level_areas()}{change_sv}. Texten kan skrivas om fritt; "
                "tabellerna, figurerna och siffrorna kommer från Barometer och går att ta fram igen med "
                "samma "
                "dataversion (se Källor och version).",
                f"This is the factual part of a segregation analysis for {scope.scope_name}: how living "
                f"conditions differ between the {n} {scope.level_areas()}{change_en}. The text may be "
                "rewritten "
                "freely; the tables, figures and numbers come from Barometer and can be reproduced with "
                "the same "
                "dataset version (see Sources and version).",
            )
        ),
    ]


def methods(scope: Scope) -> list[Block]:
    t = scope.t
    blocks: list[Block] = [Heading(t("Metod och definitioner", "Methods and definitions"))]
    texts = (
        (
            t("Områdestyper", "Area types"),
            t(
                "SCB:s socioekonomiska index är medelvärdet av tre andelar per RegSO: låg ekonomisk "
                "standard, "
                "högst förgymnasial utbildning (20–64 år) och långvarigt ekonomiskt bistånd eller "
                "arbetslöshet "
                "(20–64 år). Områden delas in i fem typer efter hur många standardavvikelser indexet "
                "ligger från "
                "medelvärdet för alla områden: typ 1 minst två över, typ 2 en till två, typ 3 noll till "
                "en, typ 4 "
                "noll till minus en och typ 5 under minus en.",
                "SCB's socioeconomic index is the mean of three shares per RegSO: low economic standard, "
                "at most "
                "compulsory education (ages 20–64) and long-term social assistance or unemployment (ages "
                "20–64). "
                "Areas fall into five types by how many standard deviations their index lies from the "
                "mean of all "
                "areas: type 1 at least two above, type 2 one to two, type 3 zero to one, type 4 zero to "
                "minus one "
                "and type 5 below minus one.",
            ),
        ),
        (
            t("Ojämlikhetsindex", "Inequality index"),
            t(
                "Skillnadsindex mellan personer i den lägsta och den högsta nationella inkomstkvintilen över "
                "regionens minsta områden: 100 × ½ Σ |q1ᵢ/Q1 − q5ᵢ/Q5|. 0 betyder att grupperna bor lika "
                "fördelade, "
                "100 att de bor helt åtskilda.",
                "The dissimilarity between persons in the lowest and the highest national income "
                "quintile over the "
                "region's finest areas: 100 × ½ Σ |q1ᵢ/Q1 − q5ᵢ/Q5|. 0 means the groups live spread "
                "alike, 100 that "
                "they live fully apart.",
            ),
        ),
        (
            t("Skillnader mellan områden", "Spread between areas"),
            t(
                "Kvoten är det högsta områdesvärdet delat med det lägsta. Störst ökning och minskning är "
                "den största "
                "förändringen i indikatorns enhet (procentenheter för andelar) mellan första och sista "
                "året med värden.",
                "The ratio is the highest area value divided by the lowest. The largest rise and fall "
                "are the largest "
                "changes in the indicator's unit (percentage points for shares) between its first and "
                "last year with "
                "values.",
            ),
        ),
        (
            t("Segregationsindex", "Segregation indices"),
            t(
                "Skillnadsindex (D) är andelen av gruppen som skulle behöva flytta för att alla områden "
                "ska få samma "
                "andel; isolering är gruppens genomsnittliga andel i sitt eget område och exponering "
                "andelen övriga; "
                "Theils H och Gini mäter samma ojämna fördelning på andra sätt. Alla ligger mellan 0 och 1.",
                "Dissimilarity (D) is the share of the group that would have to move for every area to "
                "have the same "
                "share; isolation is the group's mean share in its own area and exposure the share of "
                "others; "
                "Theil's H and Gini measure the same unevenness in other ways. All lie between 0 and 1.",
            ),
        ),
    )
    for heading, text in texts:
        blocks += [Heading(heading, 2), Paragraph(text)]
    blocks.append(
        Paragraph(
            t(
                "Fler detaljer, formler och källor: docs/measures.md i Barometer.",
                "More detail, formulas and sources: docs/measures.md in Barometer.",
            )
        )
    )
    used = [
        ind
        for key, ind in scope.dataset.indicators.items()
        if scope.present.get(key) or key in scope.options.indicators
    ]
    if used:
        rows = tuple(
            (
                ind.title(scope.lang),
                ind.unit,
                (ind.description_en if scope.lang == "en" else ind.description_sv) or "–",
            )
            for ind in used
        )
        blocks += [
            Heading(t("Indikatorer", "Indicators"), 2),
            Table(
                t("Indikatorernas definitioner", "Definitions of the indicators"),
                (t("Indikator", "Indicator"), t("Enhet", "Unit"), t("Definition", "Definition")),
                rows,
            ),
        ]
    return blocks


def sources(scope: Scope) -> list[Block]:
    t, o = scope.t, scope.options
    used = sorted(
        {
            ind.source
            for key, ind in scope.dataset.indicators.items()
            if ind.source and (scope.present.get(key) or key in o.indicators)
        }
    )
    title = scope.dataset.meta.get("title", "Barometer")
    command = (
        f"barometer report --kommun {','.join(o.kommuner)} --level {o.level} --years {o.first}-{o.last} "
        f"--lang {o.lang} --indicators {','.join(o.indicators)} --group {o.group}"
    )
    blocks: list[Block] = [
        Heading(t("Källor och version", "Sources and version")),
        Paragraph(
            t(
                f"Dataset: {title}, version {scope.dataset.version} ({_dataset_date(scope)}).",
                f"Dataset: {title}, version {scope.dataset.version} ({_dataset_date(scope)}).",
            )
        ),
        Paragraph(
            t(f"Samma rapport byggs igen med: {command}", f"The same report is built again with: {command}")
        ),
    ]
    if used:
        blocks.append(Table(t("Källor", "Sources"), (t("Källa", "Source"),), tuple((s,) for s in used)))
    return blocks
