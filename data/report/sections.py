"""The factual sections of a report, each a list of blocks built from the functions the API answers with
(:mod:`indicators.analysis`), the map classes of the styles (:func:`styles.choropleth.classes_for`) and the
map images of the exports (:mod:`styles.render`). A section says so where the data does not allow it."""

from __future__ import annotations

import numpy as np
import pandas as pd

from data.report import charts
from data.report.document import Block, Figure, Heading, Paragraph, Table
from data.report.scope import Scope
from indicators import analysis
from indicators.catalog import DOMAINS
from indicators.measures.omradestyper import TYPE_NAMES_EN, TYPE_NAMES_SV, population_by_type
from indicators.measures.per_type import AGGREGABLE
from indicators.model import TOTAL, BarometerError, NotFoundError
from styles.choropleth import MapOptions, classes_for

TYPE_SOURCES = ("omradestyp", "omradestyp_official")
MAP_SIZE = (1400, 1420)
"""Map images in pixels, a little taller than wide so the legend goes below the map (16–17 cm wide in the
documents: about 210 dpi; the legend reads at about 8 pt)."""
INDEX_NAMES = {
    "dissimilarity": ("Skillnadsindex (D)", "Dissimilarity (D)"),
    "isolation": ("Isoleringsindex", "Isolation"),
    "exposure": ("Exponeringsindex", "Exposure"),
    "theil_entropy": ("Theils H", "Theil's H"),
    "gini": ("Gini", "Gini"),
}
BREAKDOWNS = ("sex=female", "sex=male", "background=swedish", "background=foreign")


def _type_years(scope: Scope, source: str) -> tuple[int, ...]:
    """Years in range with a type for some RegSO in scope."""
    return scope.years_with(source, "regso") if source in scope.dataset.indicators else ()


def _types_in_scope(scope: Scope, source: str, year: int) -> pd.DataFrame:
    """The API's area rows (``/api/measures/omradestyper``) of every municipality in scope."""
    rows = [
        row
        for kommun in scope.options.kommuner
        for row in analysis.omradestyper(scope.dataset, year, kommun, "regso")["areas"]
    ]
    return pd.DataFrame(rows).set_index("code") if rows else pd.DataFrame()


def _type_summary(scope: Scope, source: str, year: int) -> tuple[pd.Series, bool]:
    """Population (or areas, without population), areas and share per type over the whole scope."""
    table = _types_in_scope(scope, source, year)
    has_population = "population" in table.columns and table["population"].notna().any()
    population = table["population"] if has_population else pd.Series(1.0, index=table.index)
    summary = population_by_type(
        table[source].astype("Int64"), population, pd.Series("scope", index=table.index)
    ).iloc[0]
    return summary, bool(has_population)


