"""Plot images with a file cache in the instance folder, and download file names.

A cached image is keyed by (plot, version, view parameters (with a 2-D document's
projection and z scale), format, dpi): a new
version never serves an old picture, and nothing is ever invalidated in place.
Files are ``<cache>/<plot id>/v<version>-<key>.<format>``, written to a ``.tmp*`` file
first and renamed, so a reader sees a whole file or none.

Size bound: given ``max_bytes``, the cache is pruned to 80 % of it by deleting the
least recently used files (the oldest mtime; a cache hit touches its file, at most once
a minute: ``TOUCH_AFTER_SECONDS``, so that a hot image costs no metadata write). A full scan
of the folder costs a ``stat`` per file, so it does not run on every write: each
process keeps an estimate per cache folder (the total found by its last scan plus the
bytes it has written since) and scans only when the estimate crosses ``max_bytes``, on
its first write, and after every ``PRUNE_EVERY_WRITES`` writes. The last rule covers
the writes of other processes (workers) sharing the folder, which the estimate does not
see: between scans the cache can overshoot by what the other workers wrote.
Pruning is safe with concurrent readers and writers: a file vanishing mid-scan is
skipped, a ``.tmp*`` file younger than ``TEMPORARY_GRACE_SECONDS`` is never deleted
(older ones are leftovers of a crash and always go), and a writer whose folder was just
removed makes it again. :func:`drop_cached` removes the images of a deleted plot.
:func:`cached_file` keeps other files of a view (the browser chart's numbers) by the
same rules.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import stat
import threading
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from histfmt.model import Document
from histfmt.render.mpl import render
from histfmt_viewer.view import View

__all__ = [
    "DEFAULT_CACHE_MAX_BYTES",
    "MIMETYPES",
    "cached_file",
    "cached_image",
    "download_name",
    "drop_cached",
    "prune_cache",
]

MIMETYPES = {"png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf"}
DEFAULT_CACHE_MAX_BYTES = 512 * 1024 * 1024
PRUNE_TARGET = 0.8  # pruning stops below this fraction of the bound
PRUNE_EVERY_WRITES = 1000  # and a scan at least this often (other processes' writes)
TEMPORARY_GRACE_SECONDS = 60.0  # a younger .tmp file may be one being written
TOUCH_AFTER_SECONDS = 60.0  # a hit touches its file only when the last touch is older
_PLOT_ID = re.compile(r"[0-9a-f-]{36}")


def cached_image(
    cache: Path,
    plot_id: str,
    version: int,
    view: View,
    read: Callable[[], Document],
    *,
    image_format: str = "png",
    max_bytes: int | None = None,
) -> bytes:
    """The image bytes of ``view``, drawn once and then read from ``cache``.

    ``read`` gives the document; it is called only on a miss, so a cached image costs
    no parsing. The view's projection and z scale are applied to a copy of it. With
    ``max_bytes`` the cache is kept under that size (see above).
    """

    def draw() -> bytes:
        doc = view.apply(read())  # a 2-D view's projection and z scale
        return render(doc, format=image_format, options=view.options())  # type: ignore[arg-type]

    name = f"{view.key(image_format)}.{image_format}"
    return cached_file(cache, plot_id, version, name, draw, max_bytes=max_bytes)


def cached_file(
    cache: Path,
    plot_id: str,
    version: int,
    name: str,
    make: Callable[[], bytes],
    *,
    max_bytes: int | None = None,
) -> bytes:
    """The bytes of ``<cache>/<plot id>/v<version>-<name>``, made by ``make`` on a miss
    and kept under the cache's rules (above): an image, or another view of the plot such
    as the browser chart's numbers."""
    target = _plot_folder(cache, plot_id) / f"v{version}-{name}"
    data = _read_cached(target)
    if data is None:
        data = make()
        _store(cache, target, data, max_bytes)
    return data


