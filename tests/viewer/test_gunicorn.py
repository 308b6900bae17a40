"""The README's production command really serves the viewer under gunicorn."""

from __future__ import annotations

import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import histfmt
from histfmt_viewer.storage import Storage

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
START_TIMEOUT = 60.0
LABELS = [r"$t\bar{t}$", r"$Z\to\ell\ell$", r"$m_{\ell\ell}$", r"$\sqrt{s}$", r"$W\to\mu\nu$"]


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


def _post(url: str, body: bytes, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Authorization": f"Token {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read()


@contextmanager
def _gunicorn(tmp_path: Path, database_url: str, *, workers: int) -> Iterator[str]:
    """The README's gunicorn command (its threads, ``workers`` workers) on a free port;
    yields the site's URL once it answers."""
    pytest.importorskip("gunicorn")
    command = _readme_command()
    port = _free_port()
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
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                _get(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "gunicorn did not answer in time"
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def test_readme_gunicorn_command_serves_the_viewer(tmp_path: Path) -> None:
    with _gunicorn(tmp_path, f"sqlite:///{tmp_path / 'viewer.sqlite'}", workers=2) as url:
        status, body = _get(f"{url}/")
        assert status == 200
        assert b"histfmt viewer" in body
        status, body = _get(f"{url}/api/plots")
        assert (status, body.startswith(b"{")) == (200, True)


def test_concurrent_uploads_of_valid_labels_are_accepted(tmp_path: Path, database_url: str) -> None:
    """Uploads arriving at once on a fresh server (threads of each worker checking labels
    in parallel) are all accepted, and so is the same document uploaded afterwards: the
    label check neither races nor remembers a wrong verdict."""
    storage = Storage(database_url)
    try:
        storage.init_schema()
        token = storage.create_token("alice")
    finally:
        storage.close()
    doc = histfmt.load(ROOT / "examples" / "mll_data_vs_mc.json")
    bodies = []
    for i in range(len(LABELS)):
        for j, name in enumerate(doc.yields):
            doc.yields[name].label = LABELS[(i + j) % len(LABELS)]
        bodies.append(histfmt.dumps(doc))
    statuses: list[tuple[int, bytes]] = []
    with _gunicorn(tmp_path, database_url, workers=2) as url:
        barrier = threading.Barrier(8)

        def upload(index: int) -> None:
            barrier.wait()
            for k in range(5):
                statuses.append(_post(f"{url}/api/plots", bodies[(index + k) % len(bodies)], token))

        threads = [threading.Thread(target=upload, args=(i,)) for i in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        afterwards = [_post(f"{url}/api/plots", body, token) for body in bodies]
    refused = [(status, body[:300]) for status, body in statuses + afterwards if status != 201]
    assert len(statuses) == 40
    assert refused == []
