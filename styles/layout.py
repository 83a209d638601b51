"""Page sizes with their limits, and the layout of a map sheet: title, scope, map frame, legend, scale bar.

Sizes scale with the page's short side (595 units = A4's short side in points), so a sheet looks the same at
any DPI. Text is measured with DejaVu Sans (Debian's fonts-dejavu-core), else Pillow's scalable default font.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import ImageFont

from geo.raster import Bounds, Frame, fit_bounds
from indicators.model import ParameterError
from styles.legend import Legend, LegendEntry, format_number

INK = "#222222"
OUTLINE = "#6e6e6e"
PAPER_MM: dict[str, tuple[float, float]] = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
"""Portrait width and height of the paper sizes."""
MAX_DPI = 300
MAX_SIDE = 5000
"""Largest width or height in pixels: A3 at 300 DPI (3508 × 4961) fits, so does 5000 × 5000."""
MIN_SIDE = 200
DEFAULT_SIZE = (1200, 900)
DEFAULT_DPI = 96
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


@dataclass(frozen=True)
class Page:
    width: int
    height: int
    dpi: int
    paper: str | None = None

    @property
    def size_mm(self) -> tuple[float, float]:
        return self.width / self.dpi * 25.4, self.height / self.dpi * 25.4


def page_size(
    width: int | None = None,
    height: int | None = None,
    *,
    paper: str | None = None,
    dpi: int | None = None,
    orientation: str = "portrait",
) -> Page:
    """The page in pixels: ``paper`` (A4/A3) at ``dpi``, or ``width`` × ``height``; limits raise
    ParameterError naming the parameter and the limit."""
    dpi = DEFAULT_DPI if dpi is None else dpi
    if not 1 <= dpi <= MAX_DPI:
        raise ParameterError("dpi", f"must be 1..{MAX_DPI} (the DPI limit), got {dpi}")
    if paper is not None:
        if paper not in PAPER_MM:
            raise ParameterError("paper", f"one of {', '.join(PAPER_MM)}, not {paper!r}")
        if orientation not in ("portrait", "landscape"):
            raise ParameterError("orientation", f"portrait or landscape, not {orientation!r}")
        short, long = (round(mm / 25.4 * dpi) for mm in PAPER_MM[paper])
        width, height = (short, long) if orientation == "portrait" else (long, short)
    width = DEFAULT_SIZE[0] if width is None else width
    height = DEFAULT_SIZE[1] if height is None else height
    for name, value in (("width", width), ("height", height)):
        if not MIN_SIDE <= value <= MAX_SIDE:
            raise ParameterError(
                name, f"{value} px is outside {MIN_SIDE}..{MAX_SIDE} px (the size limit of map images)"
            )
    return Page(width, height, dpi, paper)


@dataclass(frozen=True, eq=False)
class MapSheet:
    """Everything one map image shows, in a projected CRS (metres)."""

    codes: tuple[str, ...]
    geometries: np.ndarray
    fills: tuple[str, ...]
    extent: Bounds
    legend: Legend
    title: str
    subtitle: str
    source: str
    legend_heading: str


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    """Baseline."""
    text: str
    size: int
    bold: bool = False
    anchor: str = "start"


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str
    stroke: str | None = None


@dataclass(frozen=True)
class Layout:
    page: Page
    frame: Frame
    """The map's pixel grid; its top-left corner is at ``origin`` on the page."""
    origin: tuple[int, int]
    texts: tuple[Text, ...]
    rects: tuple[Rect, ...]
    outline_width: float


@lru_cache(maxsize=64)
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    path = FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def text_width(text: str, size: int, bold: bool = False) -> float:
    return float(font(size, bold).getlength(text))


def legend_entries(legend: Legend) -> list[LegendEntry]:
    """Classes always; the suppressed and no-data rows only where some area has them."""
    return [e for e in legend.entries if e.kind in ("class", "category") or (e.count or 0) > 0]


