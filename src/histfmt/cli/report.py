"""How every command reports a failure: the exit status, and one line per problem.

A :class:`~histfmt.HistfmtError` is a problem of the input: its issues are printed,
each naming the file and the JSON path, and the status is 1. Anything else is a bug
or an environment failure: one "internal error" line, status 2.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Mapping, Sequence
from typing import NoReturn

import click

from histfmt.errors import HistfmtError

__all__ = ["DEBUG", "EXIT_FAILURE", "EXIT_INVALID", "echo_issues", "error_text", "fail", "problems"]

EXIT_INVALID = 1
"""Some input is invalid or could not be read (or a server refused it)."""
EXIT_FAILURE = 2
"""An unexpected failure."""


DEBUG = "HISTFMT_DEBUG"
"""Set to 1 in the environment to see the traceback of every failure."""


def problems(error: Exception) -> tuple[int, list[dict[str, str]]]:
    """The exit status of a failure and its problems as ``{"path", "message"}``.

    A HistfmtError, or an OSError (a folder, an unreadable file, a symbolic link loop),
    is a problem of the input: status 1. Anything else is a bug: status 2 and one line,
    ``internal error: ...``. With ``HISTFMT_DEBUG=1`` the traceback goes to stderr too.
    """
    if os.environ.get(DEBUG, "") not in ("", "0"):
        traceback.print_exception(error, file=sys.stderr)
    if isinstance(error, HistfmtError):
        return EXIT_INVALID, error.as_dicts()
    if isinstance(error, OSError):
        return EXIT_INVALID, [{"path": "$", "message": f"cannot read: {error.strerror or error}"}]
    message = f"internal error: {error!r} ({DEBUG}=1 shows where)"  # a repr is one line
    return EXIT_FAILURE, [{"path": "$", "message": message}]


def error_text(name: str, error: HistfmtError) -> str:
    """The error's text for a line that starts with ``name: `` already.

    Unlike the issues' messages, it keeps the name of another file the error was
    raised for (a table inside a HEPData archive).
    """
    return str(error).removeprefix(f"{name}: ")


def echo_issues(
    name: str,
    issues: Sequence[Mapping[str, str]],
    *,
    lone: str | None = None,
    root_path: bool = False,
) -> None:
    """One line per problem on stderr, ``name: path: message``.

    A lone problem without a place (at ``$``) is ``name: message``, with ``lone`` as
    its message when given; ``root_path`` prints the ``$`` path all the same.
    """
    for issue in issues:
        placeless = issue["path"] == "$" and len(issues) == 1 and not root_path
        where = "" if placeless else f"{issue['path']}: "
        message = lone if placeless and lone is not None else issue["message"]
        click.echo(f"{name}: {where}{message}", err=True)


def fail(name: str, error: Exception) -> NoReturn:
    """Report the failure of ``name`` on stderr, one line per problem; then exit."""
    status, issues = problems(error)
    echo_issues(name, issues)
    sys.exit(status)
