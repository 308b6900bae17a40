"""Shared helpers for the benchmarks: timing, machine info, markdown tables, output; and
for the viewer benchmarks the one gunicorn server, its keep-alive client and the CPU
counters."""

from __future__ import annotations

import datetime
import gc
import hashlib
import os
import platform
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

RESULTS_DIR = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Timing:
    """Best time per call of one operation."""

    seconds: float
    repeat: int
    number: int

    @property
    def runs(self) -> str:
        return f"{self.repeat}x{self.number}" if self.number > 1 else f"{self.repeat}"


def _sample(func: Callable[[], object], number: int) -> float:
    """Time ``number`` calls with the garbage collector off (as :mod:`timeit` does)."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            func()
        return time.perf_counter() - start
    finally:
        if was_enabled:
            gc.enable()


def measure(
    func: Callable[[], object],
    *,
    repeat: int,
    min_sample: float = 0.05,
    warmup: bool = True,
) -> Timing:
    """Best-of-``repeat`` time per call.

    The first (warm-up) call also calibrates: fast operations are looped
    ``number`` times per sample so that a sample lasts at least ``min_sample``
    seconds.  ``warmup=False`` counts the first call as a sample (for
    operations too slow to run an extra time).
    """
    first = _sample(func, 1)
    number = 1
    if first < min_sample:
        number = max(1, min(1 << 20, int(min_sample / max(first, 1e-7)) + 1))
        first = _sample(func, number)  # re-warm and check at the looped size
    samples = [] if warmup else [first]
    while len(samples) < repeat:
        samples.append(_sample(func, number))
    return Timing(min(samples) / number, repeat, number)


def fmt_time(seconds: float) -> str:
    """Human-readable duration with three significant digits."""
    if seconds >= 1:
        return f"{seconds:.3g} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.3g} ms"
    return f"{seconds * 1e6:.3g} µs"


def fmt_bytes(size: int) -> str:
    for unit, scale in (("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size} B"


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def source_fingerprint() -> str:
    """sha256 of histfmt's Python sources: ties a report to the code it measured.

    The benchmarks may run while the sources are being edited, and there is no
    commit id to quote, so the digest and the newest modification time are recorded.
    """
    import histfmt  # the package actually imported, wherever it is installed

    root = Path(histfmt.__file__).resolve().parent
    digest = hashlib.sha256()
    newest = 0.0
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
        newest = max(newest, path.stat().st_mtime)
    stamp = datetime.datetime.fromtimestamp(newest, datetime.timezone.utc)
    return f"sha256:{digest.hexdigest()[:12]} (newest file {stamp:%Y-%m-%d %H:%M:%S} UTC)"


def machine_info(packages: Sequence[str], fingerprint: str | None = None) -> list[tuple[str, str]]:
    """(key, value) rows describing the machine, the package versions and the sources."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    rows = [
        ("date (UTC)", datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")),
        ("python", f"{platform.python_implementation()} {sys.version.split()[0]}"),
        ("platform", platform.platform()),
        ("cpu", _cpu_model()),
        ("nproc", f"{usable} usable (os.cpu_count() = {os.cpu_count()})"),
    ]
    rows += [(name, _version(name)) for name in packages]
    rows.append(("histfmt sources", fingerprint or source_fingerprint()))
    return rows


def md_table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """A GitHub markdown table; ``align`` has one of ``l``/``r`` per column (default left)."""
    align = align or "l" * len(header)
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(rule) + " |"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def write_report(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file, so a crash leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


# -- the viewer benchmarks' server and client (bench_viewer.py, bench_uploads.py) --------

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Setup:
    """gunicorn and client settings of targets 1 and 2."""

    workers: int
    threads: int
    clients: int


def request_bytes(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\r\n".encode()


class Connection:
    """One keep-alive HTTP/1.1 connection on a raw socket.

    Far less client CPU per request than ``http.client`` (no header objects), which
    matters when client and server share two cores.  Handles ``Content-Length``
    bodies only, which is all the viewer sends.  A response with ``Connection: close``
    is read to its end, then the connection is opened again (counted in ``reopened``).
    """

    def __init__(self, port: int, timeout: float = 120.0) -> None:
        self.port = port
        self.timeout = timeout
        self.reopened = 0
        self.open()

    def open(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile("rb")

    def close(self) -> None:
        self.reader.close()
        self.sock.close()

    def reopen(self) -> None:
        self.close()
        self.open()

    def send(self, request: bytes) -> tuple[int, bytes]:
        """Status and body of one request (``request`` from :func:`request_bytes`)."""
        self.sock.sendall(request)
        status = self.reader.readline()
        if not status:
            raise ConnectionError("the server closed the connection")
        length, close = 0, False
        while (line := self.reader.readline()) not in (b"\r\n", b""):
            name = line[:16].lower()
            if name.startswith(b"content-length:"):
                length = int(line[15:])
            elif name.startswith(b"connection:"):
                close = b"close" in line.lower()
        body = self.reader.read(length)
        if close:
            self.reopened += 1
            self.reopen()
        return int(status.split()[1]), body

    def get(self, path: str) -> tuple[int, bytes]:
        """GET ``path``; once more on a new connection if the server closed this one."""
        try:
            return self.send(request_bytes(path))
        except ConnectionError:
            self.reopen()
            return self.send(request_bytes(path))


def process_cpu(pids: list[int]) -> float:
    """User + system CPU seconds of ``pids`` (all threads), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def server_pids(master: int) -> list[int]:
    """The gunicorn master and its workers."""
    pids = [master]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == master:
                pids.append(int(stat.parent.name))
        except (OSError, ValueError):
            continue
    return pids


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    cache: Path  # the render cache folder
    command: list[str]
    log: Path  # gunicorn's stdout and stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def server_env(instance: Path, database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # warm bytecode, outside the source tree
    env["PYTHONPYCACHEPREFIX"] = str(instance.parent / "pycache")
    env.update(
        HISTFMT_INSTANCE_PATH=str(instance),
        HISTFMT_DATABASE_URL=database_url,
        MPLBACKEND="Agg",
        PYTHONFAULTHANDLER="1",  # a crashing worker leaves its Python stacks in the log
    )
    return env


@contextmanager
def gunicorn(instance: Path, database_url: str, setup: Setup) -> Iterator[Server]:
    """A gunicorn process group serving ``viewer_wsgi:make_app()``; killed on exit."""
    port = free_port()
    command = [
        sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
        "--workers", str(setup.workers), "--worker-class", "gthread",
        "--threads", str(setup.threads), "--keep-alive", "75", "--timeout", "120",
        "--log-level", "warning", "--chdir", str(HERE), "viewer_wsgi:make_app()",
    ]  # fmt: skip
    log = instance.parent / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            env=server_env(instance, database_url),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killed as one below
        )
    try:
        wait_ready(port, process, log)
        yield Server(process, port, instance / "render-cache", command, log)
    finally:
        stop_group(process)


def wait_ready(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll ``/bench/ping`` until it answers (60 s at most)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text()[-2000:]}")
        try:
            connection = Connection(port, timeout=5)
            status, _ = connection.get("/bench/ping")
            connection.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer in 60 s: {log.read_text()[-2000:]}")


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to the server's process group, SIGKILL if it lingers."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            break
        try:
            process.wait(wait)
            break
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def postgres_schema(url: str) -> Iterator[str]:
    """A fresh schema on the server of ``url`` (dropped afterwards); yields its URL."""
    import sqlalchemy as sa

    from histfmt_viewer.storage import engine_url

    base = engine_url(url)
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        separator = "&" if "?" in base else "?"
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
