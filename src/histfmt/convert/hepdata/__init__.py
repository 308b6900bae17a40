"""HEPData submissions <-> histfmt: one plot is one HEPData table.

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
so it is not exported). Qualifiers: ``SQRT(S)`` (GeV), ``LUMINOSITY``, ``YIELDS``
(the summed references) and ``STACK`` (``"2 (points, error poisson)"``). Numbers
are written with ``repr`` (exact float64 round trip); a missing value is ``'-'``.
A missing (NaN) uncertainty of a point is left out, and a point whose
uncertainties are all zero gets none (the validator refuses all-zero errors).
Styles, the ratio panel, lines and graphs have no HEPData counterpart.

**Import** (:func:`read`, :func:`from_table`): a table file, a ``submission.yaml``,
a submission folder or archive (first table, or ``table=NAME``). Bins must be
one-dimensional; gaps between bins become bins of missing values, ``±inf`` edge
bins become flow bins, string (or integer) ``value`` bins a categorical axis.
Each dependent variable becomes a yield: errors labelled ``stat...`` add in
quadrature into ``stat``, ``sys``/``syst``/``systematic(s)`` into ``syst``
(magnitudes ``|plus|``, ``|minus|``), any other label (unlabelled:
``uncertainty``) becomes a variation ``up = value + plus``, ``down = value +
minus``; ``"5%"`` is relative to ``|value|``; a non-numeric value (``'-'``,
``'<0.1'``) is missing. Drawing: with histfmt's ``STACK`` qualifiers the stacks
come back as exported; otherwise a dependent variable whose header mentions
data is drawn as points, every other one as its own ``step`` line (HEPData
columns are usually alternatives, not parts of a sum), all with
``stat+syst+env`` errors.
"""

from __future__ import annotations

from histfmt.convert.hepdata import files, submission
from histfmt.convert.hepdata.common import OVERFLOW_CATEGORY as OVERFLOW_CATEGORY
from histfmt.convert.hepdata.common import SUBMISSION as SUBMISSION
from histfmt.convert.hepdata.export import MAX_DATA_FILE as MAX_DATA_FILE
from histfmt.convert.hepdata.export import to_files, to_table
from histfmt.convert.hepdata.submission import read, read_book, sniff, write, write_book
from histfmt.convert.hepdata.tables import from_table

__all__ = [
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
