"""The ``barometer`` command: serve, import, demo, info."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

DEFAULT_DATA = "var/data"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    from indicators.model import BarometerError

    try:
        return int(args.run(args) or 0)
    except BarometerError as error:
        print(f"barometer: error: {error}", file=sys.stderr)
        return 2
    except FileNotFoundError as error:
        print(f"barometer: error: no such file: {error.filename}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="barometer", description=__doc__)
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    serve = commands.add_parser("serve", help="serve the map, tiles and API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--data", help="data folder (default: $BAROMETER_DATA, else the built-in demo)")
    serve.add_argument("--production", action="store_true", help="run under gunicorn")
    serve.add_argument("--workers", type=int, default=max(2, os.cpu_count() or 2))
    serve.set_defaults(run=_serve)

    demo = commands.add_parser("demo", help="write the deterministic demo dataset into a data folder")
    _data_option(demo)
    demo.add_argument("--areas", type=int, help="about how many DeSO areas (default: small)")
    demo.set_defaults(run=_demo)

    info = commands.add_parser("info", help="describe the dataset a data folder serves")
    _data_option(info)
    info.set_defaults(run=_info)

    imports = commands.add_parser("import", help="import areas or indicator values as a new dataset version")
    kinds = imports.add_subparsers(required=True, metavar="KIND")
    areas = kinds.add_parser("areas", help="area boundaries: GeoPackage, GeoJSON or Shapefile, any CRS")
    _data_option(areas)
    areas.add_argument("file", type=Path)
    areas.add_argument("--level", choices=("deso", "regso", "kommun", "lan", "riket"))
    areas.add_argument("--layer")
    areas.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COLUMN=FILECOLUMN",
        help="column mapping, e.g. --map code=omr_kod --map name=omr_namn",
    )
    areas.add_argument("--mapping-file", type=Path, help="JSON or TOML file with the column mapping")
    areas.set_defaults(run=_import_areas)
    values = kinds.add_parser("values", help="indicator values: CSV, XLSX, JSON-stat2, Kolada, SCB exports")
    _data_option(values)
    values.add_argument("file", type=Path)
    values.add_argument("--format", dest="fmt")
    values.add_argument("--indicator", help="indicator id for files that hold one indicator")
    values.add_argument("--level", choices=("deso", "regso", "kommun", "lan", "riket"))
    values.add_argument("--strict", action="store_true", help="unmatched area names are an error")
    values.add_argument("--sheet", help="XLSX sheet name (default: the first)")
    values.add_argument("--year", type=int, help="the year of a file whose columns carry none")
    values.add_argument(
        "--drop-unknown", action="store_true", help="drop rows of unknown area codes, reported"
    )
    values.set_defaults(run=_import_values)
    return parser


def _data_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        default=Path(os.environ.get("BAROMETER_DATA", DEFAULT_DATA)),
        help=f"data folder (default: $BAROMETER_DATA or {DEFAULT_DATA})",
    )


def _serve(args: argparse.Namespace) -> None:
    from tileserver import create_app

    overrides = {"DATA": args.data} if args.data else {}
    app = create_app(overrides)
    services = app.extensions["barometer"]
    dataset = services.dataset()
    services.tileset().warm()
    print(f"Barometer serves dataset {dataset.version} ({dataset.meta.get('title', '')})")
    print(f"Open http://{args.host}:{args.port}/", flush=True)
    if not args.production:
        app.run(host=args.host, port=args.port, threaded=True)
        return
    from tileserver.wsgi import serve_gunicorn

    serve_gunicorn(app, f"{args.host}:{args.port}", args.workers)


def _demo(args: argparse.Namespace) -> None:
    from data.demo import build_demo
    from data.store import make_dataset, write_version

    demo = build_demo(args.areas) if args.areas else build_demo()
    dataset = make_dataset(
        demo.areas, demo.values, demo.indicators, {"title": "Barometer demo (fictional data)"}
    )
    write_version(args.data, dataset)
    print(f"wrote demo dataset {dataset.version} to {args.data}")


def _info(args: argparse.Namespace) -> None:
    from data.store import read_version

    dataset = read_version(args.data)
    print(f"data folder: {args.data}")
    print(f"version:     {dataset.version}")
    print(f"title:       {dataset.meta.get('title', '')}")
    counts = dataset.areas["level"].value_counts()
    for level in dataset.levels:
        years = dataset.years_of(level)
        span = f"{years[0]}-{years[-1]}" if years else "no values"
        print(f"level {level:7s} {counts[level]:6d} areas, years {span}")
    print(f"indicators:  {len(dataset.indicators)}")
    for ind in dataset.indicators.values():
        print(f"  {ind.id:34s} {ind.title_sv} ({ind.unit})")
    print(f"values:      {len(dataset.values)} rows")


def _import_areas(args: argparse.Namespace) -> None:
    from data.imports import import_areas
    from geo.read import load_mapping

    columns = dict(load_mapping(args.mapping_file)) if args.mapping_file else {}
    for item in args.map:
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"barometer: error: --map takes COLUMN=FILECOLUMN, not {item!r}")
        columns[key] = value
    report = import_areas(args.data, args.file, level=args.level, layer=args.layer, columns=columns or None)
    print("\n".join(report))


def _import_values(args: argparse.Namespace) -> None:
    from data.imports import import_values

    report = import_values(
        args.data, args.file, fmt=args.fmt, indicator=args.indicator, level=args.level, strict=args.strict
    )
    print("\n".join(report))


if __name__ == "__main__":
    sys.exit(main())
