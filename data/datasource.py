"""The dataset a worker serves: loaded once, swapped atomically when a new version becomes current."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from data import allocation, store
from indicators.model import Dataset, InputError

log = logging.getLogger(__name__)


class DatasetSource:
    """Holds the current Dataset of a data folder, or a fallback (the demo) when none is configured.

    ``get()`` is cheap: it looks at the folder's CURRENT pointer at most every ``check_every`` seconds and
    loads a new version outside the request path of other threads, which keep the old one until the swap.
    With ``background`` (gunicorn workers) a new version is loaded, and made ready by ``prepare`` (the
    tile geometry of every level), in a thread of its own while every request keeps being answered from the
    old one; without it (the development server, tests) the request that notices the new version loads it.
    A current version that cannot be loaded or prepared (a damaged file, broken geometry) is not served:
    the one served so far stays, or at start the newest version that works; ``problem`` says why.
    """

    def __init__(self, root: Path | None, fallback: Callable[[], Dataset], check_every: float = 2.0) -> None:
        self.root, self.fallback, self.check_every = root, fallback, check_every
        self.background = False
        self.prepare: Callable[[Dataset], object] = lambda dataset: None
        self._dataset: Dataset | None = None
        self._checked = 0.0
        self._lock = threading.Lock()
        self._loading = False
        self._broken: str | None = None
        self.problem: str | None = None

    def unload(self) -> None:
        """Forget the dataset held; the next ``get()`` loads the current version again."""
        with self._lock:
            self._dataset = None
        allocation.release()

    @property
    def loaded(self) -> Dataset | None:
        """The dataset held now, without loading or looking for a new one."""
        return self._dataset

    def get(self) -> Dataset:
        dataset = self._dataset
        if dataset is None or (self.root and time.monotonic() - self._checked > self.check_every):
            dataset = self._refresh_in_background() if dataset and self.background else self._refresh()
        return dataset

    def _refresh_in_background(self) -> Dataset:
        current = self._dataset
        assert current is not None and self.root is not None
        with self._lock:
            if self._loading:
                return current
            self._checked = time.monotonic()
            wanted = store.current_version(self.root)
            if wanted is None or wanted in (current.version, self._broken):
                return current
            self._loading = True
        threading.Thread(
            target=self._load_in_background, args=(wanted,), name="dataset-loader", daemon=True
        ).start()
        return current

    def _load_in_background(self, version: str) -> None:
        current = self._dataset
        try:
            dataset = self._load(version, current)
            if dataset is not current:
                self.prepare(dataset)
                self._dataset = dataset
                allocation.release()
                log.info("serving dataset version %s", version)
        except Exception:  # the previous version keeps being served
            self._broken = version
            log.exception("dataset version %s could not be prepared; still serving the previous one", version)
        finally:
            self._loading = False

    def _refresh(self) -> Dataset:
        with self._lock:
            self._checked = time.monotonic()
            wanted = store.current_version(self.root) if self.root else None
            current = self._dataset
            if current is not None and (wanted is None or wanted in (current.version, self._broken)):
                return current
            if wanted is None:
                log.info("no dataset configured: serving the demo dataset")
                self._dataset = self.fallback()
            else:
                self._dataset = self._load(wanted, current)
            allocation.release()
            return self._dataset

    def _load(self, wanted: str, current: Dataset | None) -> Dataset:
        assert self.root is not None
        log.info("loading dataset version %s from %s", wanted, self.root)
        try:
            dataset = store.read_checked(self.root, wanted)
        except Exception as error:  # whatever is wrong with the files, the service keeps serving
            self._broken = wanted
            self.problem = f"dataset version {wanted} in {self.root} cannot be served: {error}"
            dataset = current or self._newest_working(wanted, error)
            self.problem += f"; serving version {dataset.version} instead"
            log.error("%s", self.problem)
            return dataset
        self.problem = None
        return dataset

    def _newest_working(self, broken: str, error: Exception) -> Dataset:
        assert self.root is not None
        for version in store.versions_newest_first(self.root):
            if version != broken:
                try:
                    return store.read_checked(self.root, version)
                except Exception as other:  # try the next older version
                    log.error("dataset version %s cannot be served either: %s", version, other)
        raise InputError(
            f"no dataset version can be served; the current one, {broken}, fails with: {error}",
            file=str(self.root),
        ) from error
