"""Reports built in a bounded pool: one job per dataset version, options and format, its progress readable
while it runs, its bytes kept in the shared cache (bounded by size, keyed by the dataset version).

The built content of the last few reports is kept too (``CONTENT_SLOTS``), so asking for the PDF after the
page does not gather the facts again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

from werkzeug.exceptions import ServiceUnavailable

from data.cache import SingleFlight
from data.report.content import build_report
from data.report.document import Report
from data.report.options import ReportOptions
from data.tileset import TileSet
from tileserver.http import cached_bytes

REPORT_POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="report")
"""Reports build one at a time per process (a report of the largest municipality takes seconds)."""
MAX_JOBS = 16
"""Jobs remembered (queued, running or finished); past that a new report answers 503 until one finishes."""
CONTENT_SLOTS = 4

Render = Callable[[Report], bytes]


@dataclass
class Job:
    key: str
    done: int = 0
    total: int = 1
    step: str = ""
    future: Future = field(default_factory=Future, repr=False)

    def update(self, done: int, total: int, step: str) -> None:
        self.done, self.total, self.step = done, total, step

    def status(self) -> dict:
        state = "running"
        error = None
        if self.future.done():
            error = self.future.exception()
            state = "failed" if error else "ready"
        return {
            "state": state,
            "done": self.done,
            "total": self.total,
            "step": self.step,
            "error": str(error) if error else None,
        }


class ReportJobs:
    def __init__(
        self,
        cache: SingleFlight,
        submit: Callable[..., Future] = REPORT_POOL.submit,
        max_jobs: int = MAX_JOBS,
    ) -> None:
        self.cache, self.submit, self.max_jobs = cache, submit, max_jobs
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._content: OrderedDict[str, Report] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(tileset: TileSet, options: ReportOptions, fmt: str) -> str:
        return tileset.key("report", fmt, options.cache_key())

    def cached(self, key: str) -> bytes | None:
        """The finished report's gzipped bytes, if the cache holds them."""
        return self.cache.cache.get(key)

    def start(self, tileset: TileSet, options: ReportOptions, fmt: str, render: Render) -> Job:
        """The job building this report (started if none runs or it failed)."""
        key = self.key(tileset, options, fmt)
        with self._lock:
            job = self._jobs.get(key)
            if job is not None and not (job.future.done() and job.future.exception()):
                return job
            self._jobs.pop(key, None)
            for old in [k for k, j in self._jobs.items() if j.future.done()]:
                if len(self._jobs) < self.max_jobs:
                    break
                del self._jobs[old]
            if len(self._jobs) >= self.max_jobs:
                raise ServiceUnavailable("too many reports are being built; try again shortly")
            job = Job(key)
            job.future = self.submit(self._run, tileset, options, render, job)
            self._jobs[key] = job
            return job

    def job(self, key: str) -> Job | None:
        return self._jobs.get(key)

    def _run(self, tileset: TileSet, options: ReportOptions, render: Render, job: Job) -> bytes:
        return cached_bytes(self.cache, job.key, lambda: render(self._report(tileset, options, job)))

    def _report(self, tileset: TileSet, options: ReportOptions, job: Job) -> Report:
        key = tileset.key("report-content", options.cache_key())
        with self._lock:
            report = self._content.get(key)
        if report is None:
            report = build_report(tileset.dataset, options, job.update)
            with self._lock:
                self._content[key] = report
                while len(self._content) > CONTENT_SLOTS:
                    self._content.popitem(last=False)
        job.update(1, 1, "writing" if options.lang == "en" else "skriver")
        return report
