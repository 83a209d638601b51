"""Line charts of a few series over the years, drawn with Pillow as PNG (Word takes no SVG), labelled with the
fonts and the number format of the map images."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageDraw

from styles.layout import INK, font, text_width
from styles.legend import format_number

SERIES_COLORS = ("#1d4e89", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f")
"""The municipalities first (dark blue, red…), then the county and the country."""
REFERENCE_COLORS = ("#7f7f7f", "#b0b0b0")
SIZE = (1600, 700)


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    span = (high - low) or abs(high) or 1.0
    raw = span / count
    step = 10 ** math.floor(math.log10(raw))
    step *= next(m for m in (1, 2, 2.5, 5, 10) if m * step >= raw)
    start = math.floor(low / step) * step
    return [start + i * step for i in range(math.ceil((high - start) / step) + 1)]


def line_chart(
    series: dict[str, dict[int, float]],
    lang: str,
    *,
    references: int = 0,
    size: tuple[int, int] = (1600, 700),
) -> bytes:
    """One line per series (the last ``references`` ones grey and thinner), years on x, a legend below."""
    width, height = size
    scale = width / 800
    s = lambda v: round(v * scale)  # noqa: E731
    image = Image.new("RGB", size, "#ffffff")
    draw = ImageDraw.Draw(image)
    years = sorted({y for values in series.values() for y in values})
    values = [v for vals in series.values() for v in vals.values() if v is not None and math.isfinite(v)]
    if not years or not values:
        return b""
    ticks = _ticks(min(values), max(values))
    low, high = ticks[0], ticks[-1]
    decimals = 0 if all(float(t).is_integer() for t in ticks) else 1
    labels = [format_number(t, decimals, lang) for t in ticks]
    size_text = s(11)
    left = s(14) + max(text_width(label, size_text) for label in labels)
    legend_rows = math.ceil(len(series) / 3)
    right, top, bottom = width - s(20), s(16), height - s(40) - legend_rows * s(20)

    def x(year: int) -> float:
        return left + (right - left) * ((years.index(year) / (len(years) - 1)) if len(years) > 1 else 0.5)

    def y(value: float) -> float:
        return bottom - (bottom - top) * (value - low) / ((high - low) or 1)

    for tick, label in zip(ticks, labels, strict=True):
        draw.line([(left, y(tick)), (right, y(tick))], fill="#e1e6ec", width=max(1, s(1)))
        draw.text((left - s(6), y(tick)), label, fill=INK, font=font(size_text), anchor="rm")
    every = max(1, math.ceil(len(years) / 13))
    for year in years[::every]:
        draw.text((x(year), bottom + s(8)), str(year), fill=INK, font=font(size_text), anchor="mt")
    draw.line([(left, bottom), (right, bottom)], fill="#6e6e6e", width=max(1, s(1)))
    own = len(series) - references
    for i, (name, vals) in enumerate(series.items()):
        color = SERIES_COLORS[i % len(SERIES_COLORS)] if i < own else REFERENCE_COLORS[(i - own) % 2]
        points = [(x(yr), y(v)) for yr, v in sorted(vals.items()) if yr in years and v is not None]
        if len(points) > 1:
            draw.line(points, fill=color, width=s(3 if i < own else 2), joint="curve")
        for px, py in points:
            r = s(3.5)
            draw.ellipse([px - r, py - r, px + r, py + r], fill=color)
        column, row = i % 3, i // 3
        lx, ly = left + column * (right - left) / 3, bottom + s(36) + row * s(20)
        draw.line([(lx, ly), (lx + s(22), ly)], fill=color, width=s(3))
        draw.text((lx + s(28), ly), name, fill=INK, font=font(size_text), anchor="lm")
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(200, 200), compress_level=6)
    return out.getvalue()
