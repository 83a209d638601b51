"""The segregation analysis report: ``/report?kommun=0201,0202&level=regso&from=2015&to=2023&lang=sv`` (a
printable page that shows the build's progress until it is ready) and ``/api/report/<kommuner>.docx``
(``.pdf``, ``.html``) with the same options (``indicators`` mapped, ``group`` of the indices). Reports build
on the report thread of :mod:`tileserver.reports`, each in a slot of the slow-work pool
(:mod:`tileserver.slow`)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from functools import partial
from html import escape
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import ServiceUnavailable

from data.report.document import Report
from data.report.options import ReportOptions, parse_list, resolve
from data.report.write import render
from tileserver.http import SHORT, json_bytes, respond
from tileserver.reports import REPORT_POOL, ReportJobs
from tileserver.routes import params, services
from tileserver.slow import Busy

blueprint = Blueprint("report", __name__)
WAIT_SECONDS = 120.0
"""How long a download waits for its report before answering 503."""
WAITING_DOWNLOADS = 2
"""Downloads that may wait for their report at a time per process (each holds a request thread; gunicorn
gives every worker this many threads more, so the ones for tiles stay free); the next one answers 503."""
_waiting = threading.BoundedSemaphore(WAITING_DOWNLOADS)
TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
}


def jobs() -> ReportJobs:
    """The reports of this process: each build queued on the report thread and run in a slot of the slow-work
    pool it shares with map images and downloads (a full pool fails the job with its 503 message)."""
    pool = current_app.extensions["barometer.slow"]
    return current_app.extensions.setdefault(
        "barometer_reports",
        ReportJobs(services().cache, submit=lambda fn, *a: REPORT_POOL.submit(pool.run, partial(fn, *a))),
    )


def options_from_request(kommuner: str | None = None) -> ReportOptions:
    args = request.args
    first, last = args.get("from"), args.get("to")
    options = ReportOptions(
        kommuner=parse_list(kommuner if kommuner is not None else args.get("kommun")),
        level=args.get("level", "regso"),
        first=None if not first else params.integer("from", first),
        last=None if not last else params.integer("to", last),
        lang=args.get("lang", "sv"),
        indicators=parse_list(args.get("indicators")),
        group=args.get("group", "background=foreign"),
    )
    return resolve(services().dataset(), options)


def query(options: ReportOptions, **extra: str) -> str:
    return urlencode(
        {
            "level": options.level,
            "from": options.first,
            "to": options.last,
            "lang": options.lang,
            "indicators": ",".join(options.indicators),
            "group": options.group,
            **extra,
        }
    )


def renderer(fmt: str, options: ReportOptions) -> Callable[[Report], bytes]:
    """The writer of a format; the page gets a toolbar with the downloads and a print button."""
    if fmt != "html":
        return lambda report: render(report, fmt)
    from data.report.html import render_html

    return lambda report: render_html(report, toolbar=_toolbar(options)).encode()


@blueprint.get("/report")
def page():
    tileset = services().tileset()
    options = options_from_request()
    key = ReportJobs.key(tileset, options, "html")
    body = jobs().cached(key)
    if body is None:
        job = jobs().start(tileset, options, "html", renderer("html", options))
        if job.future.done() and job.future.exception() is None:  # built, but no longer in the cache
            body = job.future.result()
    if body is not None:
        response = respond(body, TYPES["html"], cache_control=SHORT)
        response.headers["Content-Security-Policy"] = "frame-ancestors 'self'"
        return response
    status = f"/api/report/status?{query(options, kommun=','.join(options.kommuner))}"
    return Response(
        _progress_page(status, options.lang), mimetype="text/html", headers={"Cache-Control": "no-store"}
    )


@blueprint.get("/api/report/status")
def status():
    tileset = services().tileset()
    options = options_from_request()
    job = jobs().job(ReportJobs.key(tileset, options, "html"))
    if job is None:
        job = jobs().start(tileset, options, "html", renderer("html", options))
    return Response(
        json_bytes(job.status()), mimetype="application/json", headers={"Cache-Control": "no-store"}
    )


@blueprint.get("/api/report/<kommuner>.<any(docx, pdf, html):fmt>")
def download(kommuner: str, fmt: str):
    tileset = services().tileset()
    options = options_from_request(kommuner)
    key = ReportJobs.key(tileset, options, fmt)
    body = jobs().cached(key)
    if body is None:
        job = jobs().start(tileset, options, fmt, renderer(fmt, options))
        if not _waiting.acquire(blocking=False):
            raise Busy(
                f"{WAITING_DOWNLOADS} report downloads are waiting already; try again in 10 s", retry_after=10
            )
        try:
            body = job.future.result(timeout=WAIT_SECONDS)
        except FutureTimeout:
            raise ServiceUnavailable("the report is still being built; try again shortly") from None
        finally:
            _waiting.release()
    response = respond(body, TYPES[fmt], cache_control=SHORT)
    if fmt != "html":
        name = (
            f"segregationsanalys_{'-'.join(options.kommuner)}_{options.level}_{options.first}-{options.last}"
        )
        response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


def _toolbar(options: ReportOptions) -> str:
    en = options.lang == "en"
    base = f"/api/report/{','.join(options.kommuner)}"
    q = escape(query(options))
    return (
        '<nav class="noprint toolbar">'
        f'<a href="{base}.docx?{q}">{"Download Word (DOCX)" if en else "Ladda ner Word (DOCX)"}</a> · '
        f'<a href="{base}.pdf?{q}">{"Download PDF" if en else "Ladda ner PDF"}</a> · '
        f'<a href="#" onclick="window.print();return false">{"Print" if en else "Skriv ut"}</a></nav>'
    )


def _progress_page(status_url: str, lang: str) -> str:
    en = lang == "en"
    title = "Building the report…" if en else "Rapporten byggs…"
    failed = "The report could not be built" if en else "Rapporten kunde inte byggas"
    return f"""<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>{title}</title>
<style>body{{font-family:"Liberation Sans","DejaVu Sans",sans-serif;max-width:40em;margin:4em auto}}
progress{{width:100%;height:1.2em}}</style></head>
<body><h1>{title}</h1><progress id="bar" max="1" value="0"></progress><p id="step"></p>
<script>
const statusUrl = {json.dumps(status_url)};
async function poll() {{
  const answer = await (await fetch(statusUrl)).json();
  if (answer.state === "ready") {{ location.reload(); return; }}
  const step = document.getElementById("step");
  if (answer.state === "failed") {{ step.textContent = "{failed}: " + answer.error; return; }}
  const bar = document.getElementById("bar");
  bar.max = answer.total; bar.value = answer.done;
  step.textContent = answer.step + " (" + answer.done + "/" + answer.total + ")";
  setTimeout(poll, 400);
}}
poll();
</script></body></html>
"""
