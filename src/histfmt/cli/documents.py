"""The document commands: validate, schema, info, show, render, convert."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from histfmt.cli.inputs import only, plot_option, read_input, select_option, selected
from histfmt.cli.report import EXIT_INVALID, echo_issues, error_text, fail, problems
from histfmt.convert.registry import KINDS
from histfmt.errors import HistfmtError
from histfmt.render.options import DEFAULT_DPI, FORMATS
from histfmt.render.style import STYLES  # names only: matplotlib is imported when drawing

if TYPE_CHECKING:
    from histfmt.model import Book

__all__ = ["convert", "info", "render", "schema", "show", "validate"]


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print a JSON report instead of text.")
@click.option("-q", "--quiet", is_flag=True, help="Print errors only, not 'ok' lines.")
@click.option(
    "--kind", type=click.Choice(["auto", *KINDS]), default="histfmt", show_default=True,
    help="What FILES are: histfmt documents; 'auto' to detect any kind 'convert' reads "
    "from the content; or one such kind. Other kinds are read as 'convert' reads them "
    "and the resulting plots checked against the format.",
)  # fmt: skip
def validate(files: tuple[str, ...], as_json: bool, quiet: bool, kind: str) -> None:
    """Check FILES (.json, .json.gz, .yaml; '-' for stdin) against the format.

    A file may hold one document or a book of many; errors in a book's plot start
    with its path (plots["jets/pt"].yields...). By default FILES are histfmt
    documents; with --kind auto (or a kind) any input 'convert' reads (uhepp,
    UHI, HEPData, ROOT, YODA, pyhf) is read and its plots validated. Exit status:
    0 all valid, 1 some invalid (each error printed with the file and its JSON
    path), 2 an unexpected failure.

    \b
    Examples:
      histfmt validate plot.json
      cat plot.json | histfmt validate -
      histfmt validate --kind auto histograms.root submission.tar.gz
    """

    report: list[dict[str, Any]] = []
    status = 0
    for name in files:
        entry: dict[str, Any] = {"file": name, "valid": True, "errors": []}
        try:
            entry["plots"] = len(_validated(name, kind).plots)
        except Exception as error:
            failure, issues = problems(error)
            entry.update(valid=False, errors=issues)
            status = max(status, failure)
        report.append(entry)
        if as_json:
            continue
        if not entry["valid"]:
            echo_issues(name, entry["errors"])
            if kind == "histfmt" and (other := _other_kind(name)):
                click.echo(f"{name}: this is {other} input: use --kind auto to read it", err=True)
        elif not quiet:
            book = "" if entry["plots"] == 1 else f" (a book of {entry['plots']} plots)"
            click.echo(f"{name}: ok{book}")
    if as_json:
        click.echo(json.dumps({"valid": status == 0, "files": report}, indent=2))
    sys.exit(status)


def _other_kind(name: str) -> str | None:
    """The kind of a file that another converter than histfmt's reads (None otherwise)."""
    if name == "-":
        return None
    from histfmt.convert import registry

    try:
        kind = registry.detect(name)
    except Exception:
        return None
    names = {"uhi": "UHI", "hepdata": "HEPData", "root": "ROOT", "yoda": "YODA"}
    return None if kind == "histfmt" else f"a {names.get(kind, kind)}"


def _validated(name: str, kind: str) -> Book:
    """Every plot of the input ``name`` of ``kind`` (``auto``: detected), validated."""
    if kind == "histfmt":
        return read_input(name, histfmt_only=True)
    import histfmt
    from histfmt.convert import registry

    if kind == "auto":
        book = read_input(name)
    elif name == "-":
        from histfmt.io import MAX_BYTES

        data = sys.stdin.buffer.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise HistfmtError(f"input exceeds the limit of {MAX_BYTES} bytes", filename=name)
        book = registry.read_book(data, kind, name="-")  # type: ignore[arg-type]
    else:
        book = registry.read_book(name, kind)  # type: ignore[arg-type]
    return histfmt.validate(book, filename=name)


