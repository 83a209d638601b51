"""Meaning for a grid of cells (CSV/XLSX): long form, wide by year, or wide by indicator.

* long: an area column, a year column (or ``--year``), a value column; optional indicator, breakdown, status,
  numerator and denominator columns. (Long CSV files with area codes stream instead: :mod:`stream`, which
  shares the column roles and breakdown rules defined here.)
* wide by year: columns headed ``2021`` or ``Antal 2021`` (SCB Statistikdatabasen's export). One label before
  the years names one indicator (``--indicator``); several labels (``Antal 2021``, ``Andel 2021``) several.
* wide by indicator: one column per indicator, a year column (or ``--year``).

Other text columns (``kön``, ``ålder``) are breakdowns. Areas are codes (``0180``, ``0180 Stockholm``) or,
when most cells are not codes, names matched through the loaded areas (see :mod:`names`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping

from indicators import dimensions
from indicators.importers.codes import (
    code_level,
    excel_number,
    fits_level,
    normalise_column_name,
    repair_code,
)
from indicators.importers.common import (
    Context,
    Record,
    breakdown_of,
    long_breakdown,
    parse_number,
    slug,
)
from indicators.importers.grid import data_block
from indicators.importers.names import NameMatcher, describe_unmatched

YEAR_HEADER = re.compile(r"^(?:(?P<label>.*?)\s+)?(?P<year>(?:19|20)\d{2})$")
ROLES: dict[str, frozenset[str]] = {
    "area": frozenset(
        {
            "code",
            "kod",
            "region",
            "regionkod",
            "omrade",
            "omradeskod",
            "area",
            "areacode",
            "geo",
            "deso",
            "desokod",
            "regso",
            "regsokod",
            "kommun",
            "kommunkod",
            "knkod",
            "kn",
            "lan",
            "lanskod",
            "lankod",
            "municipality",
        }
    ),
    "name": frozenset(
        {
            "namn",
            "name",
            "regionnamn",
            "kommunnamn",
            "regsonamn",
            "desonamn",
            "lansnamn",
            "lannamn",
            "omradesnamn",
            "areaname",
        }
    ),
    "year": frozenset({"ar", "year", "tid", "period", "time"}),
    "indicator": frozenset(
        {
            "indicator",
            "indikator",
            "kpi",
            "variabel",
            "variable",
            "contentscode",
            "tabellinnehall",
            "matt",
            "measure",
        }
    ),
    "value": frozenset({"value", "varde", "val"}),
    "status": frozenset({"status"}),
    "numerator": frozenset({"numerator", "taljare"}),
    "denominator": frozenset({"denominator", "namnare"}),
    "breakdown": frozenset({"breakdown", "uppdelning"}),
}
_CODE_AND_NAME = re.compile(r"^(\S+)\s+\S.*$")


MAP_FIELDS = {
    "code": "area",
    "area": "area",
    **{role: role for role in ROLES if role not in ("area", "name")},
}
"""Fields a column mapping (``--map value=Antal``) may name, and the role each one gives its column."""


def _mapped_roles(
    header: list[str], columns: Mapping[str, str], ctx: Context, header_row: int | None
) -> dict[str, int]:
    """The roles of the columns the user named (``{"code": "Regionkod", "value": "Antal"}``)."""
    roles: dict[str, int] = {}
    for field, name in columns.items():
        if field not in MAP_FIELDS:
            raise ctx.error(f"--map {field}={name}: unknown field {field!r}; known: {sorted(MAP_FIELDS)}")
        wanted = normalise_column_name(name)
        index = next((i for i, text in enumerate(header) if text.strip() == name.strip()), None)
        if index is None:
            index = next((i for i, text in enumerate(header) if normalise_column_name(text) == wanted), None)
        if index is None:
            raise ctx.error(f"--map {field}={name}: no column {name!r} among {header}", header_row)
        roles[MAP_FIELDS[field]] = index
    return roles


def roles_of(
    header: list[str], ctx: Context, header_row: int | None = None
) -> tuple[dict[str, int], list[int]]:
    """The column of each role, and every column that could hold the areas (the first one by default).

    ``ctx.columns`` (``--map value=Antal``) names columns the headers do not give away.
    """
    roles = _mapped_roles(header, ctx.columns, ctx, header_row)
    area_candidates = [roles.pop("area")] if "area" in roles else []
    mapped_area = bool(area_candidates)
    for index, text in enumerate(header):
        key = normalise_column_name(text)
        if YEAR_HEADER.match(text) or index in roles.values() or index in area_candidates:
            continue
        if key in ROLES["area"]:
            if not mapped_area:
                area_candidates.append(index)
            continue
        for role, names in ROLES.items():
            if key in names and role not in roles:
                roles[role] = index
                break
    if not area_candidates and header and header[0] == "":
        area_candidates.append(0)
    return roles, area_candidates


def _as_code(cell: object, ctx: Context) -> object | None:
    """The code part of a cell (``0180``, ``180``, ``0180 Stockholm`` → ``0180``), or None for a name."""
    return _code_part(cell, ctx.level)


@functools.lru_cache(maxsize=1 << 16)
def _code_part(cell: object, level: str | None) -> object | None:
    candidates = [cell]
    match = _CODE_AND_NAME.match(str(cell).strip())
    if match:
        candidates.append(match.group(1))
    if excel_number(cell):
        return cell  # a code whose digits Excel lost: refused with its reason when checked
    for candidate in candidates:
        code, _ = repair_code(candidate, level)
        if code and (fits_level(code, level) if level else code_level(code)):
            return candidate
        if level and code_level(repair_code(candidate)[0]):
            return candidate  # a code of another level than --level: refused with its reason when checked
    return None


def _mostly_codes(cells: list, ctx: Context, sample: int = 500) -> bool:
    """Whether at least half the (first ``sample``) non-blank cells hold codes."""
    nonblank = [cell for cell in cells if str(cell).strip()][:sample]
    return sum(_as_code(cell, ctx) is not None for cell in nonblank) * 2 >= len(nonblank)


def _area_codes(rows: list[tuple[int, list]], index: int, column: str, ctx: Context) -> list[object | None]:
    """Per row the area's code cell (validated later), or None for a name that matched no area."""
    cells = [cells[index] for _, cells in rows]
    if _mostly_codes(cells, ctx):
        return [code if (code := _as_code(cell, ctx)) is not None else cell for cell in cells]
    nonblank = [cell for cell in cells if str(cell).strip()]
    if ctx.areas is None:
        raise ctx.error(
            f"areas are named, not coded (e.g. {nonblank[0]!r}): import the areas first "
            "(barometer import areas FILE) so that names can be matched to codes",
            rows[0][0],
            column,
        )
    matcher = NameMatcher(ctx.areas, ctx.level, ctx.kommun_names)
    if matcher.needs_kommun_names:
        if not matcher.codes:
            raise ctx.error(
                "RegSO/DeSO names are unique only within a municipality, and the areas carry no "
                "kommun names: import the kommun areas too (barometer import areas kommuner.gpkg)"
            )
        ctx.report.append("some RegSO/DeSO areas lack a kommun name and cannot be matched by name")
    matched: list[object | None] = []
    for (row, _), cell in zip(rows, cells, strict=True):
        code = matcher.match(cell)
        if code is None:
            ctx.unmatched.append((row, str(cell)))
        matched.append(code)
    ctx.report.extend(describe_unmatched(ctx.unmatched, len(cells) - len(ctx.unmatched), matcher))
    if ctx.strict and ctx.unmatched:
        listed = "; ".join(f"row {row}: {label!r}" for row, label in ctx.unmatched[:20])
        more = f" and {len(ctx.unmatched) - 20} more" if len(ctx.unmatched) > 20 else ""
        raise ctx.error(
            f"{len(ctx.unmatched)} rows name no loaded area: {listed}{more}; leave out --strict to import "
            "the rows that match",
            column=column,
        )
    return matched


