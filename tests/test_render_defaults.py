"""Drawing defaults (issue 11): Poisson error bars for counts, no horizontal bars on
points, headroom measured on the canvas, ratio ticks that label 1, off-scale arrows,
TrueType fonts in PDF, styles in any case, and ``histfmt.render`` after ``import histfmt``.

The Poisson numbers are cross-checked with scipy's chi-squared quantiles and with
mplhep's own ``poisson_interval`` (the function ``histplot(..., yerr=True)`` uses)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from scipy.stats import chi2

import histfmt
from histfmt.cli import cli
from histfmt.render.mpl import figure, render
from histfmt.render.options import RenderOptions
from histfmt.shown import Shown

from .conftest import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
ALPHA = 1 - 0.682689492137086
DATA = np.array([0.0, 1.0, 4.0, 17.0, 250.0])
PREDICTION = np.array([0.5, 2.0, 3.0, 20.0, 240.0])


def _tour(**data: Any) -> histfmt.Document:
    """The README tour: data added without uncertainties, stacked over a prediction."""
    doc = histfmt.Document.new(np.arange(6.0) * 10, symbol="$m$", unit="GeV")
    doc.add_yield("mc", PREDICTION, stat=0.1 * PREDICTION)
    doc.add_yield("data", DATA)
    for key, value in data.items():
        setattr(doc.yields["data"], key, value)
    doc.add_stack(["mc"]).add_stack([("data", "Data")], type="points")
    return doc.add_ratio("data", "mc")


def _error_bars(ax: Any) -> tuple[np.ndarray, np.ndarray]:
    """(vertical, horizontal) error-bar segments drawn on ``ax``: rows x0, y0, x1, y1."""
    from matplotlib.patches import PathPatch

    segments = [
        patch.get_path().vertices.reshape(-1, 4)
        for patch in ax.patches
        if type(patch) is PathPatch and patch.get_transform() == ax.transData
    ]
    if not segments:
        return np.empty((0, 4)), np.empty((0, 4))
    rows = np.concatenate(segments)
    vertical = rows[:, 0] == rows[:, 2]
    return rows[vertical], rows[~vertical]


# -- Poisson intervals for counts ------------------------------------------------------


def test_garwood_matches_scipy_and_mplhep_also_for_fractional_counts() -> None:
    from mplhep.error_estimation import poisson_interval

    from histfmt.intervals import garwood_interval

    counts = np.array([0.0, 0.4, 1.0, 2.5, 7.0, 1234.0])
    lower, upper = garwood_interval(counts)
    positive = counts > 0
    np.testing.assert_allclose(lower[positive], chi2.ppf(ALPHA / 2, 2 * counts[positive]) / 2)
    np.testing.assert_allclose(upper, chi2.ppf(1 - ALPHA / 2, 2 * (counts + 1)) / 2)
    theirs = poisson_interval(counts[positive], counts[positive])  # unweighted: sumw2 = sumw
    np.testing.assert_allclose(lower[positive], theirs[0], rtol=1e-10)
    np.testing.assert_allclose(upper[positive], theirs[1], rtol=1e-10)


@pytest.mark.parametrize(
    ("change", "poisson"),
    [
        ({}, True),  # no stat, no variances: observed events
        ({"storage": "int", "stat": np.sqrt(DATA)}, True),  # integer storage
        ({"stat": np.sqrt(DATA)}, False),  # a stored uncertainty is used as stored
        ({"storage": "weight", "variances": DATA}, False),
        ({"values": DATA + 0.5}, False),  # not whole numbers: not a count of events
    ],
)
def test_the_counting_rule_picks_poisson_for_counts(change: dict[str, Any], poisson: bool) -> None:
    doc = _tour(**change)
    shown = Shown(doc)
    assert shown.poisson(doc.stacks[1], ["data"]) is poisson
    assert shown.poisson(doc.ratio[0], ["data"]) is poisson
    assert shown.poisson(doc.stacks[0], ["mc"]) is False  # filled: never
    assert shown.poisson(doc.stacks[1], ["data", "mc"]) is False  # mc has stat
    assert shown.poisson(doc.stacks[1], ["data/JES/up"]) is False  # not a whole yield


def test_the_item_overrides_the_rule() -> None:
    doc = _tour(stat=np.sqrt(DATA))
    doc.stacks[1].poisson = True
    doc.ratio[0].poisson = True
    assert Shown(doc).poisson(doc.stacks[1], ["data"])
    series = Shown(doc).series(Shown(doc).components(["data"]), "stat", poisson=True)
    np.testing.assert_allclose(series.up, chi2.ppf(1 - ALPHA / 2, 2 * (DATA + 1)) / 2 - DATA)
    doc = _tour()
    doc.stacks[1].poisson = False
    assert not Shown(doc).poisson(doc.stacks[1], ["data"])
    vertical, _ = _error_bars(figure(doc, options=RenderOptions(dpi=20)).axes[0])
    np.testing.assert_array_equal(vertical[:, 1], vertical[:, 3])  # no stat stored: no bars
    assert "poisson" in histfmt.dumps(doc).decode()  # the choice is written


def test_means_are_not_counts() -> None:
    doc = histfmt.Document.new([0.0, 1.0, 2.0])
    doc.add_yield("response", [0.9, 1.1])
    doc.yields["response"].kind = "mean"
    doc.add_stack(["response"], type="points")
    assert not Shown(doc).poisson(doc.stacks[0], ["response"])


def test_data_points_and_their_ratio_carry_the_poisson_interval() -> None:
    """The README tour's data (no uncertainty stored) get mplhep's error bars in the
    main panel, and in the ratio the same interval divided by the prediction."""
    from mplhep.error_estimation import poisson_interval

    fig = figure(_tour(), options=RenderOptions(dpi=50))
    main, ratio = fig.axes
    low, high = poisson_interval(DATA, DATA)
    low[DATA == 0] = 0.0  # mplhep borrows the nearest bin's scale there; the rule is 0
    vertical, horizontal = _error_bars(main)
    order = np.argsort(vertical[:, 0])
    np.testing.assert_allclose(vertical[order, 1], low, rtol=1e-9)
    np.testing.assert_allclose(vertical[order, 3], high, rtol=1e-9)
    assert len(horizontal) == 0  # no bin-width bars by default
    vertical, horizontal = _error_bars(ratio)
    order = np.argsort(vertical[:, 0])
    np.testing.assert_allclose(vertical[order, 1], low / PREDICTION, rtol=1e-9)
    np.testing.assert_allclose(vertical[order, 3], high / PREDICTION, rtol=1e-9)
    assert len(horizontal) == 0


def test_horizontal_bars_on_request() -> None:
    doc = _tour()
    doc.stacks[1].x_errorbar = True
    _, horizontal = _error_bars(figure(doc, options=RenderOptions(dpi=20)).axes[0])
    np.testing.assert_allclose(horizontal[:, 2] - horizontal[:, 0], 10.0)
    assert "x_errorbar" in histfmt.dumps(doc).decode()


# -- headroom ---------------------------------------------------------------------------


def _highest_drawn(ax: Any) -> float:
    """The highest y drawn in data coordinates: filled layers, bands, lines, error bars."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import PathPatch, StepPatch

    highest = -np.inf
    for artist in ax.get_children():
        if artist.get_transform() != ax.transData:
            continue
        if isinstance(artist, StepPatch):
            values = np.asarray(artist.get_data().values, dtype=float)
        elif isinstance(artist, Line2D):
            values = np.asarray(artist.get_ydata(), dtype=float)
        elif type(artist) is PathPatch:
            values = artist.get_path().vertices[:, 1]
        else:
            continue
        finite = values[np.isfinite(values)]
        if finite.size:
            highest = max(highest, float(finite.max()))
    return highest


