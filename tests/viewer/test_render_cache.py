"""The render cache of the viewer: hits, least-recently-used pruning, dropping a plot."""

from __future__ import annotations

import os
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

import histfmt
from histfmt.render.mpl import render
from histfmt.render.options import RenderOptions
from histfmt_viewer import images
from histfmt_viewer.images import (
    DEFAULT_CACHE_MAX_BYTES,
    cached_image,
    drop_cached,
    prune_cache,
)
from histfmt_viewer.view import View

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "cutflow_categorical.json"
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def doc() -> histfmt.Document:
    return histfmt.load(EXAMPLE)


@pytest.fixture(scope="module")
def pictures(doc: histfmt.Document) -> list[bytes]:
    """Two real renderings, to fill caches with real files quickly."""
    return [render(doc, format="png", options=RenderOptions(dpi=dpi)) for dpi in (20.0, 30.0)]


def png(dpi: float) -> View:
    return View(dpi=dpi)


def files(cache: Path) -> dict[Path, int]:
    """Every file under ``cache`` with its size."""
    return {p: p.stat().st_size for p in cache.rglob("*") if p.is_file()}


def age(path: Path, seconds: float) -> None:
    """Make ``path`` last used ``seconds`` ago."""
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_default_bound() -> None:
    assert DEFAULT_CACHE_MAX_BYTES == 512 * 1024 * 1024


