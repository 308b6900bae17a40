#!/usr/bin/env python
"""Speed of the web viewer: cached images, first views and the list page.

Usage::

    python benchmarks/bench_viewer.py            # the issue's targets (~1.5 minutes)
    python benchmarks/bench_viewer.py --quick    # smoke run (~45 s): results/viewer-quick.md
    python benchmarks/bench_viewer.py --postgresql postgresql://user:pw@127.0.0.1:5432/db

Targets (from the project's issue), loopback only:

1. *Cached image*: a real gunicorn server (``viewer_wsgi:make_app()``: ``create_app()``
   plus a trivial ``/bench/ping`` route, so both endpoints share server, workers and
   middleware) serves an already rendered plot image at >= 0.8x the requests/s of
   ``/bench/ping``, under the same keep-alive load.
2. *First view*: GET of the PNG of a 40-bin plot that is not cached yet (dpi 100, warm
   workers) takes <= 1.5x one in-process ``histfmt.render.mpl.render(doc, format="png",
   options=RenderOptions(dpi=100))`` (medians; samples interleaved).
3. *List page*: with 10,000 stored plots, ``/`` (default, a deep page, search, tag,
   author, sort by title) and ``/api/plots?q=...`` take < 50 ms server time (median,
   Flask test client in-process), on SQLite and, when a URL is given by ``--postgresql``
   or ``HISTFMT_TEST_DATABASE_URL``, on PostgreSQL (in a fresh schema, dropped afterwards).

The exit status is 0 even when a target is missed: this is a report, not a test.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import multiprocessing
import os
import random
import re
import statistics
import sys
import tempfile
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from _common import (
    RESULTS_DIR,
    Connection,
    Server,
    Setup,
    fmt_time,
    gunicorn,
    machine_info,
    md_table,
    postgres_schema,
    process_cpu,
    request_bytes,
    server_pids,
    source_fingerprint,
    write_report,
)
from flask import Flask
from viewer_wsgi import PING

import histfmt
from histfmt_viewer import create_app, storage_of
from histfmt_viewer.documents import plot_info, stored_text
from histfmt_viewer.storage import PlotInfo, Storage, User
from histfmt_viewer.storage.tables import plot_tags, plots, versions

HERE = Path(__file__).resolve().parent
EXAMPLE = HERE.parent / "examples" / "mll_data_vs_mc.json"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CACHED_TARGET = 0.8  # cached image rps / ping rps, at least
MISS_TARGET = 1.5  # first view / in-process render, at most
LIST_LIMIT = 0.050  # s, server time of a list page
N_PLOTS = 10_000
THUMB_DPI = 80  # a thumbnail (the list page asks for dpi 60): the most requested cached image
MISS_DPI = 100
PER_PAGE = 20


@dataclass(frozen=True)
class Plan:
    """How much to run: the full benchmark or the quick smoke run."""

    quick: bool
    load_seconds: float  # per endpoint and round
    load_rounds: int  # ping, image, ping, image, ...
    misses: int  # first views measured (and in-process renders)
    latency: int  # sequential requests per context row
    list_samples: int  # requests per list URL
    loop_plots: int  # of the 10,000, inserted one by one through Storage.create_plot


FULL = Plan(False, 2.5, 6, 15, 30, 30, 300)
QUICK = Plan(True, 1.5, 2, 5, 10, 12, 60)


@dataclass
class Load:
    """Requests of one endpoint under load, summed over clients and rounds."""

    path: str
    window: float = 1.0  # seconds per round
    ok: int = 0
    errors: int = 0  # wrong status or body, or a connection dropped without notice
    reopened: int = 0  # connections the server closed with "Connection: close"
    bytes: int = 0
    seconds: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0
    rounds: list[float] = field(default_factory=list)  # requests/s per round
    loads: list[float] = field(default_factory=list)  # 1-minute load average after each

    @property
    def rps(self) -> float:
        """The median of the rounds' requests/s."""
        return statistics.median(self.rounds) if self.rounds else float("nan")

    @property
    def server_cpu_per_request(self) -> float:
        return self.server_cpu / self.ok if self.ok else float("nan")


def drive(port: int, path: str, expected: bytes, start: float, stop: float) -> list[float]:
    """One client process: requests on one connection, counted from ``start`` to ``stop``.

    Before ``start`` the requests warm the connection and are not counted.  Returns
    [ok, errors, body bytes, client CPU seconds, connections reopened]; a response
    counts as ok only with status 200 and exactly the expected body.
    """
    connection = Connection(port)
    request = request_bytes(path)
    ok = errors = size = 0
    while time.monotonic() < start:
        connection.get(path)
    cpu = time.process_time()
    connection.reopened = 0
    while time.monotonic() < stop:
        try:
            status, body = connection.send(request)
        except (OSError, ValueError):
            errors += 1
            connection.reopen()
            continue
        if status == 200 and body == expected:
            ok += 1
            size += len(body)
        else:
            errors += 1
    cpu = time.process_time() - cpu
    connection.close()
    return [ok, errors, size, cpu, connection.reopened]


