"""The ``histfmt`` command line: thin commands that parse, call the library, print."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from histfmt import __version__
from histfmt.errors import HistfmtError

if TYPE_CHECKING:
    from histfmt.model import Document

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])

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
      histfmt render plots/*.json -o images/ -j 2
      histfmt convert plot_uhepp.json plot.json
      histfmt schema > histfmt.schema.json
      histfmt push plot.json --server https://plots.example.org --token $TOKEN
      histfmt pull 3f2a9c1e-... -o plot.yaml --server https://plots.example.org
    """


def _echo_issues(name: str, issues: list[dict[str, str]]) -> None:
    """One line per problem on stderr, naming the file (and the JSON path, when there is one)."""
    for issue in issues:
        where = "" if issue["path"] == "$" and len(issues) == 1 else f"{issue['path']}: "
        click.echo(f"{name}: {where}{issue['message']}", err=True)


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

    report: list[dict[str, Any]] = []
    status = 0
    for name in files:
        entry: dict[str, Any] = {"file": name, "valid": True, "errors": []}
        try:
            _load(name)
        except HistfmtError as error:
            entry.update(valid=False, errors=error.as_dicts())
            status = max(status, EXIT_INVALID)
        except Exception as error:
            entry.update(
                valid=False, errors=[{"path": "$", "message": f"internal error: {error!r}"}]
            )
            status = EXIT_FAILURE
        report.append(entry)
        if as_json:
            continue
        if not entry["valid"]:
            _echo_issues(name, entry["errors"])
        elif not quiet:
            click.echo(f"{name}: ok")
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
    _echo_issues(name, error.as_dicts())
    sys.exit(EXIT_INVALID)


def _use_color(option: bool | None) -> bool:
    if option is not None:
        return option
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _edges(text: str) -> list[float]:
    """``--rebin`` edges (parsing lives with the rebinning, in histfmt.shown)."""
    from histfmt.shown import parse_edges

    return list(parse_edges(text, option="--rebin"))


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


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "-o", "--output", "out", metavar="PATH",
    help="Image file (one input) or folder (several inputs; created if missing). "
    "Default: beside each input.",
)  # fmt: skip
@click.option(
    "-f", "--format", "image_format", type=click.Choice(["png", "svg", "pdf"]), default=None,
    help="Image format. Default: from the --output suffix, else png.",
)  # fmt: skip
@click.option("--dpi", type=click.FloatRange(10, 1200), default=150, show_default=True,
              help="Resolution of PNG images.")  # fmt: skip
@click.option("--size", metavar="W,H", help="Figure size in inches, e.g. 6,6.")
@click.option(
    "--logy/--liny", default=None, help="Logarithmic or linear y axis (default: as in the file)."
)
@click.option("--rebin", metavar="EDGES", help="Draw with these edges, e.g. 0,50,100,200.")
@click.option("--style", type=click.Choice(["default", "ATLAS", "CMS", "LHCb", "ALICE", "ROOT"]),
              help="Plot style (default: the badge's experiment, else histfmt's).")  # fmt: skip