def _read_cached(target: Path) -> bytes | None:
    """The cached file's bytes, touched as recently used when its last touch is older
    than ``TOUCH_AFTER_SECONDS``; None when not cached."""
    try:
        fd = os.open(target, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        info = os.fstat(fd)
        chunks = []
        while chunk := os.read(fd, max(info.st_size, 1 << 16)):
            chunks.append(chunk)
    finally:
        os.close(fd)
    if time.time() - info.st_mtime > TOUCH_AFTER_SECONDS:
        with contextlib.suppress(OSError):  # pruned meanwhile, or read-only: the bytes are good
            os.utime(target)
    return b"".join(chunks)


def prune_cache(cache: Path, max_bytes: int) -> int:
    """If the files under ``cache`` exceed ``max_bytes``, delete the least recently used
    (oldest mtime) until they are under ``PRUNE_TARGET`` of it; returns the bytes freed.

    Stale ``.tmp*`` files (older than ``TEMPORARY_GRACE_SECONDS``) are deleted in any
    case; younger ones count toward the size but are kept."""
    freed, remaining = _prune(cache, max_bytes)
    with _lock:
        _estimates[_cache_key(cache)] = _Estimate(remaining)
    return freed


def drop_cached(cache: Path, plot_id: str) -> None:
    """Delete every cached image of ``plot_id`` (for a deleted plot)."""
    folder = _plot_folder(cache, plot_id)
    size = sum(entry[1] for entry in _files(folder))
    shutil.rmtree(folder, ignore_errors=True)
    with _lock:
        estimate = _estimates.get(_cache_key(cache))
        if estimate is not None:
            estimate.bytes = max(0, estimate.bytes - size)


@dataclass
class _Estimate:
    bytes: int  # found by the last scan plus written since
    writes: int = 0  # since the last scan


_lock = threading.Lock()
_estimates: dict[str, _Estimate] = {}  # by absolute cache folder
_pruning: set[str] = set()  # cache folders being scanned by a thread of this process


def _cache_key(cache: Path) -> str:
    return str(cache.absolute())


def _plot_folder(cache: Path, plot_id: str) -> Path:
    if not _PLOT_ID.fullmatch(plot_id):
        raise ValueError(f"not a plot id: {plot_id!r}")
    return cache / plot_id


def _store(cache: Path, target: Path, data: bytes, max_bytes: int | None) -> None:
    """Write ``target`` atomically; then prune if the estimate says so."""
    for _attempt in range(3):
        temporary = target.with_name(f"{target.name}.tmp{secrets.token_hex(8)}")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(data)
            temporary.replace(target)  # atomic: a concurrent reader sees all of it or nothing
            break
        except (FileNotFoundError, FileExistsError):  # the folder was removed meanwhile
            continue
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    else:
        return  # not cached this time; the caller has the bytes
    if max_bytes is not None:
        _note_write(cache, len(data), max_bytes)


def _note_write(cache: Path, size: int, max_bytes: int) -> None:
    key = _cache_key(cache)
    with _lock:
        estimate = _estimates.get(key)
        if estimate is not None:
            estimate.bytes += size
            estimate.writes += 1
            if estimate.bytes <= max_bytes and estimate.writes < PRUNE_EVERY_WRITES:
                return
        if key in _pruning:  # another thread is at it
            return
        _pruning.add(key)
    try:
        prune_cache(cache, max_bytes)
    finally:
        with _lock:
            _pruning.discard(key)


def _files(folder: Path) -> list[tuple[float, int, Path]]:
    """(mtime, size, path) of the regular files under ``folder``; what vanishes while
    it is read is left out."""
    result: list[tuple[float, int, Path]] = []
    pending = [folder]
    while pending:
        try:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    if stat.S_ISDIR(info.st_mode):
                        pending.append(Path(entry.path))
                    elif stat.S_ISREG(info.st_mode):
                        result.append((info.st_mtime, info.st_size, Path(entry.path)))
        except (FileNotFoundError, NotADirectoryError):
            continue
    return result


def _prune(cache: Path, max_bytes: int) -> tuple[int, int]:
    """Bytes freed and bytes remaining (see :func:`prune_cache`)."""
    now = time.time()
    freed = total = 0
    candidates: list[tuple[float, int, Path]] = []
    emptied: set[Path] = set()
    for mtime, size, path in _files(cache):
        if ".tmp" not in path.name:
            candidates.append((mtime, size, path))
        elif now - mtime > TEMPORARY_GRACE_SECONDS:
            freed += _unlink(path, size)
            emptied.add(path.parent)
            continue
        total += size
    if total > max_bytes:
        goal = int(max_bytes * PRUNE_TARGET)
        for _mtime, size, path in sorted(candidates):
            if total <= goal:
                break
            freed += _unlink(path, size)
            total -= size
            emptied.add(path.parent)
    for folder in emptied - {cache}:
        with contextlib.suppress(OSError):  # only when empty; a writer makes it again
            folder.rmdir()
    return freed, total


def _unlink(path: Path, size: int) -> int:
    """Delete a file; the bytes freed (0 when someone else deleted it first)."""
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    return size


def download_name(title: str, suffix: str, *, version: int | None = None) -> str:
    """A safe file name from a plot title: ASCII letters, digits, ``-`` and ``_``;
    ``_v<N>`` is added for a version after the first."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^A-Za-z0-9]+", "_", ascii_title).strip("_")[:80] or "plot"
    if version is not None and version > 1:
        stem += f"_v{version}"
    return f"{stem}.{suffix}"