def load_round(
    pool: ProcessPoolExecutor, clients: int, server: Server, load: Load, expected: bytes
) -> None:
    """``clients`` processes hammer ``load.path`` for ``load.window`` seconds."""
    start = time.monotonic() + 0.5  # warm-up: connect and a few uncounted requests
    stop = start + load.window
    pids = server_pids(server.process.pid)
    jobs = [
        pool.submit(drive, server.port, load.path, expected, start, stop) for _ in range(clients)
    ]
    while time.monotonic() < start:
        time.sleep(0.005)
    cpu = process_cpu(pids)
    time.sleep(max(0.0, stop - time.monotonic()))
    cpu = process_cpu(pids) - cpu
    results = [job.result() for job in jobs]
    ok = sum(int(r[0]) for r in results)
    load.ok += ok
    load.errors += sum(int(r[1]) for r in results)
    load.bytes += sum(int(r[2]) for r in results)
    load.reopened += sum(int(r[4]) for r in results)
    load.client_cpu += sum(r[3] for r in results)
    load.server_cpu += cpu
    load.seconds += load.window
    load.rounds.append(ok / load.window)
    load.loads.append(os.getloadavg()[0])


def worker_connections(port: int, workers: int, attempts: int = 80) -> dict[int, Connection]:
    """One keep-alive connection per gunicorn worker, keyed by the worker's pid."""
    found: dict[int, Connection] = {}
    for _ in range(attempts):
        connection = Connection(port)
        _, body = connection.get("/bench/pid")
        pid = int(body)
        if pid in found:
            connection.close()
        else:
            found[pid] = connection
        if len(found) == workers:
            break
    return found


# -- targets 1 and 2: a real server ----------------------------------------------------


@dataclass
class ServerResults:
    setup: Setup
    plan: Plan
    command: list[str] = field(default_factory=list)
    ping: Load = field(default_factory=lambda: Load("/bench/ping"))
    image: Load = field(default_factory=lambda: Load(""))
    image_bytes: int = 0
    latency: dict[str, list[float]] = field(default_factory=dict)  # sequential, context
    render: list[float] = field(default_factory=list)  # in-process
    miss: list[float] = field(default_factory=list)  # first views over HTTP
    miss_errors: list[str] = field(default_factory=list)
    workers_seen: int = 0
    crashes: int = 0  # "Fatal Python error" and "was sent SIG..." lines in gunicorn's log
    log: str = ""  # the end of gunicorn's log, when it wrote anything
    error: str | None = None


def image_path(plot_id: str, dpi: int) -> str:
    return f"/plots/{plot_id}/image.png?dpi={dpi}&version=1"


def populate_server(instance: Path, database_url: str, count: int) -> list[str]:
    """``count`` plots of the 40-bin example, through Storage (as an upload stores them)."""
    os.environ["HISTFMT_INSTANCE_PATH"] = str(instance)  # also makes the secret key now
    app = create_app(database_url=database_url)
    storage = storage_of(app)
    user = storage.user_for_token(storage.create_token("bench"))
    assert user is not None
    doc = histfmt.load(EXAMPLE)
    info, text = plot_info(doc, owner=user.name), stored_text(doc)
    ids = [storage.create_plot(user, info, text) for _ in range(count)]
    storage.close()
    return ids


def cached_files(server: Server, plot_id: str) -> list[Path]:
    return sorted((server.cache / plot_id).rglob("*.png"))


def warm_workers(
    server: Server, connections: list[Connection], cached: str, warm_ids: list[str]
) -> bytes:
    """Each worker, one at a time: the cached image (the first request renders it) and
    one render of its own.  Returns the cached image's bytes, checked against the file.

    One at a time on purpose: concurrent first requests of a fresh worker crash it (see
    ``crashes``), and a restarting worker would disturb the measurements.
    """
    image = b""
    for connection, plot_id in zip(connections, warm_ids, strict=False):
        status, image = connection.get(image_path(cached, THUMB_DPI))
        files = cached_files(server, cached)
        if status != 200 or not files or files[0].read_bytes() != image:
            raise RuntimeError(f"warming the cached image failed (status {status})")
        if connection.get(image_path(plot_id, MISS_DPI))[0] != 200:
            raise RuntimeError("a warm-up render failed")
    return image


def measure_load(server: Server, plot_id: str, image: bytes, results: ServerResults) -> None:
    """Target 1: alternate rounds of ping and cached image under the same load."""
    plan = results.plan
    results.ping = Load("/bench/ping", plan.load_seconds)
    results.image = Load(image_path(plot_id, THUMB_DPI), plan.load_seconds)
    results.image_bytes = len(image)
    clients = results.setup.clients
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(clients, mp_context=context) as pool:
        for _ in range(plan.load_rounds):
            load_round(pool, clients, server, results.ping, PING)
            load_round(pool, clients, server, results.image, image)
            print(
                f"  load: ping {results.ping.rounds[-1]:.0f}/s, "
                f"cached image {results.image.rounds[-1]:.0f}/s",
                file=sys.stderr,
            )


