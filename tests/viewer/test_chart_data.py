"""The chart's numbers (histfmt.render.interactive) are the image's: Shown's values,
uncertainties and shifts, through the same rebin, hidden samples and ratio rule."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import histfmt
from histfmt.errors import HistfmtError
from histfmt.render.artists import compare
from histfmt.render.interactive import chart_data, chart_html
from histfmt.shown import Shown

ROOT = Path(__file__).resolve().parents[2]
MET = ROOT / "examples" / "met_systematics.json"
MAP = ROOT / "tests" / "resources" / "valid" / "two_d_map.json"


def _array(values: object) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def test_layers_carry_their_own_numbers_and_the_drawn_total() -> None:
    doc = histfmt.load(MET)
    edges = np.asarray(doc.x.edges)
    rebin = [float(edges[0]), float(edges[4]), float(edges[8]), float(edges[-1])]
    data = chart_data(doc, rebin=rebin)
    shown = Shown(doc, rebin=rebin)
    assert data["edges"] == pytest.approx(rebin)
    assert data["base_edges"] == pytest.approx(edges.tolist())
    stack = doc.stacks[0]
    so_far: list[str] = []
    for layer, entry in zip(stack.content, data["samples"], strict=False):
        refs = list(layer.yields)
        so_far += refs
        parts = shown.components(refs)
        factor = shown.normalisation(parts.values, refs)  # events per density_width
        assert _array(entry["values"]) == pytest.approx(parts.values * factor)
        assert _array(entry["stat_up"]) == pytest.approx(np.sqrt(parts.stat_up2) * factor)
        syst = _array(entry.get("syst_down", entry.get("syst_up", np.zeros(len(parts.values)))))
        assert syst == pytest.approx(np.sqrt(parts.syst_down2) * factor)
        assert set(entry["variations"]) == set(parts.shifts)
        if layer is not stack.content[-1]:
            assert "top" not in entry  # the script sums the layers below the last
            continue
        total = shown.series(shown.components(so_far), stack.error).scaled(factor)
        assert _array(entry["top"]) == pytest.approx(total.values)
        assert _array(entry["top_up"]) == pytest.approx(total.up)
        assert _array(entry.get("top_down", entry["top_up"])) == pytest.approx(total.down)


def test_hidden_samples_leave_the_stack_but_stay_in_the_legend() -> None:
    doc = histfmt.load(MET)
    first = doc.stacks[0].content[0]
    data = chart_data(doc, hide=list(first.yields))
    entry = data["samples"][0]
    assert entry["hidden"] is True
    assert "values" not in entry
    second = data["samples"][1]
    shown = Shown(doc)
    refs = list(doc.stacks[0].content[1].yields)
    own = shown.components(refs).values * shown.normalisation(shown.components(refs).values, refs)
    assert _array(second["values"]) == pytest.approx(own)
    assert data["prediction"]["top"] is data["samples"][3]["top"]


def test_the_ratio_follows_the_images_rule_and_can_be_hidden() -> None:
    doc = histfmt.load(MET)
    item = doc.ratio[0]
    shown = Shown(doc)
    numerator = shown.series(
        shown.components(list(item.numerator)),
        item.error,
        poisson=shown.poisson(item, list(item.numerator)),
    )
    denominator = shown.series(shown.components(list(item.denominator)), item.error)
    expected, _ = compare(doc.ratio_axis.kind, numerator, denominator)
    data = chart_data(doc)
    assert _array(data["ratio"][0]["values"]) == pytest.approx(expected.values, nan_ok=True)
    assert _array(data["ratio"][0]["up"]) == pytest.approx(expected.up, nan_ok=True)
    assert chart_data(doc, ratio=False)["ratio"] == []
    assert chart_data(doc, logy=True)["logy"] is True


def test_maps_and_refusals() -> None:
    doc = histfmt.load(MAP)
    data = chart_data(doc)
    assert data["two_d"] is True
    shown = Shown(doc)
    name = next(iter(doc.yields))
    cells = _array(data["maps"][0]["cells"])
    assert cells == pytest.approx(shown.components([name]).values)
    with pytest.raises(HistfmtError, match="rebin"):
        chart_data(histfmt.load(MET), rebin=[0.0, 33.0])


def test_offline_html_inlines_everything() -> None:
    page = chart_html(histfmt.load(MET))
    assert "<script src" not in page
    assert "uPlot" in page
    assert 'class="hf-chart-data"' in page
    assert "</script>" not in page.split('class="hf-chart-data">')[1].split("</script>")[0]
