"""Seeding: pre-generate a zoom range of tiles into the shared cache and/or into tile archives.

The parent prepares every level (and the year properties) once, then forks the workers, which share that
memory copy-on-write and render chunks of neighbouring tiles. Tiles go into Redis under the keys and as the
gzip bytes the server itself would store (so it then serves them warm), and into one archive per tileset
(``deso``, ``deso-2023``, …: the server's ``/tiles/deso``, ``/tiles/deso/2023``), empty tiles left out.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from pmtiles.tile import zxy_to_tileid
from tqdm import tqdm

from data.cache import RedisCache, compress
from data.tileset import TileSet
from geo.archive import ArchiveInfo, ArchiveWriter, open_archive, tileset_name
from geo.grid import ORIGIN, tile_size
from geo.tiles import DEFAULT_BUFFER
from indicators.model import BarometerError, ParameterError

CHUNK = 64
"""Tiles per worker task: large enough to amortise the round trip, small enough for a smooth progress bar."""


@dataclass(frozen=True)
class SeedSpec:
    """One tileset to seed: a level's geometry tiles (``year`` None) or its tiles of one year."""

    level: str
    year: int | None
    minzoom: int
    maxzoom: int

    @property
    def name(self) -> str:
        return tileset_name(self.level, self.year)


@dataclass
class SeedReport:
    """What a seed wrote: tiles rendered, empty ones, bytes per tileset, and the archives."""

    tiles: int = 0
    empty: int = 0
    sizes: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    """Per tileset name: (zoom, gzipped bytes) of every non-empty tile."""
    archives: list[Path] = field(default_factory=list)
    skipped_archives: list[str] = field(default_factory=list)


def plan(
    tileset: TileSet,
    levels: Sequence[str] | None = None,
    years: str | Sequence[int] = "latest",
    minzoom: int | None = None,
    maxzoom: int | None = None,
    geometry: bool = True,
) -> list[SeedSpec]:
    """The tilesets to seed: per level its geometry tiles and its year tiles (``"latest"``, ``"all"``,
    ``"none"`` or a list of years, each taken where the level has values), over the level's zooms within
    ``minzoom..maxzoom``."""
    dataset = tileset.dataset
    servable = [lv for lv in dataset.levels if lv != "riket"]
    chosen = list(levels) if levels else servable
    unknown = [lv for lv in chosen if lv not in servable]
    if unknown:
        raise ParameterError("levels", f"unknown levels {unknown}; this dataset has {', '.join(servable)}")
    specs: list[SeedSpec] = []
    found: set[int] = set()
    for level in chosen:
        prepared = tileset.prepared(level)
        low = max(prepared.minzoom, prepared.minzoom if minzoom is None else minzoom)
        high = min(prepared.maxzoom, prepared.maxzoom if maxzoom is None else maxzoom)
        if low > high:
            continue
        available = dataset.years_of(level)
        if years == "none":
            wanted: Sequence[int] = ()
        elif years == "all":
            wanted = available
        elif years == "latest":
            wanted = available[-1:]
        else:
            wanted = [int(y) for y in years if int(y) in available]  # type: ignore[union-attr]
            found.update(wanted)
        if geometry:
            specs.append(SeedSpec(level, None, low, high))
        specs.extend(SeedSpec(level, int(y), low, high) for y in wanted)
    if years not in ("all", "latest", "none"):
        missing = sorted({int(y) for y in years} - found)  # type: ignore[union-attr]
        if missing:
            raise ParameterError("years", f"no values for {missing} at levels {', '.join(chosen)}")
    if not specs:
        raise ParameterError("zoom", f"no level is served at zooms {minzoom}..{maxzoom}")
    return specs


