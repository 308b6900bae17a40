"""YODA text files (Rivet's format) <-> plain typed objects.

This package is the text layer; :mod:`histfmt.convert.yoda.documents` turns its objects
into histfmt books and documents and back (the converter of kind ``yoda``).

:func:`read` takes ``.yoda`` or ``.yoda.gz`` (bytes or a path; gzip is recognised by its
magic bytes) and returns the objects in file order; :func:`write` returns YODA text and
:func:`write_path` writes a file atomically (gzip when the name ends in ``.gz``).

=====================================  =============================================
YODA block                             object
=====================================  =============================================
``COUNTER`` (V1, V2, V3)               :class:`Counter`
``HISTO1D``, ``HISTO2D`` (V1-V3),      :class:`Histo1D`, :class:`Histo2D` (arrays
``BINNEDHISTO<s>`` etc. (V3)           include the flow bins, YODA 2 order)
``PROFILE1D`` (V1-V3)                  :class:`Profile1D`
``SCATTER1D``/``2D``/``3D`` (V1-V3)    :class:`Scatter`
``ESTIMATE0D``/``1D``/``2D``,          :class:`Estimate` (values, named error
``BINNEDESTIMATE<i,s,...>`` (V3)       sources; discrete axes of ints or strings)
=====================================  =============================================

Versions: ``_V3`` blocks are YODA 2 (``Edges(A1): [...]`` and every bin in a row, flow
bins included); ``_V2`` blocks are YODA 1 (``Total``/``Underflow``/``Overflow`` rows, then
one row per bin with its edges; 2-D histograms have no flow rows, so their flow bins
read as zero); blocks without a version are the older YODA 1 text with ``key=value``
annotations (also with ``#`` before ``BEGIN``/``END``).

Annotations are the header lines ``key: value`` as strings (a quoted YAML value is
unquoted; other values are kept as written, e.g. ``IsRef: 1`` is ``"1"``); ``Path`` and
``Type`` are not annotations but :attr:`path` and :attr:`type`.

Refusals are :class:`YodaError` (a :class:`~histfmt.HistfmtError`) naming the file, the
object path and the line: a ``BEGIN`` without ``END`` (a truncated file), a row with
the wrong number of columns, a value that is not a number, YODA 1 bins that leave a gap
or do not fill a grid, a truncated or corrupt gzip stream, more than ``max_bytes``
(default 256 MiB) of text.  A block of a type not listed above (``PROFILE2D``,
``HISTO3D``...) is refused by :func:`read`; :func:`read_contents` skips it and lists it
in :attr:`Contents.skipped`.
"""

from __future__ import annotations

from .objects import (
    Axis,
    ContinuousAxis,
    Counter,
    DiscreteAxis,
    Estimate,
    Histo1D,
    Histo2D,
    Profile1D,
    Scatter,
    YodaError,
    YodaObject,
)
from .reading import DEFAULT_MAX_BYTES, Contents, Skipped, read, read_contents
from .writing import write, write_path

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Axis",
    "Contents",
    "ContinuousAxis",
    "Counter",
    "DiscreteAxis",
    "Estimate",
    "Histo1D",
    "Histo2D",
    "Profile1D",
    "Scatter",
    "Skipped",
    "YodaError",
    "YodaObject",
    "read",
    "read_contents",
    "write",
    "write_path",
]
