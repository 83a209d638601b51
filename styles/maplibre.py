"""Self-contained MapLibre style v8 documents for one classified indicator map.

Background, fill and line layers, no sprites. Two forms:

* ``client="maplibre"``: one fill layer with a ``step`` (numbers) or ``match`` (områdestyper) expression and,
  given a glyphs URL, the areas' names as labels (the app serves the glyphs, ``styles.glyphs``).
* ``client="qgis"``: QGIS 3.22's MapBox GL converter ignores ``step``/``case``/``interpolate`` fill colours
  and turns numeric ``match`` into an empty ``IN ()``, but converts constant colours with simple filters
  exactly, so every class is its own fill layer with ``["all", [">=", get, a], ["<", get, b]]`` (first and
  last class open-ended, like ``step``), and no data is ``["!", ["has", property]]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from indicators.model import Indicator
from styles.classify import Classification, ClassificationError
from styles.glyphs import FONTSTACK
from styles.legend import Legend
from styles.palettes import NO_DATA, SUPPRESSED

SOURCE_ID = "barometer"
BACKGROUND_COLOR = "#f7f7f5"
OUTLINE_COLOR = "#5a5a5a"
FADE_COLOR = "#ffffff"
OUTLINE_WIDTH_STOPS = ((4, 0.1), (9, 0.4), (14, 1.5))
"""Outline width in pixels by zoom, interpolated linearly."""

Filter = list[Any]


def build_style(
    *,
    tiles_url: str,
    source_layer: str,
    property: str,
    classification: Classification,
    colors: Sequence[str],
    indicator: Indicator,
    year: int,
    legend: Legend,
    minzoom: int = 0,
    maxzoom: int = 14,
    bounds: Sequence[float] | None = None,
    client: Literal["maplibre", "qgis"] = "maplibre",
    filter_municipality: str | None = None,
    municipality_mode: Literal["fade", "filter"] = "fade",
    municipality_property: str = "kommun",
    status_property: str | None = None,
    fill_opacity: float | None = None,
    attribution: str | None = None,
    title: str | None = None,
    glyphs: str | None = None,
    label_property: str = "name",
    label_minzoom: float = 10,
) -> dict:
    """A complete MapLibre style v8 drawing ``property`` of the ``source_layer`` in the year's tiles.

    ``tiles_url`` is an XYZ template (``{z}/{x}/{y}``); a ``{year}`` placeholder in it is filled in.
    ``bounds`` is ``(west, south, east, north)`` in degrees. With ``filter_municipality`` (a kommun code),
    areas elsewhere are faded under a white veil (``fade``) or left out (``filter``). With
    ``status_property``, areas whose status is ``"suppressed"`` get their own fill above the no-data fill. A
    change or deviation map is the same call with a computed ``property``, a ``diverging`` classification
    and diverging colours. Fills are slightly translucent for a web map (0.85, so a basemap shows through)
    and opaque for QGIS (a rendered pixel is the legend colour), unless ``fill_opacity`` says otherwise.
    With ``glyphs`` (a ``{fontstack}/{range}`` URL), a MapLibre style labels the areas with
    ``label_property`` from ``label_minzoom``; QGIS styles stay without labels (QGIS labels by attribute).
    """
    if client not in ("maplibre", "qgis"):
        raise ClassificationError(f"client must be 'maplibre' or 'qgis', got {client!r}", option="client")
    if municipality_mode not in ("fade", "filter"):
        raise ClassificationError(
            f"must be 'fade' or 'filter', got {municipality_mode!r}", option="municipality_mode"
        )
    if len(colors) != classification.k:
        raise ClassificationError(
            f"{classification.k} classes need as many colours, got {len(colors)}", option="colors"
        )
    if fill_opacity is None:
        fill_opacity = 1.0 if client == "qgis" else 0.85
    source: dict[str, Any] = {
        "type": "vector",
        "tiles": [tiles_url.replace("{year}", str(year))],
        "minzoom": minzoom,
        "maxzoom": maxzoom,
    }
    if bounds is not None:
        source["bounds"] = [float(b) for b in bounds]
    if attribution or indicator.source:
        source["attribution"] = attribution or indicator.source
    restrict: Filter | None = None
    if filter_municipality is not None and municipality_mode == "filter":
        restrict = ["==", ["get", municipality_property], filter_municipality]

    def fill(layer_id: str, color: Any, condition: Filter | None) -> dict:
        layer = {
            "id": layer_id,
            "type": "fill",
            "source": SOURCE_ID,
            "source-layer": source_layer,
            "paint": {"fill-color": color, "fill-opacity": fill_opacity},
        }
        combined = _all(condition, restrict)
        if combined is not None:
            layer["filter"] = combined
        return layer

    layers: list[dict] = [
        {"id": "background", "type": "background", "paint": {"background-color": BACKGROUND_COLOR}}
    ]
    if client == "maplibre":
        if classification.k:
            layers.append(
                fill("classes", _color_expression(property, classification, colors), ["has", property])
            )
    else:
        layers.extend(
            fill(f"class-{i}", color, condition)
            for i, (color, condition) in enumerate(
                zip(colors, class_filters(property, classification), strict=True)
            )
        )
    layers.append(fill("no-data", NO_DATA.color, ["!", ["has", property]]))
    if status_property is not None:
        layers.append(fill("suppressed", SUPPRESSED.color, ["==", ["get", status_property], "suppressed"]))
    if filter_municipality is not None and municipality_mode == "fade":
        fade = fill(
            "outside-municipality", FADE_COLOR, ["!=", ["get", municipality_property], filter_municipality]
        )
        fade["paint"]["fill-opacity"] = 0.65
        layers.append(fade)
    outline: dict[str, Any] = {
        "id": "outline",
        "type": "line",
        "source": SOURCE_ID,
        "source-layer": source_layer,
        "paint": {
            "line-color": OUTLINE_COLOR,
            "line-width": [
                "interpolate",
                ["linear"],
                ["zoom"],
                *(x for stop in OUTLINE_WIDTH_STOPS for x in stop),
            ],
            "line-opacity": 0.6,
        },
    }
    if restrict is not None:
        outline["filter"] = restrict
    layers.append(outline)
    if glyphs and client == "maplibre":
        label: dict[str, Any] = {
            "id": "labels",
            "type": "symbol",
            "source": SOURCE_ID,
            "source-layer": source_layer,
            "minzoom": label_minzoom,
            "layout": {
                "text-field": ["get", label_property],
                "text-font": [FONTSTACK],
                "text-size": 12,
                "text-max-width": 7,
            },
            "paint": {"text-color": "#222222", "text-halo-color": "#ffffff", "text-halo-width": 1.5},
        }
        if restrict is not None:
            label["filter"] = restrict
        layers.append(label)

    style: dict[str, Any] = {
        "version": 8,
        "name": title or legend.title,
        "metadata": {
            "title": title or legend.title,
            "indicator": indicator.id,
            "property": property,
            "year": year,
            "unit": indicator.unit,
            "source": indicator.source,
            "scope": legend.scope,
            "client": client,
            "method": classification.method,
            "breaks": list(classification.breaks),
            "counts": list(classification.counts),
            "missing": classification.missing,
            "categories": list(classification.categories),
            "centre": classification.centre,
            "colors": list(colors),
            "municipality": filter_municipality,
            "legend": legend.to_json(),
        },
        "sources": {SOURCE_ID: source},
        "layers": layers,
    }
    if glyphs and client == "maplibre":
        style["glyphs"] = glyphs
    if bounds is not None:
        west, south, east, north = (float(b) for b in bounds)
        style["center"] = [(west + east) / 2, (south + north) / 2]
        style["zoom"] = max(minzoom, 4)
    return style


def class_filters(property: str, classification: Classification) -> list[Filter]:
    """One filter per class reproducing ``step``/``match`` exactly, in forms QGIS 3.22 converts."""
    value = ["get", property]
    if classification.is_categorical:
        return [["==", value, code] for code in classification.categories]
    thresholds = classification.thresholds
    filters: list[Filter] = []
    for i in range(classification.k):
        parts: Filter = ["all"]
        if i > 0:
            parts.append([">=", value, thresholds[i - 1]])
        if i < classification.k - 1:
            parts.append(["<", value, thresholds[i]])
        if len(parts) < 3:
            parts.insert(1, ["has", property])
        filters.append(parts)
    return filters


def _color_expression(property: str, classification: Classification, colors: Sequence[str]) -> Any:
    if classification.is_categorical:
        pairs = [
            item
            for code, color in zip(classification.categories, colors, strict=True)
            for item in (code, color)
        ]
        return ["match", ["get", property], *pairs, NO_DATA.color]
    if classification.k == 1:
        return colors[0]
    stops = [
        item for t, color in zip(classification.thresholds, colors[1:], strict=True) for item in (t, color)
    ]
    return ["step", ["to-number", ["get", property]], colors[0], *stops]


def _all(*conditions: Filter | None) -> Filter | None:
    """The conjunction of the given filters, flattening nested ``all`` (QGIS converts flat ones best)."""
    parts: Filter = []
    for condition in conditions:
        if condition is not None:
            parts.extend(condition[1:] if condition[0] == "all" else [condition])
    if not parts:
        return None
    single = len(parts) == 1 and not any(c is not None and c[0] == "all" for c in conditions)
    return parts[0] if single else ["all", *parts]
