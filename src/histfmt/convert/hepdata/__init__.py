"""HEPData submissions <-> histfmt: one plot is one HEPData table, a book is a submission.

**Export** (:func:`write`, :func:`to_table`): the x axis is the one independent
variable (``{low, high}`` bins, ``{value: ...}`` for categories; with ``flow=True``
the declared flow bins too, as ``low: -.inf`` / ``high: .inf``, and a categorical
overflow bin as ``__UNDETERMINED__`` like hepdata_lib). Every drawn stack layer is
one dependent variable, in stack order, summed as histfmt sums it
(:class:`~histfmt.shown.Shown`): header = the layer's label, errors =
``stat`` (quadrature over the yields, ``symerror`` or ``asymerror``), ``syst``
(likewise, when a yield has one) and one labelled ``asymerror`` per named
variation (``plus = up - nominal``, ``minus = down - nominal``, signs kept;
same-named variations add linearly across the layer's yields). Yields that no
layer draws follow as their own dependent variables; ``raw=True`` also adds every
yield that is not a layer by itself (e.g. the parts of a merged layer).
Uncertainties are the stored ones (a ``poisson`` error bar is drawn, not stored,
so it is not exported). These are the stored bins; ``drawn=True`` exports the bins
and numbers the figure draws instead (the ``view``'s rebinning, flow bins folded,
per-width or unit-area scaling, a map's projection), and the table's description
ends with a sentence saying which, when the two differ (an import leaves it out).
Qualifiers: ``SQRT(S)`` (GeV), ``LUMINOSITY``, ``YIELDS``
(the summed references) and ``STACK`` (``"2 (points, error poisson)"``,
``"1 (map, error stat, cell text)"``, ``"1 (filled, error env, correlated)"``). A
``correlated`` stack adds a table of the covariance of its total between bins (two
independent variables, bin i and bin j; :mod:`.covariance`), named in the main table's
description; a post-fit pyhf book adds the fit parameters' correlations. Numbers are
written with ``repr`` (exact float64 round trip); a missing value is ``'-'``. A missing
(NaN) uncertainty of a point is left out, and a point whose uncertainties are all zero
gets none (the validator refuses all-zero errors). A **2-D** document has two independent
variables (x, then y) listing every cell, x-major (``values[i][j]`` is row
``i * ny + j``), flow bins with ``flow=True``. A document of **graphs** alone has
one independent variable of point values (the graphs' x, sorted; a graph
missing an x has ``'-'`` there) and one dependent variable per graph: its
``y_sources`` as labelled errors (``y_errors`` alone: one unlabelled error); x
errors are not exported (``low``/``high`` would make the points bins). Styles, the
ratio panel, lines, and the graphs of a document with yields have no HEPData
counterpart. :func:`write_book` writes a book as one submission: one table per
plot, named by its path (cut to 64 characters, kept unique).

**Import** (:func:`read`, :func:`from_table`): a table file, or one table of a
``submission.yaml``, submission folder or archive (``table=NAME``, or the only one:
a submission of several tables is refused, :func:`read_book` reads them all).
**One binned or categorical independent variable** gives a 1-D document: gaps
between bins become bins of missing values, ``±inf`` edge bins become flow bins,
string (or all-integer) ``value`` bins a categorical axis. **Two** give a 2-D
document: each variable's distinct bins (or values, in order of appearance) form
the x and y axes, each row fills its cell, a cell no row lists is missing; bins
that vary from row to row or a cell listed twice are not a grid (refused, or
skipped in a book). Each dependent variable becomes a yield: errors labelled
``stat...`` add in quadrature into ``stat``, ``sys``/``syst``/``systematic(s)``
into ``syst`` (magnitudes ``|plus|``, ``|minus|``), any other label (unlabelled:
``uncertainty``) becomes a variation ``up = value + plus``, ``down = value +
minus``; ``"5%"`` is relative to ``|value|``; a non-numeric value (``'-'``,
``'<0.1'``) is missing. **One variable of numbers without low/high** (points)
gives a document of graphs alone (see :mod:`.graphs`): one graph per dependent
variable, every error a named source in ``y_sources`` (unlabelled: ``error``,
``error 2``...), ``y_errors`` their quadrature sum per side, the x header as the x
axis's label and unit. Three or more independent variables are refused (skipped in
a book). Drawing: with histfmt's ``STACK`` qualifiers the stacks come back as
exported; otherwise a 1-D dependent variable whose header mentions data is drawn as
points, every other one as its own ``step`` line (HEPData columns are usually
alternatives, not parts of a sum), all with ``stat+syst+env`` errors; in 2-D the
first dependent variable is the ``map`` (values written in the cells when a table of
at most 100 cells lies within [-1, 1]: efficiencies, fractions, correlations), its
header on the colour bar. The submission's entry gives the title (its name), the
description, the tags (``phrases``), √s (``cmenergies``), the other keywords
(``metadata.extra["keywords"]``) and ``location`` (``metadata.extra["location"]``);
a book's description is the submission's ``comment``, and ``metadata.extra
["skipped"]`` maps each table histfmt cannot hold to the reason.
"""

from __future__ import annotations

from histfmt.convert.hepdata import files, submission
from histfmt.convert.hepdata.common import OVERFLOW_CATEGORY as OVERFLOW_CATEGORY
from histfmt.convert.hepdata.common import SUBMISSION as SUBMISSION
from histfmt.convert.hepdata.export import MAX_DATA_FILE as MAX_DATA_FILE
from histfmt.convert.hepdata.export import book_to_files, to_files, to_table
from histfmt.convert.hepdata.submission import read, read_book, sniff, write, write_book
from histfmt.convert.hepdata.tables import from_table

__all__ = [
    "book_to_files",
    "from_table",
    "read",
    "read_book",
    "sniff",
    "to_files",
    "to_table",
    "write",
    "write_book",
]

# Internals under the names they had when this was one module (the tests reach for them).
_Folder = files.Folder
_from_submission = submission.from_submission