def test_drawn_once_then_read_and_touched(
    tmp_path: Path, doc: histfmt.Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    plot_id = str(uuid.uuid4())
    data = cached_image(tmp_path, plot_id, 1, png(20.0), lambda: doc)
    assert data.startswith(PNG)
    (path,) = files(tmp_path)
    assert path.parent.name == plot_id
    assert path.name.startswith("v1-")
    assert path.suffix == ".png"
    age(path, 1000)

    def no_drawing(*args: Any, **kwargs: Any) -> bytes:
        raise AssertionError("a cached image was drawn again")

    monkeypatch.setattr(images, "render", no_drawing)
    assert cached_image(tmp_path, plot_id, 1, png(20.0), lambda: doc, max_bytes=10**9) == data
    assert time.time() - path.stat().st_mtime < 60  # the hit counts as a use
    with pytest.raises(ValueError, match="not a plot id"):
        cached_image(tmp_path, "../../etc", 1, png(20.0), lambda: doc)


def test_a_chart_is_cached_by_the_images_rules(tmp_path: Path, doc: histfmt.Document) -> None:
    from histfmt_viewer.chart import cached_chart

    plot_id = str(uuid.uuid4())
    data = cached_chart(tmp_path, plot_id, 1, png(20.0), lambda: doc)
    (path,) = files(tmp_path)
    assert path.suffix == ".chart"
    age(path, 1000)

    def unread() -> histfmt.Document:
        raise AssertionError("the document was read for a cached chart")

    assert cached_chart(tmp_path, plot_id, 1, png(20.0), unread) == data
    assert time.time() - path.stat().st_mtime < 60  # the hit counts as a use when pruning
    with pytest.raises(ValueError, match="not a plot id"):
        cached_chart(tmp_path, "../../etc", 1, png(20.0), lambda: doc)


def test_prune_deletes_the_least_recently_used(tmp_path: Path, pictures: list[bytes]) -> None:
    plots = [tmp_path / str(uuid.uuid4()) for _ in range(3)]
    paths = []
    for number in range(9):
        path = plots[number % 3] / f"v{number}-key.png"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(pictures[number % 2])
        age(path, 1000 - 10 * number)  # the later, the more recently used
        paths.append(path)
    total = sum(files(tmp_path).values())

    assert prune_cache(tmp_path, total) == 0  # not over the bound: nothing to do
    assert len(files(tmp_path)) == 9

    bound = total // 2
    freed = prune_cache(tmp_path, bound)
    left = files(tmp_path)
    assert sum(left.values()) <= 0.8 * bound
    assert freed == total - sum(left.values())
    kept = [path in left for path in paths]
    assert kept == sorted(kept)  # the oldest went first
    assert kept[-1]
    assert tmp_path.is_dir()
    assert all(folder.is_dir() == any(p.parent == folder for p in left) for folder in plots)


def test_prune_keeps_young_temporary_files(tmp_path: Path, pictures: list[bytes]) -> None:
    folder = tmp_path / str(uuid.uuid4())
    folder.mkdir()
    young = folder / "v1-a.png.tmp0123"
    stale = folder / "v1-b.png.tmp4567"
    done = folder / "v1-c.png"
    for path in (young, stale, done):
        path.write_bytes(pictures[0])
    age(stale, 3600)
    age(done, 7200)
    size = len(pictures[0])

    assert prune_cache(tmp_path, 10**9) == size  # a crash's leftover goes in any case
    assert set(files(tmp_path)) == {young, done}
    assert prune_cache(tmp_path, 0) == size  # everything but the file being written
    assert set(files(tmp_path)) == {young}


def test_prune_when_files_vanish_meanwhile(
    tmp_path: Path, pictures: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / str(uuid.uuid4())
    folder.mkdir()
    for number in range(4):
        (folder / f"v{number}.png").write_bytes(pictures[0])
        age(folder / f"v{number}.png", 100 - number)
    listed = images._files

    def listed_then_one_deleted(cache: Path) -> list[tuple[float, int, Path]]:
        result = listed(cache)
        (folder / "v0.png").unlink()  # by another process, after the scan
        return result

    monkeypatch.setattr(images, "_files", listed_then_one_deleted)
    size = len(pictures[0])
    assert prune_cache(tmp_path, 3 * size) == size  # v0 was not freed by this call
    assert set(files(tmp_path)) == {folder / "v2.png", folder / "v3.png"}


def test_cached_image_keeps_the_cache_bounded(
    tmp_path: Path, doc: histfmt.Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    scans = 0
    prune = images._prune

    def counted(cache: Path, max_bytes: int) -> tuple[int, int]:
        nonlocal scans
        scans += 1
        return prune(cache, max_bytes)

    monkeypatch.setattr(images, "_prune", counted)
    plot_id = str(uuid.uuid4())
    first = cached_image(tmp_path, plot_id, 1, png(20.0), lambda: doc, max_bytes=10**9)
    bound = int(len(first) * 3.5)
    written = []
    for dpi in (21.0, 22.0, 23.0, 24.0, 25.0, 26.0):
        data = cached_image(tmp_path, plot_id, 1, png(dpi), lambda: doc, max_bytes=bound)
        written.append(data)
        on_disk = files(tmp_path)
        assert sum(on_disk.values()) <= bound
        assert data in {path.read_bytes() for path in on_disk}  # the newest stays
    assert 2 <= scans < 1 + len(written)  # the first write, then only when over the bound


def test_a_hit_counts_as_a_use(tmp_path: Path, doc: histfmt.Document) -> None:
    plot_id = str(uuid.uuid4())
    for dpi in (20.0, 21.0, 22.0):
        cached_image(tmp_path, plot_id, 1, png(dpi), lambda: doc)
    by_dpi = {}
    for dpi, seconds in ((20.0, 300), (21.0, 200), (22.0, 100)):
        (path,) = (p for p in files(tmp_path) if png(dpi).key("png") in p.name)
        age(path, seconds)
        by_dpi[dpi] = path
    cached_image(tmp_path, plot_id, 1, png(20.0), lambda: doc)  # the oldest is used again
    total = sum(files(tmp_path).values())
    prune_cache(tmp_path, total - 1)
    assert set(files(tmp_path)) == {by_dpi[20.0], by_dpi[22.0]}


def test_drop_cached(tmp_path: Path, doc: histfmt.Document) -> None:
    gone, kept = str(uuid.uuid4()), str(uuid.uuid4())
    for plot_id in (gone, kept):
        cached_image(tmp_path, plot_id, 1, png(20.0), lambda: doc, max_bytes=10**9)
    drop_cached(tmp_path, gone)
    assert not (tmp_path / gone).exists()
    assert [p.parent.name for p in files(tmp_path)] == [kept]
    drop_cached(tmp_path, gone)  # nothing left: fine
    drop_cached(tmp_path / "never-made", kept)
    with pytest.raises(ValueError, match="not a plot id"):
        drop_cached(tmp_path, "..")
    assert [p.parent.name for p in files(tmp_path)] == [kept]


def test_concurrent_readers_writers_pruning_and_dropping(
    tmp_path: Path, doc: histfmt.Document, pictures: list[bytes], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many threads on one small cache: every call returns the image, none fails.

    Drawing is replaced by a real picture drawn beforehand, to make many writes fast."""
    monkeypatch.setattr(images, "render", lambda *args, **kwargs: pictures[0])
    bound = 4 * len(pictures[0])
    plot_ids = [str(uuid.uuid4()) for _ in range(4)]
    errors: list[BaseException] = []
    stop = threading.Event()

    def use(worker: int) -> None:
        try:
            for n in range(60):
                plot_id = plot_ids[(worker + n) % len(plot_ids)]
                request = png(20.0 + (n * 7 + worker) % 5)
                data = cached_image(
                    tmp_path, plot_id, 1 + n % 2, request, lambda: doc, max_bytes=bound
                )
                assert data == pictures[0]
        except BaseException as error:  # reported below
            errors.append(error)

    def disturb() -> None:
        try:
            while not stop.is_set():
                prune_cache(tmp_path, bound // 2)
                drop_cached(tmp_path, plot_ids[0])
        except BaseException as error:  # reported below
            errors.append(error)

    users = [threading.Thread(target=use, args=(w,)) for w in range(6)]
    disturber = threading.Thread(target=disturb)
    disturber.start()
    for thread in users:
        thread.start()
    for thread in users:
        thread.join(60)
    stop.set()
    disturber.join(60)
    assert not errors
    prune_cache(tmp_path, bound)
    assert sum(files(tmp_path).values()) <= bound
    assert not [p for p in files(tmp_path) if ".tmp" in p.name]
