"""Tile archives for static hosting: MBTiles (SQLite) and PMTiles (one file, HTTP range requests).

Both writers take tiles already gzip-compressed (the bytes the server stores), skip nothing themselves and
write the metadata map clients need: vector_layers, bounds, center, min/max zoom. One archive holds one
tileset (one vector layer): the server's URL ``/tiles/{level}[/{year}]`` and its archive agree tile for tile.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer as _PMTilesWriter

from geo.grid import Bounds
from indicators.model import BarometerError


def tileset_name(level: str, year: int | None) -> str:
    """An archive's name for the server's ``/tiles/{level}[/{year}]``: ``deso``, ``deso-2023``."""
    return level if year is None else f"{level}-{year}"


@dataclass(frozen=True)
class ArchiveInfo:
    """What an archive describes about its one vector layer."""

    name: str
    layer: str
    minzoom: int
    maxzoom: int
    bounds: Bounds
    """WGS84 (west, south, east, north)."""
    center: tuple[float, float, int]
    fields: dict[str, str] = field(default_factory=dict)
    """Property name → description, as in TileJSON's vector_layers."""
    description: str = ""
    attribution: str = ""
    version: str = ""

    def vector_layers(self) -> list[dict]:
        return [{"id": self.layer, "fields": self.fields, "minzoom": self.minzoom, "maxzoom": self.maxzoom}]

    def mbtiles_metadata(self) -> dict[str, str]:
        """The MBTiles 1.3 metadata rows (``json`` carries vector_layers)."""
        return {
            "name": self.name,
            "format": "pbf",
            "compression": "gzip",
            "type": "overlay",
            "version": self.version,
            "description": self.description,
            "attribution": self.attribution,
            "minzoom": str(self.minzoom),
            "maxzoom": str(self.maxzoom),
            "bounds": ",".join(f"{v:.6f}" for v in self.bounds),
            "center": f"{self.center[0]:.6f},{self.center[1]:.6f},{self.center[2]}",
            "json": json.dumps({"vector_layers": self.vector_layers()}, ensure_ascii=False),
        }


class MBTilesWriter:
    """Writes an MBTiles file (TMS rows, the standard ``tiles`` and ``metadata`` tables)."""

    def __init__(self, path: Path | str, info: ArchiveInfo) -> None:
        self.path, self.info, self.count = Path(path), info, 0
        self.path.unlink(missing_ok=True)
        self._db = sqlite3.connect(self.path)
        self._db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE metadata (name TEXT, value TEXT);"
            "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);"
        )

    def add(self, z: int, x: int, y: int, gzipped: bytes) -> None:
        """Store one tile (XYZ address; written with the TMS row MBTiles uses)."""
        self._db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, (1 << z) - 1 - y, gzipped))
        self.count += 1

    def close(self) -> None:
        self._db.executemany("INSERT INTO metadata VALUES (?, ?)", self.info.mbtiles_metadata().items())
        self._db.execute("CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row)")
        self._db.execute("CREATE UNIQUE INDEX name ON metadata (name)")
        self._db.commit()
        self._db.close()

    def __enter__(self) -> MBTilesWriter:
        return self

    def __exit__(self, kind: type | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:
            self._db.close()
            self.path.unlink(missing_ok=True)


class PMTilesWriter:
    """Writes a PMTiles v3 file, streaming; tiles given in tile-id order (zoom, then Hilbert curve) make a
    clustered archive, any other order still a valid one."""

    def __init__(self, path: Path | str, info: ArchiveInfo) -> None:
        self.path, self.info, self.count = Path(path), info, 0
        self._file = self.path.open("wb")
        self._writer = _PMTilesWriter(self._file)

    def add(self, z: int, x: int, y: int, gzipped: bytes) -> None:
        self._writer.write_tile(zxy_to_tileid(z, x, y), gzipped)
        self.count += 1

    def close(self) -> None:
        if not self.count:
            self._discard()
            raise BarometerError(f"{self.path}: no tiles to write (a PMTiles archive needs at least one)")
        info = self.info
        west, south, east, north = info.bounds
        header = {
            "tile_type": TileType.MVT,
            "tile_compression": Compression.GZIP,
            "min_lon_e7": round(west * 1e7),
            "min_lat_e7": round(south * 1e7),
            "max_lon_e7": round(east * 1e7),
            "max_lat_e7": round(north * 1e7),
            "center_lon_e7": round(info.center[0] * 1e7),
            "center_lat_e7": round(info.center[1] * 1e7),
            "center_zoom": info.center[2],
        }
        metadata = {
            "name": info.name,
            "description": info.description,
            "attribution": info.attribution,
            "version": info.version,
            "type": "overlay",
            "vector_layers": info.vector_layers(),
        }
        self._writer.finalize(header, metadata)
        self._file.close()

    def _discard(self) -> None:
        self._writer.tile_f.close()
        self._file.close()
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> PMTilesWriter:
        return self

    def __exit__(self, kind: type | None, error: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:
            self._discard()


ArchiveWriter = MBTilesWriter | PMTilesWriter


def open_archive(path: Path | str, info: ArchiveInfo) -> ArchiveWriter:
    """A writer chosen by the file suffix: ``.mbtiles`` or ``.pmtiles``."""
    suffix = Path(path).suffix.lower()
    if suffix == ".mbtiles":
        return MBTilesWriter(path, info)
    if suffix == ".pmtiles":
        return PMTilesWriter(path, info)
    raise BarometerError(f"{path}: a tile archive ends in .mbtiles or .pmtiles")
