"""Format 1.1: 2-D documents, profiles and efficiencies, documents of graphs, books."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import histfmt
from histfmt.model import Axis, Book, Document, Efficiency, Profile

from .conftest import RESOURCES

VALID = RESOURCES / "valid"


def _map() -> Document:
    doc = Document.new([0.0, 1.0, 2.0], overflow=True, y=Axis.new(categories=["a", "b", "c"]))
    values = np.arange(9.0).reshape(3, 3)
    values[2, 1] = np.nan
    return doc.add_yield("h", values, stat=np.sqrt(np.arange(9.0)).reshape(3, 3))


def test_two_d_documents_are_written_as_rows_of_x_bins_and_read_back_equal() -> None:
    doc = _map()
    data = json.loads(histfmt.dumps(doc))
    assert data["yields"]["h"]["values"] == [[0, 1, 2], [3, 4, 5], [6, None, 8]]
    again = histfmt.loads(histfmt.dumps(doc))
    assert again == doc
    assert again.shape == (3, 3)
    assert again.yields["h"].values.shape == (3, 3)
    assert np.isnan(again.yields["h"].values[2, 1])


def test_row_order_is_that_of_boost_histogram_with_flow() -> None:
    """values[i][j] is x bin i, y bin j, flow bins included: h.values(flow=True)."""
    bh = pytest.importorskip("boost_histogram")
    h = bh.Histogram(bh.axis.Regular(2, 0, 2), bh.axis.Regular(3, 0, 3))
    h.fill([0.5, 1.5, 1.5, 5.0, -1.0], [2.5, 0.5, 0.5, 1.5, 9.0])
    doc = Document.new([0.0, 1.0, 2.0], underflow=True, overflow=True,
                       y=Axis.new([0.0, 1.0, 2.0, 3.0], underflow=True, overflow=True))  # fmt: skip
    doc.add_yield("h", h.values(flow=True))
    rows = json.loads(histfmt.dumps(doc))["yields"]["h"]["values"]
    assert rows == h.values(flow=True).tolist()
    assert rows[1 + 1][1 + 0] == 2  # x in [1, 2), y in [0, 1): two entries
    assert rows[0][-1] == 1  # x underflow, y overflow
    assert rows[-1][1 + 1] == 1  # x overflow, y in [1, 2)


def test_builder_refuses_arrays_of_the_wrong_dimension() -> None:
    with pytest.raises(histfmt.HistfmtError, match="2-D array of numbers for this document"):
        _map().add_yield("flat", [1.0, 2.0, 3.0])
    with pytest.raises(histfmt.HistfmtError, match="rows of equal length"):
        _map().add_yield("ragged", [[1.0, 2.0], [3.0]])


def test_a_book_is_not_a_document_and_says_so(tmp_path: Path) -> None:
    with pytest.raises(histfmt.HistfmtError, match=r"book of 3 plots.*load_book"):
        histfmt.load(VALID / "book.json")
    book = histfmt.load_book(VALID / "book.json")
    assert list(book.plots) == ["CR1/njets", "CR2/met", "Table 3"]
    assert book.plots["CR2/met"].yields["data"].values.tolist() == [41, 7]
    single = histfmt.load_book(VALID / "two_d_map.json")
    assert list(single.plots) == ["two_d_map"]
    assert single.plots["two_d_map"] == histfmt.load(VALID / "two_d_map.json")


@pytest.mark.parametrize("suffix", [".json", ".json.gz", ".yaml"])
def test_books_round_trip_in_every_format(tmp_path: Path, suffix: str) -> None:
    book = Book.new({"maps/h": _map(), "graphs": histfmt.load(VALID / "graphs_only.json")})
    book.metadata.title = "Two plots"
    target = tmp_path / f"book{suffix}"
    histfmt.dump(book, target)
    again = histfmt.load_book(target)
    assert again == book
    assert again.metadata.title == "Two plots"


def test_every_plot_of_a_book_is_a_document_of_its_own(tmp_path: Path) -> None:
    book = histfmt.load_book(VALID / "book.json")
    for name, plot in book.plots.items():
        target = tmp_path / (name.replace("/", "_") + ".json")
        histfmt.dump(plot, target)
        assert histfmt.load(target) == plot


def test_profiles_and_efficiencies_keep_their_inputs() -> None:
    doc = histfmt.load(VALID / "profile_and_efficiency.json")
    response, trigger = doc.yields["response"], doc.yields["trigger"]
    assert (response.kind, trigger.kind) == ("mean", "efficiency")
    assert isinstance(response.profile, Profile)
    assert response.profile.entries.tolist() == [0, 120, 310, 95]
    assert isinstance(trigger.efficiency, Efficiency)
    assert trigger.efficiency.interval == "clopper-pearson"
    assert trigger.efficiency.confidence == pytest.approx(0.682689492137086)
    np.testing.assert_allclose(
        trigger.values[1:], trigger.efficiency.passed[1:] / trigger.efficiency.total[1:]
    )


def test_two_d_documents_are_drawn_as_maps() -> None:
    """(The drawing itself is tested in tests/test_maps.py.)"""
    pytest.importorskip("matplotlib")
    from histfmt.render.mpl import render

    doc = _map().add_stack(["h"])
    assert render(doc).startswith(b"\x89PNG")


def test_a_document_of_graphs_alone_draws_and_summarises() -> None:
    pytest.importorskip("matplotlib")
    from histfmt.render.mpl import render
    from histfmt.summary import format_summary, summarize

    doc = histfmt.load(VALID / "graphs_only.json")
    assert render(doc).startswith(b"\x89PNG")
    text = format_summary(summarize(doc))
    assert "no bins (graphs only)" in text
    assert "Inelastic cross-section" in text
    assert "3 points" in text


def test_format_1_0_documents_still_read_and_keep_their_version() -> None:
    text = '{"histfmt": "1.0", "x": {"edges": [0, 1]}, "yields": {"a": {"values": [2]}}}'
    doc = histfmt.loads(text)
    assert doc.histfmt == "1.0"
    assert doc.yields["a"].kind == "count"
    written = histfmt.dumps(doc)
    assert b'"kind"' not in written  # defaults of 1.1 keys are not written
    assert histfmt.loads(written) == doc
