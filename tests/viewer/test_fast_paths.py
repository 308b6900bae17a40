"""The viewer's fast paths stay correct: a cached image served from the storage's memory
of recent rows (private plots stay private), the render cache's rare touches, and
SQLite's write-ahead log."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient

import histfmt
from histfmt_viewer import images
from histfmt_viewer.storage import Storage
from histfmt_viewer.storage import recent as recent_module
from histfmt_viewer.storage.recent import Recent
from histfmt_viewer.view import View

from .conftest import sign_in


@contextmanager
def statements(storage: Storage) -> Iterator[list[str]]:
    """The SQL statements run on ``storage``'s engine inside the block."""
    seen: list[str] = []

    def note(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    sa.event.listen(storage.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(storage.engine, "before_cursor_execute", note)


def image_url(plot_id: str, version: int = 1) -> str:
    return f"/plots/{plot_id}/image.png?dpi=20&version={version}"


def test_a_cached_image_hit_runs_no_query(
    client: FlaskClient, storage: Storage, upload: Callable[..., str]
) -> None:
    plot_id = upload()
    first = client.get(image_url(plot_id))
    assert first.status_code == 200
    with statements(storage) as seen:
        again = client.get(image_url(plot_id))
    assert (again.status_code, again.data) == (200, first.data)
    assert seen == []


def test_private_images_stay_private_when_the_row_is_remembered(
    app: Flask, storage: Storage, upload: Callable[..., str], tokens: dict[str, str]
) -> None:
    plot_id = upload(query="?visibility=private")
    owner = app.test_client()
    sign_in(owner, tokens["alice"])
    assert owner.get(image_url(plot_id)).status_code == 200  # drawn, row remembered
    assert storage.recent_plots.get(plot_id) is not None
    assert app.test_client().get(image_url(plot_id)).status_code == 404  # anonymous
    other = app.test_client()
    sign_in(other, tokens["bob"])
    assert other.get(image_url(plot_id)).status_code == 404
    assert owner.get(image_url(plot_id)).status_code == 200


def test_a_new_version_or_a_deletion_is_seen_at_once_in_the_process(
    client: FlaskClient,
    storage: Storage,
    upload: Callable[..., str],
    alice: dict[str, str],
    make_doc: Callable[..., bytes],
) -> None:
    plot_id = upload("First title")
    assert client.get(image_url(plot_id)).status_code == 200
    assert storage.recent_plot(plot_id).title == "First title"  # type: ignore[union-attr]
    response = client.put(f"/api/plots/{plot_id}", data=make_doc("Second title"), headers=alice)
    assert response.status_code == 200
    assert storage.recent_plot(plot_id).latest == 2  # type: ignore[union-attr]
    named = client.get(image_url(plot_id, 2) + "&download=1")
    assert 'filename="Second_title_v2.png"' in named.headers["Content-Disposition"]
    assert client.delete(f"/api/plots/{plot_id}", headers=alice).status_code == 204
    assert storage.recent_plot(plot_id) is None
    assert client.get(image_url(plot_id, 2)).status_code == 404


def test_an_unversioned_image_reads_the_newest_version_from_the_database(
    client: FlaskClient,
    storage: Storage,
    upload: Callable[..., str],
    make_doc: Callable[..., bytes],
) -> None:
    plot_id = upload()
    assert client.get(image_url(plot_id)).status_code == 200
    # another process adds a version: this process's memory does not know
    other = Storage(storage.url)
    try:
        row = other.get_plot(plot_id)
        assert row is not None
        doc = histfmt.loads(make_doc("Newer"))
        from histfmt_viewer.documents import plot_info, stored_text

        other.add_version(plot_id, plot_info(doc, owner="alice"), stored_text(doc))
    finally:
        other.close()
    response = client.get(f"/plots/{plot_id}/image.png?dpi=20&download=1")
    assert response.status_code == 200
    assert 'filename="Newer_v2.png"' in response.headers["Content-Disposition"]


def test_recent_rows_expire_and_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [100.0]
    monkeypatch.setattr(recent_module.time, "monotonic", lambda: clock[0])
    memory: Recent[str, int] = Recent(max_age=5.0, max_entries=2)
    memory.put("a", 1)
    clock[0] += 4.9
    assert memory.get("a") == 1
    clock[0] += 0.1
    assert memory.get("a") is None
    for key, value in (("a", 1), ("b", 2), ("c", 3)):
        memory.put(key, value)
    assert (memory.get("a"), memory.get("b"), memory.get("c")) == (None, 2, 3)
    memory.forget("b")
    assert memory.get("b") is None
    memory.clear()
    assert memory.get("c") is None


def test_a_hit_touches_its_file_at_most_once_a_minute(
    tmp_path: Path, document: histfmt.Document
) -> None:
    plot_id = "00000000-0000-4000-8000-000000000000"
    data = images.cached_image(tmp_path, plot_id, 1, View(dpi=20.0), lambda: document)
    (path,) = (p for p in tmp_path.rglob("*.png"))
    recent = time.time() - 30
    os.utime(path, (recent, recent))
    assert images.cached_image(tmp_path, plot_id, 1, View(dpi=20.0), lambda: document) == data
    assert path.stat().st_mtime == pytest.approx(recent)  # no metadata write for a hot file
    old = time.time() - images.TOUCH_AFTER_SECONDS - 30
    os.utime(path, (old, old))
    assert images.cached_image(tmp_path, plot_id, 1, View(dpi=20.0), lambda: document) == data
    assert time.time() - path.stat().st_mtime < 10


def test_sqlite_runs_with_a_write_ahead_log(tmp_path: Path) -> None:
    """The SQLite backend only (PostgreSQL has its own write-ahead log)."""
    storage = Storage(f"sqlite:///{tmp_path / 'wal.sqlite'}")
    storage.init_schema()
    try:
        with storage.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    finally:
        storage.close()


def test_the_upload_answer_is_the_row_as_stored(
    client: FlaskClient, storage: Storage, alice: dict[str, str], make_doc: Callable[..., bytes]
) -> None:
    """The 201 of an upload comes from memory, and says what the database says."""
    with statements(storage) as seen:
        response = client.post(
            "/api/plots", data=make_doc("T" * 400, tags=("a", "b")), headers=alice
        )
    assert response.status_code == 201
    assert not [s for s in seen if s.lstrip().upper().startswith("SELECT plots")]
    answer = response.json
    assert answer is not None
    storage.recent_plots.clear()
    stored = client.get(f"/api/plots/{answer['id']}").json
    assert stored is not None
    assert {k: stored[k] for k in answer} == answer
    assert len(answer["title"]) == 300
