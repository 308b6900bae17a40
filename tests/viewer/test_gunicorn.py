"""The README's production command really serves the viewer under gunicorn."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from pathlib import Path

import histfmt
from histfmt_viewer.storage import Storage

from .gunicorn_server import ROOT, gunicorn

LABELS = [r"$t\bar{t}$", r"$Z\to\ell\ell$", r"$m_{\ell\ell}$", r"$\sqrt{s}$", r"$W\to\mu\nu$"]


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


def test_readme_gunicorn_command_serves_the_viewer(tmp_path: Path) -> None:
    with gunicorn(tmp_path, f"sqlite:///{tmp_path / 'viewer.sqlite'}", workers=2) as url:
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
    with gunicorn(tmp_path, database_url, workers=2) as url:
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