def tiles_to_seed(tileset: TileSet, spec: SeedSpec, buffer: int = DEFAULT_BUFFER) -> np.ndarray:
    """``(n, 3)`` int64 rows ``z, x, y``: every tile whose buffered bounds meet an area's envelope, zoom by
    zoom in PMTiles tile-id order (a Hilbert curve: neighbouring tiles end up in the same chunk)."""
    prepared = tileset.prepared(spec.level)
    envelopes = prepared.envelopes
    minx, miny, maxx, maxy = envelopes.T
    out = []
    for z in range(spec.minzoom, spec.maxzoom + 1):
        size, last = tile_size(z), (1 << z) - 1
        pad = size * buffer / 4096
        x0 = np.clip(np.floor((minx - pad + ORIGIN) / size), 0, last).astype(np.int64)
        x1 = np.clip(np.floor((maxx + pad + ORIGIN) / size), 0, last).astype(np.int64)
        y0 = np.clip(np.floor((ORIGIN - maxy - pad) / size), 0, last).astype(np.int64)
        y1 = np.clip(np.floor((ORIGIN - miny + pad) / size), 0, last).astype(np.int64)
        nx, ny = x1 - x0 + 1, y1 - y0 + 1
        counts = nx * ny
        area = np.repeat(np.arange(len(envelopes)), counts)
        step = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
        xs = x0[area] + step % nx[area]
        ys = y0[area] + step // nx[area]
        codes = np.unique(xs * (1 << z) + ys)
        tiles = np.column_stack([np.full(len(codes), z), codes >> z, codes & last])
        order = np.argsort([zxy_to_tileid(z, int(x), int(y)) for _, x, y in tiles], kind="stable")
        out.append(tiles[order])
    return np.concatenate(out) if out else np.zeros((0, 3), dtype=np.int64)


def archive_path(template: Path, spec: SeedSpec, several: bool, suffix: str = ".pmtiles") -> Path:
    """``out.pmtiles`` for a single tileset; ``out-deso.pmtiles``, ``out-deso-2023.pmtiles`` for several; in a
    folder (a path without a suffix) ``out/deso.pmtiles``, ``out/deso-2023.pmtiles``: the names a deployment
    serving tiles from its archives reads (``BAROMETER_PMTILES_URL``)."""
    if not template.suffix:
        return template / f"{spec.name}{suffix}"
    return template.with_name(f"{template.stem}-{spec.name}{template.suffix}") if several else template


def archive_info(tileset: TileSet, spec: SeedSpec, attribution: str = "") -> ArchiveInfo:
    """The archive metadata of a tileset: the same layer, fields and extent as its TileJSON."""
    dataset, prepared = tileset.dataset, tileset.prepared(spec.level)
    fields = tileset.fields(spec.level, spec.year)
    lon, lat, _ = prepared.center
    return ArchiveInfo(
        name=f"Barometer {spec.level}" + (f" {spec.year}" if spec.year is not None else ""),
        layer=spec.level,
        minzoom=spec.minzoom,
        maxzoom=spec.maxzoom,
        bounds=prepared.bounds,
        center=(lon, lat, min(spec.maxzoom, max(spec.minzoom, prepared.minzoom + 2))),
        fields=fields,
        description=str(dataset.meta.get("title", "")),
        attribution=attribution,
        version=dataset.version,
    )


# --- the work of one chunk; runs in forked workers, which find the prepared tileset in this global -----

_STATE: dict[str, object] = {}


def _redis():
    if "redis" not in _STATE and _STATE.get("redis_url"):
        cache = RedisCache(str(_STATE["redis_url"]), timeout=10.0)
        prefix = _STATE.get("redis_prefix")
        _STATE["redis"] = (cache.client, cache.prefix if prefix is None else str(prefix))
    return _STATE.get("redis")


