"""What the routes share: the current dataset, its prepared tile geometry, and the cache."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from geo.prepare import PreparedLevel, prepare_level
from geo.tiles import render_tile
from indicators.model import TOTAL, Dataset, NotFoundError
from indicators.views import map_table, suppressed_codes
from tileserver.cache import SingleFlight
from tileserver.datasource import DatasetSource

T = TypeVar("T")
Properties = Mapping[str, Mapping[str, float | int | str]]
TileView = tuple[str, int | None, str | None] | tuple[()]
"""(breakdown, since, deviation) of year tiles; () is the plain values of every indicator."""


def status_property(indicator: str) -> str:
    """The tile property that marks an indicator's value as suppressed (too few persons)."""
    return f"{indicator}_status"


class TileSet:
    """Tiles of one dataset version: geometry prepared once per level, year properties once per year."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self._prepared: dict[str, PreparedLevel] = {}
        self._properties: dict[tuple[str, int, str], Properties] = {}
        self._memo: dict[object, Any] = {}
        self._lock = threading.Lock()

    def prepared(self, level: str) -> PreparedLevel:
        if level not in self.dataset.levels:
            raise NotFoundError(
                "level", f"unknown level {level!r}; this dataset has {', '.join(self.dataset.levels)}"
            )
        if level not in self._prepared:
            with self._lock:
                if level not in self._prepared:
                    self._prepared[level] = prepare_level(
                        self.dataset.area_frame(level).reset_index(drop=True), level
                    )
        return self._prepared[level]

    def year_properties(self, level: str, year: int, view: TileView = ()) -> Properties:
        """Every indicator's mapped value per area code, missing values left out, suppressed ones marked."""
        key = (level, year, view)
        if key not in self._properties:
            breakdown, since, deviation = view or (TOTAL, None, None)
            table = map_table(self.dataset, level, year, breakdown, since=since, deviation=deviation)
            categories = {k for k, ind in self.dataset.indicators.items() if ind.kind == "category"}
            records: dict[str, dict[str, float | int | str]] = {}
            for code, row in zip(table.index, table.to_dict("records"), strict=True):
                records[str(code)] = {
                    k: (int(v) if k in categories and not view else float(v))
                    for k, v in row.items()
                    if v is not None and not math.isnan(v)
                }
            for indicator, codes in suppressed_codes(self.dataset, level, year, breakdown).items():
                for code in codes:
                    records.setdefault(code, {})[status_property(indicator)] = "suppressed"
            self._properties[key] = records
        return self._properties[key]

    def tile(self, level: str, z: int, x: int, y: int, year: int | None = None, view: TileView = ()) -> bytes:
        prepared = self.prepared(level)
        extra = None if year is None else self.year_properties(level, year, view)
        return render_tile(prepared, z, x, y, layer=level, extra=extra)

    def memo(self, key: object, produce: Callable[[], T]) -> T:
        """A value computed once per dataset version (classes shared by a style, its legend and exports)."""
        if key not in self._memo:
            self._memo[key] = produce()
        return self._memo[key]

    def key(self, *parts: object) -> str:
        """A cache key that carries this dataset's version."""
        return ":".join([self.dataset.version, *map(str, parts)])

    def warm(self) -> None:
        for level in self.dataset.levels:
            if level != "riket":
                self.prepared(level)


class Services:
    """The dataset source, the cache, and the tile set of the version being served."""

    def __init__(self, source: DatasetSource, cache: SingleFlight) -> None:
        self.source, self.cache = source, cache
        self._tileset: TileSet | None = None

    def dataset(self) -> Dataset:
        return self.source.get()

    def tileset(self) -> TileSet:
        dataset = self.source.get()
        tileset = self._tileset
        if tileset is None or tileset.dataset is not dataset:
            tileset = self._tileset = TileSet(dataset)
        return tileset
