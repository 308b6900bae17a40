"""Checks on an input's text before it is parsed: what a parser would hide or die of.

JSON parsers keep the last of two equal keys (an invalid first definition would silently
disappear) and recurse once per nesting level; YAML aliases expand without end and PyYAML
turns a 5,000-digit integer into a ``ValueError``. :func:`check_json` and :func:`check_yaml`
refuse such input with a :class:`~histfmt.errors.HistfmtError` naming the JSON path (and,
for a limit, the limit), at a cost small beside the parse itself.
"""

from __future__ import annotations

import json
import re
from typing import Any

from histfmt.errors import HistfmtError, LimitError, ValidationError
from histfmt.limits import Limits

__all__ = ["check_json", "check_yaml", "duplicate_key_error", "first_problem", "too_deep"]

_COLON = re.compile(rb"[ \t\r\n]*:")
Path = tuple[str | int, ...]


def too_deep(parts: Path, limits: Limits, *, filename: str | None) -> LimitError:
    """The refusal of nesting deeper than ``limits.depth``, at ``parts``."""
    return LimitError.at(
        parts,
        f"nested deeper than {limits.depth:,} levels ({limits.describe('depth')})",
        filename=filename,
        limit="depth",
    )


def check_json(data: bytes, limits: Limits, *, filename: str | None = None) -> None:
    """Refuse JSON text with a duplicate key or objects nested deeper than ``limits.depth``.

    A quick scan of the text's strings and braces (at C speed where it can: the long runs
    of numbers are never looked at in Python) says whether anything may be wrong; only
    then is the text parsed again, exactly, to name the path. Text that is not JSON is
    left to the parser to explain.
    """
    scan = _scan_tokens if len(data) < _SMALL else _scan_finds
    if scan(data, limits.depth):
        found = first_problem(_exact(data), limits)
        if found is not None:
            raise _refusal(found, limits, filename)


_SMALL = 1024**2
"""Below this size the text is scanned token by token; above, by jumps between quotes."""
_STRUCTURE = bytes(b for b in range(256) if b not in b'{}":')


def _scan_tokens(data: bytes, depth: int) -> bool:
    """Whether ``data`` may hold a duplicate key or too deep objects: the text outside its
    strings reduced to its braces, quotes and colons, then read token by token."""
    if b'\\"' in data:  # an escaped quote: splitting at quotes would go wrong
        return True
    parts = data.split(b'"')
    tokens = b'"'.join(parts[::2]).translate(None, _STRUCTURE)
    stack: list[set[bytes]] = []
    keys: set[bytes] = set()
    string = -1  # the index in parts of the last string passed
    for token in tokens:
        if token == 34:  # "
            string += 2
        elif token == 58:  # a colon: the string before it is a key
            key = parts[string] if string > 0 else b""
            if key in keys or b"\\" in key:  # "a" and "\u0061" are one key: look closely
                return True
            keys.add(key)
        elif token == 123:  # {
            stack.append(keys)
            keys = set()
            if len(stack) > depth:
                return True
        else:
            keys = stack.pop() if stack else set()
    return False


def _scan_finds(data: bytes, depth: int) -> bool:
    """:func:`_scan_tokens` for big texts: jumps from quote to brace with ``bytes.find``
    (C speed over the arrays of numbers that make most of a big document)."""
    find, end = data.find, len(data)

    def after(byte: bytes, start: int) -> int:
        found = find(byte, start)
        return end if found < 0 else found

    quote, opening, closing = after(b'"', 0), after(b"{", 0), after(b"}", 0)
    stack: list[set[bytes]] = []
    keys: set[bytes] = set()
    while True:
        if quote < opening and quote < closing:
            close = find(b'"', quote + 1)
            while close > 0 and data[close - 1] == 92:  # a backslash: escaped, or not?
                backslashes = len(data[quote + 1 : close]) - len(
                    data[quote + 1 : close].rstrip(b"\\")
                )
                if backslashes % 2 == 0:
                    break
                close = find(b'"', close + 1)
            if close < 0:
                return False  # not JSON: the parser explains
            if _COLON.match(data, close + 1):
                key = data[quote + 1 : close]
                if key in keys or b"\\" in key:
                    return True
                keys.add(key)
            position = close + 1
            quote = after(b'"', position)
            if opening < position:
                opening = after(b"{", position)
            if closing < position:
                closing = after(b"}", position)
        elif opening < closing:
            stack.append(keys)
            keys = set()
            if len(stack) > depth:
                return True
            opening = after(b"{", opening + 1)
        elif closing < end:
            keys = stack.pop() if stack else set()
            closing = after(b"}", closing + 1)
        else:
            return False


class _Duplicated(dict[str, Any]):
    """An object of the exact parse that held a key twice."""

    duplicate: str = ""


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) == len(pairs):
        return found
    seen: set[str] = set()
    marked = _Duplicated(found)
    marked.duplicate = next(key for key, _ in pairs if key in seen or seen.add(key))  # type: ignore[func-returns-value]
    return marked


