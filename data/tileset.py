"""Tile sets: a version's prepared tile geometry, year properties and cache keys, and what a server process
serves (the dataset source, the cache, the current tile set)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import pandas as pd

from data import allocation, store
from data.cache import SingleFlight
from data.datasource import DatasetSource
from geo.prepare import PreparedLevel, prepare_level
from geo.properties import Column
from geo.tiles import AreaProperties, render_tile
from indicators.memo import MEMO
from indicators.model import TOTAL, Dataset, NotFoundError
from indicators.views import map_table, suppressed_codes

T = TypeVar("T")
TileView = tuple[str, int | None, str | None] | tuple[()]
"""(breakdown, since, deviation) of year tiles; () is the plain values of every indicator."""


def attribution(configured: object, dataset: Dataset) -> str:
    """The credit line: the operator's ``BAROMETER_ATTRIBUTION`` when set, else the dataset's own."""
    return str(configured or dataset.attribution)


def status_property(indicator: str) -> str:
    """The tile property that marks an indicator's value as suppressed (too few persons)."""
    return f"{indicator}_status"


class TileSet:
    """Tiles of one dataset version: geometry prepared once per level (mapped from the files stored with a
    version, prepared here for a dataset made in memory), year properties once per year."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self._prepared: dict[str, PreparedLevel] = {}  # one per level of the dataset: bounded by it
        self._lock = threading.Lock()

    def prepared(self, level: str) -> PreparedLevel:
        if level not in self.dataset.levels:
            raise NotFoundError(
                "level", f"unknown level {level!r}; this dataset has {', '.join(self.dataset.levels)}"
            )
        if level not in self._prepared:
            with self._lock:
                if level not in self._prepared:
                    folder = self.dataset.folder
                    stored = store.read_prepared(folder, level) if folder else None
                    self._prepared[level] = stored or prepare_level(
                        self.dataset.area_geometry(level).reset_index(drop=True), level
                    )
        return self._prepared[level]

    def year_properties(self, level: str, year: int, view: TileView = ()) -> AreaProperties:
        """Every indicator's mapped value per area, missing values left out, suppressed ones marked.

        Columnar, aligned with the prepared level's rows (what render_tile gathers from per tile); also a
        mapping of area code to its values.
        """
        return self.memo(("properties", level, year, view), lambda: self._year_properties(level, year, view))

    def _year_properties(self, level: str, year: int, view: TileView) -> AreaProperties:
        prepared = self.prepared(level)
        breakdown, since, deviation = view or (TOTAL, None, None)
        table = map_table(self.dataset, level, year, breakdown, since=since, deviation=deviation)
        categories = {k for k, ind in self.dataset.indicators.items() if ind.kind == "category"}
        codes = pd.Index(prepared.codes)
        found = codes.get_indexer(table.index.astype(str))
        known = found >= 0
        columns: dict[str, Column] = {}
        for indicator in table.columns:
            values = np.full(len(codes), np.nan)
            values[found[known]] = table[indicator].to_numpy(dtype=np.float64)[known]
            if indicator in categories and not view:
                present = ~np.isnan(values)
                columns[str(indicator)] = (np.where(present, values, 0).astype(np.int64), present)
            else:
                columns[str(indicator)] = values
        marks = np.full(len(codes), "suppressed", dtype=object)
        for indicator, suppressed in suppressed_codes(self.dataset, level, year, breakdown).items():
            marked = np.zeros(len(codes), dtype=bool)
            rows = codes.get_indexer(pd.Index(suppressed, dtype=object))
            marked[rows[rows >= 0]] = True
            columns[status_property(indicator)] = (marks, marked)
        return AreaProperties.from_columns(prepared, columns)

    def tile(self, level: str, z: int, x: int, y: int, year: int | None = None, view: TileView = ()) -> bytes:
        prepared = self.prepared(level)
        extra = None if year is None else self.year_properties(level, year, view)
        return render_tile(prepared, z, x, y, layer=level, extra=extra)

    def memo(self, key: object, produce: Callable[[], T]) -> T:
        """A value computed once per dataset version (classes shared by a style, its legend and exports),
        kept in the worker's memo: least recently used values go when it passes its byte budget."""
        return MEMO.get_or_create((self.dataset.memo_token, key), produce)

    def fields(self, level: str, year: int | None = None) -> dict[str, str]:
        """The tile layer's attributes and their descriptions, as TileJSON and archives list them."""
        fields = {
            "code": "SCB area code",
            "name": "area name",
            "kommun": "municipality code",
            "lan": "county code",
            "regso": "RegSO code (DeSO only)",
        }
        if year is not None:
            for key in self.dataset.wide(level, year).columns:
                ind = self.dataset.indicators.get(key)
                title = (ind.title_en if ind else key) or str(key)
                fields[str(key)] = f"{title} ({ind.unit})" if ind and ind.unit else title
        return fields

    def key(self, *parts: object) -> str:
        """A cache key that carries this dataset's version."""
        return ":".join([self.dataset.version, *map(str, parts)])

    def unprepared(self) -> list[str]:
        """The tiled levels whose geometry is not prepared yet."""
        return [lv for lv in self.dataset.levels if lv != "riket" and lv not in self._prepared]

    def warm(self) -> None:
        """Prepare every level and count its years: before gunicorn forks, so the workers share them."""
        for level in self.dataset.levels:
            self.dataset.years_of(level)
            if level != "riket":
                self.prepared(level)


