"""Each experiment's look (issue 11): labels where mplhep's label functions put them,
the brand following the style, the unit convention, golden images per style; and
drawing into a user's axes or saving histfmt's figure outside ``render``."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import histfmt
from histfmt.model import Badge
from histfmt.render.looks import LOOKS, brand_for, look_for
from histfmt.render.mpl import figure, render
from histfmt.render.options import RenderOptions
from histfmt.render.plot import plot
from histfmt.render.style import rc_for, text_scale

from .conftest import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
STYLES = ("default", "ATLAS", "CMS", "LHCb", "ALICE")
BASELINES = ROOT / "tests" / "baseline" / "styles"


def _texts(artists: list[Any], renderer: Any) -> dict[str, Any]:
    return {t.get_text(): t.get_window_extent(renderer) for t in artists if t is not None}


@pytest.mark.parametrize(
    ("style", "example"),
    [("ATLAS", "mll_data_vs_mc"), ("CMS", "pt_logy"), ("LHCb", "mll_data_vs_mc"),
     ("ALICE", "mll_data_vs_mc")],
)  # fmt: skip
def test_the_label_sits_where_mplheps_label_function_puts_it(style: str, example: str) -> None:
    """Same figure, same axes: our label's texts against ``mplhep.<exp>.label``'s, at
    100 dpi, within 2 pixels: the whole box of each text, the lumi line's too."""
    import matplotlib
    import mplhep

    module = {"ATLAS": mplhep.atlas, "CMS": mplhep.cms, "LHCb": mplhep.lhcb,
              "ALICE": mplhep.alice}[style]  # fmt: skip
    doc = histfmt.load(ROOT / "examples" / f"{example}.json")
    fig: Any = figure(doc, options=RenderOptions(style=style, dpi=100))
    drawn = fig.histfmt_artists
    rc = rc_for(style, fig.get_figwidth())
    label = doc.badge.label  # type: ignore[union-attr]
    kwargs: dict[str, Any] = {"ax": drawn.ax, "text": label, "data": True, "lumi": 140, "com": 13}
    if style in ("LHCb", "ALICE"):  # their label functions use fixed sizes for a 12 in figure
        scale = text_scale(style, fig.get_figwidth())
        kwargs["fontsize"] = tuple(size * scale for size in LOOKS[style].sizes)
    with matplotlib.rc_context(rc):
        renderer = fig.canvas.get_renderer()
        ours = _texts(drawn.label, renderer)
        for text in drawn.label:
            text.remove()
        theirs = _texts(list(module.label(**kwargs)), renderer)
    for text in (style, label):
        assert np.allclose(ours[text].bounds, theirs[text].bounds, atol=2), text
    if style == "ALICE":  # mplhep.alice.label draws no lumi line; ours is below the label
        return
    lumi = next(k for k in theirs if "fb^{-1}" in k)
    ours_lumi = next(v for k, v in ours.items() if "fb^{-1}" in k)
    assert np.allclose(ours_lumi.bounds, theirs[lumi].bounds, atol=2), lumi
    frame = drawn.ax.get_window_extent(renderer)
    assert (ours_lumi.y0 >= frame.y1 - 1) == (style in ("CMS", "LHCb"))  # above the frame


def test_a_label_above_the_frame_starts_right_of_the_axis_multiplier() -> None:
    """The 'x10^5' sits over the tick labels, left of the frame; the label starts at the
    frame's corner (as mplhep's with no multiplier), clear of it."""
    doc = histfmt.load(ROOT / "examples" / "mll_data_vs_mc.json")
    fig: Any = figure(doc, options=RenderOptions(style="CMS", dpi=100))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    multiplier = fig.histfmt_artists.ax.yaxis.offsetText
    assert multiplier.get_text()
    brand = next(t for t in fig.histfmt_artists.label if t.get_text() == "CMS")
    frame = fig.histfmt_artists.ax.get_window_extent(renderer)
    assert multiplier.get_window_extent(renderer).x1 < frame.x0
    assert brand.get_window_extent(renderer).x0 == pytest.approx(frame.x0, abs=2)


@pytest.mark.parametrize(
    ("given", "style", "drawn"),
    [("ATLAS", "CMS", "CMS"), ("CMS", "LHCb", "LHCb"), (None, "CMS", None),
     ("My analysis", "CMS", "My analysis"), ("ATLAS", "default", "ATLAS")],
)  # fmt: skip
def test_the_brand_follows_the_style_unless_the_document_names_no_experiment(
    given: str | None, style: str, drawn: str | None
) -> None:
    doc = histfmt.load(ROOT / "examples" / "mll_data_vs_mc.json")
    doc.badge = Badge(brand=given, label="Internal")
    assert brand_for(doc, look_for(style)) == drawn
    fig: Any = figure(doc, options=RenderOptions(style=style, dpi=40))
    texts = [t.get_text() for t in fig.histfmt_artists.main if hasattr(t, "get_text")]
    if style != "default":
        assert (drawn in texts) if drawn else not {"ATLAS", "CMS"} & set(texts)
        assert "ATLAS" not in texts or drawn == "ATLAS"


