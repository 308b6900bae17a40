"""The README's production command really serves the viewer under gunicorn."""

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
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[2] / "README.md"
START_TIMEOUT = 60.0


def _readme_command() -> list[str]:
    match = re.search(r"^\$ (gunicorn .+)$", README.read_text(), flags=re.MULTILINE)
    assert match, "the README shows no gunicorn command"
    return shlex.split(match.group(1))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return int(response.status), response.read()


def test_readme_gunicorn_command_serves_the_viewer(tmp_path: Path) -> None:
    pytest.importorskip("gunicorn")
    command = _readme_command()
    port = _free_port()
    bind = command.index("--bind")
    command[bind + 1] = f"127.0.0.1:{port}"
    command[command.index("--workers") + 1] = "2"
    env = {
        **os.environ,
        "HISTFMT_INSTANCE_PATH": str(tmp_path / "instance"),
        "HISTFMT_DATABASE_URL": f"sqlite:///{tmp_path / 'viewer.sqlite'}",
        "HISTFMT_SECRET_KEY": "gunicorn-test",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", *command], env=env, cwd=tmp_path, start_new_session=True,
            stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer in time"
                time.sleep(0.2)
        assert status == 200
        assert b"histfmt viewer" in body
        status, body = _get(f"http://127.0.0.1:{port}/api/plots")
        assert (status, body.startswith(b"{")) == (200, True)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
