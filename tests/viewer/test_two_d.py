"""Plot pages of format 1.1 documents, on both backends: the numbers grid of a 2-D
document, its view in the URL (projection, slice, log z), and the tables of profiles,
efficiencies and graphs."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from flask.testing import FlaskClient
from msgspec import UNSET
from werkzeug.datastructures import MultiDict

import histfmt
from histfmt.errors import HistfmtError
from histfmt.model import Axis, Document, Projection
from histfmt_viewer import images
from histfmt_viewer.numbers import MAX_COLUMNS, measured, numbers_tables
from histfmt_viewer.view import View, parse_view

VALID = Path(__file__).resolve().parents[1] / "resources" / "valid"


class _Tables(HTMLParser):
    """The tables of the page's Numbers section: per table, its head and rows of cells
    (each cell's text pieces: the value, then its notes)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, Any]] = []
        self._cell: list[str] | None = None
        self._row: list[list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("class", "numbers") in attrs:
            self.tables.append({"head": [], "rows": []})
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("th", "td") and self._cell is not None and self._row is not None:
            self._row.append(self._cell)
            self._cell = None
        elif tag == "tr" and self._row is not None:
            table = self.tables[-1]
            if table["head"]:
                table["rows"].append(self._row)
            else:
                table["head"] = ["".join(cell) for cell in self._row]
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None and data.strip():
            self._cell.append(data.strip())


def _tables(html: str) -> list[dict[str, Any]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def _filled_map() -> tuple[Any, Document]:
    """A weighted 2-D hist with flow bins, and the document of its numbers."""
    hist = pytest.importorskip("hist")
    rng = np.random.default_rng(7)
    h = hist.Hist(
        hist.axis.Regular(4, 0.0, 200.0, name="pt", label="pT"),
        hist.axis.Variable([-2.5, -1.0, 0.0, 1.0, 2.5], name="eta"),
        storage=hist.storage.Weight(),
    )
    h.fill(
        pt=rng.exponential(60, 400), eta=rng.normal(0, 1.3, 400), weight=rng.uniform(0.5, 1.5, 400)
    )
    y = Axis.new(list(h.axes[1].edges), underflow=True, overflow=True, name="eta")
    doc = Document.new(list(h.axes[0].edges), underflow=True, overflow=True, name="pt", y=y)
    doc.add_yield("mc", h.values(flow=True), variances=h.variances(flow=True))
    doc.add_stack([("mc", "Simulation")], type="map")  # type: ignore[list-item]
    doc.metadata.title = "A map"
    return h, doc


def _upload(client: FlaskClient, headers: dict[str, str], doc: Document | bytes) -> str:
    data = doc if isinstance(doc, bytes) else histfmt.dumps(doc)
    response = client.post("/api/plots", data=data, headers=headers)
    assert response.status_code == 201, response.json
    return str(response.json["id"])  # type: ignore[index]


def test_the_numbers_grid_of_a_2d_document(client: FlaskClient, alice: dict[str, str]) -> None:
    h, doc = _filled_map()
    plot_id = _upload(client, alice, doc)
    response = client.get(f"/plots/{plot_id}")
    assert response.status_code == 200  # never a 500, drawable or not
    html = response.get_data(as_text=True)
    # the image, or (until the renderer draws maps) a note instead of a broken image
    assert "cannot be drawn yet" in html or f"/plots/{plot_id}/image.png" in html
    assert 'class="table-scroll grid"' in html
    (table,) = _tables(html)
    assert table["head"][1:] == [
        "underflow",
        "[-2.5, -1)",
        "[-1, 0)",
        "[0, 1)",
        "[1, 2.5)",
        "overflow",
    ]
    assert [row[0][0] for row in table["rows"]] == [
        "underflow", "[0, 50)", "[50, 100)", "[100, 150)", "[150, 200)", "overflow",
    ]  # fmt: skip
    values, errors = h.values(flow=True), np.sqrt(h.variances(flow=True))
    for i, row in enumerate(table["rows"]):
        for j, cell in enumerate(row[1:]):
            # rounded to the two significant digits of the uncertainty
            assert abs(float(cell[0]) - values[i, j]) <= errors[i, j] / 20 + 1e-12
            if errors[i, j]:
                assert cell[1] == measured(values[i, j], (errors[i, j], errors[i, j]))[1][0]
                assert len(cell[1].lstrip("±0.").replace(".", "")) == 2


def test_a_wide_grid_shows_its_first_columns(client: FlaskClient, alice: dict[str, str]) -> None:
    width = MAX_COLUMNS + 50
    doc = Document.new([0, 1, 2, 3], y=Axis.new(np.arange(width + 1.0)))
    doc.add_yield("n", np.arange(3.0 * width).reshape(3, width))
    html = client.get(f"/plots/{_upload(client, alice, doc)}").get_data(as_text=True)
    (table,) = _tables(html)
    assert len(table["head"]) == MAX_COLUMNS + 1
    assert [len(row) for row in table["rows"]] == [MAX_COLUMNS + 1] * 3
    assert f"The first {MAX_COLUMNS} of {width} y bins are shown." in html


def test_2d_view_parameters(
    client: FlaskClient, alice: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _, doc = _filled_map()
    plot_id = _upload(client, alice, doc)
    drawn: list[Document] = []

    def render(document: Document, **kwargs: Any) -> bytes:
        drawn.append(document)
        return b"\x89PNG fake"

    monkeypatch.setattr(images, "render", render)
    cases = {
        "": (None, False),
        "project=x": (Projection(onto="x"), False),
        "project=y:1:3": (Projection(onto="y", bins=(1, 3)), False),
        "project=y&slice=1:3": (Projection(onto="y", bins=(1, 3)), False),
        "logz=1": (None, True),
        "project=x:0:4&logz=1": (Projection(onto="x", bins=(0, 4)), True),
    }
    for query, (projection, logz) in cases.items():
        page = client.get(f"/plots/{plot_id}?{query}")
        assert page.status_code == 200, query
        html = page.get_data(as_text=True)
        assert 'name="project"' in html  # the 2-D controls
        assert 'name="logz"' in html
        image = client.get(f"/plots/{plot_id}/image.png?dpi=30&{query}")
        assert image.status_code == 200, query
        shown = drawn[-1]
        assert shown.view.project == (UNSET if projection is None else projection), query
        assert shown.z_axis.log is logz
    # the stored document is unchanged
    stored = client.get(f"/api/plots/{plot_id}", headers=alice).json["document"]  # type: ignore[index]
    assert "project" not in stored.get("view", {})
    assert not stored.get("z_axis", {}).get("log")
    # every view is its own image (the cache key holds the 2-D parameters)
    keys = {parse_view(MultiDict(list(_pairs(q)))).key("png") for q in cases}
    assert len(keys) == len(cases) - 1  # project=y:1:3 and project=y&slice=1:3 are one view

    for query, word in (
        ("project=z", "project"),
        ("project=y:3:1", "project"),
        ("project=y:0:9", "beyond the 4 bins of x"),
        ("project=y&slice=a", "slice"),
        ("logz=maybe", "logz"),
    ):
        for url in (f"/plots/{plot_id}?{query}", f"/plots/{plot_id}/image.png?dpi=31&{query}"):
            response = client.get(url, headers={"Accept": "application/json"})
            assert response.status_code == 400, url
            assert word in response.json["error"], (url, response.json)  # type: ignore[index]


def _pairs(query: str) -> list[tuple[str, str]]:
    return [tuple(part.split("=", 1)) for part in query.split("&") if part]  # type: ignore[misc]


def test_2d_controls_only_for_2d_documents(
    client: FlaskClient, alice: dict[str, str], document: Document
) -> None:
    plot_id = _upload(client, alice, document)
    html = client.get(f"/plots/{plot_id}").get_data(as_text=True)
    assert 'name="project"' not in html
    assert 'name="logz"' not in html
    assert 'name="rebin"' in html
    for query in ("project=x", "logz=1"):
        response = client.get(f"/plots/{plot_id}?{query}", headers={"Accept": "application/json"})
        assert response.status_code == 400
        assert "only for a 2-D document" in response.json["error"]  # type: ignore[index]


def test_view_keys_of_1d_views_are_unchanged() -> None:
    """Images cached before 2-D views existed are still found."""
    import hashlib

    view = View(logy=True, hide=("a",))
    old = [
        "png", view.dpi, view.logy, view.rebin, view.hide, view.ratio, view.style,
    ]  # fmt: skip
    assert view.key("png") == hashlib.sha256(json.dumps(old).encode()).hexdigest()[:32]
    assert View(project=("x",)).key("png") != View().key("png")
    assert View(logz=False).key("png") != View().key("png")


def test_apply_works_on_a_copy() -> None:
    doc = histfmt.load(VALID / "two_d_map.json")
    before = histfmt.dumps(doc)
    shown = View(project=("y", 0, 2), logz=True).apply(doc)
    assert shown.view.project == Projection(onto="y", bins=(0, 2))
    assert shown.z_axis.log is True
    histfmt.validate(shown)
    assert histfmt.dumps(doc) == before
    with pytest.raises(HistfmtError, match="beyond the 3 bins of x"):
        View(project=("y", 0, 4)).apply(doc)


def test_profile_and_efficiency_columns(client: FlaskClient, alice: dict[str, str]) -> None:
    path = VALID / "profile_and_efficiency.json"
    source = json.loads(path.read_text())
    html = client.get(f"/plots/{_upload(client, alice, path.read_bytes())}").get_data(as_text=True)
    (table,) = _tables(html)
    assert table["head"] == ["Bin", "response", "trigger"]
    response, trigger = source["yields"]["response"], source["yields"]["trigger"]
    assert [row[0][0] for row in table["rows"]] == ["underflow", "[0, 10)", "[10, 20)", "[20, 30)"]
    for i, row in enumerate(table["rows"]):
        mean, efficiency = row[1], row[2]
        if response["values"][i] is None:
            assert mean[0] == "\N{EM DASH}"  # a missing value
        else:
            stat = response["stat"][i]
            assert abs(float(mean[0]) - response["values"][i]) <= stat / 20
            assert mean[1] == measured(response["values"][i], (stat, stat))[1][0]
        assert mean[-1] == f"{response['profile']['entries'][i]:g} entries"
        passed, total = trigger["efficiency"]["passed"][i], trigger["efficiency"]["total"][i]
        assert efficiency[-1] == f"{passed:g} / {total:g}"
        if trigger["values"][i] is not None:
            assert float(efficiency[0]) == trigger["values"][i]
    # asymmetric interval with a true minus sign
    assert table["rows"][2][2][1] == "+0.040 \N{MINUS SIGN}0.060"  # two digits of 0.04
    assert "Means per bin (a profile)" in html
    assert "efficiencies per bin" in html


def test_graph_points_with_their_errors(client: FlaskClient, alice: dict[str, str]) -> None:
    path = VALID / "graphs_only.json"
    (graph,) = json.loads(path.read_text())["graphs"]
    plot_id = _upload(client, alice, path.read_bytes())
    html = client.get(f"/plots/{plot_id}").get_data(as_text=True)
    assert "Graph 1: Inelastic cross-section" in html
    (table,) = _tables(html)
    assert table["head"] == ["Point", "x", "y", "x error", "y error", "stat", "sys"]
    # y and its errors to the decimal place of the smallest error's two digits; zero
    # x errors: nothing to show
    assert [["".join(cell) for cell in row] for row in table["rows"]] == [
        ["1", "7000", "71.30", "", "±1.40", "±0.10", "±1.40"],
        ["2", "8000", "74.70", "", "±1.71", "±0.20", "±1.70"],
        ["3", "13000", "78.10", "", "±2.86", "±0.60", "±2.80"],
    ]
    assert [graph["y"], graph["y_sources"]["stat"]] == [[71.3, 74.7, 78.1], [0.1, 0.2, 0.6]]
    assert 'name="rebin"' in html  # 1-D controls; the figure draws
    assert "cannot be drawn yet" not in html


def test_numbers_tables_of_a_document_with_bins_and_graphs() -> None:
    doc = histfmt.load(VALID / "all_features.json")
    tables = numbers_tables(doc)
    assert tables[0].corner == "Bin"
    assert tables[0].columns == list(doc.yields)
    assert [t.caption.split(":")[0] for t in tables[1:]] == [
        f"Graph {i + 1}" for i in range(len(doc.graphs))
    ]
