"""Images: formats, baselines, hostile labels, cost independent of the bin count."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import histfmt
from histfmt.cli import cli
from histfmt.model import Badge
from histfmt.render.mpl import figure, render
from histfmt.render.options import RenderOptions

from .conftest import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
BASELINES = ROOT / "tests" / "baseline"
MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "svg": b"<?xml", "pdf": b"%PDF"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_match_their_baseline_images(path: Path, tmp_path: Path) -> None:
    """A visible change in any example fails; HISTFMT_UPDATE_BASELINES=1 rewrites them."""
    from matplotlib.testing.compare import compare_images

    actual = tmp_path / f"{path.stem}.png"
    actual.write_bytes(render(histfmt.load(path), options=RenderOptions(dpi=40)))
    expected = BASELINES / f"{path.stem}.png"
    if os.environ.get("HISTFMT_UPDATE_BASELINES"):
        expected.write_bytes(actual.read_bytes())
    assert expected.exists(), f"no baseline for {path.name}; run with HISTFMT_UPDATE_BASELINES=1"
    difference = compare_images(str(expected), str(actual), tol=2.0)
    assert difference is None, difference


@pytest.mark.parametrize("image_format", ["png", "svg", "pdf"])
def test_every_format_is_written(document: histfmt.Document, image_format: str) -> None:
    data = render(document, format=image_format, options=RenderOptions(dpi=30))  # type: ignore[arg-type]
    assert data.startswith(MAGIC[image_format])


def test_same_document_gives_identical_bytes(document: histfmt.Document) -> None:
    for image_format in ("png", "svg", "pdf"):
        first = render(document, format=image_format)  # type: ignore[arg-type]
        assert render(document, format=image_format) == first  # type: ignore[arg-type]


def test_no_figure_is_left_open(document: histfmt.Document) -> None:
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    for _ in range(3):
        render(document, options=RenderOptions(dpi=20))
    assert plt.get_fignums() == before


def test_hostile_labels_fall_back_to_literal_text(document: histfmt.Document) -> None:
    document.stacks[0].content[0].label = r"$\frac{$ broken"
    document.stacks[1].content[0].label = "ctrl\x00\x1b[31m " + "<script>" * 2000
    document.x.symbol = "$\\alpha"
    document.badge = Badge(brand="ATLAS", label="$^$", subtext="a\nb")
    fig = figure(document)
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    assert any(r"\$\frac{\$ broken" in t for t in texts)
    assert not any("\x1b" in t or "\x00" in t for t in texts)
    assert max(map(len, texts)) <= 300


def test_strict_mode_names_every_bad_label(document: histfmt.Document) -> None:
    document.stacks[0].content[0].label = r"$\frac{$"
    document.stacks[0].content[0].style.color = "notacolour"
    with pytest.raises(histfmt.ValidationError) as caught:
        render(document, options=RenderOptions(strict_labels=True))
    assert [issue.path for issue in caught.value.issues] == [
        "stacks[0].content[0].label",
        "stacks[0].content[0].style.color",
    ]


def test_unusable_colours_fall_back_without_error(document: histfmt.Document) -> None:
    document.stacks[0].content[0].style.color = "notacolour"
    document.stacks[1].content[0].style.marker = "no-such-marker"
    assert render(document, options=RenderOptions(dpi=20)).startswith(MAGIC["png"])


def _large(n_bins: int) -> histfmt.Document:
    rng = np.random.default_rng(3)
    doc = histfmt.Document.new(np.linspace(0, 100, n_bins + 1), underflow=True, overflow=True)
    names = [f"mc{i}" for i in range(4)]
    for name in names:
        doc.add_yield(name, rng.uniform(1, 10, n_bins + 2), stat=np.ones(n_bins + 2))
    doc.add_yield("data", rng.poisson(20, n_bins + 2).astype(float))
    doc.add_stack(names).add_stack([("data", "Data")], type="points", error="poisson")
    return doc.add_ratio("data", names)


def test_artist_count_does_not_grow_with_bins() -> None:
    """The cost model: one artist per layer/band, never one per bin (uhepp's mistake)."""

    def artists(n_bins: int) -> int:
        fig = figure(_large(n_bins), options=RenderOptions(dpi=50))
        return sum(len(ax.get_children()) for ax in fig.axes)

    few, many = artists(10), artists(20_000)
    # at most the off-scale arrows more: one path and one marker line per direction
    assert few <= many <= few + 4


def test_sub_pixel_bins_keep_their_envelope() -> None:
    doc = _large(50_000)
    doc.yields["mc0"].values[1234] = 1e4  # a one-bin spike must stay visible
    fig = figure(doc, options=RenderOptions(dpi=50))
    tops = [p.get_data().values.max() for p in fig.axes[0].patches if hasattr(p, "get_data")]
    assert max(tops) >= 1e4


def test_render_command_writes_one_image(tmp_path: Path) -> None:
    source = tmp_path / "plot.json"
    source.write_bytes((ROOT / "examples" / "mll_data_vs_mc.json").read_bytes())
    result = CliRunner().invoke(cli, ["render", str(source), "--dpi", "30"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "plot.png").read_bytes().startswith(MAGIC["png"])
    result = CliRunner().invoke(cli, ["render", str(source), "-o", str(tmp_path / "x.pdf")])
    assert (tmp_path / "x.pdf").read_bytes().startswith(MAGIC["pdf"])


def test_render_command_many_files_reports_failures(tmp_path: Path) -> None:
    good = ROOT / "examples" / "cutflow_categorical.json"
    bad = ROOT / "tests" / "resources" / "invalid" / "stat_too_short.json"
    result = CliRunner().invoke(
        cli,
        ["render", str(good), str(bad), "-o", str(tmp_path / "out"), "-f", "svg", "--dpi", "20"],
    )
    assert result.exit_code == 1
    assert f"{bad}: yields.mc.stat: expected 5 values, got 4" in result.output
    assert "1 of 2 drawn" in result.output
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["cutflow_categorical.svg"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rebin", "3,2"], "--rebin: expected two or more increasing numbers"),
        (["--size", "big"], "--size: expected W,H"),
        (["-o", "out.gif"], "cannot tell the image format"),
        (["--style", "PHENIX"], "Invalid value for '--style'"),
    ],
)
def test_render_command_refuses_bad_options(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["render", str(EXAMPLES[0]), *args])
    assert result.exit_code in (1, 2)
    assert message in result.output
    assert "Traceback" not in result.output


def test_notebook_display(document: histfmt.Document) -> None:
    """One image (a PNG: the interactive chart's picture where scripts do not run, which
    the chart's script hides) beside a short summary; the title escaped (see
    test_notebook.py for the chart)."""
    import base64
    import re

    document.metadata.title = "<b>title</b>"
    assert not hasattr(document, "_repr_png_")  # Jupyter would draw the plot twice
    html = document._repr_html_()
    assert html is not None
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == 1
    assert base64.b64decode(images[0]).startswith(MAGIC["png"])
    assert "<svg" not in html
    assert "&lt;b&gt;title&lt;/b&gt;" in html
    assert "<th>x</th><td>3 bins from 0 to 30" in html
    assert 'class="hf-fallback"' in html
    assert len(html) < 200_000  # uPlot and the chart's scripts inlined, about 120 kB
    assert f"histfmt.Document {histfmt.FORMAT_VERSION}: 3 bins" in repr(document)
    assert repr(document).endswith("; 2 stacks; 1 ratio item>")


def test_log_x_axis_starting_at_zero_draws_without_warning(document: histfmt.Document) -> None:
    document.x.log = True  # first edge is 0: the axis starts at the first positive edge
    fig = figure(document, options=RenderOptions(dpi=20))
    assert fig.axes[0].get_xlim()[0] == 10.0


@pytest.mark.parametrize("style", ["ATLAS", "CMS", "ROOT", "ALICE"])
def test_fast_style_loading_matches_mplhep(style: str) -> None:
    """The shortcut that skips `import mplhep` must give mplhep's own style dict."""
    import mplhep.styles

    from histfmt.render.style import _style_module_alone

    assert _style_module_alone(style) == dict(getattr(mplhep.styles, style))


def test_hidden_samples_leave_the_stack_and_the_ratio() -> None:
    """A ratio compares what is drawn: hiding an MC sample keeps the panel, with that
    sample out of the denominator; hiding the whole numerator drops the panel."""
    doc = histfmt.load(ROOT / "examples" / "mll_data_vs_mc.json")
    (item,) = doc.ratio
    assert "ttbar" in item.denominator

    def ratio_data(hide: frozenset[str]) -> np.ndarray | None:
        fig = figure(doc, options=RenderOptions(dpi=20, hide=hide))
        if len(fig.axes) < 2:
            return None
        (points,) = [line for line in fig.axes[1].lines if line.get_marker() == "o"]
        return np.asarray(points.get_ydata(), dtype=float)

    everything = ratio_data(frozenset())
    without_ttbar = ratio_data(frozenset({"ttbar"}))
    assert everything is not None
    assert without_ttbar is not None
    assert np.all(without_ttbar >= everything - 1e-9)  # a smaller prediction
    assert np.any(without_ttbar > everything * 1.01)
    assert ratio_data(frozenset({"data"})) is None
    assert [i.denominator for i in doc.ratio] == [item.denominator]  # the document is kept
