"""What a report covers: municipalities, level, years, language, mapped indicators and group; checked against
a dataset, each bad value named by its parameter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from indicators.catalog import SEI_INPUTS
from indicators.model import TOTAL, Dataset, NotFoundError, ParameterError

LANGS = ("sv", "en")
REPORT_LEVELS = ("deso", "regso")
MAX_KOMMUNER = 20
"""A report covers at most this many municipalities (bounded work per request)."""
MAX_MAPS = 8
"""At most this many indicator maps."""


@dataclass(frozen=True)
class ReportOptions:
    kommuner: tuple[str, ...]
    level: str = "regso"
    first: int | None = None
    """First year (default: the level's first year)."""
    last: int | None = None
    """Last year (default: the level's last year)."""
    lang: str = "sv"
    indicators: tuple[str, ...] = ()
    """Indicators mapped (default: the three inputs of the socioeconomic index that the data has)."""
    group: str = "background=foreign"
    """The group of the segregation indices."""

    def cache_key(self) -> str:
        return repr(self)


def resolve(dataset: Dataset, options: ReportOptions) -> ReportOptions:
    """The options with defaults filled in, or a ParameterError naming the bad parameter."""
    known = set(dataset.municipalities["code"])
    if not options.kommuner:
        raise ParameterError("kommun", "name at least one municipality code, e.g. kommun=0180")
    if len(options.kommuner) > MAX_KOMMUNER:
        raise ParameterError("kommun", f"at most {MAX_KOMMUNER} municipalities in one report")
    for code in options.kommuner:
        if code not in known:
            raise NotFoundError("kommun", f"no municipality {code!r} in this dataset")
    levels = [lv for lv in REPORT_LEVELS if lv in dataset.levels]
    if options.level not in levels:
        raise NotFoundError("level", f"is one of {', '.join(levels) or 'none'}, not {options.level!r}")
    if options.lang not in LANGS:
        raise ParameterError("lang", f"is sv or en, not {options.lang!r}")
    years = dataset.years_of(options.level)
    if not years:
        raise NotFoundError("level", f"no values at level {options.level}")
    first = years[0] if options.first is None else options.first
    last = years[-1] if options.last is None else options.last
    for name, year in (("from", first), ("to", last)):
        if year not in years:
            raise NotFoundError(
                name, f"no values for {year} at level {options.level}: {years[0]}..{years[-1]}"
            )
    if first > last:
        raise ParameterError("from", f"{first} is after {last}")
    indicators = options.indicators or tuple(i for i in SEI_INPUTS if i in dataset.indicators)
    if len(indicators) > MAX_MAPS:
        raise ParameterError("indicators", f"at most {MAX_MAPS} maps in one report")
    for indicator in indicators:
        if indicator not in dataset.indicators:
            raise NotFoundError("indicators", f"unknown indicator {indicator!r}")
    population = dataset.indicators.get("population")
    groups = [b for b in population.breakdowns if b != TOTAL] if population else []
    if groups and options.group not in groups:
        raise ParameterError("group", f"is one of {', '.join(groups)}, not {options.group!r}")
    return ReportOptions(
        tuple(dict.fromkeys(options.kommuner)),
        options.level,
        first,
        last,
        options.lang,
        indicators,
        options.group,
    )


def parse_list(raw: str | Sequence[str] | None) -> tuple[str, ...]:
    """``"0201,0202"`` → ``("0201", "0202")``."""
    if raw is None:
        return ()
    parts = raw.split(",") if isinstance(raw, str) else raw
    return tuple(p.strip() for p in parts if p.strip())
