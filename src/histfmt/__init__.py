"""histfmt: histogram plots as data.

A histfmt document holds the bin edges, the yields of every sample with their
uncertainties, how the samples stack, the ratio panel, styling and metadata,
defined by a published JSON Schema.

>>> import histfmt
>>> doc = histfmt.Document.new([0, 1, 2], symbol="x").add_yield("a", [3, 4])
>>> histfmt.loads(histfmt.dumps(doc)) == doc
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from histfmt.errors import HistfmtError, ValidationError
from histfmt.io import dump, dumps, load, load_book, loads, loads_book, validate
from histfmt.model import FORMAT_VERSION, Axis, Book, Document
from histfmt.submodules import lazy_submodules

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from matplotlib.axes import Axes

    from histfmt.comparison import Comparison
    from histfmt.render.options import RenderOptions
    from histfmt.render.plot import PlotArtists

__all__ = [
    "FORMAT_VERSION",
    "Axis",
    "Book",
    "Document",
    "HistfmtError",
    "ValidationError",
    "__version__",
    "compare",
    "dump",
    "dumps",
    "from_hist",
    "load",
    "load_book",
    "loads",
    "loads_book",
    "plot",
    "validate",
]

__version__ = "0.1.0"

# Imported on first use (``histfmt.render.mpl.figure(doc)`` after ``import histfmt``),
# so that ``import histfmt`` stays light: no matplotlib, scipy or click until needed.
_SUBMODULES = frozenset(
    {
        "cli", "codec", "combine", "comparison", "contents", "convert", "errors",
        "intervals", "io", "limits", "model", "prescan", "remote", "render", "schema",
        "semantics", "shown", "submodules", "summary",
    }
)  # fmt: skip

__getattr__, __dir__ = lazy_submodules(__name__, _SUBMODULES)


def from_hist(histograms: Any, /, **kwargs: Any) -> Document:
    """Build a document from 1-D or 2-D histograms of one binning: a histogram, a
    ``hist.Stack`` or a dict of them (counts, or ``Mean``/``WeightedMean`` profiles).

    Differently binned histograms make a book: :func:`histfmt.convert.uhi.book_from_hist`.
    See :func:`histfmt.convert.uhi.from_hist` for the options.
    """
    from histfmt.convert.uhi import from_hist as convert

    return convert(histograms, **kwargs)


def compare(docs: Mapping[str, Document] | Sequence[Document], /, **kwargs: Any) -> Comparison:
    """Compare the same quantity of several documents with a reference: χ²/ndf, p-value,
    Kolmogorov-Smirnov distance, and the overlay as a document.

    See :func:`histfmt.comparison.compare` for the options.
    """
    from histfmt.comparison import compare as run

    return run(docs, **kwargs)


def plot(
    doc: Document,
    /,
    *,
    ax: Axes | None = None,
    ratio_ax: Axes | None = None,
    options: RenderOptions | None = None,
) -> PlotArtists:
    """Draw ``doc`` into your own matplotlib axes (its comparison panel into
    ``ratio_ax``), in the document's style; returns what was drawn. Without ``ax``,
    on a new figure as ``histfmt render`` draws it.

    See :func:`histfmt.render.plot.plot`.
    """
    from histfmt.render.plot import plot as draw

    return draw(doc, ax=ax, ratio_ax=ratio_ax, options=options)