CASES = [(path, {}) for path in EXAMPLES] + [
    (ROOT / "examples" / "pt_logy.json", {"style": "CMS", "logy": True}),
    (ROOT / "examples" / "mll_data_vs_mc.json", {"logy": True}),
    (ROOT / "examples" / "met_systematics.json", {"style": "default"}),
]


@pytest.mark.parametrize(("path", "options"), CASES, ids=lambda c: getattr(c, "stem", str(c)))
def test_the_data_fill_half_the_panel_below_the_legend(path: Path, options: dict[str, Any]) -> None:
    fig = figure(histfmt.load(path), options=RenderOptions(dpi=60, **options))
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    legend = ax.get_legend().get_window_extent(renderer).transformed(ax.transAxes.inverted())
    highest = ax.transLimits.transform((0.0, _highest_drawn(ax)))[1]  # 0..1 up the panel
    # transLimits is linear in the scale's coordinates: on a log axis, in decades
    if ax.get_yscale() == "log":
        bottom, top = np.log10(ax.get_ylim())
        highest = (np.log10(_highest_drawn(ax)) - bottom) / (top - bottom)
        assert top < 13  # not 10^16 or 10^18
    assert highest < legend.y0, (highest, legend.y0)
    assert highest >= 0.5, highest


# -- the ratio panel --------------------------------------------------------------------


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_ratio_ticks_label_one(path: Path) -> None:
    fig = figure(histfmt.load(path), options=RenderOptions(dpi=30))
    fig.canvas.draw()
    labels = [t.get_text() for t in fig.axes[1].get_yticklabels()]
    assert any(float(text) == 1.0 for text in labels), labels
    steps = np.diff(fig.axes[1].get_yticks())
    np.testing.assert_allclose(steps, steps[0])  # evenly spaced


