"""The ``histfmt`` command line: thin commands that parse, call the library, print.

The top group only names its commands; each is imported when it runs or when help
lists it. Document commands live in :mod:`histfmt.cli.documents`, the client of a
viewer server in :mod:`histfmt.cli.remote`, and the viewer's own admin commands in
the viewer package (``histfmt_viewer.commands``, the ``viewer`` extra).
"""

from __future__ import annotations

import sys

import click

from histfmt import __version__
from histfmt.cli.lazy import LazyGroup
from histfmt.cli.report import EXIT_INVALID
from histfmt.errors import HistfmtError

__all__ = ["COMMANDS", "SHORT_HELP", "VIEWER_MISSING", "cli", "main"]

COMMANDS = {
    "validate": "histfmt.cli.documents:validate",
    "schema": "histfmt.cli.documents:schema",
    "info": "histfmt.cli.documents:info",
    "show": "histfmt.cli.documents:show",
    "render": "histfmt.cli.documents:render",
    "convert": "histfmt.cli.documents:convert",
    "compare": "histfmt.cli.compare:compare",
    "serve": "histfmt_viewer.commands:serve",
    "init-db": "histfmt_viewer.commands:init_db",
    "token": "histfmt_viewer.commands:token",
    "push": "histfmt.cli.remote:push",
    "pull": "histfmt.cli.remote:pull",
}
"""Every command: its name and where it lives, ``"module:attribute"``."""

SHORT_HELP = {
    "validate": "Check FILES (.json, .json.gz, .yaml; '-' for stdin) against...",
    "schema": "Print the JSON Schema of the format (draft 2020-12).",
    "info": "Summarise FILE: metadata, axis, yields, stacks, ratio.",
    "show": "Draw FILE in the terminal, like histoprint.",
    "render": "Draw FILES as images (PNG, SVG or PDF) with matplotlib and...",
    "convert": "Convert INPUTS to OUTPUT: histfmt, uhepp, UHI, HEPData, ROOT...",
    "compare": "Compare FILES with the first (or --reference): chi2/ndf,...",
    "serve": "Run the web viewer (Flask's development server; use a WSGI...",
    "init-db": "Create the viewer's database tables (done on every start too).",
    "token": "API tokens of the web viewer.",
    "push": "Upload FILES to a web viewer; print each new plot's page...",
    "pull": "Download plot ID from a web viewer and write it as a histfmt...",
}
"""Each command's line in ``histfmt --help``, so that listing imports no command
(the viewer's would import Flask); a test keeps it equal to the commands' own."""

VIEWER_MISSING = "the web viewer needs Flask and SQLAlchemy: pip install 'histfmt[viewer]'"


@click.group(
    cls=LazyGroup,
    lazy=COMMANDS,
    listing=SHORT_HELP,
    missing={"histfmt_viewer": VIEWER_MISSING},
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "--version", "-V", prog_name="histfmt")
def cli() -> None:
    """histfmt: histogram plots as data.

    \b
    Examples:
      histfmt validate plot.json more/*.json
      histfmt validate --json plot.json | jq .
      histfmt info plot.json
      histfmt show plot.json --rebin 0,50,100,200 --logy
      histfmt render plots/*.json -o images/ -j 2
      histfmt convert plot_uhepp.json plot.json
      histfmt schema > histfmt.schema.json
      histfmt push plot.json --server https://plots.example.org --token $TOKEN
      histfmt pull 3f2a9c1e-... -o plot.yaml --server https://plots.example.org
    """


def main() -> None:
    """Entry point of the ``histfmt`` script."""
    try:
        cli.main(standalone_mode=True)
    except HistfmtError as error:  # pragma: no cover - commands catch their own
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_INVALID)
