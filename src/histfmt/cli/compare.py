"""``histfmt compare``: the same quantity of several plots against a reference."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from histfmt.cli.inputs import only, plot_option, read_input
from histfmt.cli.report import EXIT_INVALID, fail
from histfmt.comparison import ERRORS
from histfmt.comparison.statistics import chi2_text
from histfmt.errors import HistfmtError

if TYPE_CHECKING:
    from histfmt.comparison import Comparison
    from histfmt.model import Book, Document

__all__ = ["compare"]

DOCUMENT_SUFFIXES = (".json", ".json.gz", ".yaml", ".yml")
IMAGE_SUFFIXES = (".png", ".svg", ".pdf")


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option(
    "-o", "--output", "out", metavar="PATH",
    help="Write the overlay: an image (.png, .svg, .pdf) or the histfmt document "
    "(.json, .json.gz, .yaml).",
)  # fmt: skip
@click.option(
    "--reference", metavar="FILE", default=None,
    help="The file the others are compared with (one of FILES). Default: the first.",
)  # fmt: skip
@click.option(
    "--quantity", metavar="WHAT", default=None,
    help="'data' (the stack of points), 'prediction' (the first other stack, summed) or a "
    "yield name. Default: data if there is a stack of points, else the prediction.",
)  # fmt: skip
@click.option(
    "--threshold", type=click.FloatRange(0, 1), default=0.05, show_default=True,
    help="A pair is compatible when its p-value is at least this.",
)  # fmt: skip
@click.option(
    "--error", "band", type=click.Choice(ERRORS), default=None,
    help="The band of every file instead of its own, e.g. stat for versions that share "
    "their systematic uncertainties (counted twice otherwise).",
)  # fmt: skip
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
@plot_option
def compare(
    files: tuple[str, ...],
    out: str | None,
    reference: str | None,
    quantity: str | None,
    threshold: float,
    band: str | None,
    as_json: bool,
    plot: str | None,
) -> None:
    """Compare FILES with the first (or --reference): chi2/ndf, p-value, KS distance.

    The same quantity of each file (data, the total prediction, or a yield) with its
    own uncertainty band (stat and syst, as its stack draws it) is compared bin by bin
    with the reference's, uncertainties of both added in quadrature; flow bins are left
    out. A binning that refines another is combined into the coarser one; any other
    mismatch is refused. 2-D plots are compared cell by cell. FILES are anything
    histfmt convert reads; --plot PATH picks the plot of each book (a file of one plot
    is used as it is). Exit status: 0 every pair compatible (p-value >= --threshold),
    1 some are not, or an input cannot be read or compared.

    \b
    Examples:
      histfmt compare v1/mll.json v2/mll.json
      histfmt compare nominal.json alt1.json alt2.json -o overlay.png
      histfmt compare a.json b.json --quantity prediction --json | jq '.pairs[].p_value'
      histfmt compare old.yoda new.yoda --plot ATLAS_2017_I1614149/d01-x01-y01
    """
    from histfmt.comparison import compare as run

    if len(files) < 2:
        raise click.UsageError("give two or more FILES to compare")
    if len(set(files)) != len(files):
        fail("compare", HistfmtError("each file may be given once"))
    if out and not out.lower().endswith(DOCUMENT_SUFFIXES + IMAGE_SUFFIXES):
        fail(out, HistfmtError(
            "cannot tell the overlay's format from its suffix: use .png, .svg, .pdf (an image) "
            "or .json, .json.gz, .yaml (the document)"
        ))  # fmt: skip
    docs = {}
    for name in files:
        try:
            docs[name] = _pick(read_input(name), plot, name)
        except Exception as error:
            fail(name, error)
    try:
        result = run(docs, reference=reference or files[0], quantity=quantity,
                     threshold=threshold, error=band)  # fmt: skip
    except HistfmtError as error:
        fail(error.filename or "compare", error)
    if out:
        try:
            _write(result.overlay, out)
        except Exception as error:
            fail(out, error)
    if as_json:
        click.echo(json.dumps({**result.as_dict(), "overlay": out}, indent=2, ensure_ascii=False))
    else:
        click.echo(table(result))
        if out:
            click.echo(f"overlay: {out}")
    sys.exit(0 if result.compatible else EXIT_INVALID)


def _pick(book: Book, plot: str | None, name: str) -> Document:
    """The plot ``plot`` of a book; an input of one plot as it is."""
    if plot is not None and plot not in book.plots and len(book.plots) == 1:
        return next(iter(book.plots.values()))
    return only(book, plot, name)


def _write(doc: Document, out: str) -> None:
    if out.lower().endswith(DOCUMENT_SUFFIXES):
        from histfmt.io import dump

        dump(doc, out)
        return
    from histfmt.render.mpl import save

    save(doc, out)


def table(result: Comparison) -> str:
    """One line per file compared with the reference, and a verdict."""
    quantity = {entry["name"]: entry for entry in result.inputs}
    chosen = quantity[result.reference]
    rows = [["file", "quantity", "chi2/ndf", "p-value", "KS", "compatible"]]
    for pair in result.pairs:
        chi2 = chi2_text(pair.chi2)
        ratio = "" if pair.chi2_ndf is None else f" = {pair.chi2_ndf:.3g}"
        rows.append([
            pair.other, quantity[pair.other]["quantity"], f"{chi2}/{pair.ndf}{ratio}",
            f"{pair.p_value:.3g}", "-" if pair.ks is None else f"{pair.ks:.3g}",
            "yes" if pair.compatible else "NO",
        ])  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        f"reference: {result.reference} ({chosen['quantity']}, band {chosen['error']})",
        *("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
          for row in rows),
    ]  # fmt: skip
    good = sum(pair.compatible for pair in result.pairs)
    lines.append(
        f"{good} of {len(result.pairs)} compatible with the reference "
        f"(p-value >= {result.threshold:g})"
    )
    return "\n".join(lines)