@click.command()
def schema() -> None:
    """Print the JSON Schema of the format (draft 2020-12)."""
    from importlib import resources

    from histfmt.schema import SCHEMA_FILENAME

    click.echo(
        resources.files("histfmt.resources").joinpath(SCHEMA_FILENAME).read_text("utf-8"), nl=False
    )


def _read(name: str, patterns: tuple[str, ...] = ()) -> Book:
    """Every plot of the input (any kind ``convert`` reads), narrowed by ``--select``."""
    return selected(read_input(name), patterns, name)


def _use_color(option: bool | None) -> bool:
    if option is not None:
        return option
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


PROJECT_HELP = (
    "Draw a 2-D document as its projection onto x or y, or a slice of it: "
    "x:START:STOP sums bins START to STOP-1 (0-based) of the other axis; "
    "'none' draws the maps. Default: as the document's view says."
)


def _projection(text: str | None) -> Any:
    """``--project`` as a Projection (parsing lives with the projections, in histfmt.shown)."""
    if text is None:
        return None
    from histfmt.shown import parse_projection

    return parse_projection(text, option="--project")


def _edges(text: str) -> list[float]:
    """``--rebin`` edges (parsing lives with the rebinning, in histfmt.shown)."""
    from histfmt.shown import parse_edges

    return list(parse_edges(text, option="--rebin"))


@click.command()
@click.argument("file", type=click.Path(allow_dash=True))
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@select_option
@plot_option
def info(file: str, as_json: bool, patterns: tuple[str, ...], plot: str | None) -> None:
    """Summarise FILE: metadata, axis, yields, stacks, ratio.

    Every yield with its total, flow content, uncertainty kinds and storage;
    every stack layer and ratio item with its total. Totals are sums over the
    drawn bins (after the document's rebinning and flow options), in events;
    flow bins are listed as stored. FILE is anything histfmt convert reads; a
    file of many plots (a book: a ROOT file, a HEPData submission, ...) is
    listed one line per plot, and --plot PATH summarises one of them. Exit
    status: 0 ok, 1 the file cannot be read or is invalid.

    \b
    Examples:
      histfmt info plot.json
      histfmt info --json plot.json | jq '.yields[] | {name, total}'
      histfmt info histograms.root --select 'jets/*'
      histfmt info histograms.root --plot jets/pt_lead
    """
    from histfmt.contents import format_contents, summarize_book
    from histfmt.summary import format_summary, summarize

    try:
        book = _read(file, patterns)
        if plot is None and len(book.plots) != 1:
            contents = {"file": file, **summarize_book(book)}
            if as_json:
                click.echo(json.dumps(contents, indent=2, ensure_ascii=False))
            else:
                click.echo(format_contents(contents, name=file), nl=False)
            return
        summary = {"file": file, **summarize(only(book, plot, file))}
    except Exception as error:
        fail(file, error)
    if as_json:
        click.echo(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        click.echo(format_summary(summary, color=_use_color(None)), nl=False)


@click.command()
@click.argument("file", type=click.Path(allow_dash=True))
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
@click.option("--project", metavar="x|y[:START:STOP]|none", default=None, help=PROJECT_HELP)
@select_option
@plot_option
def show(
    file: str,
    width: int | None,
    rebin: str | None,
    logy: bool | None,
    color: bool | None,
    patterns: tuple[str, ...],
    plot: str | None,
    project: str | None,
) -> None:
    """Draw FILE in the terminal, like histoprint.

    The first stack is drawn as bars (a colour or shade per layer), the other
    stacks (data) as markers, then a summary line per ratio item. The x axis
    runs down the page, the y axis to the right. A 2-D document is drawn as
    coarse heat maps (y up, x to the right, a shade per cell with its scale),
    or with --project as a 1-D projection or slice. Needs histoprint
    (pip install 'histfmt[plot]'). Exit status: 0 ok, 1 the file cannot be read,
    is invalid, or an option is wrong. Of a book (a file of many plots), every
    plot (or those --select keeps) is drawn in turn under its path; --plot PATH
    draws one.

    \b
    Examples:
      histfmt show plot.json
      histfmt show plot.json --logy --width 100
      histfmt show plot.json --rebin 0,50,100,200 --color | less -R
      histfmt show histograms.root --plot jets/pt_lead
      histfmt show map.json --project x:0:2   # a 2-D map sliced onto x
    """
    import shutil

    from histfmt.render.text import render_text

    use_color = _use_color(color)
    try:
        edges = None if rebin is None else _edges(rebin)
        book = _read(file, patterns)
        plots = {plot or "": only(book, plot, file)} if plot or len(book.plots) == 1 else None
        texts = []
        for path, doc in (plots or book.plots).items():
            text = render_text(
                doc,
                width=width or shutil.get_terminal_size().columns,
                rebin=edges,
                logy=logy,
                color=use_color,
                project=_projection(project),
            )
            texts.append(f"== {path}\n{text}" if plots is None else text)
    except Exception as error:
        fail(file, error)
    click.echo("\n".join(texts), nl=False, color=use_color)


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path())
@click.option(
    "-o", "--output", "out", metavar="PATH",
    help="Image file (one input) or folder (several inputs; created if missing). "
    "Default: beside each input.",
)  # fmt: skip
@click.option(
    "-f", "--format", "image_format", type=click.Choice(FORMATS), default=None,
    help="Image format. Default: from the --output suffix, else png.",
)  # fmt: skip
@click.option("--dpi", type=click.FloatRange(10, 1200), default=DEFAULT_DPI, show_default=True,
              help="Resolution of PNG images.")  # fmt: skip