def test_an_unset_brand_takes_the_styles_experiment() -> None:
    doc = histfmt.load(ROOT / "examples" / "mll_data_vs_mc.json")
    doc.badge = Badge(label="Preliminary")
    fig: Any = figure(doc, options=RenderOptions(style="CMS", dpi=40))
    assert "CMS" in [t.get_text() for t in fig.histfmt_artists.label]


def test_the_cms_legend_keeps_the_styles_size() -> None:
    """The legend starts at the style's legend size ('small' for CMS), not the font size."""
    import matplotlib

    doc = histfmt.load(ROOT / "examples" / "mll_data_vs_mc.json")
    fig: Any = figure(doc, options=RenderOptions(style="CMS", dpi=40))
    legend = fig.histfmt_artists.legend
    size = legend.get_texts()[0].get_fontsize()
    with matplotlib.rc_context(rc_for("CMS", 6.0)):
        font = matplotlib.rcParams["font.size"]
    assert size <= 0.84 * font


@pytest.mark.parametrize(
    ("style", "title"),
    [("ATLAS", "[GeV]"), ("CMS", "(GeV)"), ("ALICE", "(GeV)"), ("default", "[GeV]")],
)
def test_units_as_each_experiment_writes_them(style: str, title: str) -> None:
    doc = histfmt.load(ROOT / "examples" / "mll_data_vs_mc.json")
    fig: Any = figure(doc, options=RenderOptions(style=style, dpi=40))
    assert fig.axes[-1].get_xlabel().endswith(title)
    doc.x.unit_in_brackets = True
    fig = figure(doc, options=RenderOptions(style=style, dpi=40))
    assert fig.axes[-1].get_xlabel().endswith("[GeV]")


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_each_style_matches_its_baseline(path: Path, style: str, tmp_path: Path) -> None:
    """HISTFMT_UPDATE_BASELINES=1 rewrites them."""
    from matplotlib.testing.compare import compare_images

    actual = tmp_path / f"{path.stem}-{style}.png"
    actual.write_bytes(render(histfmt.load(path), options=RenderOptions(dpi=40, style=style)))
    expected = BASELINES / actual.name
    if os.environ.get("HISTFMT_UPDATE_BASELINES"):
        expected.parent.mkdir(exist_ok=True)
        expected.write_bytes(actual.read_bytes())
    assert expected.exists(), f"no baseline {expected.name}; run with HISTFMT_UPDATE_BASELINES=1"
    difference = compare_images(str(expected), str(actual), tol=2.0)
    assert difference is None, difference


def _pixels(data: bytes) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


