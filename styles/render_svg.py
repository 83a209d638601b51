"""The SVG form of a map sheet: the layout of :mod:`styles.render` written as vector paths and text.

Areas are simplified to a third of a pixel (invisible) and written one ``<path>`` each, in page pixel units
(the ``viewBox``), clipped to the map frame; on paper pages the document's width and height are in mm.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import shapely

from styles.layout import INK, OUTLINE

if TYPE_CHECKING:
    from styles.layout import Layout, MapSheet

FONT_FAMILY = "DejaVu Sans, Verdana, Arial, sans-serif"


def svg_document(sheet: MapSheet, plan: Layout) -> str:
    page, frame = plan.page, plan.frame
    if page.paper:
        width_mm, height_mm = page.size_mm
        size = f'width="{width_mm:.1f}mm" height="{height_mm:.1f}mm"'
    else:
        size = f'width="{page.width}" height="{page.height}"'
    x0, y0 = plan.origin
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" {size} viewBox="0 0 {page.width} {page.height}">',
        f"<title>{escape(sheet.title)}</title>",
        f'<rect width="{page.width}" height="{page.height}" fill="#ffffff"/>',
        f'<defs><clipPath id="map"><rect x="{x0}" y="{y0}" width="{frame.width}" height="{frame.height}"/>'
        "</clipPath></defs>",
        f'<g id="areas" clip-path="url(#map)" stroke="{OUTLINE}" stroke-width="{plan.outline_width:.2f}" '
        'stroke-linejoin="round" fill-rule="evenodd">',
    ]
    minx, _, _, maxy = frame.bounds
    res = frame.resolution
    simplified = shapely.simplify(sheet.geometries, res / 3, preserve_topology=True)
    to_page = np.array([[1 / res, 0], [0, -1 / res]])
    offset = np.array([x0 - minx / res, y0 + maxy / res])
    for code, geometry, fill in zip(sheet.codes, simplified, sheet.fills, strict=True):
        page_geometry = shapely.transform(geometry, lambda xy: xy @ to_page + offset)
        parts.append(f'<path id={quoteattr(code)} fill="{fill}" d="{_path(page_geometry)}"/>')
    parts.append("</g>")
    for rect in plan.rects:
        stroke = f' stroke="{rect.stroke}" stroke-width="{plan.outline_width:.2f}"' if rect.stroke else ""
        parts.append(
            f'<rect x="{rect.x:.1f}" y="{rect.y:.1f}" width="{rect.width:.1f}" height="{rect.height:.1f}" '
            f'fill="{rect.fill}"{stroke}/>'
        )
    for text in plan.texts:
        weight = ' font-weight="bold"' if text.bold else ""
        anchor = ' text-anchor="end"' if text.anchor == "end" else ""
        parts.append(
            f'<text x="{text.x:.1f}" y="{text.y:.1f}" font-family="{FONT_FAMILY}" font-size="{text.size}"'
            f'{weight}{anchor} fill="{INK}">{escape(text.text)}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _path(geometry: shapely.Geometry) -> str:
    """SVG path data of a (multi)polygon: one closed subpath per ring, coordinates to 0.1 px."""
    out = []
    for polygon in shapely.get_parts(geometry):
        if polygon.is_empty:
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            coords = np.round(np.asarray(ring.coords)[:-1], 1)
            points = " ".join(f"{x:g} {y:g}" for x, y in coords)
            out.append(f"M{points}Z")
    return "".join(out)
