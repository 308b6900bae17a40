"""Reading a ROOT file: the whole tree as a book, or one directory as one document."""

from __future__ import annotations

import re
from typing import Any

from histfmt.convert.interface import Source, only_plot, stem_of
from histfmt.convert.root.files import (
    Entry,
    Unsupported,
    entries,
    get_object,
    json_string,
    open_file,
    uproot_module,
)
from histfmt.convert.root.objects import (
    COUNT,
    GRAPHS,
    PROFILES,
    Binned,
    binned_document,
    count,
    draw,
    efficiency,
    graph,
    profile,
    readable,
    skip_reason,
)
from histfmt.errors import HistfmtError, ValidationError
from histfmt.model import FORMAT_VERSION, Axis, Book, Document, Metadata, Variation, Yield

__all__ = [
    "NAMES_KEY",
    "NOTES",
    "PATHS_KEY",
    "PLOT_KEY",
    "SIDES",
    "SKIPPED_KEY",
    "interpret",
    "read",
    "read_book",
]

NAMES_KEY = "histfmt_names"
"""``TObjString`` of a directory mapping its keys to yield names, when one is needed."""
PLOT_KEY = "histfmt_plot"
"""``TObjString`` marking a directory that holds one plot of several yields."""
PATHS_KEY = "histfmt_paths"
"""Top-level ``TObjString`` mapping object paths to plot paths, when they differ."""
SKIPPED_KEY = "histfmt_skipped"
"""Top-level ``TObjString`` listing what a writer could not put in the file, and why."""
NOTES = (NAMES_KEY, PLOT_KEY, PATHS_KEY, SKIPPED_KEY)
SIDES = ("up", "down")
Role = tuple[str, str | None, str | None]  # (yield, variation, side)


def _note(entry: Entry) -> bool:
    return entry.name in NOTES and entry.classname == "TObjString"


def _one_d(classname: str) -> bool:
    found = COUNT.fullmatch(classname)
    return found is not None and found.group(1) == "1"


def _directory(entry: Entry) -> bool:
    return entry.classname.startswith("TDirectory")


def interpret(keys: list[str], mapping: dict[str, str]) -> dict[str, Role]:
    """What each histogram key stands for: a yield, or one side of a variation of one
    (``name__VARIATION__up``, or as ``mapping`` says)."""
    roles: dict[str, Role] = {}
    pending = []
    for key in keys:
        parts = mapping.get(key, "").split("/")
        if len(parts) == 1 and parts[0]:
            roles[key] = (parts[0], None, None)
        elif len(parts) == 3 and all(parts) and parts[2] in SIDES:
            roles[key] = (parts[0], parts[1], parts[2])
        elif key.endswith(("__up", "__down")):
            pending.append(key)
        else:
            roles[key] = (key, None, None)
    nominal = {key for key, role in roles.items() if role[1] is None}
    for key in pending:
        rest, _, side = key.rpartition("__")
        splits = [m.start() for m in re.finditer("(?=__)", rest)]
        found = [i for i in splits if rest[:i] in nominal and len(rest) > i + 2]
        if found:
            i = max(found)  # the longest matching base name
            roles[key] = (roles[rest[:i]][0], rest[i + 2 :], side)
        else:
            roles[key] = (key, None, None)
    return roles


def _yield_name(text: str) -> str:
    return text[:256] or "_"


# -- the whole tree ---------------------------------------------------------------------


