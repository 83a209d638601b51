"""Map images for reports: one choropleth map sheet (map, title, legend with units, source, scale bar).

:func:`map_sheet` gathers what a map shows (areas of a municipality or a bounding box, their fills in the
classes and colours of :func:`styles.choropleth.classes_for`); :func:`styles.layout.page_size` checks the
requested size against the limits and :func:`styles.layout.layout` places everything on the page, so that
:func:`render_png` (rasterio, via :mod:`geo.raster`) and :func:`render_svg` (vector paths and ``<text>``)
draw the same sheet. :func:`raster_tile` draws the same fills as 256 px XYZ tiles.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping

import numpy as np
import shapely
from PIL import Image, ImageDraw
from pyproj import CRS, Transformer

from geo.grid import tile_bounds
from geo.prepare import PreparedLevel
from geo.raster import Bounds, Frame, render_polygons
from indicators.model import Dataset, ParameterError
from indicators.views import suppressed_codes
from styles.choropleth import MapClasses
from styles.classify import assign
from styles.layout import INK, OUTLINE, MapSheet, Page, font, layout, page_size
from styles.palettes import NO_DATA, SUPPRESSED
from styles.render_svg import svg_document

MAX_BBOX_DEGREES = 20.0
"""Largest bounding box side: Sweden spans about 13° × 14°."""

TILE_SIZE = 256
FALLBACK_CRS = "EPSG:3006"


def area_fills(classes: MapClasses, codes: list[str], suppressed: set[str]) -> list[str]:
    """The fill of each area: its class colour, the suppressed grey, or the no-data grey."""
    values = np.array([classes.values.get(c, np.nan) for c in codes], dtype=float)
    index = assign(values, classes.classification)
    return [
        classes.colors[i] if i >= 0 else SUPPRESSED.color if code in suppressed else NO_DATA.color
        for code, i in zip(codes, index, strict=True)
    ]


def scope_fills(dataset: Dataset, classes: MapClasses) -> dict[str, str]:
    """The fill of every area in the map's scope, by code."""
    options = classes.options
    suppressed = set(
        suppressed_codes(dataset, options.level, options.year, options.breakdown).get(options.indicator, [])
    )
    codes = list(classes.values)
    return dict(zip(codes, area_fills(classes, codes, suppressed), strict=True))


def map_sheet(dataset: Dataset, classes: MapClasses, bbox: Bounds | None = None) -> MapSheet:
    """The areas in scope (the options' municipalities) within ``bbox`` (WGS 84 west, south, east, north)."""
    options = classes.options
    areas = dataset.area_geometry(options.level)
    if options.kommun:
        areas = areas[areas["kommun"].isin(options.kommun)]
    crs = CRS.from_user_input(areas.crs or FALLBACK_CRS)
    if not crs.is_projected:
        crs = CRS.from_user_input(FALLBACK_CRS)
        areas = areas.to_crs(crs)
    if bbox is not None:
        extent = _project_bbox(bbox, crs)
        areas = areas[areas.intersects(shapely.box(*extent))]
        if not len(areas):
            raise ParameterError("bbox", f"holds no {options.level} areas in scope")
    else:
        extent = tuple(float(v) for v in areas.total_bounds)
    codes = [str(c) for c in areas["code"]]
    fills = scope_fills(dataset, classes)
    legend = classes.legend
    en = options.lang == "en"
    source = legend.source or dataset.attribution
    crs_name = "SWEREF 99 TM" if crs.to_epsg() == 3006 else crs.name
    source_line = (
        f"{'Source' if en else 'Källa'}: {source} ({options.year}). "
        f"{'Projection' if en else 'Projektion'}: {crs_name}."
    )
    unit = classes.indicator.unit
    return MapSheet(
        codes=tuple(codes),
        geometries=areas.geometry.to_numpy(),
        fills=tuple(fills.get(c, NO_DATA.color) for c in codes),
        extent=extent,  # type: ignore[arg-type]
        legend=legend,
        title=legend.title,
        subtitle=legend.scope,
        source=source_line,
        legend_heading=classes.indicator.title(options.lang) + (f" ({unit})" if unit else ""),
    )


def raster_tile(prepared: PreparedLevel, fills: Mapping[str, str], z: int, x: int, y: int) -> bytes:
    """A 256 px PNG tile (EPSG:3857) of the areas that have a fill; transparent elsewhere."""
    bounds = tile_bounds(z, x, y)
    rows = prepared.query(bounds)
    codes = prepared.codes[rows]
    keep = np.array([c in fills for c in codes], dtype=bool)
    rows, codes = rows[keep], codes[keep]
    image = render_polygons(
        prepared.band(z).shapes(rows),
        [fills[c] for c in codes],
        Frame(bounds, TILE_SIZE, TILE_SIZE),
        outline=OUTLINE,
        outline_width=0.5,
        supersample=3,
    )
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=3)
    return out.getvalue()


def parse_bbox(raw: str) -> Bounds:
    """``minx,miny,maxx,maxy`` in WGS 84 degrees, checked against the bbox limit."""
    try:
        values = tuple(float(v) for v in raw.split(","))
    except ValueError:
        raise ParameterError("bbox", f"must be four numbers minx,miny,maxx,maxy, not {raw!r}") from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise ParameterError("bbox", f"must be four numbers minx,miny,maxx,maxy, not {raw!r}")
    minx, miny, maxx, maxy = values
    if not (-180 <= minx < maxx <= 180 and -90 <= miny < maxy <= 90):
        raise ParameterError("bbox", "must be WGS 84 degrees with minx < maxx and miny < maxy")
    if maxx - minx > MAX_BBOX_DEGREES or maxy - miny > MAX_BBOX_DEGREES:
        raise ParameterError("bbox", f"sides are at most {MAX_BBOX_DEGREES:g}° (the bbox limit)")
    return values  # type: ignore[return-value]


def _project_bbox(bbox: Bounds, crs: CRS) -> Bounds:
    transformer = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    return transformer.transform_bounds(*bbox, densify_pts=21)


def render_png(sheet: MapSheet, page: Page, *, supersample: int | None = None) -> bytes:
    """The sheet as a PNG with the page's DPI in its pHYs chunk."""
    plan = layout(sheet, page)
    if supersample is None:  # bounded work: 3× up to ~4 MP, then 2×
        supersample = 3 if plan.frame.width * plan.frame.height <= 4_000_000 else 2
    image = Image.new("RGB", (page.width, page.height), "#ffffff")
    areas = render_polygons(
        sheet.geometries,
        sheet.fills,
        plan.frame,
        outline=OUTLINE,
        outline_width=plan.outline_width,
        supersample=supersample,
    )
    image.paste(areas, plan.origin, areas)
    draw = ImageDraw.Draw(image)
    for rect in plan.rects:
        box = (rect.x, rect.y, rect.x + rect.width, rect.y + rect.height)
        draw.rectangle(box, fill=rect.fill, outline=rect.stroke, width=max(1, round(plan.outline_width)))
    for text in plan.texts:
        anchor = "rs" if text.anchor == "end" else "ls"
        draw.text((text.x, text.y), text.text, fill=INK, font=font(text.size, text.bold), anchor=anchor)
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(page.dpi, page.dpi), compress_level=3)
    return out.getvalue()


def render_svg(sheet: MapSheet, page: Page) -> str:
    """The sheet as SVG: one path per area in its fill colour, legend, title and source as ``<text>``."""
    return svg_document(sheet, layout(sheet, page))


__all__ = [
    "MapSheet",
    "Page",
    "map_sheet",
    "page_size",
    "parse_bbox",
    "raster_tile",
    "render_png",
    "render_svg",
]