def omradestyper(scope: Scope) -> list[Block]:
    t = scope.t
    blocks: list[Block] = [Heading(t("Områdestyper", "Area types"))]
    names = TYPE_NAMES_EN if scope.lang == "en" else TYPE_NAMES_SV
    shown = False
    for source in TYPE_SOURCES:
        years = _type_years(scope, source)
        if not years:
            continue
        shown = True
        first, last = years[0], years[-1]
        official = source == "omradestyp_official"
        who = t("SCB:s officiella områdestyper", "SCB's official area types") if official else ""
        start, has_pop = _type_summary(scope, source, first)
        end, _ = _type_summary(scope, source, last)
        header = [t("Områdestyp", "Area type"), t(f"Områden {last}", f"Areas {last}")]
        if has_pop:
            header += [
                t(f"Befolkning {last}", f"Population {last}"),
                t(f"Andel {last} (%)", f"Share {last} (%)"),
            ]
        if first != last:
            header += [t(f"Områden {first}", f"Areas {first}")]
            if has_pop:
                header += [
                    t(f"Andel {first} (%)", f"Share {first} (%)"),
                    t("Förändring (%-enheter)", "Change (pp)"),
                ]
        rows = []
        for code in ("1", "2", "3", "4", "5", "missing"):
            label = names[int(code)] if code != "missing" else t("Utan typ", "No type")
            if code == "missing" and not (end[f"areas_{code}"] or start[f"areas_{code}"]):
                continue
            row = [label, scope.fmt(end[f"areas_{code}"], 0)]
            if has_pop:
                row += [scope.fmt(end[f"population_{code}"], 0), scope.fmt(100 * end[f"share_{code}"])]
            if first != last:
                row += [scope.fmt(start[f"areas_{code}"], 0)]
                if has_pop:
                    change = 100 * (end[f"share_{code}"] - start[f"share_{code}"])
                    row += [scope.fmt(100 * start[f"share_{code}"]), scope.fmt(change, signed=True)]
            rows.append(tuple(row))
        counted = (
            t("RegSO-områden och befolkning", "RegSO areas and population")
            if has_pop
            else t("RegSO-områden", "RegSO areas")
        )
        span = f"{first}–{last}" if first != last else str(last)
        where = t(f"per typ i {scope.scope_name}, {span}", f"by type in {scope.scope_name}, {span}")
        caption = f"{who or t('Områdestyper', 'Area types')}: {counted} {where}"
        if not has_pop:
            blocks.append(
                Paragraph(
                    t(
                        "Datasetet har ingen folkmängd: bara antalet områden per typ visas.",
                        "The dataset has no population: only the number of areas per type is shown.",
                    ),
                    note=True,
                )
            )
        blocks.append(Table(caption, tuple(header), tuple(rows), (False, *([True] * (len(header) - 1)))))
        blocks.extend(
            _map(scope, MapOptions("regso", source, last, kommun=scope.options.kommuner, lang=scope.lang))
        )
    if not shown:
        blocks.append(
            Paragraph(
                t(
                    "Datasetet har inga områdestyper för de här åren och RegSO-områdena: de kräver de "
                    "tre andelarna "
                    "bakom SCB:s socioekonomiska index, eller SCB:s officiella typer.",
                    "The dataset has no area types for these years and RegSO areas: they need the three "
                    "shares behind "
                    "SCB's socioeconomic index, or SCB's official types.",
                ),
                note=True,
            )
        )
    return blocks