@click.option("--no-ratio", is_flag=True, help="Leave out the ratio panel.")
@click.option(
    "--strict",
    is_flag=True,
    help="Fail on labels matplotlib cannot parse (default: draw literally).",
)
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Parallel worker processes for many files.")  # fmt: skip
def render(
    files: tuple[str, ...],
    out: str | None,
    image_format: str | None,
    dpi: float,
    size: str | None,
    logy: bool | None,
    rebin: str | None,
    style: str | None,
    no_ratio: bool,
    strict: bool,
    jobs: int,
) -> None:
    """Draw FILES as images (PNG, SVG or PDF) with matplotlib and mplhep.

    One file gives one image; several files go into the --output folder with
    a progress bar. Exit status: 0 all drawn, 1 some failed (each named with
    its error), 2 an unexpected failure.

    \b
    Examples:
      histfmt render plot.json                   # writes plot.png
      histfmt render plot.json -o plot.pdf --style CMS
      histfmt render plots/*.json -o images/ -f svg -j 2
      histfmt render plot.json --logy --rebin 0,50,100,200 --dpi 300
    """
    from histfmt.render.batch import output_path, render_files
    from histfmt.render.options import RenderOptions

    try:
        edges = None if rebin is None else _edges(rebin)
        figure_size = None if size is None else _size(size)
    except HistfmtError as error:
        _fail("render", error)
    many = len(files) > 1
    chosen = image_format or (
        Path(out).suffix.lstrip(".").lower() if out and not many and Path(out).suffix else "png"
    )
    if chosen not in ("png", "svg", "pdf"):
        _fail(out or "render", HistfmtError(f"cannot tell the image format from {out!r}; use -f"))
    if many and out:
        Path(out).mkdir(parents=True, exist_ok=True)
    options = RenderOptions(
        style=style, logy=logy, rebin=edges, size=figure_size, dpi=dpi,
        ratio=False if no_ratio else None, strict_labels=strict,
    )  # fmt: skip
    pairs = [(f, str(output_path(f, out=out, format=chosen, many=many))) for f in files]  # type: ignore[arg-type]

    def progress(outcomes: Any) -> Any:
        with click.progressbar(
            outcomes, length=len(pairs), label="rendering", file=sys.stderr
        ) as bar:
            yield from bar

    outcomes = render_files(
        pairs, format=chosen, options=options, workers=jobs,  # type: ignore[arg-type]
        progress=progress if many else None,
    )  # fmt: skip
    failed = [o for o in outcomes if o.error]
    for outcome in outcomes:
        if outcome.error:
            click.echo(f"{outcome.source}: {outcome.error}", err=True)
        elif not many:
            click.echo(outcome.target)
    if many:
        click.echo(
            f"{len(outcomes) - len(failed)} of {len(outcomes)} drawn into {out or 'their folders'}"
        )
    sys.exit(EXIT_INVALID if failed else 0)


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.argument("output", type=click.Path())
@click.option(
    "--to", "to", type=click.Choice(["histfmt", "uhepp", "uhi", "hepdata", "root"]),
    help="Output kind. Default: from OUTPUT (.json/.yaml/.json.gz: histfmt, .root, "
    ".tar.gz: hepdata).",
)  # fmt: skip
def convert(inputs: tuple[str, ...], output: str, to: str | None) -> None:
    """Convert INPUTS to OUTPUT: histfmt, uhepp, UHI, HEPData or ROOT.

    The input kind is detected from the content. One input gives OUTPUT; several
    go into the folder OUTPUT (created if missing), with a progress bar. For
    HEPData, OUTPUT is a folder or a .tar.gz archive. Exit status: 0 all
    converted, 1 some failed (each named with its error), 2 unexpected failure.

    \b
    Examples:
      histfmt convert plot_uhepp.json plot.json          # uhepp -> histfmt
      histfmt convert plot.json plot.yaml                # histfmt JSON -> YAML
      histfmt convert plot.json plot_uhepp.json --to uhepp
      histfmt convert plot.json submission.tar.gz        # a HEPData submission
      histfmt convert histograms.root plot.json          # every TH1 as a yield
      histfmt convert old/*.json new/ --to histfmt       # many into a folder
    """
    from histfmt.convert import registry

    many = len(inputs) > 1
    if many:
        if to is None:
            _fail(output, HistfmtError("converting several inputs needs --to"))
        Path(output).mkdir(parents=True, exist_ok=True)
        kind: Any = to
        pairs = [(i, str(Path(output) / registry.output_name(i, kind))) for i in inputs]
    else:
        try:
            kind = registry.output_kind(output, to)  # type: ignore[arg-type]
        except HistfmtError as error:
            _fail(output, error)
        pairs = [(inputs[0], output)]
    failed = 0
    with click.progressbar(pairs, label="converting", file=sys.stderr, hidden=not many) as bar:
        for source, target in bar:
            try:
                registry.write(registry.read(source), target, kind)
            except HistfmtError as error:
                failed += 1
                message = str(error).removeprefix(f"{source}: ")
                click.echo(f"\n{source}: {message}" if many else f"{source}: {message}", err=True)
            except Exception as error:
                click.echo(f"{source}: internal error: {error!r}", err=True)
                sys.exit(EXIT_FAILURE)
    if many:
        click.echo(f"{len(pairs) - failed} of {len(pairs)} converted into {output}")
    elif not failed:
        click.echo(output)
    sys.exit(EXIT_INVALID if failed else 0)


def _size(text: str) -> tuple[float, float]:
    try:
        width, height = (float(part) for part in text.split(","))
    except ValueError:
        raise HistfmtError(f"--size: expected W,H in inches such as 6,6; got {text!r}") from None
    if not (0 < width <= 100 and 0 < height <= 100):
        raise HistfmtError(
            f"--size: width and height must be between 0 and 100 inches; got {text!r}"
        )
    return width, height


# -- the web viewer (the ``viewer`` extra) ------------------------------------------

VIEWER_MISSING = "the web viewer needs Flask and SQLAlchemy: pip install 'histfmt[viewer]'"


def _viewer_app(database: str | None) -> Any:
    """The viewer's Flask app, imported only when a viewer command runs."""
    import importlib

    try:
        viewer = importlib.import_module("histfmt_viewer")
    except ImportError as error:
        raise click.ClickException(f"{VIEWER_MISSING} ({error})") from None
    try:
        return viewer.create_app(database_url=database)
    except Exception as error:
        raise click.ClickException(f"cannot open the database: {error}") from None


