"""ROOT files <-> histfmt, through uproot (no PyROOT needed).

Reading a book (:func:`read_book`): the whole directory tree, one plot per object,
keyed by its path (``dir/sub/name``, cycle numbers dropped, a name repeated in a
directory read at its highest cycle; empty directories are absent):

- ``TH1*`` and ``TH2*``: a yield of counts (1-D, or 2-D drawn as a ``map``), its
  numbers straight from uproot (``values(flow=True)``, and ``variances`` when the
  histogram has ``fSumw2``: storage ``weight``; without it an integer histogram has
  storage ``int`` and a floating-point one ``double`` with variances equal to the
  values, ROOT's ``sqrt(N)`` errors).  Flow bins are kept.  Fixed binning gives
  ``kind: "regular"`` with ``numpy.linspace(fXmin, fXmax, n + 1)``, variable binning
  the stored ``fXbins``.  Unique labels on every bin make a categorical axis when the
  underflow bin is empty; labels that repeat (or an underflow with content) stay on a
  numeric axis as its ``labels``.  A 1-D plot is stacked (filled), or drawn as points
  when it is named like data (``data``, ``data_obs``).  A histogram
  ``name__VAR__up`` / ``__down`` beside ``name`` is that yield's variation.
- ``TProfile``, ``TProfile2D``: ``kind: "mean"``: ``values`` the means, ``stat`` the
  errors of the means (uproot's ``errors()``, its default error mode), ``profile``
  the entries (uproot's ``counts``: ROOT's effective entries), the sums of weights and
  of squared weights (``fBinEntries``, ``fBinSumw2``; a weighted profile) and the
  sample variance of the profiled quantity; an empty bin has no mean (``null``).
- ``TEfficiency`` (of a TH1 or TH2): ``kind: "efficiency"``, passed and total from
  its two histograms, ``stat`` the interval of its statistic option at its
  confidence level (Clopper-Pearson, normal, Wilson, ROOT's definitions; any other
  option gets the Clopper-Pearson interval and is kept in ``writer_info.root``).
- ``TGraph``, ``TGraphErrors``, ``TGraphAsymmErrors``: a document of that graph
  alone, its axis titles as the x label and the y-axis label.
- Anything else (``TH3``, ``TProfile3D``, trees, functions, strings...) is skipped and
  listed with the reason in ``book.metadata.extra["skipped"]``; a file with nothing
  to read is refused, naming what was skipped.

Reading one document (:func:`read`): the 1-D histograms of the top directory (or of
``directory``, or the keys ``names``) as the yields of one document when they share
a binning (simulation stacked, data as points with a data / prediction ratio; the
other objects listed in ``metadata.extra["root_skipped"]``), else the one plot of the
file; a file of several plots is refused, saying to read it as a book.
:meth:`histfmt.Book.select` keeps the plots of a book whose paths match globs.

Writing (:func:`write`, :func:`write_book`), atomically: a yield of counts as a
``TH1D`` or ``TH2D`` (``fSumw2`` from ``variances``, else ``stat`` squared), a yield
of kind ``mean`` as a ``TProfile`` or ``TProfile2D``; declared flow bins into ROOT's
flow bins; categories as bin labels; each side of a variation as
``name__VAR__up`` / ``__down``.  Keys lose the characters ROOT keys cannot safely
hold; a ``TObjString`` ``histfmt_names`` maps keys to yield names where needed.  In
a book, each plot goes to its path: a plot of one yield as one histogram, a plot of
several as a directory of them marked by a ``TObjString`` ``histfmt_plot``.
Efficiencies and graphs (uproot cannot write ``TEfficiency`` or
``TGraphAsymmErrors``) are not written; a top-level ``TObjString``
``histfmt_skipped`` lists them, and :func:`read_book` reports it.  Stacks, styles and
the other drawing information have no ROOT counterpart and are not written.
"""

from __future__ import annotations

from histfmt.convert.root.files import sniff
from histfmt.convert.root.reading import NAMES_KEY, read, read_book
from histfmt.convert.root.writing import write, write_book

__all__ = ["NAMES_KEY", "read", "read_book", "sniff", "write", "write_book"]
