"""Rendering many files: one image per document, optionally in parallel processes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from histfmt.cli.report import error_text
from histfmt.errors import HistfmtError
from histfmt.render.options import ImageFormat, RenderOptions

__all__ = ["Outcome", "output_path", "render_file", "render_files"]


@dataclass(frozen=True)
class Outcome:
    """What happened to one input: the image written, or the error message."""

    source: str
    target: str
    error: str | None = None


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


def render_file(source: str, target: str, format: ImageFormat, options: RenderOptions) -> Outcome:
    """Load, render and atomically write one document; errors become the outcome."""
    from histfmt.io import load
    from histfmt.render.mpl import save

    try:
        save(load(source), target, format=format, options=options)
    except HistfmtError as error:
        return Outcome(source, target, error_text(source, error))
    except (OSError, ValueError, RuntimeError) as error:  # keep going with the others
        return Outcome(source, target, f"{type(error).__name__}: {error}")
    return Outcome(source, target)


def render_files(
    jobs: list[tuple[str, str]],
    *,
    format: ImageFormat,
    options: RenderOptions,
    workers: int = 1,
    progress: Callable[[Iterator[Outcome]], Iterator[Outcome]] | None = None,
) -> list[Outcome]:
    """Render ``(source, target)`` pairs with ``workers`` processes, in input order."""

    def run() -> Iterator[Outcome]:
        if workers <= 1 or len(jobs) <= 1:
            for source, target in jobs:
                yield render_file(source, target, format, options)
            return
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [pool.submit(render_file, s, t, format, options) for s, t in jobs]
            for future in futures:
                yield future.result()

    outcomes = run()
    if progress is not None:
        outcomes = progress(outcomes)
    return list(outcomes)
