"""The ``histfmt`` command line: thin commands that parse, call the library, print."""

from __future__ import annotations

import itertools
import json
import math
import os
import sys
from typing import TYPE_CHECKING, Any, NoReturn

import click

from histfmt import __version__
from histfmt.errors import HistfmtError, ValidationError

if TYPE_CHECKING:
    from histfmt.model import Document

__all__ = ["main"]

EXIT_INVALID = 1
EXIT_FAILURE = 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", prog_name="histfmt")
def cli() -> None:
    """histfmt: histogram plots as data.

    \b
    Examples:
      histfmt validate plot.json more/*.json
      histfmt validate --json plot.json | jq .
      histfmt info plot.json
      histfmt show plot.json --rebin 0,50,100,200 --logy
      histfmt schema > histfmt.schema.json
    """


def _issues(error: HistfmtError) -> list[dict[str, str]]:
    if isinstance(error, ValidationError):
        return [{"path": issue.path, "message": issue.message} for issue in error.issues]
    return [{"path": "$", "message": error.message}]


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report instead of text.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only, not 'ok' lines.")
def validate(files: tuple[str, ...], as_json: bool, quiet: bool) -> None:
    """Check FILES (.json, .json.gz, .yaml; '-' for stdin) against the format.

    Exit status: 0 all valid, 1 some invalid (each error printed with the
    file and its JSON path), 2 an unexpected failure.

    \b
    Examples:
      histfmt validate plot.json
      cat plot.json | histfmt validate -
    """
    from histfmt.io import load

    report: list[dict[str, Any]] = []
    status = 0
    for name in files:
        entry: dict[str, Any] = {"file": name, "valid": True, "errors": []}
        try:
            if name == "-":
                load(sys.stdin.buffer, format="json")
            else:
                load(name)
        except HistfmtError as error:
            entry.update(valid=False, errors=_issues(error))
            status = max(status, EXIT_INVALID)
        except Exception as error:
            entry.update(
                valid=False, errors=[{"path": "$", "message": f"internal error: {error!r}"}]
            )
            status = EXIT_FAILURE
        report.append(entry)
        if as_json:
            continue
        if entry["valid"]:
            if not quiet:
                click.echo(f"{name}: ok")
        else:
            for issue in entry["errors"]:
                where = (
                    ""
                    if issue["path"] == "$" and len(entry["errors"]) == 1
                    else f"{issue['path']}: "
                )
                click.echo(f"{name}: {where}{issue['message']}", err=True)
    if as_json:
        click.echo(json.dumps({"valid": status == 0, "files": report}, indent=2))
    sys.exit(status)


@cli.command()
def schema() -> None:
    """Print the JSON Schema of the format (draft 2020-12)."""
    from importlib import resources

    from histfmt.schema import SCHEMA_FILENAME

    click.echo(
        resources.files("histfmt.resources").joinpath(SCHEMA_FILENAME).read_text("utf-8"), nl=False
    )


def _load(name: str) -> Document:
    from histfmt.io import load

    return load(sys.stdin.buffer, format="json") if name == "-" else load(name)


def _fail(name: str, error: Exception) -> NoReturn:
    """Report a failure on stderr, one line per problem, each naming the file; then exit."""
    if not isinstance(error, HistfmtError):
        click.echo(f"{name}: internal error: {error!r}", err=True)
        sys.exit(EXIT_FAILURE)
    issues = _issues(error)
    for issue in issues:
        where = "" if issue["path"] == "$" and len(issues) == 1 else f"{issue['path']}: "
        click.echo(f"{name}: {where}{issue['message']}", err=True)
    sys.exit(EXIT_INVALID)


def _use_color(option: bool | None) -> bool:
    if option is not None:
        return option
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _edges(text: str) -> list[float]:
    """``0,50,100,200`` as a list of strictly increasing finite numbers."""
    try:
        edges = [float(part) for part in text.split(",")]
    except ValueError:
        edges = []
    if (
        len(edges) < 2
        or not all(math.isfinite(e) for e in edges)
        or any(b <= a for a, b in itertools.pairwise(edges))
    ):
        raise HistfmtError(
            f"--rebin: expected two or more increasing numbers separated by commas, "
            f"such as 0,50,100,200; got {text!r}"
        )
    return edges


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def info(file: str, as_json: bool) -> None:
    """Summarise FILE: metadata, axis, yields, stacks, ratio.

    Every yield with its total, flow content, uncertainty kinds and storage;
    every stack layer and ratio item with its total. Totals are sums over the
    drawn bins (after the document's rebinning and flow options), in events;
    flow bins are listed as stored. Exit status: 0 ok, 1 the file cannot be
    read or is invalid.

    \b
    Examples:
      histfmt info plot.json
      histfmt info --json plot.json | jq '.yields[] | {name, total}'
    """
    from histfmt.summary import format_summary, summarize

    try:
        summary = {"file": file, **summarize(_load(file))}
    except Exception as error:
        _fail(file, error)
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        click.echo(format_summary(summary, color=_use_color(None)), nl=False)


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option(
    "--width",
    type=int,
    default=None,
    help="Columns to use (at least 40). Default: the terminal width.",
)
@click.option(
    "--rebin",
    metavar="EDGES",
    default=None,
    help="Comma-separated edges to draw with, a subset of the x edges, e.g. 0,50,100,200.",
)
@click.option(
    "--logy/--liny", default=None, help="Logarithmic or linear y. Default: the document's."
)
@click.option(
    "--color/--no-color", default=None, help="Colours. Default: on when writing to a terminal."
)
def show(
    file: str, width: int | None, rebin: str | None, logy: bool | None, color: bool | None
) -> None:
    """Draw FILE in the terminal, like histoprint.

    The first stack is drawn as bars (a colour or shade per layer), the other
    stacks (data) as markers, then a summary line per ratio item. The x axis
    runs down the page, the y axis to the right. Needs histoprint
    (pip install 'histfmt[plot]'). Exit status: 0 ok, 1 the file cannot be read,
    is invalid, or an option is wrong.

    \b
    Examples:
      histfmt show plot.json
      histfmt show plot.json --logy --width 100
      histfmt show plot.json --rebin 0,50,100,200 --color | less -R
    """
    import shutil

    from histfmt.render.text import render_text

    use_color = _use_color(color)
    try:
        edges = None if rebin is None else _edges(rebin)
        text = render_text(
            _load(file),
            width=width or shutil.get_terminal_size().columns,
            rebin=edges,
            logy=logy,
            color=use_color,
        )
    except Exception as error:
        _fail(file, error)
    click.echo(text, nl=False, color=use_color)


def main() -> None:
    """Entry point of the ``histfmt`` script."""
    try:
        cli.main(standalone_mode=True)
    except HistfmtError as error:  # pragma: no cover - commands catch their own
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_INVALID)
