"""The ``barometer`` command: serve, import, build, fetch, indicators, demo, info, export, seed."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from data.imports import DEFAULT_MIN_MATCH
from indicators.definitions import DIRECTIONS, KINDS
from indicators.model import LEVELS, NotFoundError, ParameterError

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
    demo.add_argument("--areas", type=int, help="about how many DeSO areas (default: small; national: 6200)")
    demo.add_argument(
        "--national",
        action="store_true",
        help="a Sweden-sized country with real-like borders, coasts and islands (the national benchmark)",
    )
    demo.set_defaults(run=_demo)

    info = commands.add_parser("info", help="describe the dataset a data folder serves")
    _data_option(info)
    info.set_defaults(run=_info)

    imports = commands.add_parser("import", help="import areas or indicator values as a new dataset version")
    kinds = imports.add_subparsers(required=True, metavar="KIND")
    areas = kinds.add_parser("areas", help="area boundaries: GeoPackage, GeoJSON or Shapefile, any CRS")
    _data_option(areas)
    areas.add_argument("file", type=Path)
    areas.add_argument("--level", choices=LEVELS)
    areas.add_argument("--layer")
    _map_option(areas, "code=omr_kod --map name=omr_namn")
    areas.add_argument("--mapping-file", type=Path, help="JSON or TOML file with the column mapping")
    areas.set_defaults(run=_import_areas)
    values = kinds.add_parser("values", help="indicator values: CSV, XLSX, JSON-stat2, Kolada, SCB exports")
    _data_option(values)
    values.add_argument("file", type=Path)
    values.add_argument("--format", dest="fmt", help="csv, xlsx, pxweb or kolada (default: from the file)")
    values.add_argument("--indicator", help="indicator id for files that hold one indicator")
    values.add_argument("--level", choices=LEVELS)
    values.add_argument("--strict", action="store_true", help="unmatched area names are an error")
    values.add_argument("--sheet", help="XLSX sheet name (default: the first)")
    values.add_argument("--year", type=int, help="the year of a file whose columns carry none")
    values.add_argument(
        "--drop-unknown", action="store_true", help="drop rows of unknown area codes, reported"
    )
    _map_option(values, "code=Regionkod --map value=Antal --map year=År")
    values.add_argument(
        "--min-match",
        type=float,
        default=DEFAULT_MIN_MATCH,
        metavar="SHARE",
        help=f"fail unless this share of the file's areas match loaded areas (default {DEFAULT_MIN_MATCH})",
    )
    values.add_argument("--definitions", type=Path, help="TOML file of [indicators.<id>] definitions")
    described = values.add_argument_group("the indicator (required for ids that are not built in: --kind)")
    described.add_argument("--title-sv")
    described.add_argument("--title-en")
    described.add_argument("--unit", help="e.g. %%, tkr, kr, personer")
    described.add_argument("--kind", choices=KINDS)
    described.add_argument("--direction", choices=DIRECTIONS)
    described.add_argument("--decimals", type=int)
    described.add_argument("--source", help="shown under maps and in tables (default: the file name)")
    described.add_argument("--description", help="the definition, shown in the catalog")
    values.set_defaults(run=_import_values)

    build = commands.add_parser("build", help="build one dataset version from a recipe (TOML) from scratch")
    _data_option(build)
    build.add_argument("recipe", type=Path)
    build.set_defaults(run=_build)
    _indicators_parser(commands)

    export = commands.add_parser(
        "export", help="map images and tables of a municipality into a folder, without a server"
    )
    _data_option(export)
    export.add_argument("--kommun", required=True, help="municipality code, e.g. 0180")
    export.add_argument("--out", type=Path, required=True, help="output folder (created)")
    export.add_argument("--level", default="deso", choices=("deso", "regso"))
    export.add_argument("--year", type=int, help="default: the latest year of the level")
    export.add_argument("--indicators", default="all", help="comma-separated indicator ids, or all")
    export.add_argument("--formats", default="png,svg,gpkg,xlsx,csv,geojson", help="comma-separated")
    export.add_argument("--paper", default="A4", choices=("A4", "A3"))
    export.add_argument("--dpi", type=int, default=300)
    export.add_argument("--orientation", default="portrait", choices=("portrait", "landscape"))
    export.add_argument("--lang", default="sv", choices=("sv", "en"))
    export.set_defaults(run=_export)
    _seed_parser(commands)
    _fetch_parser(commands)
    _report_parser(commands)
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

    if args.production:
        from tileserver.wsgi import prepare_metrics_folder

        prepare_metrics_folder()  # before the app imports prometheus_client
    overrides = {"DATA": args.data} if args.data else {}
    app = create_app(overrides)
    services = app.extensions["barometer"]
    services.tileset().warm()  # a folder with no version that can be served fails here, at start
    meta = services.dataset().meta  # no reference to the dataset kept: the workers map their own
    print(f"Barometer serves dataset {services.dataset().version} ({meta.get('title', '')})")
    if services.source.problem:
        print(f"warning: {services.source.problem}")
    print(f"Open http://{args.host}:{args.port}/", flush=True)
    if not args.production:
        app.run(host=args.host, port=args.port, threaded=True, debug=False)  # never the debugger
        return
    from tileserver.wsgi import serve_gunicorn

    serve_gunicorn(app, f"{args.host}:{args.port}", args.workers)


def _demo(args: argparse.Namespace) -> None:
    from data.demo import build_demo
    from data.store import write_version

    dataset = build_demo(args.areas, national=args.national).dataset()
    write_version(args.data, dataset)
    print(f"wrote demo dataset {dataset.version} to {args.data}")


def _info(args: argparse.Namespace) -> None:
    from data.store import read_version

    dataset = read_version(args.data)
    print(f"data folder: {args.data}")
    print(f"version:     {dataset.version}")
    print(f"title:       {dataset.meta.get('title', '')}")
    print(f"attribution: {dataset.attribution}")
    counts = dataset.areas["level"].value_counts()
    for level in dataset.levels:
        years = dataset.years_of(level)
        span = f"{years[0]}-{years[-1]}" if years else "no values"
        print(f"level {level:7s} {counts[level]:6d} areas, years {span}")
    print(f"indicators:  {len(dataset.indicators)}")
    for ind in dataset.indicators.values():
        print(f"  {ind.id:34s} {ind.title_sv} ({ind.unit})")
    print(f"values:      {len(dataset.values)} rows")


def _map_option(parser: argparse.ArgumentParser, example: str) -> None:
    parser.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help=f"column mapping, e.g. --map {example}",
    )


def _mapping(items: list[str]) -> dict[str, str]:
    columns = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip() or not value.strip():
            raise ParameterError("--map", f"takes FIELD=COLUMN, not {item!r}")
        columns[key.strip()] = value.strip()
    return columns


def _import_areas(args: argparse.Namespace) -> None:
    from data.imports import AreaFile, import_areas
    from geo.read import load_mapping

    columns = dict(load_mapping(args.mapping_file)) if args.mapping_file else {}
    columns |= _mapping(args.map)
    spec = AreaFile(args.file, level=args.level, layer=args.layer, columns=columns)
    print("\n".join(import_areas(args.data, spec)))


def _import_values(args: argparse.Namespace) -> None:
    from data.imports import ValueFile, import_values
    from indicators.definitions import FLAGS, check_definition, check_id, load_definitions

    given = {field: getattr(args, flag[2:].replace("-", "_")) for field, flag in FLAGS.items()}
    definition = {field: value for field, value in given.items() if value is not None}
    if definition and not args.indicator:
        flags = sorted({FLAGS[field] for field in definition})
        raise ParameterError(
            "--indicator", f"{', '.join(flags)} describe one indicator: name it with --indicator"
        )
    if args.indicator:
        check_id(args.indicator, "--indicator")
    if definition:
        definition = check_definition(args.indicator, definition, "flags")
    spec = ValueFile(
        args.file,
        fmt=args.fmt,
        indicator=args.indicator,
        level=args.level,
        year=args.year,
        sheet=args.sheet,
        columns=_mapping(args.map),
        strict=args.strict,
        drop_unknown=args.drop_unknown,
        min_match=args.min_match,
        definition=definition,
    )
    definitions = load_definitions(args.definitions) if args.definitions else None
    print("\n".join(import_values(args.data, spec, definitions)))


def _build(args: argparse.Namespace) -> None:
    from data.recipe import build, load_recipe
    from data.store import write_version

    dataset, report = build(load_recipe(args.recipe))
    write_version(args.data, dataset)
    print("\n".join(report))
    print(f"built dataset {dataset.version} ({dataset.meta.get('title', '')}) into {args.data}")


def _indicators_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("indicators", help="list, show, rename or remove the dataset's indicators")
    actions = parser.add_subparsers(required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="every indicator: id, kind, unit, title")
    listing.set_defaults(run=_indicators_list)
    show = actions.add_parser("show", help="one indicator's definition and values")
    show.add_argument("id")
    show.set_defaults(run=_indicators_show)
    rename = actions.add_parser("rename", help="rename an indicator (a new version; the old one stays)")
    rename.add_argument("old", metavar="OLD")
    rename.add_argument("new", metavar="NEW")
    rename.set_defaults(run=_indicators_rename)
    remove = actions.add_parser("remove", help="remove an indicator (a new version; the old one stays)")
    remove.add_argument("id", metavar="ID")
    remove.set_defaults(run=_indicators_remove)
    for action in (listing, show, rename, remove):
        _data_option(action)


def _indicators_list(args: argparse.Namespace) -> None:
    from data.store import read_version

    dataset = read_version(args.data)
    counts = dataset.values["indicator"].astype(str).value_counts()
    for ind in dataset.indicators.values():
        print(f"{ind.id:34s} {ind.kind:8s} {ind.unit or '-':9s} {counts.get(ind.id, 0):8d}  {ind.title_sv}")


def _indicators_show(args: argparse.Namespace) -> None:
    from data.store import read_version

    dataset = read_version(args.data)
    if args.id not in dataset.indicators:
        raise NotFoundError("ID", f"no indicator {args.id!r}; the dataset has {sorted(dataset.indicators)}")
    for key, value in dataset.indicators[args.id].to_json().items():
        print(f"{key + ':':16s}{value}")
    rows = dataset.values[dataset.values["indicator"] == args.id]
    for level in dataset.levels:
        years = sorted(set(rows.loc[rows["level"] == level, "year"]))
        if years:
            count = int((rows["level"] == level).sum())
            print(f"{'level ' + level + ':':16s}{count} values, {years[0]}-{years[-1]}")


def _indicators_rename(args: argparse.Namespace) -> None:
    from data.edits import rename_indicator

    dataset = rename_indicator(args.data, args.old, args.new)
    print(f"renamed {args.old} to {args.new}: dataset version {dataset.version} is now current")


def _indicators_remove(args: argparse.Namespace) -> None:
    from data.edits import remove_indicator

    dataset = remove_indicator(args.data, args.id)
    print(f"removed {args.id}: dataset version {dataset.version} is now current")


def _export(args: argparse.Namespace) -> None:
    """One map image per indicator and format, and one table per table format, with a progress bar."""
    from tqdm import tqdm

    from data.export import export_folder
    from data.store import read_version

    written, skipped = export_folder(
        read_version(args.data),
        args.out,
        kommun=args.kommun,
        level=args.level,
        year=args.year,
        indicators=None if args.indicators == "all" else [i for i in args.indicators.split(",") if i],
        formats=[f for f in args.formats.split(",") if f],
        paper=args.paper,
        dpi=args.dpi,
        orientation=args.orientation,
        lang=args.lang,
        progress=lambda jobs: tqdm(jobs, desc=f"export {args.kommun}", unit="file"),
    )
    print(f"wrote {written} files to {args.out}")
    for line in skipped:
        print(f"skipped {line}", file=sys.stderr)


def _seed_parser(commands: argparse._SubParsersAction) -> None:
    seed = commands.add_parser("seed", help="pre-generate tiles into the Redis cache and/or tile archives")
    _data_option(seed)
    seed.add_argument("--levels", help="comma-separated levels (default: every level the server serves)")
    seed.add_argument("--years", default="latest", help="latest (default), all, none, or years: 2022,2023")
    seed.add_argument("--minzoom", type=int, help="lowest zoom (default: each level's own)")
    seed.add_argument("--maxzoom", type=int, help="highest zoom (default: each level's own)")
    archives = "(several tilesets: NAME-deso-2023…; a folder: FOLDER/deso-2023…)"
    seed.add_argument("--mbtiles", type=Path, help=f"MBTiles to write {archives}")
    seed.add_argument("--pmtiles", type=Path, help=f"PMTiles to write {archives}")
    seed.add_argument("--cache", action="store_true", help="store the tiles in the Redis cache at $REDIS_URL")
    seed.add_argument("--no-geometry", action="store_true", help="only year tiles, no geometry tiles")
    seed.add_argument("--workers", type=int, default=max(1, os.cpu_count() or 1))
    seed.set_defaults(run=_seed)


def _seed(args: argparse.Namespace) -> int:
    from data.seed import plan, seed
    from data.store import read_version
    from data.tileset import TileSet, attribution

    redis_url = os.environ.get("BAROMETER_REDIS_URL") or os.environ.get("REDIS_URL")
    if args.cache and not redis_url:
        print(
            "barometer: error: --cache needs REDIS_URL: the in-process memory cache is private to each "
            "server process, so seeding it from another process is useless",
            file=sys.stderr,
        )
        return 2
    if not (args.cache or args.mbtiles or args.pmtiles):
        print("barometer: error: say where to seed: --cache, --mbtiles and/or --pmtiles", file=sys.stderr)
        return 2
    if args.years in ("all", "latest", "none"):
        years: str | list[int] = args.years
    else:
        try:
            years = [int(y) for y in args.years.split(",") if y.strip()]
        except ValueError:
            print(
                f"barometer: error: --years takes latest, all or years like 2022,2023, not {args.years!r}",
                file=sys.stderr,
            )
            return 2
    tileset = TileSet(read_version(args.data))
    levels = [lv.strip() for lv in args.levels.split(",") if lv.strip()] if args.levels else None
    specs = plan(tileset, levels, years, args.minzoom, args.maxzoom, geometry=not args.no_geometry)
    report = seed(
        tileset,
        specs,
        mbtiles=args.mbtiles,
        pmtiles=args.pmtiles,
        redis_url=redis_url if args.cache else None,
        workers=args.workers,
        attribution=attribution(os.environ.get("BAROMETER_ATTRIBUTION"), tileset.dataset),
    )
    print(f"seeded {report.tiles} tiles of dataset {tileset.dataset.version} ({report.empty} empty)")
    for spec in specs:
        sizes = report.sizes[spec.name]
        print(
            f"  {spec.name:16s} z{spec.minzoom}-{spec.maxzoom}: {len(sizes)} tiles, "
            f"{sum(s for _, s in sizes) / 2**20:.1f} MiB gzipped"
        )
    for path in report.archives:
        print(f"wrote {path}")
    for path in report.skipped_archives:
        print(f"no tiles, not written: {path}")
    return 0


def _fetch_parser(commands: argparse._SubParsersAction) -> None:
    fetch = commands.add_parser(
        "fetch", help="fetch real statistics (SCB's Statistikdatabasen) as a new version"
    )
    sources = fetch.add_subparsers(required=True, metavar="SOURCE")
    scb = sources.add_parser("scb", help="SCB's PxWebApi 2.0: the tables the recipes name, at DeSO or RegSO")
    _data_option(scb)
    scb.add_argument("--kommun", action="append", help="municipality code(s), e.g. 1480 (default: all)")
    scb.add_argument("--lan", action="append", help="county code(s), e.g. 14")
    scb.add_argument("--level", default="deso", choices=("deso", "regso"))
    scb.add_argument("--years", help="e.g. 2015-2023 or 2023 (default: every year the tables have)")
    scb.add_argument("--indicators", help="comma-separated recipe ids (default: every available recipe)")
    scb.add_argument("--boundaries", choices=("2018", "2025"), help="DeSO 2018/RegSO 2020 or DeSO/RegSO 2025")
    scb.add_argument("--key", type=Path, help="SCB's DeSO-RegSO key table: sum DeSO counts into RegSO")
    scb.add_argument("--base-url", default=None, help="the PxWebApi 2.0 service (default: SCB's)")
    scb.add_argument("--out", type=Path, help="write value files and a recipe here instead of a new version")
    scb.add_argument("--offline", action="store_true", help="only answers already under <data>/sources/scb")
    scb.add_argument("--refresh", action="store_true", help="fetch table metadata again (new years)")
    scb.add_argument("--timeout", type=float, default=60.0, help="seconds per call (default 60)")
    scb.add_argument("--list", action="store_true", help="list the recipes (and what SCB does not publish)")
    scb.add_argument("--check", action="store_true", help="check every recipe against the service's metadata")
    scb.add_argument("--search", metavar="TEXT", help="list the service's tables matching TEXT, e.g. DeSO")
    scb.set_defaults(run=_fetch_scb)


def _fetch_scb(args: argparse.Namespace) -> int:
    from data.fetch import SOURCES, catalog_lines, check_recipes, fetch_scb, search_lines
    from indicators.fetch.client import SCB_API, PxWebClient, RawCache
    from indicators.fetch.scb import parse_years, split_codes

    if args.list:
        print("\n".join(catalog_lines()))
        return 0
    if args.check or args.search:
        client = PxWebClient(args.base_url or SCB_API, RawCache(args.data / SOURCES), timeout=args.timeout)
        if args.search:
            print("\n".join(search_lines(client, args.search)))
            return 0
        lines, failed = check_recipes(client)
        print("\n".join(lines))
        return 1 if failed else 0
    try:
        years = parse_years(args.years)
    except ValueError as error:
        print(f"barometer: error: --years: {error}", file=sys.stderr)
        return 2
    for flag, codes, digits in (("--kommun", args.kommun, 4), ("--lan", args.lan, 2)):
        bad = [c for c in split_codes(codes) if not (c.isdigit() and len(c) == digits)]
        if bad:
            print(f"barometer: error: {flag} takes {digits}-digit SCB codes, not {bad}", file=sys.stderr)
            return 2
    report = fetch_scb(
        args.data,
        kommun=split_codes(args.kommun),
        lan=split_codes(args.lan),
        level=args.level,
        years=years,
        indicators=split_codes([args.indicators] if args.indicators else None) or None,
        base_url=args.base_url or SCB_API,
        out=args.out,
        offline=args.offline,
        refresh=args.refresh,
        boundaries=args.boundaries,
        key=args.key,
        timeout=args.timeout,
    )
    print("\n".join(report.lines))
    for line in report.refused:
        print(f"refused {line}", file=sys.stderr)
    return 0


def _report_parser(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser(
        "report", help="a segregation analysis of municipalities as an editable DOCX, a PDF or an HTML page"
    )
    _data_option(report)
    report.add_argument("--kommun", required=True, help="municipality codes, comma-separated: 0201,0202")
    report.add_argument("--level", default="regso", choices=("regso", "deso"))
    report.add_argument("--years", help="FIRST-LAST, e.g. 2015-2023 (default: every year of the level)")
    report.add_argument("--lang", default="sv", choices=("sv", "en"))
    report.add_argument("--indicators", help="indicators to map, comma-separated (default: the index inputs)")
    report.add_argument("--group", default="background=foreign", help="group of the segregation indices")
    report.add_argument(
        "--format", dest="fmt", choices=("docx", "pdf", "html"), help="default: from --output"
    )
    report.add_argument("--output", type=Path, required=True, help="file to write")
    report.set_defaults(run=_report)


def _report(args: argparse.Namespace) -> None:
    from tqdm import tqdm

    from data.report.options import ReportOptions, parse_list
    from data.report.write import write_report
    from data.store import read_version
    from indicators.model import ParameterError

    fmt = args.fmt or args.output.suffix.lstrip(".").lower()
    if fmt not in ("docx", "pdf", "html"):
        raise ParameterError("--format", f"docx, pdf or html (or an --output ending so), not {fmt!r}")
    first = last = None
    if args.years:
        start, _, end = args.years.partition("-")
        try:
            first, last = int(start), int(end or start)
        except ValueError:
            raise ParameterError("--years", f"is FIRST-LAST, e.g. 2015-2023, not {args.years!r}") from None
    dataset = read_version(args.data)
    options = ReportOptions(
        parse_list(args.kommun), args.level, first, last, args.lang, parse_list(args.indicators), args.group
    )
    with tqdm(total=1, desc="report", unit="step") as bar:

        def progress(done: int, total: int, step: str) -> None:
            bar.total, bar.n = total, done
            bar.set_postfix_str(step)

        body = write_report(dataset, options, fmt, progress)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(body)
    print(f"wrote {args.output} ({len(body) / 1024:.0f} KiB)")


if __name__ == "__main__":
    sys.exit(main())