def ojamlikhet(scope: Scope) -> list[Block]:
    t = scope.t
    blocks: list[Block] = [Heading(t("Ojämlikhetsindex", "Inequality index"))]
    kommuner: dict[str, dict[int, float]] = {}
    references: dict[str, dict[int, float]] = {}
    missing = []
    for kommun, name in scope.names.items():
        try:
            answer = analysis.ojamlikhet(scope.dataset, kommun)
        except NotFoundError:
            missing.append(name)
            continue
        kommuner[name] = {r["year"]: r["value"] for r in answer["series"]["kommun"]}
        lan = scope.lans.get(answer["lan"], answer["lan"])
        references[lan] = {r["year"]: r["value"] for r in answer["series"]["lan"]}
        references[t("Riket", "Sweden")] = {r["year"]: r["value"] for r in answer["series"]["riket"]}
    series = {
        **kommuner,
        **dict(sorted(references.items(), key=lambda item: item[0] == t("Riket", "Sweden"))),
    }
    if missing:
        blocks.append(
            Paragraph(
                t(
                    f"Ojämlikhetsindex kan inte beräknas för {', '.join(missing)}: datasetet har inga "
                    "antal personer per "
                    "inkomstkvintil där.",
                    f"The inequality index cannot be computed for {', '.join(missing)}: the dataset has "
                    "no counts of "
                    "persons by income quintile there.",
                ),
                note=True,
            )
        )
    if not series:
        return blocks
    years = [y for y in scope.years if any(y in s for s in series.values())]
    if not years:
        blocks.append(
            Paragraph(
                t(
                    "Inga år med ojämlikhetsindex i det valda intervallet.",
                    "No years with the inequality index in the chosen range.",
                ),
                note=True,
            )
        )
        return blocks
    keys = list(series)
    first, last = years[0], years[-1]
    for name in scope.names.values():
        if name in series and first in series[name] and last in series[name]:
            a, b = series[name][first], series[name][last]
            verb = (
                t("ökade", "rose")
                if b > a
                else t("minskade", "fell")
                if b < a
                else t("var oförändrat", "was unchanged")
            )
            blocks.append(
                Paragraph(
                    t(
                        f"I {name} {verb} ojämlikhetsindex från {scope.fmt(a)} år {first} till "
                        f"{scope.fmt(b)} år {last} "
                        "(0 = kvintil 1 och 5 bor lika fördelade över områdena, 100 = helt åtskilda).",
                        f"In {name} the inequality index {verb} from {scope.fmt(a)} in {first} to "
                        f"{scope.fmt(b)} in {last} "
                        "(0 = quintiles 1 and 5 live spread alike over the areas, 100 = fully apart).",
                    )
                )
            )
    chart = charts.line_chart(
        {k: {y: v for y, v in series[k].items() if first <= y <= last} for k in keys},
        scope.lang,
        references=len(references),
    )
    caption = t(
        f"Ojämlikhetsindex {first}–{last} (0–100): kommun, län och riket",
        f"Inequality index {first}–{last} (0–100): municipality, county and country",
    )
    blocks.append(Figure(caption, chart, *charts.SIZE))
    rows = tuple((str(y), *(scope.fmt(series[k].get(y)) for k in keys)) for y in years)
    caption = t(
        f"Ojämlikhetsindex {first}–{last}: kommun, län och riket",
        f"Inequality index {first}–{last}: municipality, county and country",
    )
    blocks.append(Table(caption, (t("År", "Year"), *keys), rows, (False, *([True] * len(keys)))))
    return blocks


def _domain_indicators(scope: Scope, domain: str) -> list[str]:
    return [
        key
        for key, ind in scope.dataset.indicators.items()
        if ind.domain == domain and ind.kind not in ("count", "category") and scope.present.get(key)
    ]


def _spread(scope: Scope, indicator: str) -> tuple[str, ...]:
    """Highest and lowest area, their ratio, the areas that rose and fell most (the compare API's rows)."""
    ind = scope.dataset.indicators[indicator]
    years = scope.present[indicator]
    first, last = years[0], years[-1]
    rows = [
        row
        for kommun in scope.options.kommuner
        for row in analysis.compare(
            scope.dataset, scope.options.level, indicator, last, kommun, first if first != last else None
        )["areas"]
    ]
    frame = pd.DataFrame(rows)
    ok = frame[frame["value"].notna()]
    if ok.empty:
        return (scope.title_unit(ind), "–", "–", "–", "–", "–")
    high, low = ok.loc[ok["value"].idxmax()], ok.loc[ok["value"].idxmin()]
    ratio = high["value"] / low["value"] if low["value"] > 0 else np.nan
    cells = [
        scope.title_unit(ind),
        f"{high['name']} ({scope.value(ind, high['value'])})",
        f"{low['name']} ({scope.value(ind, low['value'])})",
        scope.fmt(ratio, 2),
    ]
    change = frame.get("change_absolute")
    if change is None or change.notna().sum() == 0:
        return (*cells, "–", "–")
    moved = frame[change.notna()]
    up, down = moved.loc[moved["change_absolute"].idxmax()], moved.loc[moved["change_absolute"].idxmin()]
    cells += [
        f"{row['name']} ({scope.value(ind, row['change_absolute'], signed=True)}; {first}–{last})"
        if (row["change_absolute"] > 0) == rising
        else "–"
        for row, rising in ((up, True), (down, False))
    ]
    return tuple(cells)


