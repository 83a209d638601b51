"""Configuration: defaults, then ``BAROMETER_*`` environment variables, then test overrides.

Only the settings named in DEFAULTS are read from the environment (others are warned about and ignored, so
no variable reaches Flask's own settings such as ``DEBUG``), and values that end up in headers are checked
when the app starts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from flask import Config, Flask

from indicators.memo import MEMO, MEMO_MB
from indicators.model import ParameterError

DEFAULTS: dict[str, object] = {
    "DATA": None,  # data folder written by `barometer import`/`barometer demo`; none: the built-in demo
    "DEMO_AREAS": None,  # size of the built-in demo (DeSO areas); none: the small default
    "PUBLIC_URL": None,  # base URL behind a proxy, e.g. https://karta.example.se/barometer
    "CACHE_MB": 64,  # in-process cache budget per worker (Redis is the shared, larger one)
    "MEMO_MB": MEMO_MB,  # budget per worker of derived tables: classes, year properties, wide tables
    "REDIS_URL": None,  # shared cache, e.g. redis://127.0.0.1:6379/0 (also read from REDIS_URL)
    "FRAME_ANCESTORS": "*",  # who may embed /embed in an iframe (CSP frame-ancestors)
    "CHECK_EVERY": 2.0,  # seconds between looks for a new dataset version
    "SLOW_SLOTS": 1,  # map images and downloads rendered at a time per worker (tileserver/slow.py)
    "SLOW_QUEUE": 2,  # more of them waiting per worker; past slots + queue they answer 503
    "ATTRIBUTION": None,  # credit line of tiles and styles; none: the dataset's (its recipe's attribution)
    "BASEMAP": None,  # style URL, XYZ template, PMTiles URL or data-folder file; none: the light default
    "PMTILES_URL": None,  # where `barometer seed --pmtiles DIR/` archives are served, e.g. from a CDN
}

_HOST_SOURCE = re.compile(
    r"""(?:[a-z][a-z0-9+.-]*:(?://)?)?   # scheme, e.g. https:// (or a bare scheme source, https:)
        (?:\*|(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*)?   # host, *.example.se or *
        (?::(?:\d{1,5}|\*))?   # port
        (?:/[a-z0-9._~%/-]*)?  # path
    """,
    re.IGNORECASE | re.VERBOSE,
)


def configure(app: Flask, overrides: Mapping[str, object] | None) -> None:
    settings = dict(DEFAULTS)
    environment = Config(app.root_path)
    environment.from_prefixed_env("BAROMETER")
    for key, value in environment.items():
        if key in DEFAULTS:
            settings[key] = value
        else:
            app.logger.warning("unknown configuration key BAROMETER_%s is ignored", key)
    if os.environ.get("REDIS_URL") and not settings["REDIS_URL"]:
        settings["REDIS_URL"] = os.environ["REDIS_URL"]
    app.config.update(settings, DEBUG=False)
    if overrides:
        app.config.from_mapping(overrides)
    app.config["FRAME_ANCESTORS"] = frame_ancestors(str(app.config["FRAME_ANCESTORS"] or "*"))
    app.config["PMTILES_URL"] = pmtiles_url(app.config["PMTILES_URL"])
    for key, low in (("CACHE_MB", 0), ("MEMO_MB", 0), ("SLOW_SLOTS", 1), ("SLOW_QUEUE", 0)):
        if not isinstance(app.config[key], int) or app.config[key] < low:
            raise ParameterError(
                f"BAROMETER_{key}", f"must be a whole number from {low}, not {app.config[key]!r}"
            )
    MEMO.resize(app.config["MEMO_MB"] * 2**20)


_PMTILES_URL = re.compile(r"https?://[^/\s\"'<>?#]+(?:/[^\s\"'<>?#]*)?|/[^\s\"'<>?#]*", re.IGNORECASE)


def pmtiles_url(raw: object) -> str | None:
    """The base URL of the seeded PMTiles archives (``<base>/deso.pmtiles``, ``<base>/deso-2023.pmtiles``):
    ``http(s)://host/path`` or a path on this host (``/archives``); ``{version}`` in it is replaced by the
    dataset version. None (unset) means the app serves the tiles itself."""
    if raw is None or str(raw).strip() == "":
        return None
    text = str(raw).strip().rstrip("/") or "/"
    if not _PMTILES_URL.fullmatch(text.replace("{version}", "v")):
        raise ParameterError(
            "BAROMETER_PMTILES_URL",
            f"{raw!r} is not a base URL of archives; give https://cdn.example.se/barometer/{{version}} "
            "or a path on this host such as /archives (no query, quotes or spaces)",
        )
    return text


def frame_ancestors(raw: str) -> str:
    """A CSP frame-ancestors source list from sources separated by spaces or commas: ``*``, ``'self'``,
    ``'none'`` (alone) and host sources (``https://kommun.se``, ``*.kommun.se:443``); anything else, a
    ``;`` above all (it would start a new directive), is refused."""
    sources = [part for part in raw.replace(",", " ").split() if part]
    bad = [s for s in sources if s.lower() not in ("'self'", "'none'") and not _HOST_SOURCE.fullmatch(s)]
    if bad or not sources:
        raise ParameterError(
            "BAROMETER_FRAME_ANCESTORS",
            f"{' '.join(bad) or 'nothing'!r} is not a frame-ancestors source; give *, 'self', 'none' or "
            "host sources such as https://kommun.example.se, separated by spaces or commas",
        )
    if "'none'" in (s.lower() for s in sources) and len(sources) > 1:
        raise ParameterError("BAROMETER_FRAME_ANCESTORS", "'none' cannot be combined with other sources")
    return " ".join(sources)