def layout(sheet: MapSheet, page: Page) -> Layout:
    """Title and scope at the top, the map, the legend (right on landscape pages, below on portrait ones),
    then the scale bar and the source line. Sizes scale with the page's short side (595 units = A4 in pt)."""
    W, H = page.width, page.height
    u = min(W, H) / 595.0

    def px(points: float) -> int:
        return max(8, round(points * u))

    margin, gap = round(24 * u), round(10 * u)
    texts: list[Text] = []
    rects: list[Rect] = []
    title_size = px(16)
    while title_size > 8 and text_width(sheet.title, title_size, True) > W - 2 * margin:
        title_size -= 1
    y = margin + title_size
    texts.append(Text(margin, y, sheet.title, title_size, bold=True))
    small = px(7.5)
    if sheet.subtitle:
        y += round(px(9) * 1.5)
        texts.append(Text(margin, y, sheet.subtitle, px(9)))
    top = y + gap + round(4 * u)

    source_y = H - margin
    source_size = small
    while source_size > 8 and text_width(sheet.source, source_size) > W - 2 * margin:
        source_size -= 1
    texts.append(Text(margin, source_y, sheet.source, source_size))
    bar_bottom = source_y - round(small * 1.7)
    bar_height = max(2, round(4 * u))
    bar_label_y = bar_bottom - bar_height - round(3 * u)
    bottom = bar_label_y - small - gap

    entries = legend_entries(sheet.legend)
    size, head_size = px(9), px(10)
    row = max(round(size * 1.6), round(12 * u))
    swatch_w, swatch_h = round(18 * u), round(11 * u)
    heading = sheet.legend_heading
    label_w = max((text_width(e.label, size) for e in entries), default=0)
    column_w = swatch_w + round(6 * u) + label_w
    landscape = W >= H
    two_fit = 2 * column_w + 2 * gap <= W - 2 * margin
    columns = 2 if not landscape and len(entries) > 5 and two_fit else 1
    rows = math.ceil(len(entries) / columns)
    legend_w = max(text_width(heading, head_size, True), columns * column_w + (columns - 1) * 2 * gap)
    legend_h = round(head_size * 1.6) + rows * row
    if landscape:
        legend_x, legend_y = W - margin - legend_w, top
        map_box = (margin, top, legend_x - 2 * gap, bottom)
    else:
        map_box = (margin, top, W - margin, bottom - legend_h - gap)
        legend_x, legend_y = margin, bottom - legend_h
    map_w, map_h = int(map_box[2] - map_box[0]), int(map_box[3] - map_box[1])
    if map_w < 50 or map_h < 50:
        raise ParameterError("height" if map_h < 50 else "width", "leaves too little room for the map")
    frame = Frame(fit_bounds(sheet.extent, map_w, map_h, padding=0.02), map_w, map_h)

    texts.append(Text(legend_x, legend_y + head_size, heading, head_size, bold=True))
    first = legend_y + round(head_size * 1.6)
    for i, entry in enumerate(entries):
        cx = legend_x + (i // rows) * (column_w + 2 * gap)
        cy = first + (i % rows) * row
        rects.append(Rect(cx, cy, swatch_w, swatch_h, entry.color, OUTLINE))
        texts.append(Text(cx + swatch_w + round(6 * u), cy + swatch_h - round(1.5 * u), entry.label, size))

    length = _nice_length(frame.resolution * map_w * 0.25)
    bar_w = length / frame.resolution
    for i in range(2):
        rects.append(
            Rect(
                margin + i * bar_w / 2,
                bar_bottom - bar_height,
                bar_w / 2,
                bar_height,
                INK if i == 0 else "#ffffff",
                INK,
            )
        )
    texts.append(Text(margin, bar_label_y, "0", small))
    texts.append(Text(margin + bar_w, bar_label_y, _distance(length, sheet.legend.lang), small, anchor="end"))
    return Layout(
        page=page,
        frame=frame,
        origin=(int(map_box[0]), int(map_box[1])),
        texts=tuple(texts),
        rects=tuple(rects),
        outline_width=max(0.6, 0.3 * u),
    )


def _nice_length(target: float) -> float:
    """The largest 1, 2 or 5 × 10^k not above ``target`` (metres)."""
    exponent = math.floor(math.log10(max(target, 1e-9)))
    return max(m * 10.0**exponent for m in (1, 2, 5) if m * 10.0**exponent <= target)


def _distance(metres: float, lang: str) -> str:
    if metres >= 1000:
        return f"{format_number(metres / 1000, 0 if metres % 1000 == 0 else 1, lang)} km"
    return f"{format_number(metres, 0, lang)} m"
