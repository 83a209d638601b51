"""One choropleth map of a dataset: its options, the values in scope, classes, colours and legend.

The style route, the legend API, map images, raster tiles and styled downloads all start here, so that
every output of the same options shows the same classes in the same colours.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from indicators.model import TOTAL, Dataset, Indicator
from indicators.views import Deviation, map_table, suppressed_codes
from styles.classify import Classification, assign, classify
from styles.legend import Legend, build_legend, scope_text
from styles.palettes import REGISTRY, area_type_colors, colors_for, default_palette


@dataclass(frozen=True)
class MapOptions:
    """What a map shows and how it is classed. ``kommun`` empty: classes over all areas of the level."""

    level: str
    indicator: str
    year: int
    method: str = "quantiles"
    classes: int = 5
    palette: str | None = None
    kommun: tuple[str, ...] = ()
    pooled: bool = False
    since: int | None = None
    deviation: Deviation | None = None
    breaks: tuple[float, ...] | None = None
    breakdown: str = TOTAL
    lang: str = "sv"

    @property
    def diverging(self) -> bool:
        return self.since is not None or self.deviation is not None

    def cache_key(self) -> str:
        return repr(self)


@dataclass(frozen=True)
class MapClasses:
    options: MapOptions
    indicator: Indicator
    classification: Classification
    colors: tuple[str, ...]
    legend: Legend
    values: dict[str, float] = field(repr=False)
    """The mapped value per area code in scope (NaN where missing)."""
    palette: str | None = None
    """The palette of the classes (None: the områdestyp colours)."""

    @property
    def colorblind_safe(self) -> bool:
        """Whether neighbouring classes stay distinguishable for the common colour-vision deficiencies."""
        return self.palette is None or REGISTRY.get(self.palette).cvd_safe(len(self.colors))


def scope_codes(dataset: Dataset, options: MapOptions) -> np.ndarray:
    areas = dataset.area_frame(options.level)
    if not options.kommun:
        return areas.index.to_numpy()
    return areas.index[areas["kommun"].isin(options.kommun)].to_numpy()


def map_values(dataset: Dataset, options: MapOptions, year: int | None = None) -> dict[str, float]:
    """The mapped value of every area in scope for a year (the options' year by default)."""
    table = map_table(
        dataset,
        options.level,
        options.year if year is None else year,
        options.breakdown,
        since=options.since,
        deviation=options.deviation,
    )
    column = table[options.indicator] if options.indicator in table.columns else None
    codes = scope_codes(dataset, options)
    if column is None:
        return dict.fromkeys(codes, np.nan)
    return dict(zip(codes, column.reindex(codes).to_numpy(dtype=float), strict=True))


def classes_for(dataset: Dataset, options: MapOptions) -> MapClasses:
    """Classes, colours and legend for the options; pooled maps class all years' values together."""
    indicator = dataset.indicators[options.indicator]
    if options.diverging and indicator.unit == "%":  # differences of shares are percentage points
        indicator = replace(indicator, unit="pp" if options.lang == "en" else "%-enheter")
    values = map_values(dataset, options)
    sample = np.fromiter(values.values(), dtype=float, count=len(values))
    years = [options.year]
    if options.pooled and not options.diverging:
        years = list(dataset.years_of(options.level))
        sample = np.concatenate(
            [np.fromiter(map_values(dataset, options, y).values(), dtype=float) for y in years]
        )
    if indicator.kind == "category":
        classification = classify(sample, "categorical")
        colors = area_type_colors()
        palette = None
    elif options.diverging:
        method = "manual" if options.method == "manual" else "diverging"
        classification = classify(sample, method, options.classes, breaks=options.breaks, centre=0.0)
        palette = options.palette or default_palette(indicator.direction, diverging=True)
        colors = colors_for(palette, classification.k, indicator.direction)
    else:
        classification = classify(sample, options.method, options.classes, breaks=options.breaks)
        palette = options.palette or default_palette(indicator.direction)
        colors = colors_for(palette, classification.k, indicator.direction)
    if len(years) > 1:  # classes from every year; the legend counts the areas of the year shown
        shown = np.fromiter(values.values(), dtype=float, count=len(values))
        classes = assign(shown, classification)
        counts = tuple(int(n) for n in np.bincount(classes[classes >= 0], minlength=classification.k))
        classification = replace(classification, counts=counts, missing=int((classes < 0).sum()))
    suppressed = suppressed_codes(dataset, options.level, options.year, options.breakdown).get(
        indicator.id, []
    )
    in_scope = set(values)
    scope = scope_text(
        options.lang,
        area_name=_scope_name(dataset, options),
        level=options.level,
        years=years if len(years) > 1 else None,
    )
    legend = build_legend(
        classification,
        colors,
        indicator,
        lang=options.lang,
        scope=scope,
        title=_title(indicator, options),
        suppressed=sum(c in in_scope for c in suppressed),
    )
    return MapClasses(options, indicator, classification, tuple(colors), legend, values, palette)


def _scope_name(dataset: Dataset, options: MapOptions) -> str | None:
    if not options.kommun:
        return None
    names = dataset.municipalities.set_index("code")["name"]
    return ", ".join(str(names.get(code, code)) for code in options.kommun)


def _title(indicator: Indicator, options: MapOptions) -> str:
    en = options.lang == "en"
    name = indicator.title(options.lang)
    title = f"{name} {options.year}"
    if options.since is not None:
        title = f"{name}, {'change' if en else 'förändring'} {options.since}–{options.year}"
    elif options.deviation == "kommun":
        title += ", " + ("difference from the municipality" if en else "skillnad mot kommunen")
    elif options.deviation == "riket":
        title += ", " + ("difference from Sweden" if en else "skillnad mot riket")
    return title
