"""Upload throughput of the web viewer: ``bench_viewer.py --uploads`` runs this.

N client processes POST the 40-bin example (``examples/mll_data_vs_mc.json``) to
``/api/plots`` over real HTTP (keep-alive, raw sockets) against gunicorn started as in
bench_viewer.py, one server per database: SQLite (a file in a fresh instance folder)
and, when a URL is given, PostgreSQL (a fresh schema, dropped afterwards).

Rounds alternate: the trivial POST ``/bench/sink`` (reads the same body, answers 201),
then the uploads of each database, again and again; each backend's rate is the median
of its rounds, and the ratio to the sink's median says how much of the machine's
request capacity an upload takes.  The load average is recorded per round.  After the
rounds, the number of plots in each database must equal the number of 201 answers.

Target (from the project's issue): >= 300 uploads/s with 4 clients on each database.
"""

from __future__ import annotations

import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

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
    server_pids,
    write_report,
)
from bench_viewer import EXAMPLE, command_line, fingerprints

from histfmt_viewer.storage import Storage
from histfmt_viewer.storage.tables import plots

UPLOAD_TARGET = 300.0  # uploads/s with 4 clients, at least
WARM_SECONDS = 3.0  # of uncounted uploads per server before the rounds


@dataclass(frozen=True)
class UploadPlan:
    quick: bool
    seconds: float  # per round
    rounds: int


FULL_UPLOADS = UploadPlan(False, 4.0, 5)
QUICK_UPLOADS = UploadPlan(True, 2.0, 3)


def post_bytes(path: str, body: bytes, token: str) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Token {token}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def drive_posts(port: int, request: bytes, start: float, stop: float) -> list[float]:
    """One client: POSTs on one keep-alive connection; before ``start`` uncounted.

    Returns [201s counted, other answers, client CPU seconds, 201s before ``start``].
    """
    connection = Connection(port)
    ok = errors = warm = 0
    while time.monotonic() < start:
        warm += connection.send(request)[0] == 201
    cpu = time.process_time()
    while time.monotonic() < stop:
        try:
            status, _ = connection.send(request)
        except (OSError, ValueError):
            errors += 1
            connection.reopen()
            continue
        if status == 201:
            ok += 1
        else:
            errors += 1
    cpu = time.process_time() - cpu
    connection.close()
    return [ok, errors, cpu, warm]


@dataclass
class Stream:
    """One endpoint of one server, over all its rounds."""

    label: str
    server: Server
    request: bytes
    database_url: str = ""  # for the uploads: where the 201s must be
    rates: list[float] = field(default_factory=list)  # per round
    loads: list[float] = field(default_factory=list)  # 1-min load average after each round
    ok: int = 0
    errors: int = 0
    accepted: int = 0  # every 201, warm-up included
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    stored: int | None = None  # plots in the database afterwards

    @property
    def median(self) -> float:
        return statistics.median(self.rates) if self.rates else float("nan")


def run_round(pool: ProcessPoolExecutor, clients: int, stream: Stream, seconds: float) -> None:
    start = time.monotonic() + 0.5
    stop = start + seconds
    pids = server_pids(stream.server.process.pid)
    jobs = [
        pool.submit(drive_posts, stream.server.port, stream.request, start, stop)
        for _ in range(clients)
    ]
    while time.monotonic() < start:
        time.sleep(0.005)
    cpu = process_cpu(pids)
    time.sleep(max(0.0, stop - time.monotonic()))
    cpu = process_cpu(pids) - cpu
    results = [job.result() for job in jobs]
    ok = sum(int(r[0]) for r in results)
    stream.ok += ok
    stream.errors += sum(int(r[1]) for r in results)
    stream.accepted += ok + sum(int(r[3]) for r in results)
    stream.client_cpu += sum(r[2] for r in results)
    stream.server_cpu += cpu
    stream.rates.append(ok / seconds)
    stream.loads.append(os.getloadavg()[0])


def count_plots(database_url: str) -> int:
    storage = Storage(database_url)
    try:
        with storage.engine.connect() as conn:
            return int(conn.scalar(sa.select(sa.func.count()).select_from(plots)) or 0)
    finally:
        storage.close()


def new_token(database_url: str) -> str:
    storage = Storage(database_url)
    try:
        storage.init_schema()
        return storage.create_token("bench")
    finally:
        storage.close()


