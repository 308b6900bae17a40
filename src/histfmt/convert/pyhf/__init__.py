"""pyhf JSON workspaces -> books of pre-fit or post-fit plots, one per channel.

Every sample is a yield of a filled stack; the observed data are points (Poisson
interval) with their ratio to the stack. The stack's band (``error: "env"``) is the sum
in quadrature of named variations, each a variation of every sample it moves, so it is
correlated across samples as in the likelihood and stays right when samples are merged,
hidden or rebinned (see :mod:`histfmt.convert.pyhf.prediction`):

- pre-fit, one variation per constrained parameter component (normsys, histosys,
  lumi, and every bin of staterror and shapesys), the yields at its initial value plus
  and minus its pre-fit width; normfactor and shapefactor have no width and no variation;
- post-fit (``fit=True``), a MINUIT fit to the observed data, and one variation per
  eigenvector of the parameters' correlation matrix (``eigen_0``, ...), so the band is
  the linear propagation of the full fit covariance; the fit result (values,
  uncertainties, correlation matrix) is kept in the book's ``metadata.extra["pyhf_fit"]``.

The x axis comes from a plot description (:mod:`histfmt.convert.pyhf.description`),
else it is the bin index. histfmt does not write workspaces.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from histfmt.convert.interface import Source, only_plot, source_name
from histfmt.convert.pyhf.workspace import sniff
from histfmt.errors import HistfmtError

if TYPE_CHECKING:
    from histfmt.convert.pyhf.description import Description
    from histfmt.convert.pyhf.workspace import Workspace
    from histfmt.model import Book, Document

__all__ = ["read", "read_book", "sniff", "write", "write_book"]


def read_book(
    source: Source | Workspace,
    /,
    *,
    name: str | None = None,
    description: Description | str | os.PathLike[str] | None = None,
    fit: bool = False,
    measurement: str | None = None,
    maxiter: int | None = None,
) -> Book:
    """Every channel of the workspace as a plot, pre-fit (or post-fit with ``fit``).

    ``source`` is the workspace's JSON (bytes or a path) or a workspace already read
    with :func:`~histfmt.convert.pyhf.workspace.load_workspace` (then ``name`` and
    ``measurement`` are its own).

    ``description`` is a :class:`~histfmt.convert.pyhf.description.Description` or the
    path of a plot-description file; without it the x axis is the bin index.
    ``measurement`` picks the workspace's measurement (default: the first); ``maxiter``
    bounds the fit's function calls.
    """
    from histfmt.convert.pyhf.description import Description, load_description
    from histfmt.convert.pyhf.documents import book_of, check_description
    from histfmt.convert.pyhf.prediction import postfit, prefit
    from histfmt.convert.pyhf.workspace import Workspace, load_workspace
    from histfmt.io import validate

    if isinstance(source, Workspace):
        workspace = source
    else:
        workspace = load_workspace(source, name=name, measurement=measurement)
    described: Description | None = None
    if description is not None:
        if isinstance(description, Description):
            described, where = description, "<description>"
        else:
            described, where = load_description(description), os.fspath(description)
        check_description(workspace, described, where)
    if fit:
        from histfmt.convert.pyhf.fit import fit as run_fit

        result = run_fit(workspace, maxiter=maxiter)
        book = book_of(workspace, postfit(workspace.model, result), described, result)
    else:
        book = book_of(workspace, prefit(workspace.model), described)
    return validate(book, filename=workspace.filename)


def read(source: Source, /, *, name: str | None = None) -> Document:
    """The workspace's one channel as a pre-fit plot (several channels: read a book)."""
    return only_plot(read_book(source, name=name), source_name(source, name))


def write(doc: Document, path: str | os.PathLike[str], /) -> None:
    """Refused: a plot does not hold a fit model."""
    raise HistfmtError("histfmt reads pyhf workspaces but does not write them")


def write_book(book: Book, path: str | os.PathLike[str], /) -> None:
    """Refused: plots do not hold a fit model."""
    raise HistfmtError("histfmt reads pyhf workspaces but does not write them")
