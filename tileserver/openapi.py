"""The OpenAPI 3.1 document of every route, with the dataset's levels, years, indicators and municipalities as
enums, so a client (or schemathesis) knows every value that answers 200.

``document(dataset)`` returns plain data; tests compare its paths with Flask's url_map and validate real
answers against its schemas.
"""

from __future__ import annotations

from typing import Any

from indicators.model import Dataset
from styles.classify import METHODS
from styles.glyphs import FONTSTACK
from styles.layout import MAX_DPI, MAX_SIDE, MIN_SIDE, PAPER_MM
from styles.palettes import REGISTRY
from tileserver.routes import exports as routes_exports

Schema = dict[str, Any]

ERROR: Schema = {
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "the status in words, e.g. 'bad request'"},
        "detail": {"type": "string", "description": "what was wrong, naming the parameter"},
        "parameter": {"type": "string", "description": "the parameter (or option) that was wrong"},
    },
}
NUMBER = {"type": ["number", "null"]}
STRINGS = {"type": "array", "items": {"type": "string"}}
OBJECT: Schema = {"type": "object"}
GEOJSON: Schema = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array", "items": OBJECT}},
}

MVT = "application/vnd.mapbox-vector-tile"
EXPORT_TYPES = {fmt: media.split(";")[0] for fmt, media in routes_exports.EXPORT_TYPES.items()}


def _json_schemas() -> dict[str, Schema]:
    status = {"type": "string", "enum": ["ok", "missing", "suppressed"]}
    return {
        "Error": ERROR,
        "Health": {
            "type": "object",
            "required": ["status", "version"],
            "properties": {"status": {"const": "ok"}, "version": {"type": "string"}},
        },
        "Catalog": {
            "type": "object",
            "required": ["version", "title", "levels", "years", "indicators", "municipalities"],
            "properties": {
                "version": {"type": "string"},
                "title": {"type": "string"},
                "levels": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "areas", "years"],
                        "properties": {
                            "id": {"type": "string"},
                            "areas": {"type": "integer"},
                            "years": {"type": "array", "items": {"type": "integer"}},
                        },
                    },
                },
                "years": {"type": "array", "items": {"type": "integer"}},
                "indicators": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["id", "title_sv", "title_en", "unit", "kind"],
                        "properties": {"id": {"type": "string"}, "breakdowns": STRINGS},
                    },
                },
                "municipalities": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["code", "name"],
                        "properties": {
                            "code": {"type": "string"},
                            "name": {"type": "string"},
                            "bbox": {
                                "type": "array",
                                "items": {"type": "number"},
                                "minItems": 4,
                                "maxItems": 4,
                            },
                        },
                    },
                },
            },
        },
        "Areas": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["code", "name", "level", "kommun", "lan"],
                "properties": {
                    **{k: {"type": "string"} for k in ("code", "name", "level", "kommun", "lan", "regso")},
                    "label": {
                        "type": ["array", "null"],
                        "items": {"type": "number"},
                        "minItems": 2,
                        "maxItems": 2,
                        "description": "a point inside the area for its name: WGS84 [lon, lat]",
                    },
                },
            },
        },
        "Config": {
            "type": "object",
            "required": ["basemap", "label_minzoom"],
            "properties": {
                "basemap": {
                    "type": "object",
                    "required": ["kind"],
                    "properties": {
                        "kind": {"enum": ["default", "style", "xyz", "pmtiles"]},
                        "url": {"type": "string"},
                    },
                },
                "label_minzoom": {"type": "object", "additionalProperties": {"type": "number"}},
            },
        },
        "Values": {
            "type": "object",
            "required": ["level", "year", "values", "status"],
            "properties": {
                "level": {"type": "string"},
                "year": {"type": "integer"},
                "values": {
                    "type": "object",
                    "additionalProperties": {"type": "object", "additionalProperties": NUMBER},
                },
                "status": {
                    "type": "object",
                    "additionalProperties": {"type": "object", "additionalProperties": status},
                },
            },
        },
        "Series": {
            "type": "object",
            "required": ["indicator", "level", "series"],
            "properties": {
                "indicator": {"type": "string"},
                "level": {"type": "string"},
                "series": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["year", "value", "status"],
                            "properties": {"year": {"type": "integer"}, "value": NUMBER, "status": status},
                        },
                    },
                },
            },
        },
        "Legend": {
            "type": "object",
            "required": ["areas", "title", "entries", "classification", "colors", "options"],
            "properties": {
                "areas": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["value", "class"],
                        "properties": {"value": NUMBER, "class": {"type": ["integer", "null"]}},
                    },
                },
                "title": {"type": "string"},
                "entries": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["kind", "label", "color"],
                        "properties": {"kind": {"type": "string"}, "label": {"type": "string"}},
                    },
                },
                "classification": OBJECT,
                "colors": STRINGS,
                "colorblind_safe": {"type": "boolean"},
                "options": OBJECT,
            },
        },
        "TileJSON": {
            "type": "object",
            "required": ["tilejson", "tiles", "minzoom", "maxzoom", "bounds", "vector_layers"],
            "properties": {
                "tilejson": {"const": "3.0.0"},
                "version": {"type": "string"},
                "tiles": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                "minzoom": {"type": "integer"},
                "maxzoom": {"type": "integer"},
                "bounds": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
                "vector_layers": {"type": "array", "items": OBJECT},
            },
        },
        "Style": {
            "type": "object",
            "description": "a MapLibre style specification v8 document",
            "required": ["version", "sources", "layers"],
            "properties": {"version": {"const": 8}, "sources": OBJECT, "layers": {"type": "array"}},
        },
        "Omradestyper": {
            "type": "object",
            "required": ["level", "year", "areas"],
            "properties": {
                "level": {"type": "string"},
                "year": {"type": "integer"},
                "areas": {"type": "array"},
            },
        },
        "Ojamlikhet": {
            "type": "object",
            "required": ["kommun", "series"],
            "properties": {"kommun": {"type": "string"}, "series": OBJECT},
        },
        "Indices": {
            "type": "object",
            "required": ["kommun", "year", "indices"],
            "properties": {"kommun": {"type": "string"}, "year": {"type": "integer"}, "indices": OBJECT},
        },
        "Compare": {
            "type": "object",
            "required": ["level", "indicator", "year", "kommun", "areas"],
            "properties": {"areas": {"type": "array", "items": OBJECT}},
        },
        "OpenAPI": {"type": "object", "required": ["openapi", "paths"]},
        "Probe": {
            "type": "object",
            "required": ["status"],
            "properties": {
                "status": {"type": "string"},
                "version": {"type": "string"},
                "detail": {"type": "string"},
            },
        },
        "Methods": {
            "type": "object",
            "required": ["measures", "indicators"],
            "properties": {"measures": {"type": "array", "items": OBJECT}, "indicators": OBJECT},
        },
        "PerType": {
            "type": "object",
            "required": ["indicator", "scope", "type_source", "series", "notes"],
            "properties": {
                "indicator": {"type": "string"},
                "scope": {"type": "string", "enum": ["riket", "lan", "kommun"]},
                "type_source": OBJECT,
                "series": OBJECT,
                "notes": STRINGS,
            },
        },
    }


