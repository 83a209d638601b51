"""Cold tiles against PostGIS ``ST_AsMVT(ST_AsMVTGeom(...))`` on the same areas, tile for tile.

Installs and starts Debian's PostgreSQL 15 + PostGIS 3 when needed, (re)creates the database
``barometer_bench`` and loads every level twice, in EPSG:3857 with a GiST index: ``src`` holds the source
polygons (what a PostGIS tile server would usually query), ``band`` our per-zoom coverage-simplified ones
(exactly the geometry our tiles are cut from). Year tiles join a table of the same properties our year tiles
carry. PostGIS time is client wall time of a prepared statement over the Unix socket (server work plus
returning the bytea); ours is a ``TileSet.tile`` call (rendering in-process, no HTTP, no cache). After a
warm-up call each (which also plans and prepares the statements), the three are called in turns ``repeat``
times per tile, and the medians compared. PostGIS's own execution time is measured too: the median
``Execution Time`` of ``EXPLAIN (ANALYZE, TIMING OFF)`` of the same query, which excludes planning and the
socket round trip (and TIMING OFF keeps the instrumentation's clock calls out of it).
"""

from __future__ import annotations

import getpass
import io
import shutil
import statistics
import subprocess
from functools import partial

import numpy as np
import shapely

from benchmarks.common import SampleTile, gz, median, timed_together

DATABASE = "barometer_bench"
SOCKET = "/var/run/postgresql"


def ensure_server() -> None:
    """PostgreSQL 15 with PostGIS installed and running, and a superuser role for this OS user."""
    if not shutil.which("pg_ctlcluster") or not _has_postgis():
        subprocess.run(["apt-get", "install", "-y", "postgresql-15-postgis-3"], check=True)
    status = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True).stdout
    if "15 main" in status and "online" not in status:
        subprocess.run(["pg_ctlcluster", "15", "main", "start"], check=True)
    user = getpass.getuser()
    if user != "postgres":
        sql = f'DO $$BEGIN CREATE ROLE "{user}" LOGIN SUPERUSER; EXCEPTION WHEN duplicate_object THEN END$$;'
        subprocess.run(["runuser", "-u", "postgres", "--", "psql", "-qc", sql], check=True)


def _has_postgis() -> bool:
    from pathlib import Path

    return Path("/usr/share/postgresql/15/extension/postgis.control").exists()


def connect(dbname: str = DATABASE):
    import psycopg

    return psycopg.connect(host=SOCKET, dbname=dbname, autocommit=True)


def load(tileset, levels: list[str], years: dict[str, int]) -> None:
    """Recreate the database and load the areas (source and bands) and the year properties of ``levels``."""
    with connect("postgres") as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        admin.execute(f"CREATE DATABASE {DATABASE}")
    with connect() as db:
        db.execute("CREATE EXTENSION postgis")
        for kind in ("src", "band"):
            db.execute(
                f"CREATE TABLE {kind} (level text, zmin int, zmax int, id int, code text, name text,"
                " kommun text, lan text, regso text, geom geometry(Geometry, 3857))"
            )
        for level in levels:
            prepared = tileset.prepared(level)
            source = tileset.dataset.area_frame(level).reset_index(drop=True).sort_values("code")
            _copy(db, "src", level, prepared, [(0, 24, source.to_crs(3857).geometry.to_numpy())])
            _copy(db, "band", level, prepared, [(b.minzoom, b.maxzoom, b.shapes()) for b in prepared.bands])
            if level in years:
                _copy_values(db, level, tileset.year_properties(level, years[level]))
        for kind in ("src", "band"):
            db.execute(f"CREATE INDEX ON {kind} USING gist (geom)")
            db.execute(f"ANALYZE {kind}")


def _copy(db, table: str, level: str, prepared, bands) -> None:
    attrs = prepared.table
    buffer = io.StringIO()
    for zmin, zmax, geometries in bands:
        wkb = shapely.to_wkb(shapely.set_srid(np.asarray(geometries), 3857), hex=True, include_srid=True)
        for row, hexwkb in zip(attrs.itertuples(index=False), wkb, strict=True):
            cells = [level, zmin, zmax, row.id, row.code, row.name, row.kommun, row.lan, row.regso, hexwkb]
            buffer.write("\t".join(_cell(c) for c in cells) + "\n")
    with db.cursor().copy(f"COPY {table} FROM STDIN") as copy:
        copy.write(buffer.getvalue())


