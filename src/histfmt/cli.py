"""The ``histfmt`` command line: thin commands that parse, call the library, print."""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from histfmt import __version__
from histfmt.errors import HistfmtError, ValidationError

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


def main() -> None:
    """Entry point of the ``histfmt`` script."""
    try:
        cli.main(standalone_mode=True)
    except HistfmtError as error:  # pragma: no cover - commands catch their own
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_INVALID)
