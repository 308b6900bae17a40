"""Rendering many plots: one image per document, or per plot of a book, optionally in
parallel processes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from histfmt.cli.report import error_text
from histfmt.errors import HistfmtError
from histfmt.render.options import ImageFormat, RenderOptions

if TYPE_CHECKING:
    from histfmt.model import Book, Document

__all__ = ["Job", "Outcome", "jobs_for", "output_path", "plot_file_name", "render_jobs"]


@dataclass(frozen=True)
class Outcome:
    """What happened to one plot: the image written, or the error message."""

    source: str
    target: str
    error: str | None = None


@dataclass(frozen=True)
class Job:
    """One image to draw: the plot (already read), where it came from, where it goes."""

    source: str
    target: str
    doc: Document


def output_path(source: str, *, out: str | None, format: ImageFormat, many: bool) -> Path:
    """Where the image of ``source`` goes: beside it, at ``out``, or inside folder ``out``."""
    from histfmt.convert.registry import stem

    name = f"{stem(source)}.{format}"
    if out is None:
        return Path(source).with_name(name)
    target = Path(out)
    if many or target.is_dir():
        return target / name
    return target


_UNSAFE = re.compile(r"[^A-Za-z0-9._+-]+")


def plot_file_name(path: str) -> Path:
    """A relative file path (no suffix) for the plot ``path`` of a book: its folders kept,
    every part made safe for file systems (never absolute, never ``..``)."""
    parts = [_UNSAFE.sub("_", part).strip("._") or "_" for part in path.split("/") if part]
    return Path(*parts) if parts else Path("plot")


def jobs_for(
    source: str, book: Book, *, out: str | None, format: ImageFormat, many: bool
) -> list[Job]:
    """The images of one input: one for a single plot (as :func:`output_path` says), one
    per plot of a book inside a folder (``out``, or beside the input, named like it)."""
    from histfmt.convert.registry import stem

    if len(book.plots) == 1:
        doc = next(iter(book.plots.values()))
        return [Job(source, str(output_path(source, out=out, format=format, many=many)), doc)]
    if out is None:
        folder = Path(source).with_name(stem(source))
    else:
        folder = Path(out) / stem(source) if many else Path(out)
    jobs, taken = [], set()
    for path, doc in book.plots.items():
        name = plot_file_name(path)
        target = folder / name.with_name(f"{name.name}.{format}")
        number = 2
        while target in taken:
            target = folder / name.with_name(f"{name.name}_{number}.{format}")
            number += 1
        taken.add(target)
        jobs.append(Job(f"{source}:{path}", str(target), doc))
    return jobs


def render_job(job: Job, format: ImageFormat, options: RenderOptions) -> Outcome:
    """Render and atomically write one plot; errors become the outcome."""
    from histfmt.render.mpl import save

    try:
        Path(job.target).parent.mkdir(parents=True, exist_ok=True)
        save(job.doc, job.target, format=format, options=options)
    except HistfmtError as error:
        return Outcome(job.source, job.target, error_text(job.source, error))
    except (OSError, ValueError, RuntimeError) as error:  # keep going with the others
        return Outcome(job.source, job.target, f"{type(error).__name__}: {error}")
    return Outcome(job.source, job.target)


def render_jobs(
    jobs: list[Job],
    *,
    format: ImageFormat,
    options: RenderOptions,
    workers: int = 1,
    progress: Callable[[Iterator[Outcome]], Iterator[Outcome]] | None = None,
) -> list[Outcome]:
    """Render ``jobs`` with ``workers`` processes, in order."""

    def run() -> Iterator[Outcome]:
        if workers <= 1 or len(jobs) <= 1:
            for job in jobs:
                yield render_job(job, format, options)
            return
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(render_job, job, format, options) for job in jobs]
            for future in futures:
                yield future.result()

    outcomes = run()
    if progress is not None:
        outcomes = progress(outcomes)
    return list(outcomes)