def domains(scope: Scope) -> list[Block]:
    t = scope.t
    blocks: list[Block] = [Heading(t("Levnadsvillkor per område", "Living conditions by domain"))]
    if not any(_domain_indicators(scope, d) for d in DOMAINS):
        note = t(
            "Datasetet har inga indikatorvärden för de här områdena och åren.",
            "The dataset has no indicator values for these areas and years.",
        )
        return [*blocks, Paragraph(note, note=True)]
    lan_names = list(scope.lans.values())
    text = t(
        f"För varje område jämförs {scope.scope_name} med {', '.join(lan_names)} och riket det senaste året "
        f"med värden, och skillnaderna mellan {scope.level_areas()} visas: det högsta och lägsta värdet, "
        "kvoten mellan dem och de områden som förändrats mest.",
        f"For each domain {scope.scope_name} is compared with {', '.join(lan_names)} and Sweden in the "
        "latest "
        f"year with values, and the spread between the {scope.level_areas()} is shown: the highest and the "
        "lowest value, their ratio, and the areas that changed most.",
    )
    blocks.append(Paragraph(text))
    if not scope.dataset.years_of("kommun"):
        blocks.append(
            Paragraph(
                t(
                    "Datasetet har inga värden för hela kommuner, län och riket.",
                    "The dataset has no values for whole municipalities, counties and the country.",
                ),
                note=True,
            )
        )
    for domain, (sv, en) in DOMAINS.items():
        keys = _domain_indicators(scope, domain)
        if not keys:
            continue
        title = t(sv, en)
        blocks.append(Heading(title, 2))
        header = (
            t("Indikator", "Indicator"),
            t("År", "Year"),
            *scope.names.values(),
            *lan_names,
            t("Riket", "Sweden"),
        )
        rows = []
        for key in keys:
            ind, year = scope.dataset.indicators[key], scope.present[key][-1]
            refs = [("kommun", k) for k in scope.names] + [("lan", c) for c in scope.lans] + [("riket", "")]
            rows.append(
                (
                    scope.title_unit(ind),
                    str(year),
                    *(scope.value(ind, scope.reference(lv, c, key, year)) for lv, c in refs),
                )
            )
        blocks.append(
            Table(
                t(f"{title}: kommun, län och riket", f"{title}: municipality, county and country"),
                header,
                tuple(rows),
                (False, False, *([True] * (len(header) - 2))),
            )
        )
        header = (
            t("Indikator", "Indicator"),
            t("Högst", "Highest"),
            t("Lägst", "Lowest"),
            t("Kvot", "Ratio"),
            t("Störst ökning", "Largest rise"),
            t("Störst minskning", "Largest fall"),
        )
        blocks.append(
            Table(
                t(
                    f"{title}: skillnader mellan {scope.level_areas()}",
                    f"{title}: spread between {scope.level_areas()}",
                ),
                header,
                tuple(_spread(scope, key) for key in keys),
                (False, False, False, True, False, False),
            )
        )
    return blocks


def breakdowns(scope: Scope) -> list[Block]:
    t = scope.t
    blocks: list[Block] = [Heading(t("Kön och bakgrund", "Sex and background"))]
    year = scope.options.last
    keys = [
        key
        for key, ind in scope.dataset.indicators.items()
        if ind.kind not in ("count", "category")
        and set(BREAKDOWNS) & set(ind.breakdowns)
        and scope.present.get(key)
    ]
    if not scope.dataset.years_of("kommun") or not keys:
        blocks.append(
            Paragraph(
                t(
                    "Datasetet har inga värden efter kön eller bakgrund för hela kommunen.",
                    "The dataset has no values by sex or background for the whole municipality.",
                ),
                note=True,
            )
        )
        return blocks
    header = (
        t("Indikator", "Indicator"),
        t("Alla", "All"),
        *(scope.group_name(b).capitalize() for b in BREAKDOWNS),
    )
    for kommun, name in scope.names.items():
        rows = []
        for key in keys:
            ind = scope.dataset.indicators[key]
            cells = [scope.reference("kommun", kommun, key, year, b) for b in (TOTAL, *BREAKDOWNS)]
            if all(np.isnan(c) for c in cells[1:]):
                continue
            rows.append((scope.title_unit(ind), *(scope.value(ind, c) for c in cells)))
        if not rows:
            blocks.append(
                Paragraph(
                    t(
                        f"{name}: inga värden efter kön eller bakgrund {year}.",
                        f"{name}: no values by sex or background in {year}.",
                    ),
                    note=True,
                )
            )
            continue
        blocks.append(
            Table(
                t(f"Efter kön och bakgrund: {name} {year}", f"By sex and background: {name} {year}"),
                header,
                tuple(rows),
                (False, *([True] * (len(header) - 1))),
            )
        )
    return blocks