def sequential(connection: Connection, path: str, count: int) -> list[float]:
    """Latency of ``count`` requests one after the other (after one warm-up)."""
    connection.get(path)
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        status, body = connection.get(path)
        samples.append(time.perf_counter() - start)
        if status != 200 or not body:
            raise RuntimeError(f"{path}: status {status}")
    return samples


def measure_misses(
    server: Server, connections: list[Connection], miss_ids: list[str], results: ServerResults
) -> None:
    """Target 2: first views (cache misses) interleaved with in-process renders."""
    from histfmt.render.mpl import render
    from histfmt.render.options import RenderOptions

    doc = histfmt.load(EXAMPLE)
    options = RenderOptions(dpi=MISS_DPI)
    render(doc, format="png", options=options)  # warm-up in this process
    for i, plot_id in enumerate(miss_ids):
        start = time.perf_counter()
        render(doc, format="png", options=options)
        results.render.append(time.perf_counter() - start)
        if cached_files(server, plot_id):
            results.miss_errors.append(f"{plot_id}: already cached, not a miss")
            continue
        start = time.perf_counter()
        status, body = connections[i % len(connections)].get(image_path(plot_id, MISS_DPI))
        elapsed = time.perf_counter() - start
        files = cached_files(server, plot_id)
        if status != 200 or not body.startswith(PNG_SIGNATURE) or len(files) != 1:
            results.miss_errors.append(f"{plot_id}: status {status}, {len(files)} cache files")
        elif files[0].read_bytes() != body:
            results.miss_errors.append(f"{plot_id}: the cached file differs from the response")
        else:
            results.miss.append(elapsed)
    results.latency["`/plots/<id>` (plot page HTML)"] = sequential(
        connections[0], f"/plots/{miss_ids[0]}", len(miss_ids) * 2
    )


def run_server(plan: Plan, setup: Setup) -> ServerResults:
    """Targets 1 and 2 against one gunicorn server with a fresh instance folder."""
    results = ServerResults(setup, plan)
    with tempfile.TemporaryDirectory(prefix="histfmt-bench-viewer-") as tmp:
        instance = Path(tmp) / "instance"
        database_url = f"sqlite:///{instance / 'histfmt.sqlite'}"
        ids = populate_server(instance, database_url, 1 + setup.workers + plan.misses)
        cached, warm, misses = ids[0], ids[1 : 1 + setup.workers], ids[1 + setup.workers :]
        try:
            with gunicorn(instance, database_url, setup) as server:
                results.command = server.command
                connections = list(worker_connections(server.port, setup.workers).values())
                results.workers_seen = len(connections)
                image = warm_workers(server, connections, cached, warm)
                print("1. cached image vs /bench/ping under load", file=sys.stderr)
                measure_load(server, cached, image, results)
                for label, path in (
                    ("`/bench/ping`", "/bench/ping"),
                    (f"cached image (dpi {THUMB_DPI})", image_path(cached, THUMB_DPI)),
                ):
                    results.latency[label] = sequential(connections[0], path, plan.latency)
                print("2. first views (cache misses) vs in-process renders", file=sys.stderr)
                measure_misses(server, connections, misses, results)
                for connection in connections:
                    connection.close()
        except (OSError, RuntimeError) as error:
            results.error = f"{type(error).__name__}: {error}"
            print(f"  server benchmark failed: {results.error}", file=sys.stderr)
        log = Path(tmp) / "gunicorn.log"
        text = log.read_text(errors="replace") if log.exists() else ""
        results.crashes = text.count("Fatal Python error") + text.count("was sent SIG")
        results.log = text[-6000:]
    return results


# -- target 3: the list page with 10,000 plots ------------------------------------------

TOPICS = ["Dilepton", "Top pair", "Higgs to diphoton", "W boson", "Z boson", "Dijet"]
TOPICS += ["Single top", "Diboson", "Higgs to four leptons", "Multijet"]
VARIABLES = ["invariant mass", "transverse momentum", "missing ET", "jet multiplicity"]
VARIABLES += ["rapidity", "HT", "leading jet pT", "b-tag score"]
REGIONS = ["signal region", "control region", "validation region", "inclusive"]
AUTHORS = ["A. Jones", "B. Smith", "C. Müller", "D. Rossi", "E. Tanaka", "F. Dubois"]
AUTHORS += ["G. Novak", "H. Kim", "I. Silva", "J. Andersen", "K. Ivanova", "L. Chen"]
TAGS = ["dilepton", "ttbar", "higgs", "diphoton", "wjets", "zjets", "dijet", "diboson"]
TAGS += ["signal-region", "control-region", "run2", "run3", "preliminary", "approved"]
TAGS += ["systematics", "unblinded", "blinded", "met", "btag", "jets"]
OWNERS = ["alice", "bob", "carol", "dave", "erin"]


@dataclass(frozen=True)
class Record:
    """One generated plot of the list benchmark."""

    owner: str
    info: PlotInfo
    public: bool
    created: datetime
    updated: datetime


