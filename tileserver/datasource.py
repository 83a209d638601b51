"""The dataset a worker serves: loaded once, swapped atomically when a new version becomes current."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from data import store
from indicators.model import Dataset
from tileserver import allocation

log = logging.getLogger(__name__)


class DatasetSource:
    """Holds the current Dataset of a data folder, or a fallback (the demo) when none is configured.

    ``get()`` is cheap: it looks at the folder's CURRENT pointer at most every ``check_every`` seconds and
    loads a new version outside the request path of other threads, which keep the old one until the swap.
    """

    def __init__(self, root: Path | None, fallback: Callable[[], Dataset], check_every: float = 2.0) -> None:
        self.root, self.fallback, self.check_every = root, fallback, check_every
        self._dataset: Dataset | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    @property
    def loaded(self) -> Dataset | None:
        """The dataset held now, without loading or looking for a new one."""
        return self._dataset

    def get(self) -> Dataset:
        dataset = self._dataset
        if dataset is None or (self.root and time.monotonic() - self._checked > self.check_every):
            dataset = self._refresh()
        return dataset

    def _refresh(self) -> Dataset:
        with self._lock:
            self._checked = time.monotonic()
            wanted = store.current_version(self.root) if self.root else None
            current = self._dataset
            if current is not None and (wanted is None or wanted == current.version):
                return current
            if wanted is None:
                log.info("no dataset configured: serving the demo dataset")
                self._dataset = self.fallback()
            else:
                log.info("loading dataset version %s from %s", wanted, self.root)
                self._dataset = store.read_version(self.root, wanted)
            allocation.release()
            return self._dataset