PROBE = {"$ref": "#/components/schemas/Probe"}


def _param(name: str, where: str, schema: Schema, description: str = "", required: bool = False) -> dict:
    out = {"name": name, "in": where, "required": where == "path" or required, "schema": schema}
    if description:
        out["description"] = description
    return out


def _query(name: str, schema: Schema, description: str = "") -> dict:
    return _param(name, "query", schema, description)


def _error(description: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _ok(media: str, schema: Schema | None = None, description: str = "the answer") -> dict:
    content: Schema = {"schema": schema} if schema else {}
    return {"200": {"description": description, "content": {media: content}}}


def _json(name: str) -> dict:
    return _ok("application/json", {"$ref": f"#/components/schemas/{name}"})


def _binary(media: str) -> dict:
    return _ok(media, {"type": "string", "format": "binary"})


def document(dataset: Dataset) -> dict:
    """The OpenAPI 3.1 document of the service as it serves ``dataset``."""
    levels = list(dataset.levels)
    tiled = [lv for lv in levels if lv != "riket"]
    years = [str(y) for y in dataset.years]
    indicators = list(dataset.indicators)
    kommuner = [str(c) for c in dataset.municipalities["code"]]
    breakdowns = sorted({b for ind in dataset.indicators.values() for b in (ind.breakdowns or ("total",))})
    year = {"type": "string", "enum": years} if years else {"type": "string", "pattern": "^[0-9]{4}$"}
    kommun = {"type": "string", "enum": kommuner}
    kommun_list = {"type": "string", "pattern": "^[0-9]{4}(,[0-9]{4})*$"}
    flag = {"type": "string", "enum": ["0", "1", "true", "false", "yes", "no"]}

    p_level = _param("level", "path", {"type": "string", "enum": tiled})
    p_any_level = _param("level", "path", {"type": "string", "enum": levels})
    p_year = _param("year", "path", year)
    p_indicator = _param("indicator", "path", {"type": "string", "enum": indicators})
    p_kommun = _param("kommun", "path", kommun)
    p_zxy = [
        _param("z", "path", {"type": "integer", "minimum": 0, "maximum": 20}),
        _param("x", "path", {"type": "integer", "minimum": 0}),
        _param("y", "path", {"type": "integer", "minimum": 0}),
    ]
    q_version = _query(
        "v",
        {"type": "string", "enum": [dataset.version]},
        "the dataset version (answers cached as immutable); another version redirects to this one",
    )
    q_breakdown = _query("breakdown", {"type": "string", "enum": breakdowns})
    q_view = [
        q_breakdown,
        _query("since", year, "map the change since this year"),
        _query(
            "deviation", {"type": "string", "enum": ["kommun", "riket"]}, "map the deviation (not with since)"
        ),
    ]
    q_style = [
        *q_view,
        _query("method", {"type": "string", "enum": list(METHODS)}),
        _query("classes", {"type": "integer", "minimum": 2, "maximum": 9}),
        _query("palette", {"type": "string", "enum": sorted(REGISTRY.names())}),
        _query("kommun", kommun_list, "classes within these municipalities"),
        _query("pooled", flag, "classes over all years"),
        _query("breaks", {"type": "string", "pattern": r"^-?[0-9.]+(,-?[0-9.]+)*$"}, "manual class breaks"),
        _query("lang", {"type": "string", "enum": ["sv", "en"]}),
    ]
    q_image = [
        _query("bbox", {"type": "string"}, "minx,miny,maxx,maxy in WGS 84 degrees"),
        _query("width", {"type": "integer", "minimum": MIN_SIDE, "maximum": MAX_SIDE}),
        _query("height", {"type": "integer", "minimum": MIN_SIDE, "maximum": MAX_SIDE}),
        _query("paper", {"type": "string", "enum": list(PAPER_MM)}),
        _query("dpi", {"type": "integer", "minimum": 1, "maximum": MAX_DPI}),
        _query("orientation", {"type": "string", "enum": ["portrait", "landscape"]}),
        _query("download", {"type": "string"}, "any value: served as an attachment"),
    ]

    def q_report(*first: dict) -> list[dict]:
        return [
            *first,
            _query("level", {"type": "string", "enum": [lv for lv in ("deso", "regso") if lv in levels]}),
            _query("from", year, "first year"),
            _query("to", year, "last year"),
            _query("lang", {"type": "string", "enum": ["sv", "en"]}),
            _query("indicators", {"type": "string"}, "comma-separated indicators to map"),
            _query(
                "group", {"type": "string"}, "the group of the segregation indices, e.g. background=foreign"
            ),
        ]

    redirect = {"302": {"description": "the URL names another dataset version: moved to the current one"}}
    not_modified = {"304": {"description": "not modified (If-None-Match)"}}
    busy = {
        "503": {
            **_error("the slow-work pool is full: ask again after Retry-After seconds"),
            "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        }
    }
    errors = {
        "400": _error("a parameter is malformed"),
        "404": _error("a parameter names nothing that exists"),
    }

    def get(summary: str, parameters: list, responses: dict, *extra: dict) -> dict:
        merged = {**responses, **not_modified, **errors}
        for more in extra:
            merged.update(more)
        return {"get": {"summary": summary, "parameters": parameters, "responses": merged}}

    tile_params = [p_level, *p_zxy, *q_view, q_version]
    style_params = [p_level, p_indicator, p_year, *q_style, q_version]
    paths = {
        "/tiles/{level}/{z}/{x}/{y}.mvt": get("geometry tile", tile_params, _binary(MVT), redirect),
        "/tiles/{level}/{year}/{z}/{x}/{y}.mvt": get(
            "year tile: every indicator's value as a property",
            [p_level, p_year, *tile_params[1:]],
            _binary(MVT),
            redirect,
        ),
        "/tiles/{level}.json": get(
            "TileJSON of the geometry tiles", [p_level, q_version], _json("TileJSON"), redirect
        ),
        "/tiles/{level}/{year}.json": get(
            "TileJSON of the year tiles", [p_level, p_year, q_version], _json("TileJSON"), redirect
        ),
        "/styles/{level}/{indicator}/{year}.json": get(
            "MapLibre style",
            [
                *style_params,
                _query("client", {"type": "string", "enum": ["maplibre", "qgis"]}),
                _query("mode", {"type": "string", "enum": ["fade", "filter"]}),
            ],
            _json("Style"),
            redirect,
        ),
        "/styles/{level}/{indicator}/{year}.qml": get(
            "QGIS layer style", style_params, _ok("application/xml", {"type": "string"}), redirect
        ),
        "/styles/{level}/{indicator}/{year}.sld": get(
            "SLD style", style_params, _ok("application/vnd.ogc.sld+xml", {"type": "string"}), redirect
        ),
        "/api/legend/{level}/{indicator}/{year}": get(
            "legend and each area's class", style_params, _json("Legend"), redirect
        ),
        "/maps/{level}/{indicator}/{year}.{fmt}": get(
            "map image",
            [
                p_level,
                p_indicator,
                p_year,
                _param("fmt", "path", {"type": "string", "enum": ["png", "svg"]}),
                *q_style,
                *q_image,
            ],
            {
                "200": {
                    "description": "the image",
                    "content": {
                        "image/png": {"schema": {"type": "string", "format": "binary"}},
                        "image/svg+xml": {"schema": {"type": "string"}},
                    },
                }
            },
            busy,
        ),
        "/raster/{level}/{indicator}/{year}/{z}/{x}/{y}.png": get(
            "raster tile",
            [p_level, p_indicator, p_year, *p_zxy, *q_style, q_version],
            _binary("image/png"),
            redirect,
        ),
        "/api/export/{kommun}.{fmt}": get(
            "download of a municipality's areas and values",
            [
                p_kommun,
                _param("fmt", "path", {"type": "string", "enum": list(EXPORT_TYPES)}),
                _query("level", {"type": "string", "enum": [lv for lv in ("deso", "regso") if lv in levels]}),
                _query("years", {"type": "string", "pattern": "^[0-9]{4}(,[0-9]{4})*$"}),
                _query("indicators", {"type": "string"}, "comma-separated indicators, or all"),
                _query("indicator", {"type": "string", "enum": indicators}, "the styled indicator"),
                _query("year", year, "the styled year"),
                _query("decimal", {"type": "string", "enum": ["point", "comma"]}),
                _query("definitions", flag),
                *[q for q in q_style if q["name"] != "kommun"],
            ],
            {
                "200": {
                    "description": "the file",
                    "content": {
                        media: {
                            "schema": GEOJSON if fmt == "geojson" else {"type": "string", "format": "binary"}
                        }
                        for fmt, media in EXPORT_TYPES.items()
                    },
                }
            },
            busy,
        ),
        "/api/health": get("liveness and the version served", [], _json("Health")),
        "/healthz": get("liveness: the process answers (touches no data)", [], _json("Probe")),
        "/readyz": get(
            "readiness: a dataset is loaded and every level's geometry prepared",
            [],
            _json("Probe"),
            {"503": {"description": "not ready yet", "content": {"application/json": {"schema": PROBE}}}},
        ),
        "/metrics": get("Prometheus metrics, summed over the server's workers", [], _ok("text/plain")),
        "/report": get(
            "the segregation analysis report as a printable page (a progress page until it is built)",
            q_report(_query("kommun", kommun_list, "the municipalities of the report")),
            _ok("text/html"),
        ),
        "/api/report/status": get(
            "progress of a report's build",
            q_report(_query("kommun", kommun_list, "the municipalities of the report")),
            _ok("application/json", OBJECT),
        ),
        "/api/report/{kommuner}.{fmt}": get(
            "the segregation analysis report as DOCX, PDF or HTML",
            q_report(
                _param("kommuner", "path", kommun_list, "comma-separated municipality codes"),
                _param("fmt", "path", {"type": "string", "enum": ["docx", "pdf", "html"]}),
            ),
            {
                "200": {
                    "description": "the report",
                    "content": {
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
                        "application/pdf": {},
                        "text/html": {},
                    },
                }
            },
            busy,
        ),
        "/api/methods": get("how to read every measure and indicator (sv, en)", [], _json("Methods")),
        "/api/measures/per_type/{indicator}.{fmt}": get(
            "the same as a table, one row per year and type",
            [
                p_indicator,
                _param("fmt", "path", {"type": "string", "enum": ["csv", "xlsx"]}),
                _query("scope", {"type": "string", "enum": ["riket", "lan", "kommun"]}),
                _query("code", {"type": "string"}, "the county or municipality code of the scope"),
                q_breakdown,
                _query("decimal", {"type": "string", "enum": ["point", "comma"]}),
                _query("lang", {"type": "string", "enum": ["sv", "en"]}),
            ],
            {
                "200": {
                    "description": "the table",
                    "content": {EXPORT_TYPES["csv"]: {}, EXPORT_TYPES["xlsx"]: {}},
                }
            },
        ),
        "/api/measures/per_type/{indicator}": get(
            "an indicator per områdestyp within the country, a county or a municipality, per year",
            [
                p_indicator,
                _query("scope", {"type": "string", "enum": ["riket", "lan", "kommun"]}),
                _query("code", {"type": "string"}, "the county or municipality code of the scope"),
                q_breakdown,
            ],
            _json("PerType"),
        ),
        "/api/catalog": get("levels, years, indicators, municipalities", [], _json("Catalog")),
        "/api/openapi.json": get("this document", [], _json("OpenAPI")),
        "/api/areas/{level}": get(
            "areas with parent codes", [p_any_level, _query("kommun", kommun)], _json("Areas")
        ),
        "/api/values/{level}/{year}": get(
            "every indicator per area",
            [p_any_level, p_year, _query("kommun", kommun), q_breakdown],
            _json("Values"),
        ),
        "/api/series/{level}/{indicator}": get(
            "time series",
            [
                p_any_level,
                p_indicator,
                _query("codes", {"type": "string"}, "comma-separated area codes"),
                q_breakdown,
            ],
            _json("Series"),
        ),
        "/api/measures/omradestyper/{level}/{year}": get(
            "områdestyper", [p_level, p_year, _query("kommun", kommun)], _json("Omradestyper")
        ),
        "/api/measures/ojamlikhet/{kommun}": get("ojämlikhetsindex", [p_kommun], _json("Ojamlikhet")),
        "/api/measures/indices/{kommun}/{year}": get(
            "segregation indices",
            [
                p_kommun,
                p_year,
                _query("indicator", {"type": "string", "enum": indicators}),
                _query("group", {"type": "string"}, "the group's breakdown, e.g. background=foreign"),
            ],
            _json("Indices"),
        ),
        "/api/measures/compare/{level}/{indicator}/{year}": get(
            "areas against municipality and country",
            [
                p_level,
                p_indicator,
                p_year,
                _param("kommun", "query", kommun, required=True),
                _query("base_year", year),
            ],
            _json("Compare"),
        ),
        "/": get(
            "the web map",
            [],
            _ok("text/html"),
            {"503": {"description": "web assets not built", "content": {"text/plain": {}}}},
        ),
        "/embed": get(
            "the web map for iframes",
            [],
            _ok("text/html"),
            {"503": {"description": "web assets not built", "content": {"text/plain": {}}}},
        ),
        "/static/{filename}": get("web assets", [_param("filename", "path", {"type": "string"})], _ok("*/*")),
        "/api/config": get("the basemap the page draws, and the zooms of names", [], _json("Config")),
        "/fonts/{fontstack}/{range_name}.pbf": get(
            "label glyphs: SDF ranges in MapLibre's format",
            [
                _param("fontstack", "path", {"type": "string", "enum": [FONTSTACK]}),
                _param("range_name", "path", {"type": "string", "pattern": "^[0-9]{1,5}-[0-9]{1,5}$"}),
            ],
            _binary("application/x-protobuf"),
            {"503": {"description": "glyphs not built", "content": {"text/plain": {}}}},
        ),
        "/basemap/{name}": get(
            "the basemap PMTiles file (BAROMETER_BASEMAP), with range requests",
            [_param("name", "path", {"type": "string"})],
            _binary("application/vnd.pmtiles"),
            {"206": {"description": "the range asked for", "content": {"application/vnd.pmtiles": {}}}},
        ),
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Barometer",
            "version": dataset.version,
            "description": "Vector tiles, styles, map images, downloads and segregation measures of "
            f"{dataset.meta.get('title', 'a Barometer dataset')}. "
            "Errors are JSON {error, detail, parameter}.",
        },
        "paths": paths,
        "components": {"schemas": _json_schemas()},
    }