def run_uploads(plan: UploadPlan, setup: Setup, postgresql: str | None) -> list[Stream]:
    """Servers up, rounds interleaved, then the stored plots counted."""
    body = EXAMPLE.read_bytes()
    streams: list[Stream] = []
    with tempfile.TemporaryDirectory(prefix="histfmt-bench-uploads-") as tmp, ExitStack() as stack:
        urls = [("SQLite", f"sqlite:///{Path(tmp) / 'sqlite' / 'instance' / 'histfmt.sqlite'}")]
        if postgresql:
            urls.append(("PostgreSQL", stack.enter_context(postgres_schema(postgresql))))
        for backend, url in urls:
            instance = Path(tmp) / backend.lower() / "instance"
            instance.mkdir(parents=True)
            token = new_token(url)
            server = stack.enter_context(gunicorn(instance, url, setup))
            if not streams:
                sink = post_bytes("/bench/sink", body, token)
                streams.append(Stream("`/bench/sink` (trivial POST, same body)", server, sink))
            streams.append(Stream(backend, server, post_bytes("/api/plots", body, token), url))
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(setup.clients, mp_context=context) as pool:
            for stream in streams:  # warm-up: every worker imports matplotlib on its first check
                run_round(pool, setup.clients, stream, WARM_SECONDS)
                stream.ok = stream.errors = 0
                stream.server_cpu = stream.client_cpu = 0.0
                stream.rates.clear()
                stream.loads.clear()
            for number in range(plan.rounds):
                for stream in streams:
                    run_round(pool, setup.clients, stream, plan.seconds)
                rates = ", ".join(f"{s.label.split()[0]} {s.rates[-1]:.0f}/s" for s in streams)
                print(f"  round {number + 1}: {rates}", file=sys.stderr)
        for stream in streams:
            if stream.database_url:
                stream.stored = count_plots(stream.database_url)
    return streams


def report(plan: UploadPlan, setup: Setup, streams: list[Stream], load: tuple[float, float]) -> str:
    rows = machine_info(["histfmt", "flask", "sqlalchemy", "gunicorn", "psycopg"], None)
    rows.append(("histfmt_viewer sources", fingerprints()[1]))
    rows.append(("load average (1 min), start / end", f"{load[0]:.2f} / {load[1]:.2f}"))
    sink = streams[0]
    out = [
        "# histfmt viewer upload benchmark" + (" (QUICK smoke run)" if plan.quick else ""),
        "",
        f"`python benchmarks/bench_viewer.py {' '.join(command_line())}`".replace(" `", "`"),
        "",
        md_table(["", ""], rows),
        "",
        "## Method",
        "",
        f"* Server: gunicorn `--workers {setup.workers} --worker-class gthread --threads "
        f"{setup.threads}` serving `viewer_wsgi:make_app()`, one server per database, fresh "
        "instance folder (SQLite: a file in it; PostgreSQL: a fresh schema).",
        f"* Client: {setup.clients} processes, one keep-alive connection each (raw socket), "
        "POST `/api/plots` with a token and the 8 kB body of `examples/mll_data_vs_mc.json` "
        "(40 bins, 4 MC + data, ratio panel); only 201 counts.",
        f"* {WARM_SECONDS:g} s of uncounted requests per endpoint first (each worker imports "
        "matplotlib at its first label check), then "
        f"{plan.rounds} rounds of {plan.seconds:g} s per endpoint (after 0.5 s uncounted), "
        "interleaved: sink, SQLite, PostgreSQL, sink, ...; rates are medians of the rounds. "
        "`/bench/sink` reads the same body and answers 201: the floor of a POST on this "
        "machine at that moment.",
        "* Afterwards every database must hold exactly one plot per 201 answer.",
        "",
        "## Results",
        "",
    ]
    table = []
    for stream in streams:
        rounds = ", ".join(f"{r:.0f}" for r in stream.rates)
        loads = ", ".join(f"{x:.1f}" for x in stream.loads)
        ratio = stream.median / sink.median if sink.median else float("nan")
        stored = "" if stream.stored is None else f"{stream.stored:,} / {stream.accepted:,}"
        table.append([
            stream.label, f"{stream.median:,.0f}/s", f"{ratio:.2f}x", rounds, loads,
            str(stream.errors), fmt_time(stream.server_cpu / max(stream.ok, 1)),
            fmt_time(stream.client_cpu / max(stream.ok, 1)), stored,
        ])  # fmt: skip
    header = ["endpoint", "median", "vs sink", "per round (/s)", "load after each round"]
    header += ["errors", "server CPU/req", "client CPU/req", "plots stored / 201s"]
    out += [md_table(header, table, "lrrrrrrrr"), "", "## Targets", ""]
    targets = []
    for stream in streams[1:]:
        lost = stream.stored is not None and stream.stored != stream.accepted
        ok = stream.median >= UPLOAD_TARGET and not stream.errors and not lost
        result = "PASS" if ok else "**FAIL**"
        targets.append([
            f"uploads/s, {setup.clients} clients, {stream.label}", f"{stream.median:,.0f}/s",
            f">= {UPLOAD_TARGET:g}/s", result + (" (plots missing)" if lost else ""),
        ])  # fmt: skip
    out += [md_table(["target", "median", "limit", "result"], targets, "lrrl"), ""]
    return "\n".join(out) + "\n"


def main_uploads(quick: bool, setup: Setup, postgresql: str | None, output: Path | None) -> int:
    plan = QUICK_UPLOADS if quick else FULL_UPLOADS
    name = "viewer-uploads-quick.md" if quick else "viewer-uploads.md"
    load = os.getloadavg()[0]
    streams = run_uploads(plan, setup, postgresql)
    text = report(plan, setup, streams, (load, os.getloadavg()[0]))
    print(text)
    write_report(output or RESULTS_DIR / name, text)
    return 0