def _cell(value: object) -> str:
    text = str(value)
    return "\\N" if text == "" else text.replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _copy_values(db, level: str, properties) -> None:
    keys = sorted({k for props in properties.values() for k in props})
    kinds = {k: "text" if k.endswith("_status") else "double precision" for k in keys}
    columns = ", ".join(f'"{k}" {kinds[k]}' for k in keys)
    db.execute(f"CREATE TABLE vals_{level} (code text PRIMARY KEY, {columns})")
    buffer = io.StringIO()
    for code, props in properties.items():
        buffer.write("\t".join([code, *(_cell(props.get(k, "")) for k in keys)]) + "\n")
    with db.cursor().copy(f"COPY vals_{level} FROM STDIN") as copy:
        copy.write(buffer.getvalue())


def _query(db, table: str, level: str, year: bool) -> str:
    join, extra = "", ""
    if year:
        keys = [
            r[0]
            for r in db.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND column_name <> "
                "'code' ORDER BY ordinal_position",
                (f"vals_{level}",),
            )
        ]
        extra = "".join(f', v."{k}"' for k in keys)
        join = f" LEFT JOIN vals_{level} v ON v.code = a.code"
    return (
        "WITH b AS (SELECT ST_TileEnvelope(%(z)s, %(x)s, %(y)s) AS env,"
        " ST_TileEnvelope(%(z)s, %(x)s, %(y)s, margin => 64.0 / 4096) AS benv),"
        " t AS (SELECT a.id, a.code, a.name, a.kommun, a.lan, a.regso" + extra + ","
        " ST_AsMVTGeom(a.geom, b.env, 4096, 64, true) AS geom"
        f" FROM {table} a CROSS JOIN b{join}"
        " WHERE a.level = %(level)s AND %(z)s BETWEEN a.zmin AND a.zmax AND a.geom && b.benv)"
        " SELECT ST_AsMVT(t.*, %(level)s, 4096, 'geom', 'id') FROM t"
    )


def compare(tileset, sample: list[SampleTile], years: dict[str, int], repeat: int) -> list[dict]:
    """Per sampled tile and kind (geometry, year): our time and size, PostGIS's on src and on band."""
    rows = []
    with connect() as db:
        queries = {
            (table, level, year): _query(db, table, level, year)
            for table in ("src", "band")
            for level in {t.level for t in sample}
            for year in (False, True)
        }
        for tile in sample:
            for year in (None, *([years[tile.level]] if tile.level in years else [])):
                params = {"z": tile.z, "x": tile.x, "y": tile.y, "level": tile.level}
                src, band = (queries[(table, tile.level, year is not None)] for table in ("src", "band"))
                measured = timed_together(
                    {
                        "ours": partial(tileset.tile, tile.level, tile.z, tile.x, tile.y, year),
                        "src": partial(_tile_of, db, src, params),
                        "band": partial(_tile_of, db, band, params),
                    },
                    repeat,
                )
                row: dict = {"tile": tile, "year": year}
                for name, (seconds, body) in measured.items():
                    row[f"{name}_s"], row[f"{name}_gz"] = seconds, len(gz(body))
                row["src_exec_s"] = execution_time(db, src, params, repeat)
                row["band_exec_s"] = execution_time(db, band, params, repeat)
                rows.append(row)
    return rows


def execution_time(db, query: str, params: dict, repeat: int) -> float:
    """Median server-side execution time (seconds) of ``query``: EXPLAIN ANALYZE's ``Execution Time``
    after one unmeasured run, planning and the round trip to the client left out."""
    literal = query % {k: (f"'{v}'" if isinstance(v, str) else int(v)) for k, v in params.items()}
    explain = "EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) " + literal
    times = []
    for _ in range(repeat + 1):
        plan = db.execute(explain).fetchone()[0]
        times.append(plan[0]["Execution Time"] / 1000)
    return statistics.median(times[1:])


def _tile_of(db, query: str, params: dict) -> bytes:
    return bytes(db.execute(query, params, prepare=True).fetchone()[0])


def summarise(rows: list[dict]) -> list[dict]:
    """Medians per zoom and kind."""
    out = []
    for z in sorted({r["tile"].z for r in rows}):
        for kind in ("geometry", "year"):
            group = [r for r in rows if r["tile"].z == z and (r["year"] is None) == (kind == "geometry")]
            if not group:
                continue
            summary = {"z": z, "level": group[0]["tile"].level, "kind": kind, "n": len(group)}
            for key in (
                "ours_s",
                "src_s",
                "band_s",
                "src_exec_s",
                "band_exec_s",
                "ours_gz",
                "src_gz",
                "band_gz",
            ):
                summary[key] = median([r[key] for r in group])
            out.append(summary)
    return out