class Services:
    """The dataset source, the cache, and the tile set of the version being served."""

    def __init__(self, source: DatasetSource, cache: SingleFlight) -> None:
        self.source, self.cache = source, cache
        self._tileset: TileSet | None = None
        self._warming: threading.Thread | None = None
        self._warming_lock = threading.Lock()
        self._ready: TileSet | None = None  # of a version prepared in the background, until it is served
        source.prepare = self._prepare

    def dataset(self) -> Dataset:
        return self.source.get()

    def tileset(self) -> TileSet:
        return self._tileset_of(self.source.get())

    def _tileset_of(self, dataset: Dataset) -> TileSet:
        tileset = self._tileset
        if tileset is None or tileset.dataset is not dataset:
            ready = self._ready
            old, tileset = (
                tileset,
                ready if ready is not None and ready.dataset is dataset else TileSet(dataset),
            )
            self._tileset, self._ready = tileset, None
            if old is not None:  # what was derived from the version served before goes with it
                MEMO.forget(old.dataset.memo_token)
                self.cache.forget(old.dataset.version)
                allocation.release_soon()
        return tileset

    def unload(self) -> None:
        """Let go of a dataset read from a data folder (before gunicorn forks): each worker maps the version's
        files again, so the workers share one copy of it and no process pins a version it does not serve."""
        if self.source.root is not None and self._tileset is not None:
            MEMO.forget(self._tileset.dataset.memo_token)
            self._tileset = self._ready = None
            self.source.unload()

    def not_ready(self) -> str | None:
        """Why a request could not be answered at full speed now, or None when it can. What is missing is
        loaded and prepared in the background, so a refused probe never waits for a request to do it."""
        dataset = self.source.loaded
        if dataset is None:
            reason = "no dataset loaded yet"
        else:
            waiting = self._tileset_of(dataset).unprepared()
            if not waiting:
                return None
            reason = f"levels not prepared yet: {', '.join(waiting)}"
        with self._warming_lock:
            if self._warming is None or not self._warming.is_alive():
                self._warming = threading.Thread(target=self._warm, name="barometer-warm", daemon=True)
                self._warming.start()
        return reason

    def _warm(self) -> None:
        self.tileset().warm()

    def _prepare(self, dataset: Dataset) -> None:
        """A version loaded in the background: its tile set warmed (geometry of every level, properties of
        each level's latest year) before the source swaps it in, so no request waits for them."""
        tileset = TileSet(dataset)
        tileset.warm()
        for level in dataset.levels:
            years = dataset.years_of(level)
            if level != "riket" and years:
                tileset.year_properties(level, years[-1])
        self._ready = tileset