def _indicator_id(text: object, ctx: Context) -> str:
    raw = str(text).strip()
    ident = raw if re.fullmatch(r"[A-Za-z0-9_.-]+", raw) else slug(raw)
    ctx.titles.setdefault(ident, raw)
    return ident


def _year_of(cells: list, roles: dict[str, int], ctx: Context) -> object:
    if "year" in roles:
        return cells[roles["year"]]
    if ctx.year is not None:
        return ctx.year
    raise ctx.error(
        "no year column (år, year, tid) and no years in the headers: pass --year YEAR (or --map year=COLUMN)"
    )


def is_breakdown(cells: Iterable[object], header: str, ctx: Context) -> bool:
    """Whether a column of text (no cell a number) breaks the values down. One text throughout
    (``Enhet: procent``) is no breakdown unless the dimension is known (``kön: kvinnor`` means women only)."""
    texts = {str(cell).strip() for cell in cells}
    filled = texts - {""}
    if not filled or any(parse_number(text) is not None for text in filled):
        return False
    if len(texts) == 1 and not dimensions.is_known_dimension(header):
        ctx.report.append(f"ignored column {header!r}: the same text in every row")
        return False
    return True


def records_from_grid(grid: list[list[object]], ctx: Context) -> list[Record]:
    """The records of a CSV/XLSX grid in whichever of the three shapes it has."""
    header_row, header, rows = data_block(grid, ctx)
    if not rows:
        raise ctx.error(f"no data rows below the header{ctx.sheet_hint}", header_row)
    roles, area_candidates = roles_of(header, ctx, header_row)
    if not area_candidates:
        raise ctx.error(
            f"no area column (kod, code, region, regsokod, kommunkod, ...) among {header}: name it with "
            f"--map code=COLUMN{ctx.sheet_hint}",
            header_row,
        )
    roles["area"] = next(
        (i for i in area_candidates if _mostly_codes([c[i] for _, c in rows], ctx)), area_candidates[0]
    )
    skipped = set(area_candidates) | {
        i for i, t in enumerate(header) if normalise_column_name(t) in ROLES["name"]
    }
    area_column = header[roles["area"]] or "(first column)"
    years = {i: m for i, text in enumerate(header) if (m := YEAR_HEADER.match(text))}
    taken = set(roles.values()) | skipped | set(years)
    rest = [i for i in range(len(header)) if i not in taken and header[i] != ""]
    dims = [i for i in rest if is_breakdown([cells[i] for _, cells in rows], header[i], ctx)]
    codes = _area_codes(rows, roles["area"], area_column, ctx)
    live = [(row, cells, code) for (row, cells), code in zip(rows, codes, strict=True) if code is not None]

    def breakdown(cells: list) -> str:
        if "breakdown" in roles:
            return long_breakdown(cells[roles["breakdown"]], ctx.labels)
        return breakdown_of([(header[i], cells[i]) for i in dims], ctx.labels)

    if dims:
        ctx.report.append(f"breakdowns from columns {[header[i] for i in dims]}")
    records: list[Record] = []
    year_column = header[roles["year"]] if "year" in roles else "year"
    if "value" in roles:
        optional = {k: roles.get(k) for k in ("status", "numerator", "denominator")}
        for row, cells, code in live:
            if "indicator" in roles:
                indicator = _indicator_id(cells[roles["indicator"]], ctx)
            elif ctx.indicator:
                indicator = ctx.indicator
            else:
                raise ctx.error("no indicator column: name the indicator with --indicator", row)
            extra = {k: (cells[i] if i is not None else None) for k, i in optional.items()}
            status = str(extra.pop("status") or "").strip().casefold() or None
            records.append(
                Record(
                    indicator,
                    code,
                    _year_of(cells, roles, ctx),
                    cells[roles["value"]],
                    row,
                    breakdown(cells),
                    status,
                    code_column=area_column,
                    year_column=year_column,
                    value_column=header[roles["value"]],
                    **extra,
                )
            )
    elif years:
        labels = sorted({(m.group("label") or "").strip() for m in years.values()})
        if len(labels) == 1 and not ctx.indicator and not labels[0]:
            raise ctx.error("the columns are years: name the indicator with --indicator", header_row)
        ids = {
            label: (
                ctx.indicator
                if len(labels) == 1 and ctx.indicator
                else "_".join(p for p in (ctx.indicator, slug(label) if label else "") if p)
            )
            for label in labels
        }
        for label, ident in ids.items():
            ctx.titles.setdefault(ident, ctx.title_hint or (label if len(labels) > 1 else ctx.title or ident))
        for row, cells, code in live:
            for i, match in years.items():
                ident = ids[(match.group("label") or "").strip()]
                records.append(
                    Record(
                        ident,
                        code,
                        match.group("year"),
                        cells[i],
                        row,
                        breakdown(cells),
                        code_column=area_column,
                        year_column=header[i],
                        value_column=header[i],
                    )
                )
    else:
        columns = [i for i in rest if i not in dims]
        if not columns:
            raise ctx.error("no value, year or indicator columns found", header_row)
        ids = {
            i: (ctx.indicator if ctx.indicator and len(columns) == 1 else _indicator_id(header[i], ctx))
            for i in columns
        }
        for row, cells, code in live:
            for i, ident in ids.items():
                records.append(
                    Record(
                        ident,
                        code,
                        _year_of(cells, roles, ctx),
                        cells[i],
                        row,
                        breakdown(cells),
                        code_column=area_column,
                        year_column=year_column,
                        value_column=header[i],
                    )
                )
    return records