@click.option("--size", metavar="W,H", help="Figure size in inches, e.g. 6,6.")
@click.option(
    "--logy/--liny", default=None, help="Logarithmic or linear y axis (default: as in the file)."
)
@click.option("--rebin", metavar="EDGES", help="Draw with these edges, e.g. 0,50,100,200.")
@click.option("--project", metavar="x|y[:START:STOP]|none", default=None, help=PROJECT_HELP)
@click.option("--style", type=click.Choice(STYLES, case_sensitive=False),
              metavar=f"[{'|'.join(STYLES)}]",
              help="Plot style, in any case (default: the badge's experiment, else "
                   "histfmt's).")  # fmt: skip
@click.option("--no-ratio", is_flag=True, help="Leave out the ratio panel.")
@click.option(
    "--strict",
    is_flag=True,
    help="Fail on labels matplotlib cannot parse (default: draw literally).",
)
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Parallel worker processes for many files.")  # fmt: skip
@select_option
def render(
    files: tuple[str, ...],
    out: str | None,
    image_format: str | None,
    dpi: float,
    size: str | None,
    logy: bool | None,
    rebin: str | None,
    project: str | None,
    style: str | None,
    no_ratio: bool,
    strict: bool,
    jobs: int,
    patterns: tuple[str, ...],
) -> None:
    """Draw FILES as images (PNG, SVG or PDF) with matplotlib and mplhep.

    One file of one plot gives one image; several files go into the --output
    folder, with a progress bar. A book (a file of many plots: a ROOT file, a
    HEPData submission, ...) gives one image per plot in a folder (--output, or
    beside the file, named like it), its sub-folders following the plots' paths.
    Exit status: 0 all drawn, 1 some failed (each named with its error), 2 an
    unexpected failure.

    \b
    Examples:
      histfmt render plot.json                   # writes plot.png
      histfmt render plot.json -o plot.pdf --style CMS
      histfmt render plots/*.json -o images/ -f svg -j 2
      histfmt render plot.json --logy --rebin 0,50,100,200 --dpi 300
      histfmt render histograms.root -o images/ --select 'jets/*'
      histfmt render map.json --project y       # a 2-D map projected onto y
    """
    from histfmt.cli.batch import Outcome, jobs_for, render_jobs
    from histfmt.render.options import RenderOptions

    try:
        edges = None if rebin is None else _edges(rebin)
        figure_size = None if size is None else _size(size)
        projection = _projection(project)
    except HistfmtError as error:
        fail("render", error)
    many = len(files) > 1
    chosen = image_format or (
        Path(out).suffix.lstrip(".").lower() if out and not many and Path(out).suffix else "png"
    )
    if chosen not in FORMATS:
        fail(out or "render", HistfmtError(f"cannot tell the image format from {out!r}; use -f"))
    if many and out:
        Path(out).mkdir(parents=True, exist_ok=True)
    options = RenderOptions(
        style=style, logy=logy, rebin=edges, size=figure_size, dpi=dpi,
        ratio=False if no_ratio else None, strict_labels=strict, project=projection,
    )  # fmt: skip
    unread, work = [], []
    for source in files:
        try:
            book = _read(source, patterns)
        except Exception as error:
            if not isinstance(error, HistfmtError):
                status, issues = problems(error)
                if status != EXIT_INVALID:
                    fail(source, error)
                error = HistfmtError(issues[0]["message"], filename=source)
            unread.append(Outcome(source, "", error_text(source, error)))
            continue
        work += jobs_for(source, book, out=out, format=chosen, many=many)
    many_images = many or len(work) > 1

    def progress(outcomes: Any) -> Any:
        with click.progressbar(
            outcomes, length=len(work), label="rendering", file=sys.stderr
        ) as bar:
            yield from bar

    outcomes = unread + render_jobs(
        work, format=chosen, options=options, workers=jobs,
        progress=progress if many_images else None,
    )  # fmt: skip
    failed = [o for o in outcomes if o.error]
    for outcome in outcomes:
        if outcome.error:
            click.echo(f"{outcome.source}: {outcome.error}", err=True)
        elif not many_images:
            click.echo(outcome.target)
    if many_images:
        where = out or "their folders"
        click.echo(f"{len(outcomes) - len(failed)} of {len(outcomes)} drawn into {where}")
    sys.exit(EXIT_INVALID if failed else 0)


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path())
@click.argument("output", type=click.Path())
@click.option(
    "--to", "to", type=click.Choice(KINDS),
    help="Output kind. Default: from OUTPUT (.json/.yaml/.json.gz: histfmt, .root, "
    ".tar.gz: hepdata).",
)  # fmt: skip
@select_option
@click.option(
    "--description", type=click.Path(exists=True, dir_okay=False), metavar="FILE",
    help="pyhf workspaces: the plot description (bin edges, observable, sample labels, "
    "colours, stacking order per channel). Without it the x axis is the bin index.",
)  # fmt: skip
@click.option(
    "--fit", is_flag=True,
    help="pyhf workspaces: fit the model to the observed data (MINUIT) and write post-fit "
    "plots, the band from the fit covariance.",
)  # fmt: skip
@click.option(
    "--as-drawn", "drawn", is_flag=True,
    help="HEPData output: the bins and numbers as the figure draws them (rebinned, flow "
    "bins folded, per bin width), not the stored bins. Each table's description says which.",
)  # fmt: skip
def convert(
    inputs: tuple[str, ...],
    output: str,
    to: str | None,
    patterns: tuple[str, ...],
    description: str | None,
    fit: bool,
    drawn: bool,
) -> None:
    """Convert INPUTS to OUTPUT: histfmt, uhepp, UHI, HEPData, ROOT or YODA.

    The input kind is detected from the content. One input gives OUTPUT; several
    go into the folder OUTPUT (created if missing), with a progress bar. For
    HEPData, OUTPUT is a folder or a .tar.gz archive. An input of many plots (a
    book: a ROOT file's directory tree, a UHI file of many histograms, a HEPData
    submission) becomes one histfmt book file, or one file per plot when OUTPUT
    is a folder (ending in '/'); --select keeps the plots whose path matches.
    Objects a book cannot hold are listed as skipped. Exit status: 0 all
    converted, 1 some failed (each named with its error), 2 unexpected failure.

    \b
    Examples:
      histfmt convert plot_uhepp.json plot.json          # uhepp -> histfmt
      histfmt convert plot.json plot.yaml                # histfmt JSON -> YAML
      histfmt convert plot.json plot_uhepp.json --to uhepp
      histfmt convert plot.json submission.tar.gz        # a HEPData submission
      histfmt convert plot.json figure.tar.gz --as-drawn  # the numbers of the figure
      histfmt convert histograms.root book.json          # every plot, one book file
      histfmt convert histograms.root plots/ --select 'jets/*'  # one file per plot
      histfmt convert old/*.json new/ --to histfmt       # many into a folder
      histfmt convert workspace.json plots.json --description plots.yaml --fit
    """
    from histfmt.convert import registry

    many = len(inputs) > 1
    folder = output.endswith(("/", os.sep)) or Path(output).is_dir()
    if many:
        if to is None:
            fail(output, HistfmtError("converting several inputs needs --to"))
        Path(output).mkdir(parents=True, exist_ok=True)
        kind: Any = to
        pairs = [(i, str(Path(output) / registry.output_name(i, kind))) for i in inputs]
    else:
        try:
            kind = to or ("histfmt" if folder else registry.output_kind(output))
        except HistfmtError as error:
            fail(output, error)
        pairs = [(inputs[0], output)]
    if drawn and kind != "hepdata":
        fail(output, HistfmtError("--as-drawn is for HEPData output (.tar.gz or --to hepdata)"))
    failed = 0
    with click.progressbar(pairs, label="converting", file=sys.stderr, hidden=not many) as bar:
        for source, target in bar:
            try:
                book = _read_fit_model(source, patterns, description, fit)
                if drawn:
                    _write_drawn(book, target)
                else:
                    _write(book, target, kind, per_plot=folder and not many and kind != "hepdata")
                for path, reason in book.skipped.items():
                    click.echo(f"{source}: skipped {path}: {reason}", err=True)
            except Exception as error:
                status, issues = problems(error)
                if status != EXIT_INVALID:
                    fail(source, error)
                failed += 1
                message = (
                    error_text(source, error)
                    if isinstance(error, HistfmtError)
                    else issues[0]["message"]
                )
                click.echo(f"\n{source}: {message}" if many else f"{source}: {message}", err=True)
    if many:
        click.echo(f"{len(pairs) - failed} of {len(pairs)} converted into {output}")
    elif not failed:
        click.echo(output)
    sys.exit(EXIT_INVALID if failed else 0)


