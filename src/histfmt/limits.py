"""The reader's limits: how big, how deep and how long an input may be.

Each is part of the design (the spec's "Limits of the reference reader"): an input beyond
one is refused with a :class:`~histfmt.errors.LimitError` naming the limit, the file and
the JSON path, before it can exhaust memory, time or the interpreter's stack. Every
reading function takes ``limits=``; :func:`set_default_limits` changes the default for the
whole process (the web viewer sets tighter ones).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Limits", "default_limits", "resolve", "set_default_limits"]


@dataclass(frozen=True)
class Limits:
    """How much of anything a document may hold; each field is one limit, named in refusals."""

    depth: int = 100
    """Nesting of objects and arrays (the deepest document of the format is ~10 levels;
    free-form ``metadata.extra`` and ``writer_info`` may nest more, up to this)."""
    bins_per_axis: int = 10_000_000
    """Bins of one axis (edges minus one, or categories), flow bins aside."""
    bins: int = 100_000_000
    """Cells of one document: x bins times y bins, flow bins included."""
    yields: int = 10_000
    """Yields of one document."""
    string_length: int = 1_000_000
    """Characters of one string (a label, a key, a value in ``metadata.extra``)."""
    number_digits: int = 1_000
    """Characters of one number written out (Python refuses integers of more than 4,300
    digits; a double needs fewer than 30)."""
    decompressed_bytes: int = 1024**3
    """Content of a gzip file once decompressed, checked while decompressing (a small file
    that inflates without end, a 'zip bomb', is refused before it fills the memory)."""

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"Limits.{name} must be a positive integer, got {value!r}")

    def describe(self, name: str) -> str:
        """``"limit depth = 100"``: how a refusal names the limit."""
        return f"limit {name} = {getattr(self, name):,}"


_DEFAULT = Limits()


def default_limits() -> Limits:
    """The limits used when a call passes none."""
    return _DEFAULT


def set_default_limits(limits: Limits, /) -> Limits:
    """Make ``limits`` the default of every later call in this process; returns the old one."""
    global _DEFAULT  # the one process-wide setting, on purpose
    if not isinstance(limits, Limits):
        raise TypeError(f"expected Limits, got {type(limits).__name__}")
    previous, _DEFAULT = _DEFAULT, limits
    return previous


def resolve(limits: Limits | None, /) -> Limits:
    """``limits``, or the default when it is None."""
    return _DEFAULT if limits is None else limits
