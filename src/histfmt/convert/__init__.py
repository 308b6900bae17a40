"""Converters between histfmt and its neighbours, one module each.

Every file-format module (``native`` for histfmt itself, ``uhepp``, ``uhi_file``,
``hepdata``, ``root``) satisfies :class:`histfmt.convert.interface.Converter`:
``sniff(head, name)``, ``read(source, /, *, name=None)`` from bytes or a path, and
``write(doc, path)``. :mod:`histfmt.convert.registry` detects kinds and dispatches;
:mod:`histfmt.convert.uhi` converts histogram objects (boost-histogram, hist).
"""
