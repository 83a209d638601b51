"""SCB area codes as users' files carry them: text, numbers, and codes that Excel stripped of leading zeros.

Excel reads ``0180`` as the number 180 and ``01`` as 1; ``0180C1090`` loses its zero when a column was once
numeric. Leading zeros are restored only where one SCB code shape fits: three digits are a kommun, one digit
a län, three digits before ``C``/``R`` a DeSO/RegSO. PxWeb's newer tables suffix codes
(``0114A0010_DeSO2025``); the suffix is dropped.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata

from indicators.model import CODE_PATTERNS, LEVELS

_SUFFIX = re.compile(r"_(?:DESO|REGSO)\d{4}$")
_DECIMAL_ZERO = re.compile(r"^(\d+)[.,]0+$")
_SCIENTIFIC = re.compile(r"^\d+(?:[.,]\d+)?E[+]?\d+$")
_PADDING: dict[str, tuple[re.Pattern[str], int]] = {
    "deso": (re.compile(r"^(\d{3})([A-C]\d{4})$"), 4),
    "regso": (re.compile(r"^(\d{3})(R\d{3})$"), 4),
    "kommun": (re.compile(r"^(\d{3})()$"), 4),
    "lan": (re.compile(r"^(\d)()$"), 2),
    "riket": (re.compile(r"^(0)()$"), 2),
}
AREA_LEVELS: tuple[str, ...] = tuple(level for level in LEVELS if level != "riket")


def code_text(raw: object) -> str:
    """A cell as code text: numbers without ``.0``, text stripped and upper-cased, blanks as ``""``."""
    if raw is None:
        return ""
    if isinstance(raw, float):
        if math.isnan(raw):
            return ""
        if raw.is_integer():
            return str(int(raw))
    text = unicodedata.normalize("NFC", str(raw)).strip().upper()
    return "" if text in ("NAN", "NONE", "<NA>") else text


@functools.lru_cache(maxsize=1 << 16)
def code_level(code: str) -> str | None:
    """The level of a well-formed code; ``00``/``SE`` are the whole country (riket), not a län."""
    if CODE_PATTERNS["riket"].match(code):
        return "riket"
    return next((level for level in AREA_LEVELS if CODE_PATTERNS[level].match(code)), None)


@functools.lru_cache(maxsize=1 << 16)
def repair_code(raw: object, level: str | None = None) -> tuple[str, bool]:
    """``(code, repaired)``: the code with Excel's lost leading zeros restored where one level's shape fits.

    With ``level`` only that level's shape is tried. A code that fits nothing comes back unchanged with
    ``repaired`` False; the caller decides whether that is an error.
    """
    text = _SUFFIX.sub("", code_text(raw))
    if not text:
        return "", False
    decimal = _DECIMAL_ZERO.match(text)  # 1480.0: a code Excel or pandas wrote as a float
    if decimal:
        fixed, _ = repair_code(decimal.group(1), level)
        return fixed, True
    levels = (level,) if level else (*AREA_LEVELS, "riket")
    if any(CODE_PATTERNS[lv].match(text) for lv in levels):
        return text, False
    for lv in levels:
        pattern, width = _PADDING[lv]
        match = pattern.match(text)
        if match:
            fixed = match.group(1).zfill(width) + match.group(2)
            if CODE_PATTERNS[lv].match(fixed):
                return fixed, True
    return text, False


def excel_number(cell: object) -> bool:
    """Whether a cell is a number in scientific notation (``1,48E+03``): Excel's display of a long number,
    whose digits are lost, so no code can be restored from it."""
    return bool(_SCIENTIFIC.match(code_text(cell)))


def fits_level(code: str, level: str) -> bool:
    return bool(CODE_PATTERNS[level].match(code))


def describe_repairs(
    repairs: list[tuple[int, str, str]], what: str = "codes", count: int | None = None
) -> str:
    """One report line for repaired codes, ``[(row, before, after), ...]`` (of ``count`` in all), with the
    first few as examples."""
    count = len(repairs) if count is None else count
    examples = ", ".join(f"row {row}: {before} → {after}" for row, before, after in repairs[:5])
    more = f" and {count - min(5, len(repairs))} more" if count > min(5, len(repairs)) else ""
    return f"repaired {count} {what} that had lost leading zeros (Excel): {examples}{more}"


def normalise_column_name(name: str) -> str:
    """``Kommun_Kod`` → ``kommunkod``, ``RegSOkod_2020`` → ``regsokod``, ``Länskod`` → ``lanskod``."""
    text = unicodedata.normalize("NFKD", str(name).casefold())
    text = "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))
    return re.sub(r"(19|20)\d{2}$", "", text) or text
