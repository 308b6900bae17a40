"""No acknowledged upload is lost: gunicorn killed with -9 in the middle of a storm of
uploads leaves every plot it answered 201 for in the database (SQLite in WAL mode with
``synchronous=NORMAL``, and PostgreSQL)."""

from __future__ import annotations

import http.client
import json
import signal
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import histfmt
from histfmt_viewer.storage import Storage

from .gunicorn_server import kill, start

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 8


def _upload(
    target: tuple[str, bytes, str],
    stop: threading.Event,
    acknowledged: list[str],
    failures: list[str],
) -> None:
    """POST ``target`` (URL, body, token) again and again until ``stop``; the ids
    answered 201 go to ``acknowledged``, other answers to ``failures``."""
    url, body, token = target
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Authorization": f"Token {token}"}
    )
    while not stop.is_set():
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                answer = response.read()
                if response.status == 201:
                    acknowledged.append(json.loads(answer)["id"])
        except urllib.error.HTTPError as error:
            failures.append(f"{error.code}: {error.read()[:200]!r}")
        except (OSError, http.client.HTTPException):  # before the start; the kill
            time.sleep(0.05)


def test_a_killed_server_loses_no_acknowledged_upload(tmp_path: Path, database_url: str) -> None:
    pytest.importorskip("gunicorn")
    storage = Storage(database_url)
    try:
        storage.init_schema()
        token = storage.create_token("alice")
    finally:
        storage.close()
    body = histfmt.dumps(histfmt.load(ROOT / "examples" / "mll_data_vs_mc.json"))
    server = start(tmp_path, database_url, workers=2)
    process, log = server.process, server.log
    acknowledged: list[str] = []
    failures: list[str] = []
    stop = threading.Event()

    args = ((f"{server.url}/api/plots", body, token), stop, acknowledged, failures)
    threads = [threading.Thread(target=_upload, args=args) for _ in range(CLIENTS)]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 40:  # mid-storm: uploads acknowledged and more in flight
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "no uploads acknowledged in 60 s"
            time.sleep(0.05)
    finally:
        kill(server, signal.SIGKILL)
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert failures == []
    storage = Storage(database_url)
    try:
        missing = [plot_id for plot_id in acknowledged if storage.get_plot(plot_id) is None]
        readable = storage.get_version(acknowledged[-1])
    finally:
        storage.close()
    assert missing == []
    assert readable is not None
    assert histfmt.loads(readable.document) == histfmt.loads(body)