@pytest.mark.parametrize("style", STYLES)
def test_savefig_outside_render_gives_the_same_picture(
    style: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The figure draws in its style wherever it is saved: same pixels as ``render``,
    and no font warnings (matplotlib logs 'findfont: ...' rather than warning; the
    radical of '√s', drawn from the fallback font, logs no missing glyph)."""
    doc = histfmt.load(ROOT / "examples" / "mll_data_vs_mc.json")
    options = RenderOptions(style=style, dpi=50)
    with caplog.at_level(logging.WARNING, logger="matplotlib"):
        fig = figure(doc, options=options)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=50)
    assert np.array_equal(_pixels(buffer.getvalue()), _pixels(render(doc, options=options)))
    messages = [r.getMessage() for r in caplog.records]
    assert not [m for m in messages if "findfont" in m or "__radical" in m]


def _signature(artists: list[Any]) -> list[tuple[Any, ...]]:
    """What an artist shows, independent of the figure it is on."""
    rows = []
    for artist in artists:
        row: tuple[Any, ...] = (type(artist).__name__,)
        if hasattr(artist, "get_text"):
            row += (artist.get_text(), round(float(artist.get_fontsize()), 2))
        if hasattr(artist, "get_path") and type(artist).__name__ != "Rectangle":
            row += (np.round(artist.get_path().vertices, 6).tobytes(),)
        if hasattr(artist, "get_xydata"):
            row += (np.round(artist.get_xydata(), 6).tobytes(),)
        rows.append(row)
    return rows


def test_plot_into_a_users_axes_draws_the_same_artists() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    doc = histfmt.load(ROOT / "examples" / "mll_data_vs_mc.json")
    options = RenderOptions(dpi=40)
    own: Any = figure(doc, options=options)
    fig = Figure(figsize=own.get_size_inches(), dpi=40)
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(2, 1, height_ratios=[0.72, 0.28], hspace=0)
    ax = fig.add_subplot(grid[0])
    rax = fig.add_subplot(grid[1], sharex=ax)
    ax.set_position(own.axes[0].get_position())
    rax.set_position(own.axes[1].get_position())
    mine = ax.plot([60, 80], [1e5, 2e5], color="red")  # the user's own line stays
    drawn = histfmt.plot(doc, ax=ax, ratio_ax=rax, options=options)
    ours = own.histfmt_artists
    assert _signature(drawn.main) == _signature(ours.main)
    assert _signature(drawn.comparison) == _signature(ours.comparison)
    assert mine[0] in ax.lines
    assert ax.get_ylim() == pytest.approx(ours.ax.get_ylim())
    assert drawn.legend is not None
    assert [t.get_text() for t in drawn.legend.get_texts()] == [
        t.get_text() for t in ours.legend.get_texts()
    ]
    fig.savefig(io.BytesIO(), format="png")


def test_plot_without_axes_makes_histfmts_figure_and_2d_documents_are_refused() -> None:
    from matplotlib.figure import Figure

    doc = histfmt.load(ROOT / "examples" / "from_hist.json")
    drawn = plot(doc, options=RenderOptions(dpi=30))
    assert drawn.ax in drawn.figure.axes
    two_d = histfmt.load(ROOT / "tests" / "resources" / "valid" / "two_d_map.json")
    with pytest.raises(histfmt.HistfmtError, match="2-D"):
        plot(two_d, ax=Figure().add_subplot())
    with pytest.raises(histfmt.HistfmtError, match="ratio_ax needs ax"):
        plot(doc, ratio_ax=Figure().add_subplot())


@pytest.mark.parametrize(
    ("label", "name", "unit"),
    [("Mass [GeV]", "Mass", "GeV"), ("$p_T$ (GeV)", "$p_T$", "GeV"),
     ("Jets (central)", "Jets (central)", None), ("Mass", "Mass", None)],
)  # fmt: skip
def test_from_hist_takes_the_unit_out_of_the_label(label: str, name: str, unit: str | None) -> None:
    """'Events / 2 GeV', not 'Events / 2', for a hist labelled 'Mass [GeV]'."""
    import hist

    h = hist.Hist.new.Reg(10, 0, 20, name="m", label=label).Double().fill([1.0, 2.0, 3.0])
    doc = histfmt.from_hist(h)
    assert doc.x.label == name
    assert (doc.x.unit if isinstance(doc.x.unit, str) else None) == unit
    fig: Any = figure(doc, options=RenderOptions(dpi=20))
    assert fig.axes[0].get_ylabel() == ("Events / 2 GeV" if unit else "Events / 2")


@pytest.mark.parametrize("style", [*STYLES, "ROOT"])
def test_yields_without_a_colour_take_the_styles_cycle_as_in_mplhep(style: str) -> None:
    """Each experiment's own colours, read from mplhep's style (matplotlib's cycle when
    the style sets none, as under mplhep); the default style keeps histfmt's palette."""
    import matplotlib
    import mplhep
    from matplotlib.colors import to_hex

    from histfmt.render.style import PALETTE

    if style == "default":
        expected = PALETTE
    else:
        rc = getattr(mplhep.styles, style)
        cycle = rc.get("axes.prop_cycle", matplotlib.rcParamsDefault["axes.prop_cycle"])
        expected = [to_hex(c) for c in cycle.by_key()["color"]]
    edges = np.linspace(0.0, 10.0, 6)
    doc = histfmt.Document.new(edges)
    names = [f"s{i}" for i in range(len(expected) + 1)]
    for i, name in enumerate(names):
        doc.add_yield(name, np.full(5, i + 1.0))
    doc.add_stack(names)
    drawn = figure(doc, options=RenderOptions(style=style, dpi=20)).histfmt_artists  # type: ignore[attr-defined]
    fills = [a for a in drawn.main if type(a).__name__ in ("StepPatch", "PathPatch", "Polygon")]
    colors = [to_hex(a.get_facecolor()) for a in fills][: len(names)]
    assert colors == [to_hex(c) for c in expected] + [to_hex(expected[0])]  # and round again


@pytest.mark.parametrize("style", ["CMS", "LHCb"])
def test_a_users_axes_take_the_styles_fonts_at_the_users_figure_width(style: str) -> None:
    """Axes made outside the style (matplotlib's 10 pt titles, DejaVu) get the style's
    title, multiplier and label fonts, scaled for the user's figure (10 in), as
    histfmt's own figure of that size has them."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    doc = histfmt.load(ROOT / "examples" / "mll_data_vs_mc.json")
    options = RenderOptions(style=style, dpi=30)
    fig = Figure(figsize=(10, 10), dpi=30)
    FigureCanvasAgg(fig)
    ax, rax = fig.subplots(2, 1, sharex=True)
    drawn = histfmt.plot(doc, ax=ax, ratio_ax=rax, options=options)
    own: Any = figure(doc, options=RenderOptions(style=style, dpi=30, size=(10, 10)))

    def fonts(axes: list[Any], label: list[Any]) -> list[Any]:
        texts = [a.yaxis.label for a in axes] + [axes[1].xaxis.label, axes[0].yaxis.offsetText]
        return [(t.get_fontsize(), t.get_fontfamily(), t.get_fontweight()) for t in texts] + [
            (t.get_text(), t.get_fontsize()) for t in label
        ]

    assert fonts([ax, rax], drawn.label) == fonts(own.axes, own.histfmt_artists.label)