@pytest.mark.parametrize(
    ("kind", "limits", "ticks"),
    [("ratio", (0.9, 1.1), [0.9, 0.95, 1.0, 1.05]), ("difference", (-12.0, 20.0), [-10, 0, 10])],
)
def test_nice_ticks(kind: str, limits: tuple[float, float], ticks: list[float]) -> None:
    doc = _tour()
    doc.ratio_axis.kind = kind  # type: ignore[assignment]
    doc.ratio_axis.min, doc.ratio_axis.max = limits
    fig = figure(doc, options=RenderOptions(dpi=20))
    np.testing.assert_allclose(fig.axes[1].get_yticks(), ticks)


def _arrows(ax: Any) -> dict[str, np.ndarray]:
    return {
        line.get_marker(): np.asarray(line.get_xdata())
        for line in ax.lines
        if line.get_marker() in ("^", "v")
    }


def test_points_beyond_the_range_get_an_arrow_at_the_edge() -> None:
    doc = _tour()
    doc.ratio_axis.min, doc.ratio_axis.max = 0.8, 1.2
    arrows = _arrows(figure(doc, options=RenderOptions(dpi=20)).axes[1])
    # ratios 0/0.5 (an empty bin, drawn: its Poisson interval reaches 1.84), 0.5, 1.33,
    # 0.85, 1.04
    np.testing.assert_array_equal(arrows["v"], [5.0, 15.0])
    np.testing.assert_array_equal(arrows["^"], [25.0])


def test_hiding_a_sample_reranges_the_ratio() -> None:
    doc = histfmt.load(ROOT / "examples" / "mll_data_vs_mc.json")
    kept = figure(doc, options=RenderOptions(dpi=20)).axes[1]
    assert kept.get_ylim() == (0.9, 1.1)
    assert not _arrows(kept)
    hidden = figure(doc, options=RenderOptions(dpi=20, hide=frozenset({"zll"}))).axes[1]
    bottom, top = hidden.get_ylim()
    assert (bottom, top) != (0.9, 1.1)
    assert top >= 2.0  # without Z/gamma* the data exceed the prediction by far
    assert len(_arrows(hidden)["^"]) > 0  # the Z peak is off the scale even so
    assert 1.0 in hidden.get_yticks()


# -- files, styles, modules -------------------------------------------------------------


def test_pdf_embeds_truetype_not_type3_fonts(document: histfmt.Document) -> None:
    for style in ("default", "ATLAS", "CMS"):
        pdf = render(document, format="pdf", options=RenderOptions(style=style))
        subtypes = set(re.findall(rb"/Subtype\s*/(\w+)", pdf))
        assert b"Type3" not in subtypes, (style, subtypes)
        assert subtypes & {b"TrueType", b"CIDFontType2"}, (style, subtypes)


def test_styles_in_any_case(document: histfmt.Document, tmp_path: Path) -> None:
    options = RenderOptions(dpi=20, style="atlas")
    assert render(document, options=options) == render(
        document, options=RenderOptions(dpi=20, style="ATLAS")
    )
    source = tmp_path / "plot.json"
    histfmt.dump(document, source)
    result = CliRunner().invoke(cli, ["render", str(source), "--style", "lhcb", "--dpi", "20"])
    assert result.exit_code == 0, result.output
    with pytest.raises(histfmt.HistfmtError, match="unknown style 'phenix'"):
        render(document, options=RenderOptions(style="phenix"))


def test_render_is_reachable_after_import_histfmt_alone(tmp_path: Path) -> None:
    script = (
        "import sys, histfmt\n"
        "assert 'matplotlib' not in sys.modules\n"
        f"doc = histfmt.load({str(ROOT / 'examples' / 'from_hist.json')!r})\n"
        "from matplotlib.figure import Figure\n"
        "print(isinstance(histfmt.render.mpl.figure(doc), Figure))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        _ = histfmt.nothing  # type: ignore[attr-defined]


@pytest.mark.parametrize("package", ["histfmt", "histfmt.render"])
def test_every_submodule_is_reachable_after_import_histfmt(package: str) -> None:
    """The lazy list names every module and package (none forgotten)."""
    import importlib
    import pkgutil

    module = importlib.import_module(package)
    found = {info.name for info in pkgutil.iter_modules(module.__path__)}
    found -= {"__main__", "resources"}
    assert found == set(module._SUBMODULES)
