"""The client of a viewer server: ``histfmt push`` and ``histfmt pull``."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from histfmt.cli.report import EXIT_INVALID, echo_issues, error_text, fail
from histfmt.errors import HistfmtError

__all__ = ["pull", "push"]

F = TypeVar("F", bound=Callable[..., Any])


_SERVER = click.option(
    "--server", metavar="URL", envvar="HISTFMT_SERVER",
    help="The viewer's address, e.g. https://plots.example.org. Default: $HISTFMT_SERVER.",
)  # fmt: skip


def _token_option(purpose: str) -> Callable[[F], F]:
    """``--token``, defaulting to $HISTFMT_TOKEN; ``purpose`` starts its help."""
    return click.option(
        "--token", metavar="TOKEN", envvar="HISTFMT_TOKEN",
        help=f"{purpose} Default: $HISTFMT_TOKEN.",
    )  # fmt: skip


def _server(server: str | None) -> str:
    if not server or not server.strip():
        raise click.ClickException(
            "no server: pass --server URL or set HISTFMT_SERVER (e.g. https://plots.example.org)"
        )
    return server


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--collection", type=click.IntRange(1), metavar="ID",
              help="Add the plots to this collection (yours).")  # fmt: skip
@click.option("--private", is_flag=True, help="Only you (with your token) can see the plots.")
@_SERVER
@_token_option("Your API token (histfmt token create USER).")
def push(
    files: tuple[str, ...],
    collection: int | None,
    private: bool,
    server: str | None,
    token: str | None,
) -> None:
    """Upload FILES to a web viewer; print each new plot's page address.

    FILES are anything 'histfmt convert' reads (histfmt, uhepp, UHI, HEPData,
    ROOT, ...); each is read and validated here, then sent as a histfmt document.
    A file of many plots (a book, a ROOT directory tree, a UHI file of many
    histograms, a HEPData submission) is sent whole and stored all or nothing as
    a new collection (or in --collection): its address is printed, then each
    plot's path and address. Exit status: 0 all uploaded, 1 some file was invalid
    or refused (each error printed with the file and its JSON path), or the
    server could not be reached or refused the token.

    \b
    Examples:
      export HISTFMT_SERVER=https://plots.example.org HISTFMT_TOKEN=...
      histfmt push plot.json
      histfmt push plots/*.json --collection 3
      histfmt push analysis.root                     # one collection, a plot per histogram
      histfmt push plot_uhepp.json --private --server http://127.0.0.1:5000 --token $TOKEN
    """
    import histfmt
    from histfmt import remote
    from histfmt.convert import registry

    address = _server(server)
    if not token or not token.strip():
        raise click.ClickException(
            "no token: pass --token TOKEN or set HISTFMT_TOKEN "
            "(an admin makes one with 'histfmt token create USER')"
        )
    try:
        address = remote.normalize_server(address)
    except remote.RemoteError as error:
        raise click.ClickException(error.message) from None
    status = 0
    for name in files:
        try:
            book = registry.read_book(name)
            if not book.plots:
                raise HistfmtError("holds no plot that histfmt can read", filename=name)
            lone = next(iter(book.plots.values())) if len(book.plots) == 1 else None
            data = histfmt.dumps(book if lone is None else lone)
        except HistfmtError as error:
            echo_issues(name, error.as_dicts(), lone=error_text(name, error))
            status = EXIT_INVALID
            continue
        except Exception as error:
            fail(name, error)
        for path, reason in book.skipped.items():
            click.echo(f"{name}: skipped {path}: {reason}", err=True)
        try:
            if lone is not None:
                plot = remote.push(
                    address, token.strip(), data, collection=collection, private=private
                )
                click.echo(f"{name}: {plot.url}")
                continue
            stored = remote.push_book(
                address, token.strip(), data, filename=registry.stem(name) + ".json",
                collection=collection, private=private,
            )  # fmt: skip
        except remote.RemoteError as error:
            if error.errors:
                click.echo(f"{name}: refused by the server; nothing was stored:", err=True)
                echo_issues(name, error.errors, root_path=True)
                status = EXIT_INVALID
                continue
            # the server, the token or the collection: the same for every file
            click.echo(f"{name}: {error.message}", err=True)
            sys.exit(EXIT_INVALID)
        click.echo(f"{name}: {stored.collection_url} ({len(stored.plots)} plots)")
        for path, plot in stored.plots:
            click.echo(f"  {path}: {plot.url}")
    sys.exit(status)


@click.command()
@click.argument("plot_id", metavar="ID")
@click.option("-o", "--output", "out", metavar="FILE", type=click.Path(dir_okay=False),
              help="Where to write (.json, .json.gz, .yaml; '-' for stdout). "
              "Default: the plot's title made safe (else its id) + .json.")  # fmt: skip
@click.option("--version", "number", type=click.IntRange(1), metavar="N",
              help="This version of the plot. Default: the newest.")  # fmt: skip
@_SERVER
@_token_option("Your API token, needed for private plots only.")
def pull(
    plot_id: str, out: str | None, number: int | None, server: str | None, token: str | None
) -> None:
    """Download plot ID from a web viewer and write it as a histfmt document.

    ID is the plot's id, or its page address as push prints it (which names the
    server, and a version with ?version=N).

    The document is validated and the file replaced atomically; the file name
    is printed. Exit status: 0 written, 1 no such plot (or it is private), the
    server could not be reached, or the document is invalid.

    \b
    Examples:
      histfmt pull 3f2a9c1e-...                      # writes <title>.json
      histfmt pull 3f2a9c1e-... -o mll.yaml --version 2
      histfmt pull 3f2a9c1e-... -o - | histfmt info -
      histfmt pull https://plots.example.org/plots/3f2a9c1e-...?version=2
    """
    import histfmt
    from histfmt import remote

    try:
        found = remote.plot_address(plot_id)
        if found is not None:  # the page's address, as push prints it
            server, plot_id, version = found
            number = number if number is not None else version
        plot = remote.pull(
            _server(server), plot_id.strip(), token=(token or "").strip() or None, version=number
        )
    except remote.RemoteError as error:
        click.echo(f"{plot_id}: {error.message}", err=True)
        sys.exit(EXIT_INVALID)
    except HistfmtError as error:
        fail(f"{plot_id} (from the server)", error)
    assert plot.document is not None
    if out == "-":
        sys.stdout.buffer.write(histfmt.dumps(plot.document))
        sys.stdout.buffer.write(b"\n")
        return
    title = plot.document.metadata.title
    target = out or remote.default_filename(title if isinstance(title, str) else "", plot.id)
    try:
        histfmt.dump(plot.document, target)
    except HistfmtError as error:
        fail(target, error)
    click.echo(target)