def per_type(scope: Scope) -> list[Block]:
    """Population and the chosen indicators per områdestyp (``/api/measures/per_type``) per municipality."""
    t = scope.t
    blocks: list[Block] = [Heading(t("Statistik per områdestyp", "Statistics by area type"))]
    keys = [
        k
        for k in ("population", *scope.options.indicators)
        if k in scope.dataset.indicators and scope.dataset.indicators[k].kind in AGGREGABLE
    ]
    names = TYPE_NAMES_EN if scope.lang == "en" else TYPE_NAMES_SV
    type_years = sorted({y for source in TYPE_SOURCES for y in _type_years(scope, source)})
    for kommun, name in scope.names.items():
        answers = {}
        for key in dict.fromkeys(keys):
            try:
                answers[key] = analysis.by_type(scope.dataset, key, "kommun", kommun, years=type_years[-1:])
            except NotFoundError:
                continue
        first, last = scope.options.first, scope.options.last
        rows = {  # indicator → [(type, record)] in the report's years
            key: [
                (int(kind), r)
                for kind, series in a["series"].items()
                for r in series
                if first <= r["year"] <= last  # type: ignore[operator]
            ]
            for key, a in answers.items()
        }
        years = sorted({r["year"] for found in rows.values() for _, r in found})
        if not years:
            note = t(
                f"{name}: inga områdestyper eller inga värden att dela upp per typ.",
                f"{name}: no area types or no values to break down by type.",
            )
            blocks.append(Paragraph(note, note=True))
            continue
        year = years[-1]
        present = sorted({kind for found in rows.values() for kind, r in found if r["year"] == year})
        header = (t("Indikator", "Indicator"), *(t(f"Typ {c}", f"Type {c}") for c in present), name)
        table = []
        for key, found in rows.items():
            ind = scope.dataset.indicators[key]
            by = {kind: r["value"] for kind, r in found if r["year"] == year}
            total = scope.reference("kommun", kommun, key, year)
            table.append(
                (
                    scope.title_unit(ind),
                    *(scope.value(ind, by.get(c)) for c in present),
                    scope.value(ind, total),
                )
            )
        source = next(iter(answers.values()))["type_source"].get(str(year))
        typed = (
            t("SCB:s officiella typer", "SCB's official types")
            if source == "official"
            else t("typer beräknade av Barometer", "types computed by Barometer")
        )
        text = (
            t(
                f"Värdena per områdestyp ({year}, {typed}) räknas över alla RegSO-områden av typen i {name}: "
                "antal summeras, andelar är summan av täljarna delad med summan av nämnarna, inte ett "
                "medelvärde "
                "av områdenas andelar. ",
                f"The values by area type ({year}, {typed}) are taken over all RegSO areas of the type in "
                f"{name}: "
                "counts are added, shares are the sum of the numerators over the sum of the "
                "denominators, not a "
                "mean of the areas' shares. ",
            )
            + "; ".join(f"{t('typ', 'type')} {c}: {names[c].lower()}" for c in present)
            + "."
        )
        blocks.append(Paragraph(text))
        caption = t(f"Statistik per områdestyp: {name} {year}", f"Statistics by area type: {name} {year}")
        blocks.append(Table(caption, header, tuple(table), (False, *([True] * (len(header) - 1)))))
    return blocks