class _Tree:
    """Reads directories into plots (path -> document) and skips (path -> reason)."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.plots: dict[str, Document] = {}
        self.skipped: dict[str, str] = {}
        self.paths: dict[str, str] = {}

    def accept(self, path: str, doc: Document) -> None:
        """Keep ``doc`` if it is a valid plot; else list it as skipped, saying why."""
        from histfmt.io import validate

        try:
            self.plots[path] = validate(doc)
        except ValidationError as error:
            self.skipped[path] = "not a valid plot: " + "; ".join(map(str, error.issues[:3]))

    def walk(self, folder: Any, prefix: str, only: set[str] | None = None) -> None:
        """Every readable object under ``folder`` (only the keys ``only``, if given)."""
        found = [e for e in entries(folder, prefix) if only is None or e.name in only]
        by_name = {entry.name: entry for entry in found}
        if not prefix and only is None:
            for key, target in ((SKIPPED_KEY, self.skipped), (PATHS_KEY, self.paths)):
                if key in by_name and _note(by_name[key]):
                    target.update(json_string(folder, key))
        if PLOT_KEY in by_name and _note(by_name[PLOT_KEY]) and only is None:
            key = prefix or stem_of(self.filename)
            try:
                self.accept(key, combine(folder, prefix, self.filename))
            except HistfmtError as error:
                self.skipped[key] = error.message
            return
        mapping = json_string(folder, NAMES_KEY) if NAMES_KEY in by_name else {}
        counted = [e.name for e in found if COUNT.fullmatch(e.classname)]
        roles = interpret(counted, mapping)
        bases: dict[str, str] = {}
        for key in counted:
            if roles[key][1] is None:
                bases.setdefault(roles[key][0], key)
        read: dict[str, Binned | Document] = {}
        varied: list[Entry] = []
        for entry in found:
            if _note(entry):
                continue
            if _directory(entry):
                self.walk(get_object(folder, entry, self.filename), entry.path)
                continue
            if not readable(entry.classname):
                self.skipped[entry.path] = skip_reason(entry.classname)
                continue
            role = roles.get(entry.name)
            if role is not None and role[1] is not None and role[0] in bases:
                varied.append(entry)
                continue
            got = self.read_object(folder, entry)
            if got is not None:
                read[entry.name] = got
        for entry in varied:
            name, variation, side = roles[entry.name]
            base = read.get(bases[name])
            got = self.read_object(folder, entry)
            if (
                isinstance(base, Binned)
                and isinstance(got, Binned)
                and _same_axes(base.axes, got.axes)
            ):
                shifted = base.item.variations.setdefault(str(variation), Variation())
                setattr(shifted, str(side), got.item.values)
            elif got is not None:
                read[entry.name] = got
        for entry in found:
            got = read.get(entry.name)
            if got is None:
                continue
            if isinstance(got, Binned):
                name = roles[entry.name][0] if entry.name in roles else entry.name
                got = binned_document(got, _yield_name(name))
            self.accept(entry.path, got)

    def read_object(self, folder: Any, entry: Entry) -> Binned | Document | None:
        """One object, or None when it is skipped (the reason noted); a damaged object
        is an error naming its path."""
        try:
            obj = get_object(folder, entry, self.filename)
        except Unsupported as error:
            self.skipped[entry.path] = error.issues[0].message
            return None
        try:
            return _read_object(obj, entry.classname)
        except HistfmtError as error:
            self.skipped[entry.path] = error.message
        except Exception as error:  # a damaged object: name it
            raise ValidationError.at(
                [entry.path],
                f"cannot read this {entry.classname}: {type(error).__name__}: {error}",
                filename=self.filename,
            ) from None
        return None


def _read_object(obj: Any, classname: str) -> Binned | Document:
    found = COUNT.fullmatch(classname)
    if found is not None:
        return count(obj, int(found.group(1)))
    if classname in PROFILES:
        return profile(obj, PROFILES[classname])
    if classname in GRAPHS:
        return graph(obj, classname)
    return efficiency(obj)


def _same_axes(first: list[Axis], second: list[Axis]) -> bool:
    return len(first) == len(second) and all(
        a.same_binning(b, flow=True) for a, b in zip(first, second, strict=True)
    )


def read_book(source: Source, /, *, name: str | None = None) -> Book:
    """Every histogram, profile, efficiency and graph of the file's directory tree, one
    plot each, keyed by its path (``dir/sub/name``); what is not read is listed with
    the reason in ``metadata.extra["skipped"]``."""
    with open_file(source, name) as (file, filename):
        tree = _Tree(filename)
        tree.walk(file, "")
    return _book(tree)


def _book(tree: _Tree) -> Book:
    from histfmt.io import validate

    if not tree.plots:
        listed = "; ".join(f"{path}: {reason}" for path, reason in tree.skipped.items())
        raise HistfmtError(
            "no histogram, profile, efficiency or graph to read "
            f"({listed or 'the file holds no objects'})",
            filename=tree.filename,
        )
    plots = {tree.paths.get(path, path): doc for path, doc in tree.plots.items()}
    book = Book.new(plots)
    if tree.skipped:
        book.metadata = Metadata(extra={"skipped": dict(tree.skipped)})
    return validate(book, filename=tree.filename)


# -- one directory as one document -------------------------------------------------------


class _Mismatch(HistfmtError):
    """Histograms of one directory that do not share a binning."""


def _describe(classname: str) -> str:
    found = COUNT.fullmatch(classname)
    if found is not None:
        return f"a {found.group(1)}-D histogram"
    if classname in PROFILES:
        return "a profile"
    if classname in GRAPHS:
        return "a graph"
    return "an efficiency"


def _others(
    classes: dict[str, str], histograms: list[str], names: list[str] | None, prefix: str
) -> dict[str, str]:
    """Why each object that is not one of the combined histograms is left out."""
    skipped = {}
    for key, classname in classes.items():
        if key in histograms or (names is not None and key not in names):
            continue
        path = f"{prefix}/{key}" if prefix else key
        if classname.startswith("TDirectory"):
            skipped[key] = f"{classname}: a directory; read it with directory={path!r}"
        elif readable(classname):
            skipped[key] = (
                f"{classname}: {_describe(classname)}, a plot of its own; read the file as a book"
            )
        else:
            skipped[key] = skip_reason(classname)
    return skipped


def combine(folder: Any, prefix: str, filename: str, names: list[str] | None = None) -> Document:
    """The 1-D histograms of one directory (or the keys ``names``) as yields of one
    document, each variation ``name__VAR__up`` with its yield; the other objects are
    listed in ``metadata.extra["root_skipped"]``."""
    found = entries(folder, prefix)
    classes = {entry.name: entry.classname for entry in found}
    mapping = json_string(folder, NAMES_KEY) if classes.get(NAMES_KEY) == "TObjString" else {}
    for note in NOTES:
        if classes.get(note) == "TObjString":
            del classes[note]
    histograms = [key for key, classname in classes.items() if _one_d(classname)]
    for key in names or []:
        if key not in classes:
            raise HistfmtError(f"no object {key!r} here (have: {', '.join(classes) or 'none'})")
        if key not in histograms:
            raise HistfmtError(
                f"{key!r} is a {classes[key]}: only 1-D histograms are combined into one "
                "document (read it alone, or read the file as a book)"
            )
    skipped = _others(classes, histograms, names, prefix)
    roles = interpret(histograms, mapping)
    chosen = [key for key in histograms if names is None or key in names]
    bases = {roles[key][0]: key for key in chosen if roles[key][1] is None}
    yields: dict[str, Yield] = {}
    axis: Axis | None = None
    first = ""

    def load(key: str) -> Binned:
        entry = Entry(key, classes[key], f"{prefix}/{key}" if prefix else key)
        return count(get_object(folder, entry, filename), 1)

    for key in chosen:
        name, variation, _ = roles[key]
        if variation is not None and name in bases:
            continue  # read with its yield below
        if variation is not None:
            name = key  # a variation histogram asked for without its nominal one
        binned = load(key)
        yields[_yield_name(name)] = binned.item
        if axis is None:
            axis, first = binned.axes[0], key
        elif not axis.same_binning(binned.axes[0], flow=True):
            raise _Mismatch(f"histogram {key!r} has a different binning from {first!r}")
    if axis is None:
        listed = "; ".join(f"{name}: {reason}" for name, reason in skipped.items())
        raise HistfmtError(f"no 1-D histogram to read ({listed or 'the directory is empty'})")
    for key in histograms:
        name, variation, side = roles[key]
        if variation is None or side is None or name not in bases:
            continue
        binned = load(key)
        if not axis.same_binning(binned.axes[0], flow=True):
            raise _Mismatch(f"histogram {key!r} has a different binning from {first!r}")
        entry = yields[name].variations.setdefault(variation, Variation())
        setattr(entry, side, binned.item.values)
    doc = draw(Document(histfmt=FORMAT_VERSION, x=axis, yields=yields))
    if skipped:
        doc.metadata = Metadata(extra={"root_skipped": skipped})
    return doc


def read(
    source: Source,
    /,
    *,
    name: str | None = None,
    names: list[str] | None = None,
    directory: str | None = None,
) -> Document:
    """One plot: the 1-D histograms of the top directory (or of ``directory``, or the
    keys ``names``) as the yields of one document when they share a binning, else the
    one plot of the file; a file of several plots is refused (read it as a book)."""
    from histfmt.io import validate

    with open_file(source, name) as (file, filename):
        folder, where = file, ""
        if directory:
            where = directory.strip("/")
            folder = file.get(where)  # None when missing
            if not isinstance(folder, uproot_module().ReadOnlyDirectory):
                raise HistfmtError(f"no directory {directory!r} in the file")
        found = {entry.name: entry for entry in entries(folder, where)}
        if names is not None and len(names) == 1 and names[0] in found:
            entry = found[names[0]]
            if not _one_d(entry.classname) and readable(entry.classname):
                tree = _Tree(filename)
                tree.walk(folder, where, only={entry.name})
                return only_plot(_book(tree), filename)
        one_d = [entry for entry in found.values() if _one_d(entry.classname)]
        if names is not None or one_d:
            try:
                return validate(combine(folder, where, filename, names), filename=filename)
            except _Mismatch:
                if names is not None:
                    raise
        tree = _Tree(filename)
        tree.walk(folder, where)
        return only_plot(_book(tree), filename)
