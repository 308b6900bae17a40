"""gunicorn for the viewer's tests: the README's production command on a free port,
``workers`` workers, a fresh instance folder, in its own process group (so that a test
can stop it, or kill it with -9, as one)."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
START_TIMEOUT = 60.0


@dataclass
class Server:
    """A started gunicorn: its master process, its log and its site's URL."""

    process: subprocess.Popen[bytes]
    log: Path
    url: str


def readme_command() -> list[str]:
    """The gunicorn command the README shows."""
    match = re.search(r"^\$ (gunicorn .+)$", README.read_text(), flags=re.MULTILINE)
    assert match, "the README shows no gunicorn command"
    return shlex.split(match.group(1))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(tmp_path: Path, database_url: str, *, workers: int) -> Server:
    """The README's command with ``workers`` workers on a free port; not waited for."""
    pytest.importorskip("gunicorn")
    command = readme_command()
    port = free_port()
    command[command.index("--bind") + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = str(workers)
    env = {
        **os.environ,
        "HISTFMT_INSTANCE_PATH": str(tmp_path / "instance"),
        "HISTFMT_DATABASE_URL": database_url,
        "HISTFMT_SECRET_KEY": "gunicorn-test",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", *command], env=env, cwd=tmp_path, start_new_session=True,
            stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return Server(process, log, f"http://127.0.0.1:{port}")


def wait_until_up(server: Server) -> None:
    """Until ``/`` answers (``START_TIMEOUT`` at most); fails with the log if it exits."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(f"{server.url}/", timeout=10):
                return
        except OSError:
            assert server.process.poll() is None, server.log.read_text()
            assert time.monotonic() < deadline, "gunicorn did not answer in time"
            time.sleep(0.2)


def kill(server: Server, sig: signal.Signals = signal.SIGTERM) -> None:
    """``sig`` to the server's process group, then wait for the master."""
    os.killpg(server.process.pid, sig)
    server.process.wait(timeout=30)


@contextmanager
def gunicorn(tmp_path: Path, database_url: str, *, workers: int) -> Iterator[str]:
    """A running server (:func:`start`, :func:`wait_until_up`); yields its URL and
    stops it with SIGTERM at the end."""
    server = start(tmp_path, database_url, workers=workers)
    try:
        wait_until_up(server)
        yield server.url
    finally:
        kill(server)