def _read_fit_model(
    source: str, patterns: tuple[str, ...], description: str | None, fit: bool
) -> Book:
    """``_read``, with a pyhf workspace's plot description and fit (refused for other
    inputs); a workspace read without a description says its x axis is the bin index."""
    from histfmt.convert import registry

    kind = registry.detect(source) if source != "-" else None
    if kind != "pyhf":
        if description is not None or fit:
            raise HistfmtError("--description and --fit are for pyhf workspaces only")
        return _read(source, patterns)
    from histfmt.convert import pyhf

    book = pyhf.read_book(source, description=description, fit=fit)
    if description is None:
        click.echo(f"{source}: warning: no --description, the x axis is the bin index", err=True)
    return selected(book, patterns, source)


def _write(book: Book, target: str, kind: Any, *, per_plot: bool) -> None:
    """A book of one plot as a document; of many, as a book, or one file per plot in the
    folder ``target`` (its sub-folders following the plots' paths)."""
    from histfmt.cli.batch import plot_file_name
    from histfmt.convert import registry

    if not per_plot:
        if len(book.plots) == 1:
            registry.write(next(iter(book.plots.values())), target, kind)
        else:
            registry.write_book(book, target, kind)
        return
    suffix = registry.output_name("plot", kind).removeprefix("plot")
    for path, doc in book.plots.items():
        name = plot_file_name(path)
        destination = Path(target) / name.with_name(name.name + suffix)
        destination.parent.mkdir(parents=True, exist_ok=True)
        registry.write(doc, destination, kind)


def _write_drawn(book: Book, target: str) -> None:
    """A HEPData submission of the numbers as the figures draw them."""
    from histfmt.convert import hepdata

    if len(book.plots) == 1:
        hepdata.write(next(iter(book.plots.values())), target, drawn=True)
    else:
        hepdata.write_book(book, target, drawn=True)


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