def indices(scope: Scope) -> list[Block]:
    t = scope.t
    group = scope.options.group
    blocks: list[Block] = [
        Heading(
            t(
                f"Segregationsindex: {scope.group_name(group)}",
                f"Segregation indices: {scope.group_name(group)}",
            )
        )
    ]
    try:
        level = analysis.finest_level(scope.dataset, "population")
    except NotFoundError:
        level = None
    years = [y for y in scope.dataset.years_of(level) if y in scope.years] if level else []
    if not years:
        blocks.append(
            Paragraph(
                t(
                    "Datasetet har inga befolkningsantal per grupp för de här åren.",
                    "The dataset has no population counts by group for these years.",
                ),
                note=True,
            )
        )
        return blocks
    chosen = sorted({years[0], years[-1]})
    columns, values = [], {}
    for kommun, name in scope.names.items():
        for year in chosen:
            try:
                answer = analysis.indices(scope.dataset, kommun, year, "population", group)
            except BarometerError:
                continue
            columns.append(f"{name} {year}")
            values[columns[-1]] = answer["indices"]
    if not columns:
        blocks.append(
            Paragraph(
                t(
                    f"Inga antal av gruppen {scope.group_name(group)}.",
                    f"No counts of the group {scope.group_name(group)}.",
                ),
                note=True,
            )
        )
        return blocks
    blocks.append(
        Paragraph(
            t(
                f"Indexen beskriver hur {scope.group_name(group)} är fördelade över kommunens "
                f"{scope.level_areas(level)}: "
                "0 betyder samma andel i alla områden; ju högre värde, desto mer åtskilda.",
                f"The indices describe how residents {scope.group_name(group)} are spread over the "
                "municipality's "
                f"{scope.level_areas(level)}: 0 means the same share in every area; the higher, the more "
                "apart.",
            )
        )
    )
    rows = tuple(
        (t(sv, en), *(scope.fmt(values[c][key]["value"], 3) for c in columns))
        for key, (sv, en) in INDEX_NAMES.items()
    )
    blocks.append(
        Table(
            t(
                f"Segregationsindex för {scope.group_name(group)}",
                f"Segregation indices of residents {scope.group_name(group)}",
            ),
            (t("Index", "Index"), *columns),
            rows,
            (False, *([True] * len(columns))),
        )
    )
    return blocks


def maps(scope: Scope) -> list[Block]:
    t = scope.t
    blocks: list[Block] = [Heading(t("Kartor", "Maps"))]
    if not scope.options.indicators:
        note = t("Inga indikatorer att kartlägga i datasetet.", "No indicators to map in the dataset.")
        blocks.append(Paragraph(note, note=True))
    for key in scope.options.indicators:
        years = scope.present.get(key)
        ind = scope.dataset.indicators[key]
        if not years:
            blocks.append(
                Paragraph(
                    t(f"{ind.title('sv')}: inga värden att visa.", f"{ind.title('en')}: no values to map."),
                    note=True,
                )
            )
            continue
        options = MapOptions(
            scope.options.level, key, years[-1], kommun=scope.options.kommuner, lang=scope.lang
        )
        blocks.extend(_map(scope, options))
    return blocks


def _map(scope: Scope, options: MapOptions) -> list[Block]:
    """One map image in the classes and colours of the web map with the same options."""
    from styles.render import map_sheet, page_size, render_png  # rasterio and Pillow load on the first report

    classes = classes_for(scope.dataset, options)
    page = page_size(*MAP_SIZE, dpi=200)
    png = render_png(map_sheet(scope.dataset, classes), page)
    caption = f"{classes.legend.title}. {classes.legend.scope}."
    return [Figure(caption, png, page.width, page.height)]