_DATABASE = click.option(
    "--database", metavar="URL", default=None,
    help="Database URL: sqlite:///path or postgresql://user:pass@host/db. "
    "Default: $HISTFMT_DATABASE_URL, else a SQLite file in the instance folder.",
)  # fmt: skip


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=5000, show_default=True,
              help="Port to listen on.")  # fmt: skip
@_DATABASE
def serve(host: str, port: int, database: str | None) -> None:
    """Run the web viewer (Flask's development server; use a WSGI server in production).

    \b
    Examples:
      histfmt serve
      histfmt serve --port 8080 --database postgresql://histfmt@localhost/histfmt
    """
    app = _viewer_app(database)
    click.echo(f"histfmt viewer on http://{host}:{port}/ (database: {_shown(app)})")
    try:
        app.run(host=host, port=port)
    finally:
        app.extensions["histfmt_storage"].close()


def _shown(app: Any) -> str:
    """The database URL without its password."""
    from sqlalchemy.engine import make_url

    url: str = make_url(app.config["DATABASE_URL"]).render_as_string(hide_password=True)
    return url


@cli.command("init-db")
@_DATABASE
def init_db(database: str | None) -> None:
    """Create the viewer's database tables (done on every start too)."""
    app = _viewer_app(database)
    app.extensions["histfmt_storage"].close()
    click.echo(f"database ready: {_shown(app)}")


@cli.group()
def token() -> None:
    """API tokens of the web viewer."""


@token.command("create")
@click.argument("user")
@_DATABASE
def token_create(user: str, database: str | None) -> None:
    """Print a new API token for USER (the user is created if new).

    Only a hash is stored: keep the token, it cannot be shown again. The token
    is the last word printed, for scripts: TOKEN=$(histfmt token create me | awk '{print $NF}').
    """
    if not user.strip() or len(user) > 200:
        raise click.ClickException("USER must be 1 to 200 characters")
    app = _viewer_app(database)
    storage = app.extensions["histfmt_storage"]
    try:
        secret = storage.create_token(user.strip())
    finally:
        storage.close()
    click.echo(f"API token for {user.strip()} (send as 'Authorization: Token ...'): {secret}")


# -- a viewer server, from the outside (push and pull) -----------------------------

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


@cli.command()
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
    ROOT); each is read and validated here, then sent as a histfmt document.
    Exit status: 0 all uploaded, 1 some file was invalid or refused (each
    error printed with the file and its JSON path), or the server could not
    be reached or refused the token.

    \b
    Examples:
      export HISTFMT_SERVER=https://plots.example.org HISTFMT_TOKEN=...
      histfmt push plot.json
      histfmt push plots/*.json --collection 3
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
            data = histfmt.dumps(registry.read(name))
        except HistfmtError as error:
            issues = error.as_dicts()
            for issue in issues:
                where = "" if issue["path"] == "$" and len(issues) == 1 else f"{issue['path']}: "
                message = issue["message"] if where else str(error).removeprefix(f"{name}: ")
                click.echo(f"{name}: {where}{message}", err=True)
            status = EXIT_INVALID
            continue
        except Exception as error:
            click.echo(f"{name}: internal error: {error!r}", err=True)
            sys.exit(EXIT_FAILURE)
        try:
            plot = remote.push(address, token.strip(), data, collection=collection, private=private)
        except remote.RemoteError as error:
            if error.errors:
                click.echo(f"{name}: refused by the server; nothing was stored:", err=True)
                for issue in error.errors:
                    click.echo(f"{name}: {issue['path']}: {issue['message']}", err=True)
                status = EXIT_INVALID
                continue
            # the server, the token or the collection: the same for every file
            click.echo(f"{name}: {error.message}", err=True)
            sys.exit(EXIT_INVALID)
        click.echo(f"{name}: {plot.url}")
    sys.exit(status)


@cli.command()
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

    The document is validated and the file replaced atomically; the file name
    is printed. Exit status: 0 written, 1 no such plot (or it is private), the
    server could not be reached, or the document is invalid.

    \b
    Examples:
      histfmt pull 3f2a9c1e-...                      # writes <title>.json
      histfmt pull 3f2a9c1e-... -o mll.yaml --version 2
      histfmt pull 3f2a9c1e-... -o - | histfmt info -
    """
    import histfmt
    from histfmt import remote

    address = _server(server)
    try:
        plot = remote.pull(
            address, plot_id.strip(), token=(token or "").strip() or None, version=number
        )
    except remote.RemoteError as error:
        click.echo(f"{plot_id}: {error.message}", err=True)
        sys.exit(EXIT_INVALID)
    except HistfmtError as error:
        _fail(f"{plot_id} (from the server)", error)
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
        _fail(target, error)
    click.echo(target)


def main() -> None:
    """Entry point of the ``histfmt`` script."""
    try:
        cli.main(standalone_mode=True)
    except HistfmtError as error:  # pragma: no cover - commands catch their own
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_INVALID)