def records(count: int, seed: int = 12345) -> list[Record]:
    """Varied titles, authors, tags and dates; ~10 % private."""
    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    out = []
    for i in range(count):
        title = f"{rng.choice(TOPICS)} {rng.choice(VARIABLES)}, {rng.choice(REGIONS)} #{i}"
        author = rng.choice(AUTHORS)
        tags = tuple(rng.sample(TAGS, rng.choice((1, 2, 2, 3))))
        words = [title, author, *tags, "data", "mc", "x", "GeV"]
        created = now - timedelta(minutes=3 * (count - i) + rng.randint(0, 2))
        updated = created + timedelta(minutes=rng.choice((0, 0, rng.randint(1, 5000))))
        info = PlotInfo(title, author, tags, "\n".join(words))
        out.append(Record(rng.choice(OWNERS), info, rng.random() > 0.1, created, updated))
    return out


def small_document() -> str:
    """The document text reused by every plot of the list benchmark (3 bins)."""
    doc = histfmt.Document.new([0.0, 1.0, 2.0, 3.0], symbol="x", unit="GeV")
    doc.add_yield("mc", [1.0, 2.0, 3.0], label="MC")
    doc.add_stack(["mc"])
    return stored_text(doc)


def populate_list(storage: Storage, data: list[Record], loop: int) -> tuple[float, float]:
    """The first ``loop`` plots through Storage.create_plot, the rest in one bulk insert.

    Returns the seconds of both parts.  The bulk rows are what create_plot writes.
    """
    users: dict[str, User] = {}
    for name in OWNERS:
        user = storage.user_for_token(storage.create_token(name))
        assert user is not None
        users[name] = user
    text = small_document()
    start = time.perf_counter()
    for record in data[:loop]:
        visibility = "public" if record.public else "private"
        storage.create_plot(users[record.owner], record.info, text, visibility=visibility)
    looped = time.perf_counter() - start
    start = time.perf_counter()
    rows, tags, docs = [], [], []
    for record in data[loop:]:
        plot_id = str(uuid.uuid4())
        rows.append({
            "id": plot_id, "owner_id": users[record.owner].id, "collection_id": None,
            "visibility": "public" if record.public else "private",
            "title": record.info.title, "author": record.info.author,
            "tags": json.dumps(list(record.info.tags)), "search": record.info.search.lower(),
            "created": record.created, "updated": record.updated, "latest": 1,
        })  # fmt: skip
        tags += [{"plot_id": plot_id, "tag": tag} for tag in record.info.tags]
        docs.append({"plot_id": plot_id, "number": 1, "document": text, "created": record.created})
    with storage.engine.begin() as conn:
        conn.execute(plots.insert(), rows)
        conn.execute(plot_tags.insert(), tags)
        conn.execute(versions.insert(), docs)
    return looped, time.perf_counter() - start


@dataclass(frozen=True)
class ListCase:
    label: str
    url: str
    total: int  # expected number of matching public plots
    page: int = 1


def list_cases(data: list[Record]) -> list[ListCase]:
    """The requests of target 3, with the totals the generated data imply."""
    public = [r for r in data if r.public]

    def count(keep: Any) -> int:
        return sum(1 for r in public if keep(r))

    word, tag, author = "higgs", "signal-region", "jones"
    deep = 250
    return [
        ListCase("default (newest first)", "/", len(public)),
        ListCase(f"page {deep}", f"/?page={deep}", len(public), deep),
        ListCase(f"search `{word}`", f"/?q={word}", count(lambda r: word in r.info.search.lower())),
        ListCase(f"tag `{tag}`", f"/?tag={tag}", count(lambda r: tag in r.info.tags)),
        ListCase(
            f"author `{author}`",
            f"/?author={author}",
            count(lambda r: author in r.info.author.lower()),
        ),
        ListCase("sort by title", "/?sort=title", len(public)),
        ListCase(
            "JSON API, search `mass`",
            "/api/plots?q=mass",
            count(lambda r: "mass" in r.info.search.lower()),
        ),
    ]


