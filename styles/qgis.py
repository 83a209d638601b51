"""The same classification as a QGIS layer style (``.qml``) and an SLD 1.1 document.

Both use rules, so class membership is exactly MapLibre's ``step``: ``"v" >= a AND "v" < b`` with the first
class open below and the last open above (QGIS's graduated renderer would put a value equal to a break in the
lower class). No data is ``"v" IS NULL``, drawn light grey with a diagonal hatch; suppressed areas (when a
status attribute is named) mid grey with dots. The strings can be stored in a GeoPackage ``layer_styles``
table (``styleQML`` / ``styleSLD``).
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from styles.classify import AREA_TYPES, Classification, ClassificationError
from styles.legend import Legend, class_label
from styles.palettes import NO_DATA, SUPPRESSED, FillSpec, hex_to_rgb

QGIS_VERSION = "3.22.0"
OUTLINE_COLOR = "#5a5a5a"
OUTLINE_WIDTH_MM = "0.1"
SLD_NS = {
    "": "http://www.opengis.net/sld",
    "se": "http://www.opengis.net/se",
    "ogc": "http://www.opengis.net/ogc",
    "xlink": "http://www.w3.org/1999/xlink",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
_QGIS_PATTERNS = {"hatch": "b_diagonal", "dots": "dense6"}
_SLD_MARKS = {"hatch": "slash", "dots": "circle"}


@dataclass(frozen=True)
class StyleRule:
    """One class as a rule: a QGIS expression, the equivalent OGC filter parts, colour and label."""

    label: str
    expression: str
    color: str
    kind: str  # class | category | no_data | suppressed
    lower: float | None = None
    upper: float | None = None
    category: int | None = None
    fill: FillSpec | None = None


def style_rules(
    attribute: str,
    classification: Classification,
    colors: Sequence[str],
    *,
    legend: Legend | None = None,
    status_attribute: str | None = None,
    lang: str = "sv",
) -> list[StyleRule]:
    """The rules of a classification drawn with ``colors``, labelled from ``legend`` where given."""
    if len(colors) != classification.k:
        raise ClassificationError(
            f"{classification.k} classes need as many colours, got {len(colors)}", option="colors"
        )
    labels = [e.label for e in legend.entries if e.kind in ("class", "category")] if legend else []
    field = _quote(attribute)
    rules: list[StyleRule] = []
    if classification.is_categorical:
        names = {t.code: t.name(lang) for t in AREA_TYPES}
        for i, (code, color) in enumerate(zip(classification.categories, colors, strict=True)):
            label = labels[i] if labels else names[code]
            rules.append(StyleRule(label, f"{field} = {code}", color, "category", category=code))
    else:
        thresholds = classification.thresholds
        for i, color in enumerate(colors):
            lower = thresholds[i - 1] if i > 0 else None
            upper = thresholds[i] if i < classification.k - 1 else None
            parts = ([f"{field} >= {lower!r}"] if lower is not None else []) + (
                [f"{field} < {upper!r}"] if upper is not None else []
            )
            label = labels[i] if labels else class_label(*classification.bounds(i), lang=lang)
            rules.append(
                StyleRule(
                    label,
                    " AND ".join(parts) or f"{field} IS NOT NULL",
                    color,
                    "class",
                    lower=lower,
                    upper=upper,
                )
            )
    no_data = f"{field} IS NULL"
    if status_attribute is not None:
        status = _quote(status_attribute)
        rules.append(
            StyleRule(
                SUPPRESSED.label(lang),
                f"{status} = 'suppressed'",
                SUPPRESSED.color,
                "suppressed",
                fill=SUPPRESSED,
            )
        )
        no_data += f" AND ({status} IS NULL OR {status} <> 'suppressed')"
    rules.append(StyleRule(NO_DATA.label(lang), no_data, NO_DATA.color, "no_data", fill=NO_DATA))
    return rules


def to_qml(
    attribute: str,
    classification: Classification,
    colors: Sequence[str],
    *,
    legend: Legend | None = None,
    status_attribute: str | None = None,
    lang: str = "sv",
) -> str:
    """A QGIS ``.qml`` style (rule-based renderer, symbology only) for a polygon layer."""
    rules = style_rules(
        attribute, classification, colors, legend=legend, status_attribute=status_attribute, lang=lang
    )
    root = ET.Element("qgis", version=QGIS_VERSION, styleCategories="Symbology")
    renderer = ET.SubElement(
        root,
        "renderer-v2",
        type="RuleRenderer",
        symbollevels="0",
        enableorderby="0",
        forceraster="0",
        referencescale="-1",
    )
    rules_element = ET.SubElement(renderer, "rules", key=_key(attribute, "root"))
    symbols = ET.SubElement(renderer, "symbols")
    for index, rule in enumerate(rules):
        ET.SubElement(
            rules_element,
            "rule",
            key=_key(attribute, str(index)),
            filter=rule.expression,
            symbol=str(index),
            label=rule.label,
        )
        symbol = ET.SubElement(
            symbols, "symbol", type="fill", name=str(index), alpha="1", clip_to_extent="1", force_rhr="0"
        )
        _qml_fill(symbol, rule.color, "solid", OUTLINE_COLOR, "solid")
        if rule.fill is not None:
            _qml_fill(symbol, rule.fill.pattern_color, _QGIS_PATTERNS[rule.fill.pattern], OUTLINE_COLOR, "no")
    ET.SubElement(root, "layerGeometryType").text = "2"
    ET.indent(root)
    return (
        "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, "unicode") + "\n"
    )


def to_sld(
    attribute: str,
    classification: Classification,
    colors: Sequence[str],
    *,
    layer_name: str,
    legend: Legend | None = None,
    status_attribute: str | None = None,
    lang: str = "sv",
) -> str:
    """An SLD 1.1.0 document (Symbology Encoding rules with OGC filters) for a polygon layer."""
    rules = style_rules(
        attribute, classification, colors, legend=legend, status_attribute=status_attribute, lang=lang
    )
    for prefix, uri in SLD_NS.items():
        ET.register_namespace(prefix, uri)
    sld, se, ogc = (f"{{{SLD_NS[p]}}}" for p in ("", "se", "ogc"))
    root = ET.Element(
        f"{sld}StyledLayerDescriptor",
        {
            "version": "1.1.0",
            f"{{{SLD_NS['xsi']}}}schemaLocation": "http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/StyledLayerDescriptor.xsd",
        },
    )
    named = ET.SubElement(root, f"{sld}NamedLayer")
    ET.SubElement(named, f"{se}Name").text = layer_name
    user_style = ET.SubElement(named, f"{sld}UserStyle")
    ET.SubElement(user_style, f"{se}Name").text = layer_name
    feature_style = ET.SubElement(user_style, f"{se}FeatureTypeStyle")
    for rule in rules:
        element = ET.SubElement(feature_style, f"{se}Rule")
        ET.SubElement(element, f"{se}Name").text = rule.label
        ET.SubElement(ET.SubElement(element, f"{se}Description"), f"{se}Title").text = rule.label
        _sld_filter(ET.SubElement(element, f"{ogc}Filter"), ogc, attribute, rule, status_attribute)
        symbolizer = ET.SubElement(element, f"{se}PolygonSymbolizer")
        _svg(ET.SubElement(symbolizer, f"{se}Fill"), se, fill=rule.color)
        _svg(ET.SubElement(symbolizer, f"{se}Stroke"), se, stroke=OUTLINE_COLOR, **{"stroke-width": "0.4"})
        if rule.fill is not None:
            graphic = ET.SubElement(
                ET.SubElement(
                    ET.SubElement(ET.SubElement(element, f"{se}PolygonSymbolizer"), f"{se}Fill"),
                    f"{se}GraphicFill",
                ),
                f"{se}Graphic",
            )
            mark = ET.SubElement(graphic, f"{se}Mark")
            ET.SubElement(mark, f"{se}WellKnownName").text = _SLD_MARKS[rule.fill.pattern]
            _svg(ET.SubElement(mark, f"{se}Stroke"), se, stroke=rule.fill.pattern_color)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def _sld_filter(
    parent: ET.Element, ogc: str, attribute: str, rule: StyleRule, status_attribute: str | None
) -> None:
    def compare(tag: str, name: str, literal: object) -> ET.Element:
        element = ET.Element(f"{ogc}{tag}")
        ET.SubElement(element, f"{ogc}PropertyName").text = name
        ET.SubElement(element, f"{ogc}Literal").text = str(literal)
        return element

    def null(name: str) -> ET.Element:
        element = ET.Element(f"{ogc}PropertyIsNull")
        ET.SubElement(element, f"{ogc}PropertyName").text = name
        return element

    if rule.kind == "category":
        parts = [compare("PropertyIsEqualTo", attribute, rule.category)]
    elif rule.kind == "suppressed":
        parts = [compare("PropertyIsEqualTo", status_attribute or "", "suppressed")]
    elif rule.kind == "no_data":
        parts = [null(attribute)]
        if status_attribute is not None:
            either = ET.Element(f"{ogc}Or")
            either.extend(
                [null(status_attribute), compare("PropertyIsNotEqualTo", status_attribute, "suppressed")]
            )
            parts.append(either)
    else:
        parts = []
        if rule.lower is not None:
            parts.append(compare("PropertyIsGreaterThanOrEqualTo", attribute, repr(rule.lower)))
        if rule.upper is not None:
            parts.append(compare("PropertyIsLessThan", attribute, repr(rule.upper)))
        if not parts:
            not_null = ET.Element(f"{ogc}Not")
            not_null.append(null(attribute))
            parts = [not_null]
    if len(parts) == 1:
        parent.append(parts[0])
    else:
        ET.SubElement(parent, f"{ogc}And").extend(parts)


def _svg(parent: ET.Element, se: str, **parameters: str) -> None:
    for name, value in parameters.items():
        ET.SubElement(parent, f"{se}SvgParameter", name=name).text = value


def _qml_fill(symbol: ET.Element, color: str, style: str, outline: str, outline_style: str) -> None:
    props = {
        "color": _rgba(color),
        "style": style,
        "outline_color": _rgba(outline),
        "outline_style": outline_style,
        "outline_width": OUTLINE_WIDTH_MM,
        "outline_width_unit": "MM",
        "joinstyle": "bevel",
    }
    layer = ET.SubElement(
        symbol, "layer", {"class": "SimpleFill", "enabled": "1", "locked": "0", "pass": "0"}
    )
    options = ET.SubElement(layer, "Option", type="Map")
    for key, value in props.items():
        ET.SubElement(options, "Option", type="QString", name=key, value=value)
    for key, value in props.items():  # the pre-3.18 form, read by older QGIS
        ET.SubElement(layer, "prop", k=key, v=value)


def _rgba(color: str) -> str:
    return ",".join(str(c) for c in hex_to_rgb(color)) + ",255"


def _quote(attribute: str) -> str:
    return '"' + attribute.replace('"', '""') + '"'


def _key(attribute: str, name: str) -> str:
    """A deterministic rule key, so equal styles serialise identically."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"barometer:{attribute}:{name}")) + "}"