def _render_chunk(task: tuple[int, np.ndarray]) -> tuple[int, list[tuple[int, int, int, bytes]], int]:
    """Render one chunk: store every tile in Redis (empty ones too, as the server would), return the
    non-empty tiles (bytes only when archives want them) and the count of empty ones."""
    index, tiles = task
    tileset: TileSet = _STATE["tileset"]  # type: ignore[assignment]
    spec: SeedSpec = _STATE["specs"][index]  # type: ignore[index]
    keep_bytes = bool(_STATE["keep_bytes"])
    redis = _redis()
    pipe = redis[0].pipeline(transaction=False) if redis else None
    kept, empty = [], 0
    for z, x, y in tiles.tolist():
        raw = tileset.tile(spec.level, z, x, y, spec.year)
        gzipped = compress(raw)
        if pipe is not None:
            pipe.set(redis[1] + tileset.key("mvt", spec.level, spec.year, (), z, x, y), gzipped)
        if raw:
            kept.append((z, x, y, gzipped if keep_bytes else len(gzipped)))
        else:
            empty += 1
    if pipe is not None:
        pipe.execute()
    return index, kept, empty


def _tasks(lists: Sequence[np.ndarray], chunk: int) -> Iterator[tuple[int, np.ndarray]]:
    for index, tiles in enumerate(lists):
        for start in range(0, len(tiles), chunk):
            yield index, tiles[start : start + chunk]


def seed(
    tileset: TileSet,
    specs: Sequence[SeedSpec],
    *,
    mbtiles: Path | None = None,
    pmtiles: Path | None = None,
    redis_url: str | None = None,
    redis_prefix: str | None = None,
    workers: int = 2,
    chunk: int = CHUNK,
    progress: bool = True,
    attribution: str = "",
) -> SeedReport:
    """Render every tile of ``specs`` once, into Redis (``redis_url``) and/or archives; returns a report.

    ``redis_prefix`` None means the server's own (RedisCache's default). ``workers`` ≤ 1 runs in-process.
    """
    if not (mbtiles or pmtiles or redis_url):
        raise BarometerError("nothing to seed into: give an MBTiles or PMTiles path, or a Redis URL")
    for spec in specs:  # prepared once here, before the fork, so that every worker shares them
        tileset.prepared(spec.level)
        if spec.year is not None:
            tileset.year_properties(spec.level, spec.year)
    several = len(specs) > 1
    for folder in (t for t in (mbtiles, pmtiles) if t is not None and not t.suffix):
        folder.mkdir(parents=True, exist_ok=True)
    writers: dict[int, list[ArchiveWriter]] = {
        i: [
            open_archive(archive_path(t, spec, several, suffix), archive_info(tileset, spec, attribution))
            for t, suffix in ((mbtiles, ".mbtiles"), (pmtiles, ".pmtiles"))
            if t is not None
        ]
        for i, spec in enumerate(specs)
    }
    _STATE.clear()
    _STATE.update(
        tileset=tileset,
        specs=list(specs),
        keep_bytes=bool(mbtiles or pmtiles),
        redis_url=redis_url,
        redis_prefix=redis_prefix,
    )
    report = SeedReport(sizes={spec.name: [] for spec in specs})
    lists = [tiles_to_seed(tileset, spec) for spec in specs]
    bar = tqdm(total=sum(map(len, lists)), unit="tile", disable=not progress, desc="seed", smoothing=0.1)
    pool = multiprocessing.get_context("fork").Pool(workers) if workers > 1 else None
    try:
        results = (
            pool.imap(_render_chunk, _tasks(lists, chunk))
            if pool
            else map(_render_chunk, _tasks(lists, chunk))
        )
        for index, kept, empty in results:
            name = specs[index].name
            for z, x, y, body in kept:
                size = body if isinstance(body, int) else len(body)
                report.sizes[name].append((z, size))
                for writer in writers[index]:
                    writer.add(z, x, y, body)  # type: ignore[arg-type]
            report.tiles += len(kept) + empty
            report.empty += empty
            bar.update(len(kept) + empty)
    except BaseException:
        for group in writers.values():
            for writer in group:
                writer.__exit__(RuntimeError, None, None)
        raise
    finally:
        bar.close()
        if pool:
            pool.terminate()
        _STATE.clear()
    for group in writers.values():
        for writer in group:
            try:
                writer.close()
                report.archives.append(writer.path)
            except BarometerError:
                report.skipped_archives.append(str(writer.path))
    return report