class SearchClock:
    """Time of ``Storage.search`` (SQL, fetching, row conversion) and its SQL statements.

    Wraps the method on the app's storage instance; the statements come from engine
    events, for the query plans.
    """

    def __init__(self, storage: Storage) -> None:
        self.seconds = 0.0
        self.statements: list[tuple[str, Any]] = []
        search = storage.search

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return search(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - start

        storage.search = timed  # type: ignore[method-assign]
        sa.event.listen(storage.engine, "before_cursor_execute", self._statement)

    def reset(self) -> None:
        self.seconds = 0.0
        self.statements = []

    def _statement(self, conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        self.statements.append((statement, params))


@dataclass
class ListRow:
    case: ListCase
    samples: list[float] = field(default_factory=list)
    search: list[float] = field(default_factory=list)  # in Storage.search
    statements: list[tuple[str, Any]] = field(default_factory=list)
    error: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples) if self.samples else float("nan")

    @property
    def p95(self) -> float:
        return percentile(self.samples, 95)


@dataclass
class ListResults:
    backend: str
    loop_plots: int = 0
    loop_seconds: float = 0.0
    bulk_seconds: float = 0.0
    rows: list[ListRow] = field(default_factory=list)
    plans: dict[str, list[str]] = field(default_factory=dict)
    server: str = ""
    error: str | None = None

    @property
    def slowest(self) -> ListRow | None:
        measured = [r for r in self.rows if r.samples]
        return max(measured, key=lambda r: r.median) if measured else None


def percentile(samples: list[float], q: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def check_response(case: ListCase, response: Any) -> str | None:
    """None when the page lists what the generated data imply, else what is wrong."""
    if response.status_code != 200:
        return f"status {response.status_code}"
    on_page = max(0, min(PER_PAGE, case.total - (case.page - 1) * PER_PAGE))
    if case.url.startswith("/api/"):
        body = response.get_json()
        if body["total"] != case.total or len(body["plots"]) != on_page:
            return f"total {body['total']} (expected {case.total})"
        return None
    html = response.get_data(as_text=True)
    if f'<p class="count">{case.total} plot' not in html:
        return f"the page does not say {case.total} plots"
    shown = html.count('class="title"')
    if shown != on_page:
        return f"{shown} plots on the page (expected {on_page})"
    return None


def time_case(app: Flask, clock: SearchClock, case: ListCase, samples: int) -> ListRow:
    """Median-ready samples of one URL through the Flask test client (after 3 warm-ups)."""
    client = app.test_client()
    row = ListRow(case)
    for i in range(samples + 3):
        clock.reset()
        start = time.perf_counter()
        response = client.get(case.url)
        elapsed = time.perf_counter() - start
        row.error = row.error or check_response(case, response)
        if i >= 3:
            row.samples.append(elapsed)
            row.search.append(clock.seconds)
    row.statements = list(clock.statements)
    return row


def explain(storage: Storage, statement: str, params: Any) -> list[str]:
    """The plan of one captured statement (PostgreSQL: EXPLAIN ANALYZE, actual times)."""
    postgres = storage.url.startswith("postgresql")
    prefix = "EXPLAIN (ANALYZE, COSTS OFF) " if postgres else "EXPLAIN QUERY PLAN "
    with storage.engine.connect() as conn:
        rows = conn.exec_driver_sql(prefix + statement, params).all()
    return [str(row[0]) for row in rows] if postgres else [str(row[-1]) for row in rows]


def run_list(backend: str, database_url: str, plan: Plan) -> ListResults:
    """Target 3 on one database: populate 10,000 plots, then time the list requests."""
    results = ListResults(backend)
    data = records(N_PLOTS)
    with tempfile.TemporaryDirectory(prefix="histfmt-bench-list-") as tmp:
        os.environ["HISTFMT_INSTANCE_PATH"] = str(Path(tmp) / "instance")
        config = {"SECRET_KEY": "bench", "RENDER_CACHE": str(Path(tmp) / "cache")}
        app = create_app(config, database_url=database_url)
        storage = storage_of(app)
        try:
            results.loop_plots = plan.loop_plots
            results.loop_seconds, results.bulk_seconds = populate_list(
                storage, data, plan.loop_plots
            )
            if backend == "PostgreSQL":  # what autovacuum does soon after such an insert
                with storage.engine.begin() as conn:
                    conn.exec_driver_sql("ANALYZE")
                    results.server = str(conn.scalar(sa.text("SHOW server_version")))
            print(
                f"  {backend}: {N_PLOTS:,} plots stored "
                f"({results.loop_seconds:.1f} s + {results.bulk_seconds:.1f} s)",
                file=sys.stderr,
            )
            clock = SearchClock(storage)
            for case in list_cases(data):
                row = time_case(app, clock, case, plan.list_samples)
                results.rows.append(row)
                print(f"    {case.url}: {fmt_time(row.median)}", file=sys.stderr)
            for row in results.rows:
                for n, (statement, params) in enumerate(row.statements, 1):
                    key = f"{row.case.url} — query {n}"
                    results.plans[key] = [statement, *explain(storage, statement, params)]
        except Exception as error:  # a report, not a test: record and go on
            results.error = f"{type(error).__name__}: {error}"
            print(f"  {backend} failed: {results.error}", file=sys.stderr)
        finally:
            storage.close()
    return results


def run_lists(plan: Plan, postgresql: str | None) -> list[ListResults]:
    print("3. list page with 10,000 plots", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="histfmt-bench-sqlite-") as tmp:
        out = [run_list("SQLite", f"sqlite:///{Path(tmp) / 'list.sqlite'}", plan)]
    if postgresql:
        try:
            with postgres_schema(postgresql) as url:
                out.append(run_list("PostgreSQL", url, plan))
        except sa.exc.SQLAlchemyError as error:
            out.append(ListResults("PostgreSQL", error=f"{type(error).__name__}: {error}"))
    return out


# -- reporting ---------------------------------------------------------------------------


def med(samples: list[float]) -> float:
    return statistics.median(samples) if samples else float("nan")


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    baseline: str
    value: str
    limit: str
    ok: bool | None  # None: not measured

    @property
    def status(self) -> str:
        if self.ok is None:
            return "**FAIL** (not measured)"
        return "PASS" if self.ok else "**FAIL**"


def round_ratios(server: ServerResults) -> list[float]:
    """Cached image / ping requests/s of each pair of back-to-back rounds."""
    pairs = zip(server.ping.rounds, server.image.rounds, strict=False)
    return [image / ping for ping, image in pairs if ping]


def targets(server: ServerResults, lists: list[ListResults]) -> list[Target]:
    ping, image = server.ping, server.image
    ratios = round_ratios(server)
    ratio = med(ratios) if ping.ok and image.ok and ratios else float("nan")
    errors = ping.errors + image.errors
    trouble = f"{errors} errors, " if errors else ""
    trouble += f"{server.crashes} worker crash lines in the log" if server.crashes else ""
    trouble = f" ({trouble.strip(', ')})" if trouble else ""
    out = [
        Target(
            f"cached image (dpi {THUMB_DPI}) vs `/bench/ping`, requests/s, same gunicorn" + trouble,
            f"{image.rps:,.0f}/s",
            f"{ping.rps:,.0f}/s",
            f"{ratio:.2f}x",
            f">= {CACHED_TARGET:g}x",
            None if math.isnan(ratio) else ratio >= CACHED_TARGET and not trouble,
        ),
    ]
    miss, render = med(server.miss), med(server.render)
    ratio = miss / render if server.miss and server.render else float("nan")
    out.append(
        Target(
            "first view of a 40-bin plot (PNG, dpi 100, median) vs in-process render"
            + (f" ({len(server.miss_errors)} errors)" if server.miss_errors else ""),
            fmt_time(miss),
            fmt_time(render),
            f"{ratio:.2f}x",
            f"<= {MISS_TARGET:g}x",
            None
            if math.isnan(ratio)
            else ratio <= MISS_TARGET and not server.miss_errors and not server.crashes,
        )
    )
    for result in lists:
        slowest = result.slowest
        if slowest is None:
            out.append(Target(f"list page, {result.backend}", "", "", "", "", None))
            continue
        failed = any(r.error for r in result.rows)
        out.append(
            Target(
                f"list page with {N_PLOTS:,} plots, {result.backend}: slowest request "
                f"(`{slowest.case.url}`), median server time" + (" (errors)" if failed else ""),
                fmt_time(slowest.median),
                "",
                "",
                f"< {LIST_LIMIT * 1e3:g} ms",
                slowest.median < LIST_LIMIT and not failed,
            )
        )
    return out


def command_line() -> list[str]:
    """This run's arguments, with any password in a database URL hidden."""
    return [re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", arg) for arg in sys.argv[1:]]


def viewer_fingerprint() -> str:
    """sha256 of the viewer's sources and templates (as ``source_fingerprint`` for histfmt)."""
    import histfmt_viewer

    root = Path(histfmt_viewer.__file__).resolve().parent
    digest = hashlib.sha256()
    newest = 0.0
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".html", ".js", ".css"):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
            newest = max(newest, path.stat().st_mtime)
    stamp = datetime.fromtimestamp(newest, timezone.utc)
    return f"sha256:{digest.hexdigest()[:12]} (newest file {stamp:%Y-%m-%d %H:%M:%S} UTC)"


def fingerprints() -> tuple[str, str]:
    return source_fingerprint(), viewer_fingerprint()


def header(
    plan: Plan, sources: tuple[str, str], load: tuple[float, float], lists: list[ListResults]
) -> list[str]:
    packages = ["histfmt", "flask", "werkzeug", "sqlalchemy", "gunicorn", "psycopg"]
    rows = machine_info([*packages, "matplotlib"], sources[0])
    rows.append(("histfmt_viewer sources", sources[1]))
    rows += [(f"PostgreSQL server ({r.backend})", r.server) for r in lists if r.server]
    rows.append(("load average (1 min), start / end", f"{load[0]:.2f} / {load[1]:.2f}"))
    out = [
        "# histfmt viewer benchmark" + (" (QUICK smoke run)" if plan.quick else ""),
        "",
        f"`python benchmarks/bench_viewer.py {' '.join(command_line())}`".replace(" `", "`")
        + ": loopback only. Ratios compare numbers from the same run.",
        "",
        md_table(["", ""], rows),
        "",
    ]
    if sources != fingerprints():
        out += [
            "> WARNING: the histfmt or viewer sources changed while this ran; the numbers "
            "may mix two versions. Run again.",
            "",
        ]
    if plan.quick:
        out += ["> QUICK run: short load rounds and few samples; PASS/FAIL is indicative.", ""]
    return out


def client_share(load: Load) -> float:
    total = load.client_cpu + load.server_cpu
    return load.client_cpu / total if total else float("nan")


def server_section(server: ServerResults, plan: Plan) -> list[str]:
    setup = server.setup
    command = " ".join(server.command[1:]).replace(str(HERE), "benchmarks")
    out = [
        "## 1. Cached image vs a trivial endpoint (same gunicorn)",
        "",
        f"* Server: `python {command}` (gthread: keep-alive connections; "
        f"{setup.workers} processes x {setup.threads} threads), fresh instance folder, "
        "SQLite database file in it. `viewer_wsgi:make_app()` is `create_app()` plus "
        "`/bench/ping` (5-byte text) and `/bench/pid`.",
        f"* Client: {setup.clients} processes, one keep-alive HTTP/1.1 connection each on a raw "
        "socket (`ab`/`wrk` are not installed; `http.client` costs more client CPU). "
        f"{plan.load_rounds} round(s) of {plan.load_seconds:g} s per endpoint, alternating, "
        "after 0.5 s of uncounted warm-up per round. A response counts only with status 200 "
        "and exactly the expected bytes (the cached file for the image). Requests/s are "
        "medians of the rounds; the target's ratio is the median of the ratios of each "
        "ping round and the image round right after it (the same load on the machine).",
        "* Client and server share the machine's cores, so requests/s are a floor for "
        "both; server CPU per request (from /proc, master + workers) is the cost without "
        "the client.",
        f"* Before the load, each worker found ({server.workers_seen} of {setup.workers}, "
        "keep-alive connections identified by `/bench/pid`) serves the cached image once "
        "and renders one plot, one worker at a time: concurrent first requests can crash "
        "a fresh worker (msgspec's first decode of a `Document` in two threads at once; "
        "see the log below when it happens). "
        f"Worker crash lines in gunicorn's log during this run: **{server.crashes}**.",
        "",
    ]
    if server.error:
        out += [f"**Not measured: {server.error}**", ""]
    if server.log.strip():
        out += ["gunicorn's log (end):", "", "```", server.log.strip(), "```", ""]
    rows = []
    for name, load in (("`/bench/ping`", server.ping), ("cached image", server.image)):
        rounds = ", ".join(f"{r:,.0f}" for r in load.rounds)
        loads = ", ".join(f"{x:.1f}" for x in load.loads)
        rows.append([
            name, f"`{load.path}`" if load.path else "", f"{load.rps:,.0f}", rounds, loads,
            f"{load.ok:,}", str(load.errors), str(load.reopened),
            f"{load.bytes / max(load.ok, 1):,.0f}",
            fmt_time(load.server_cpu_per_request), fmt_time(load.client_cpu / max(load.ok, 1)),
        ])  # fmt: skip
    header_row = ["endpoint", "path", "requests/s (median)", "per round", "load after each"]
    header_row += ["ok", "errors", "reopened", "bytes/resp", "server CPU/req", "client CPU/req"]
    out.append(md_table(header_row, rows, "llrrrrrrrrr"))
    ping, image = server.ping, server.image
    if ping.ok and image.ok:
        out += [
            "",
            f"Ratio cached image / ping: **{med(round_ratios(server)):.2f}x** requests/s "
            f"(median of the pairs of rounds: "
            f"{', '.join(f'{r:.2f}' for r in round_ratios(server))}); server CPU "
            f"per request {image.server_cpu_per_request / ping.server_cpu_per_request:.2f}x. "
            f"The client used {client_share(ping):.0%} (ping) and {client_share(image):.0%} "
            "(image) of the CPU time spent by client and server together.",
        ]
    out += ["", "Sequential latency on one connection (context):", ""]
    rows = [
        [name, str(len(s)), fmt_time(med(s)), fmt_time(min(s)), fmt_time(percentile(s, 95))]
        for name, s in server.latency.items()
        if s
    ]
    out.append(md_table(["request", "n", "median", "best", "p95"], rows, "lrrrr"))
    return [*out, ""]


def miss_section(server: ServerResults) -> list[str]:
    out = [
        "## 2. First view of a 40-bin plot vs one in-process render",
        "",
        f"* Plot: `examples/mll_data_vs_mc.json` (40 bins, 4 MC + data, ratio panel), "
        f"stored {len(server.miss) + len(server.miss_errors)} times as distinct plots; each "
        f"GET `/plots/<id>/image.png?dpi={MISS_DPI}&version=1` is checked to be a miss (no "
        "cache file before, exactly one after, equal to the response).",
        "* Warm workers: each did one render before (section 1); the requests go "
        "round-robin over one connection per worker, one at a time.",
        "* In-process: `render(doc, format='png', options=RenderOptions(dpi=100))` after a "
        "warm-up render, one sample before each request (interleaved), garbage collector on "
        "(as in the server).",
        "",
    ]
    if server.miss_errors:
        out += ["Errors: " + "; ".join(server.miss_errors[:5]), ""]
    rows = []
    for name, s in (("first view over HTTP (cache miss)", server.miss),
                    ("in-process render", server.render)):  # fmt: skip
        if s:
            rows.append([name, str(len(s)), fmt_time(med(s)), fmt_time(min(s)),
                         fmt_time(max(s))])  # fmt: skip
    out.append(md_table(["", "n", "median", "best", "worst"], rows, "lrrrr"))
    if server.miss and server.render:
        out += [
            "",
            f"Ratio: median **{med(server.miss) / med(server.render):.2f}x**, best "
            f"{min(server.miss) / min(server.render):.2f}x. The plot page HTML is in the "
            "latency table of section 1.",
        ]
    return [*out, ""]


def list_section(lists: list[ListResults], plan: Plan) -> list[str]:
    out = [
        f"## 3. List page with {N_PLOTS:,} stored plots",
        "",
        f"* Data: {N_PLOTS:,} plots of {len(OWNERS)} users, titles from {len(TOPICS)} topics x "
        f"{len(VARIABLES)} variables x {len(REGIONS)} regions, {len(AUTHORS)} authors, 1-3 of "
        f"{len(TAGS)} tags, ~10 % private; one 3-bin document text per plot. The first "
        f"{plan.loop_plots} go through `Storage.create_plot`, the rest through one bulk "
        "insert into the same tables. PostgreSQL: fresh schema, `ANALYZE` after the insert "
        "(as autovacuum does soon after), schema dropped at the end.",
        "* Server time: Flask test client in-process (no network), "
        f"{plan.list_samples} requests per URL after 3 warm-ups. `search()` = time in "
        "`Storage.search` (both queries, fetching, row conversion); the rest is Flask and "
        "the template. Each response is checked: the total and the "
        "number of plots on the page match the generated data. Thumbnails are separate "
        "requests and not part of a page's time.",
        "",
    ]
    for result in lists:
        out += [f"### {result.backend}", ""]
        if result.loop_plots and result.loop_seconds:
            per = result.loop_seconds / result.loop_plots
            out += [
                f"Storing: `Storage.create_plot` {fmt_time(per)} per plot ({result.loop_plots} "
                f"in {result.loop_seconds:.1f} s; {N_PLOTS:,} would take ~{per * N_PLOTS:.0f} s); "
                f"bulk insert of the other {N_PLOTS - result.loop_plots:,}: "
                f"{result.bulk_seconds:.1f} s.",
                "",
            ]
        if result.error:
            out += [f"**Error: {result.error}**", ""]
        rows = [
            [
                row.case.label, f"`{row.case.url}`", f"{row.case.total:,}",
                fmt_time(row.median), fmt_time(row.p95), fmt_time(med(row.search)),
                row.error or ("PASS" if row.median < LIST_LIMIT else "**FAIL**"),
            ]
            for row in result.rows
        ]  # fmt: skip
        header_row = ["request", "URL", "matches", "median", "p95", "`search()` median", "result"]
        out += [md_table(header_row, rows, "llrrrrl"), ""]
    plans = [
        f"**{result.backend}, `{key}`**\n\n```\n" + "\n".join(lines) + "\n```\n"
        for result in lists
        for key, lines in result.plans.items()
    ]
    if plans:
        out += ["<details><summary>Query plans (SQL, then the plan)</summary>", "", *plans]
        out += ["</details>", ""]
    return out


def report(
    plan: Plan,
    sources: tuple[str, str],
    load: tuple[float, float],
    server: ServerResults,
    lists: list[ListResults],
) -> tuple[str, list[Target]]:
    found = targets(server, lists)
    table = md_table(
        ["target", "measured", "baseline", "ratio", "limit", "result"],
        [[t.name, t.measured, t.baseline, t.value, t.limit, t.status] for t in found],
        "lrrrrl",
    )
    out = [*header(plan, sources, load, lists), "## Targets", "", table, ""]
    out += server_section(server, plan) + miss_section(server) + list_section(lists, plan)
    if not any(r.backend == "PostgreSQL" for r in lists):
        out += ["PostgreSQL: not run (give `--postgresql URL` or `HISTFMT_TEST_DATABASE_URL`).", ""]
    missed = [t for t in found if t.ok is not True]
    summary = f"**Summary: {len(found) - len(missed)} of {len(found)} targets met"
    summary += ("; MISSED: " + "; ".join(t.name for t in missed)) if missed else ""
    out.append(summary + ".**")
    return "\n".join(out) + "\n", found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run (<1 minute)")
    parser.add_argument(
        "--postgresql",
        default=os.environ.get("HISTFMT_TEST_DATABASE_URL") or None,
        help="also run target 3 on this PostgreSQL server (default: $HISTFMT_TEST_DATABASE_URL)",
    )
    cores = len(os.sched_getaffinity(0))
    parser.add_argument("--workers", type=int, default=2 * cores, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--clients", type=int, default=4, help="load client processes")
    parser.add_argument("--output", type=Path, help="markdown report (default: results/...)")
    parser.add_argument(
        "--uploads", action="store_true", help="upload throughput only (bench_uploads.py)"
    )
    args = parser.parse_args(argv)
    if args.uploads:
        from bench_uploads import main_uploads

        setup = Setup(args.workers, args.threads, args.clients)
        return main_uploads(args.quick, setup, args.postgresql, args.output)
    plan = QUICK if args.quick else FULL
    output = args.output or RESULTS_DIR / ("viewer-quick.md" if plan.quick else "viewer.md")
    started = time.perf_counter()
    sources, load = fingerprints(), os.getloadavg()[0]
    server = run_server(plan, Setup(args.workers, args.threads, args.clients))
    lists = run_lists(plan, args.postgresql)
    text, found = report(plan, sources, (load, os.getloadavg()[0]), server, lists)
    print(text)
    for target in found:
        print(f"{target.status}: {target.name} ({target.measured} {target.value})")
    write_report(output, text)
    print(f"written: {output} ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