def _exact(data: bytes) -> Any:
    """``data`` parsed by the standard library, duplicates marked; None if it cannot be."""
    try:
        return json.loads(data, object_pairs_hook=_pairs)
    except (ValueError, RecursionError):  # not JSON (the parser explains), or too deep
        return None


def _refusal(found: tuple[Path, str], limits: Limits, filename: str | None) -> HistfmtError:
    path, problem = found
    if problem == "depth":
        return too_deep(path, limits, filename=filename)
    return duplicate_key_error(path, filename=filename)


def duplicate_key_error(path: Path, *, filename: str | None) -> ValidationError:
    """The refusal of a key that appears twice in one object, at the path of that key."""
    return ValidationError.at(
        path,
        f"the key {path[-1]!r} appears more than once in this object; keys must be unique",
        filename=filename,
    )


def first_problem(obj: Any, limits: Limits) -> tuple[Path, str] | None:
    """The first duplicated key (``"duplicate"``) or too deep value (``"depth"``) of an
    exact parse, with its path; without recursion."""
    pending: list[tuple[Any, Path]] = [(obj, ())]
    while pending:
        value, path = pending.pop()
        if len(path) >= limits.depth and isinstance(value, (dict, list)):
            return path, "depth"
        if isinstance(value, _Duplicated):
            return (*path, value.duplicate), "duplicate"
        if isinstance(value, dict):
            pending += [(item, (*path, key)) for key, item in reversed(value.items())]
        elif isinstance(value, list):
            pending += [(item, (*path, i)) for i, item in reversed(list(enumerate(value)))]
    return None


class _Frame:
    """An open YAML mapping (``keys`` seen, a key or a value next) or sequence."""

    __slots__ = ("expect_key", "here", "keys")

    def __init__(self, mapping: bool) -> None:
        self.keys: set[str] | None = set() if mapping else None
        self.expect_key = mapping
        self.here: str | int = 0  # the current key, or index


def _finished(frames: list[_Frame]) -> None:
    """A value is complete: its mapping expects a key next, its sequence the next index."""
    if frames:
        frame = frames[-1]
        if frame.keys is None:
            frame.here = int(frame.here) + 1
        else:
            frame.expect_key = True


def check_yaml(data: bytes, limits: Limits, *, filename: str | None = None) -> None:
    """Refuse YAML with aliases (``*name``: nested ones expand without end), a duplicate
    key, nesting deeper than ``limits.depth``, or a scalar beyond the string or number
    limits; from the parser's events, before anything is built."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    frames: list[_Frame] = []
    longest = min(limits.string_length, limits.number_digits)
    for event in yaml.parse(data, Loader=loader):
        kind = type(event)
        if kind is yaml.ScalarEvent:
            frame = frames[-1] if frames else None
            value = event.value
            if frame is not None and frame.expect_key:
                assert frame.keys is not None
                frame.here = value
                if value in frame.keys:
                    raise duplicate_key_error(_path(frames), filename=filename)
                frame.keys.add(value)
                frame.expect_key = False
                if len(value) > longest:
                    _check_scalar(event, value, limits, _path(frames), filename)
            else:
                if len(value) > longest:
                    _check_scalar(event, value, limits, _path(frames), filename)
                _finished(frames)
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if frames and frames[-1].expect_key:
                mark = event.start_mark
                raise HistfmtError(
                    f"YAML complex keys (? ...) are not allowed, at line {mark.line + 1}, "
                    f"column {mark.column + 1}: keys are text",
                    filename=filename,
                )
            frames.append(_Frame(kind is yaml.MappingStartEvent))
            if len(frames) > limits.depth:
                raise too_deep(_path(frames[:-1]), limits, filename=filename)
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            frames.pop()
            _finished(frames)
        elif kind is yaml.AliasEvent:
            mark = event.start_mark
            raise HistfmtError(
                f"YAML aliases (*name) are not allowed, at line {mark.line + 1}, "
                f"column {mark.column + 1}: write the values out",
                filename=filename,
            )


def _path(frames: list[_Frame]) -> Path:
    return tuple(frame.here for frame in frames)


_NUMBER = re.compile(r"[-+]?[0-9.][0-9_.]*([eE][-+]?[0-9]+)?|[-+]?0[xo][0-9a-fA-F_]+")


def _check_scalar(event: Any, value: str, limits: Limits, path: Path, filename: str | None) -> None:
    if not event.style and len(value) > limits.number_digits and _NUMBER.fullmatch(value):
        raise LimitError.at(
            path,
            f"a number of {len(value):,} characters ({limits.describe('number_digits')})",
            filename=filename,
            limit="number_digits",
        )
    if len(value) > limits.string_length:
        raise LimitError.at(
            path,
            f"a string of {len(value):,} characters ({limits.describe('string_length')})",
            filename=filename,
            limit="string_length",
        )
