"""The notebook display (Document._repr_html_): the interactive chart, offline, with its
PNG for where scripts do not run; the PNG alone above the size limit or when the chart
cannot be made. The chart drawing in Chromium: tests/viewer/test_chart_offline.py."""

from __future__ import annotations

import base64
import re

import numpy as np
import pytest

import histfmt
from histfmt.errors import HistfmtError
from histfmt.render import interactive, notebook
from histfmt.render.interactive import unpack

PNG = b"\x89PNG\r\n\x1a\n"


def _images(html: str) -> list[bytes]:
    return [base64.b64decode(i) for i in re.findall(r'src="data:image/png;base64,([^"]+)"', html)]


def test_a_small_document_is_the_chart_with_its_numbers(document: histfmt.Document) -> None:
    html = document._repr_html_()
    assert html is not None
    assert 'class="hf-chart"' in html
    packed = re.search(r'class="hf-chart-data">([^<]+)</script>', html)
    assert packed is not None
    data = unpack(base64.b64decode(packed.group(1)))
    assert data["edges"].tolist() == [0.0, 10.0, 20.0, 30.0]
    mc = data["samples"][0]
    assert mc["label"] == "Simulation"
    assert mc["values"].tolist() == [5.0, 4.0, 2.0]
    assert mc["variations"]["JES"]["up"].tolist() == [1.0, 0.0, 0.0]
    assert "uPlot" in html  # the library inlined: nothing to fetch
    assert "hfNumbers" in html
    assert "<script src" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)
    images = _images(html)
    assert len(images) == 1  # one picture: for where the chart's script does not run
    assert images[0].startswith(PNG)
    assert 'class="hf-fallback"' in html


def test_above_the_limit_the_png_alone(
    document: histfmt.Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    html = notebook.notebook_html(document, max_chart_bytes=1_000)
    assert html is not None
    assert "hf-chart-data" not in html
    assert "uPlot" not in html
    assert len(_images(html)) == 1
    # a large document is refused before its numbers are computed
    big = histfmt.Document.new(np.linspace(0.0, 1.0, 200_001))
    big.add_yield("mc", np.ones(200_000))
    big.add_stack(["mc"])

    def computed(*args: object, **kwargs: object) -> None:
        raise AssertionError("chart_data ran for a document above the limit")

    monkeypatch.setattr(interactive, "chart_data", computed)
    monkeypatch.setattr(notebook, "_png", lambda doc, dpi: PNG)
    html = big._repr_html_()
    assert html is not None
    assert "hf-chart-data" not in html
    assert _images(html) == [PNG]
    assert notebook.CHART_MAX_BYTES == 1_000_000


def test_a_chart_that_cannot_be_made_falls_back_to_the_png(
    document: histfmt.Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise HistfmtError("the chart's scripts are missing")

    monkeypatch.setattr(interactive, "chart_data", refuse)
    html = document._repr_html_()
    assert html is not None
    assert "hf-chart" not in html
    assert len(_images(html)) == 1
    monkeypatch.setattr(notebook, "_png", lambda doc, dpi: None)  # and no matplotlib either
    assert document._repr_html_() is None


def test_without_matplotlib_the_chart_alone(
    document: histfmt.Document, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(notebook, "_png", lambda doc, dpi: None)
    html = document._repr_html_()
    assert html is not None
    assert "hf-chart-data" in html
    assert _images(html) == []
