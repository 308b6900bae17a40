"""uhepp 0.4 files (written by uhepp 0.5.2) <-> histfmt documents.

Import (:func:`read`, :func:`from_uhepp`) takes every key uhepp reads:

============================================  ==============================================
uhepp 0.4                                     histfmt 1.0
============================================  ==============================================
``metadata.filename``, ``date``, ``author``,  the same keys (a ``date`` that is not ISO 8601
``producer``, ``code_revision``,              goes to ``metadata.extra["uhepp_date"]``)
``event_selection``
``metadata.tags`` (object str -> str)         ``metadata.tags`` as ``"key=value"`` (``"key"``
                                              for an empty value); the object itself in
                                              ``metadata.extra["uhepp_tags"]``
``metadata.lumi_ifb``, ``metadata.Ecm_TeV``   ``metadata.luminosity`` (fb-1), ``sqrt_s`` (TeV)
``badge.brand``/``label``/``subtext``         ``badge`` (none when all three are empty)
``variable.symbol``/``unit``/``log``,         ``x.symbol``/``unit``/``log``, ``x.label``,
``variable.name``, ``unit_in_brackets``       ``x.unit_in_brackets``
``bins.edges`` (arrays hold n + 2 bins)       ``x.edges``, ``x.underflow = x.overflow = true``
``bins.rebin``, ``include_*``,                ``view.rebin``, ``view.include_*``,
``density_width`` (0 or null: off)            ``view.density_width`` (absent: off)
``yields.N.base``/``stat``/``syst``           ``yields.N.values``/``stat``/``syst``
``yields.N.var_up.V``, ``var_down.V``         ``yields.N.variations.V.up``/``down`` (a missing
                                              side stays missing: both formats mirror it)
``stacks[].type`` stepfilled/step/points      ``filled``/``step``/``points``
``error`` ("no" is ``"none"``),               the same; ``content[].yield`` is
``x_errorbar``, ``keep_zero``, ``content[]``  ``content[].yields`` (a bare string is one name)
``ratio[]`` (no ``denominator``: unity)       ``ratio[]`` (``denominator: []``)
``ratio_axis.diff``                           ``ratio_axis.kind: "difference"``
``y_axis``, ``ratio_axis``, ``layout``,       the same keys; a graph ``type`` other than
``v_lines``, ``h_lines``, ``graphs``          ``points`` becomes ``line`` (uhepp draws a line)
============================================  ==============================================

Leniency: JSON may hold bare ``NaN`` (uhepp writes it; it becomes a missing value);
numeric strings in numeric fields are numbers (YAML 1.1 reads ``1e3`` as a string);
YAML dates stay strings; the style typos ``maker``/``makersize`` mean ``marker``/
``markersize``, and ``marker`` (which uhepp wrongly refuses) is kept.  Keys uhepp
ignores are ignored.  Infinities and yield or variation names with ``/`` are errors.

Export (:func:`write`, :func:`to_uhepp`) writes uhepp 0.4 that uhepp 0.5.2 loads and
renders; JSON keeps NaN as bare ``NaN`` (as uhepp does), YAML as ``.nan``.  What uhepp
cannot say: missing flow bins are written as zeros; an asymmetric ``stat``/``syst``/
graph error becomes its larger side; ``variances`` become ``stat = sqrt(variances)``;
error ``poisson`` becomes ``stat`` (a yield it draws that has no ``stat`` gets
``sqrt(values)``); type ``band`` becomes ``step``; an empty denominator becomes a
synthetic yield ``unity`` that is 1 (0 for a difference) in every drawn bin, and a
variation reference in an item whose error has ``env`` (uhepp crashes there) a copy of
the variation; ``view.rebin`` is snapped onto the exact edges; ``x.name`` is
``variable.name`` when there is neither a label nor a symbol.  Dropped: ``marker`` on
stack and ratio items (uhepp refuses it), ``markersize`` on graphs (likewise),
``hatch``, ``alpha``, labels of lines and ratio items, ``x.kind``/``circular``/``min``/
``max``, ``view.density``, ``badge.show_luminosity``, yield ``label``/``storage``/
``writer_info``, metadata other than the keys above, and flags that are false (uhepp
reads absent as false).  A categorical axis, a ``pull`` panel and colours matplotlib
cannot read have no uhepp form: they are errors.  Missing ``metadata.filename``/``date``
become ``"unnamed"``/the current time, as in uhepp.
"""

from __future__ import annotations

from histfmt.convert.uhepp.files import read, read_book, sniff, write, write_book
from histfmt.convert.uhepp.reading import from_uhepp
from histfmt.convert.uhepp.writing import to_uhepp

__all__ = ["from_uhepp", "read", "read_book", "sniff", "to_uhepp", "write", "write_book"]
