"""The viewer as a new user found it (issue 11): wrong view controls, labels and rounding
in the numbers, versions in the footer, collection counts, upload titles, image dpi."""

from __future__ import annotations

import html
import io
import re
import struct
from pathlib import Path

import numpy as np
import pytest
from flask.testing import FlaskClient

import histfmt
from histfmt.cli.documents import render
from histfmt.render.options import DEFAULT_DPI
from histfmt_viewer.numbers import measured
from histfmt_viewer.view import PAGE_DPI, View

from .conftest import csrf_token, sign_in

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
MINUS = "\N{MINUS SIGN}"


@pytest.mark.parametrize(
    ("value", "errors", "expected"),
    [
        (1234.4, [(56, 56)], ("1234", ["±56"])),
        (0.50341, [(0.0112, 0.0112)], ("0.503", ["±0.011"])),
        (12345, [(1013, 1013)], ("12300", ["±1000"])),  # two digits, never 1013
        (1.2345, [(0.0996, 0.0996)], ("1.23", ["±0.10"])),  # rounds up to 0.10
        (12.3, [(12.1, 8.04)], ("12.3", [f"+12.1 {MINUS}8.0"])),
        (1234.5, [(56, 56), (1.2, 1.2)], ("1234.5", ["±56.0", "±1.2"])),  # the finest wins
        (0.0, [(1.2, 1.2)], ("0.0", ["±1.2"])),
        (12345678, [(56000, 56000)], ("1.2346e+07", ["±5.6e+04"])),
        (1.23e-5, [(4e-7, 4e-7)], ("1.230e-05", ["±4.0e-07"])),
        (1013.0, [(1013.0, 1013.0)], ("1000", ["±1000"])),
        (5.0, [(0.0, 0.0)], ("5", [""])),  # no uncertainty: as stored
        (1 / 3, [], ("0.333333", [])),
        (3.0, [(np.inf, np.inf)], ("3", [""])),
        (np.nan, [(1.0, 1.0)], ("\N{EM DASH}", ["±1"])),
    ],
)
def test_measured_rounds_as_a_physicist_writes(
    value: float, errors: list[tuple[float, float]], expected: tuple[str, list[str]]
) -> None:
    assert measured(value, *errors) == expected


def _doc() -> histfmt.Document:
    doc = histfmt.Document.new([0.0, 10.0, 20.0, 30.0], symbol="$m$", unit="GeV")
    doc.add_yield("zll", [1234.4, 502.0, 12.0], stat=np.array([56.1, 22.0, 3.4]),
                  label=r"$Z\to\ell\ell$")  # fmt: skip
    doc.add_yield("ttbar", [100.0, 50.0, 10.0], stat=np.array([1013.0, 7.0, 3.0]),
                  label=r"$t\bar{t}$")  # fmt: skip
    doc.add_yield("data", [1300.0, 560.0, 20.0])
    doc.add_stack(["ttbar", "zll"]).add_stack([("data", "Data")], type="points", error="poisson")
    return doc.add_ratio("data", ["ttbar", "zll"])


def _upload(client: FlaskClient, headers: dict[str, str], data: bytes, **args: str) -> str:
    response = client.post("/api/plots", data=data, headers=headers, query_string=args)
    assert response.status_code == 201, response.json
    plot_id: str = response.json["id"]  # type: ignore[index]
    return plot_id


def _image_url(page: str, plot_id: str) -> str:
    found = re.search(rf'<img src="(/plots/{plot_id}/image\.png\?[^"]*)"', page)
    assert found, page
    return html.unescape(found.group(1))


def test_a_rebin_off_the_edges_is_named_beside_the_kept_form(
    client: FlaskClient, alice: dict[str, str]
) -> None:
    plot_id = _upload(client, alice, histfmt.dumps(_doc()))
    response = client.get(f"/plots/{plot_id}?rebin=0,15,30&logy=1&hide=data")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    alert = re.search(r'<div class="errors" role="alert">.*?</div>', page, re.S)
    assert alert, page
    assert "<code>rebin</code>: 15 is not an edge of the x axis" in alert.group()
    assert "0, 10, 20, 30" in alert.group()
    assert alert.start() < page.index('name="rebin"')  # beside the form, above the controls
    # the form keeps what was typed; the image is drawn with the rest of the view
    assert 'name="rebin" value="0,15,30"' in page
    assert '<option value="1" selected>logarithmic</option>' in page
    assert 'value="data" checked' in page
    image = _image_url(page, plot_id)
    assert "rebin" not in image
    assert "logy=1" in image
    assert "hide=data" in image
    assert client.get(image).status_code == 200  # never a broken image


@pytest.mark.parametrize(
    ("query", "where", "kept"),
    [
        ("rebin=abc", "rebin", 'name="rebin" value="abc"'),
        ("rebin=20,10", "rebin", 'name="rebin" value="20,10"'),
        ("logy=maybe&rebin=0,20,30", "logy", 'name="rebin" value="0,20,30"'),
        ("project=x", "project", 'name="rebin" value=""'),
        ("logz=1", "logz", 'name="rebin" value=""'),
        ("style=Comic", "style", 'name="rebin" value=""'),
        ("hide=nosuchsample", "hide", 'name="rebin" value=""'),
    ],
)
def test_every_wrong_control_is_a_page_with_the_form(
    client: FlaskClient, alice: dict[str, str], query: str, where: str, kept: str
) -> None:
    plot_id = _upload(client, alice, histfmt.dumps(_doc()))
    response = client.get(f"/plots/{plot_id}?{query}")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"<li><code>{where}</code>: " in page
    assert '<form class="view"' in page
    assert kept in page
    assert client.get(_image_url(page, plot_id)).status_code == 200
    # a client asking for JSON gets the message as JSON
    answer = client.get(f"/plots/{plot_id}?{query}", headers={"Accept": "application/json"})
    assert answer.status_code == 400
    assert answer.json["error"].startswith(f"{where}: ")  # type: ignore[index]


def test_labels_and_rounded_uncertainties_in_the_checkboxes_and_numbers(
    client: FlaskClient, alice: dict[str, str]
) -> None:
    plot_id = _upload(client, alice, histfmt.dumps(_doc()))
    page = client.get(f"/plots/{plot_id}").get_data(as_text=True)
    assert (
        'value="zll"> hide Z\N{RIGHTWARDS ARROW}\N{SCRIPT SMALL L}\N{SCRIPT SMALL L}</label>'
        in page
    )
    assert 'value="ttbar"> hide tt\u0304</label>' in page
    head = re.search(r"<thead>(.*?)</thead>", page, re.S)
    assert head
    columns = re.findall(r'<th scope="col">([^<]*)</th>', head.group(1))
    assert columns == [
        "Z\N{RIGHTWARDS ARROW}\N{SCRIPT SMALL L}\N{SCRIPT SMALL L}",
        "tt\u0304",
        "data",
    ]
    assert '<td>1234<span class="unc" title="statistical">±56</span></td>' in page
    assert '<td>100<span class="unc" title="statistical">±1000</span></td>' in page
    assert "e+03" not in page


def test_the_footer_shows_the_package_and_the_plot_version_apart(
    client: FlaskClient, tokens: dict[str, str], alice: dict[str, str]
) -> None:
    plot_id = _upload(client, alice, histfmt.dumps(_doc()))
    sign_in(client, tokens["alice"])
    new = {"file": (io.BytesIO(histfmt.dumps(_doc())), "v2.json"), "csrf_token": csrf_token(client)}
    assert client.post(f"/plots/{plot_id}/versions", data=new).status_code == 303
    page = client.get(f"/plots/{plot_id}?version=1").get_data(as_text=True)
    footer = re.search(r"<footer>(.*?)</footer>", page, re.S)
    assert footer
    assert f'<span class="software">histfmt {histfmt.__version__}</span>' in footer.group(1)
    assert "this plot: version 1 of 2, format 1.1" in footer.group(1)
    index = client.get("/").get_data(as_text=True)
    assert "this plot" not in index
    assert f"histfmt {histfmt.__version__}" in index


def test_collection_counts_are_of_what_the_viewer_may_see(
    client: FlaskClient, tokens: dict[str, str], alice: dict[str, str]
) -> None:
    answer = client.post("/api/collections", json={"title": "Mine"}, headers=alice)
    assert answer.status_code == 201, answer.json
    collection = str(answer.json["id"])  # type: ignore[index]
    _upload(client, alice, histfmt.dumps(_doc()), collection=collection, visibility="private")
    _upload(client, alice, histfmt.dumps(_doc()), collection=collection)

    def count() -> str:
        page = client.get("/collections/").get_data(as_text=True)
        found = re.search(r'class="meta">alice · (\d+ plots?)', page)
        assert found, page
        return found.group(1)

    assert count() == "1 plot"  # signed out: the public plot only
    sign_in(client, tokens["alice"])
    assert count() == "2 plots"  # the owner sees the private one too
    sign_in(client, tokens["bob"])
    assert count() == "1 plot"


def test_converted_uploads_are_titled_by_their_name(
    client: FlaskClient, alice: dict[str, str], tokens: dict[str, str], tmp_path: Path
) -> None:
    # the converter names a lone UHI histogram after the file, a HEPData table by its name
    uhi = (RESOURCES / "real" / "uhi" / "mean.json").read_bytes()
    plot_id = _upload(client, alice, uhi, filename="profile.json")
    assert client.get(f"/api/plots/{plot_id}").json["title"] == "profile"  # type: ignore[index]
    table = (RESOURCES / "hepdata" / "table_points.yaml").read_bytes()
    plot_id = _upload(client, alice, table, filename="table_points.yaml")
    assert client.get(f"/api/plots/{plot_id}").json["title"] == "table_points"  # type: ignore[index]
    submission = RESOURCES / "real" / "hepdata" / "ins1283183"
    target = tmp_path / "submission.tar.gz"
    histfmt.convert.registry.write_book(
        histfmt.convert.registry.read_book(submission), target, "hepdata"
    )
    plot_id = _upload(client, alice, target.read_bytes(), filename="submission.tar.gz")
    assert client.get(f"/api/plots/{plot_id}").json["title"] == "Table 1"  # type: ignore[index]
    # a new version uploaded through the page: the file's stem
    sign_in(client, tokens["alice"])
    form = {"file": (io.BytesIO(uhi), "weighted mean.json"), "csrf_token": csrf_token(client)}
    assert client.post(f"/plots/{plot_id}/versions", data=form).status_code == 303
    assert client.get(f"/api/plots/{plot_id}").json["title"] == "weighted mean"  # type: ignore[index]
    # a histfmt document without a title is stored as it came
    plain = _doc()
    plot_id = _upload(client, alice, histfmt.dumps(plain), filename="mine.json")
    assert client.get(f"/api/plots/{plot_id}").json["title"] == "Untitled plot"  # type: ignore[index]


def _png_width(data: bytes) -> int:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width: int = struct.unpack(">I", data[16:20])[0]
    return width


def test_downloads_use_the_cli_default_dpi_and_the_page_its_own(
    client: FlaskClient, alice: dict[str, str]
) -> None:
    (dpi,) = [p for p in render.params if p.name == "dpi"]
    assert DEFAULT_DPI == View().dpi == dpi.default == 150
    plot_id = _upload(client, alice, histfmt.dumps(_doc()))
    page = client.get(f"/plots/{plot_id}").get_data(as_text=True)
    assert f"dpi={PAGE_DPI:g}" in _image_url(page, plot_id)
    download = client.get(f"/plots/{plot_id}/image.png?download=1")
    shown = client.get(_image_url(page, plot_id))
    ratio = _png_width(download.data) / _png_width(shown.data)
    assert ratio == pytest.approx(DEFAULT_DPI / PAGE_DPI, rel=0.02)


def test_a_slice_beyond_the_other_axis_keeps_the_map(
    client: FlaskClient, alice: dict[str, str]
) -> None:
    doc = histfmt.Document.new([0.0, 1.0, 2.0], y=histfmt.model.Axis.new([0.0, 1.0, 2.0, 3.0]))
    doc.add_yield("n", np.arange(6.0).reshape(2, 3))
    plot_id = _upload(client, alice, histfmt.dumps(doc))
    response = client.get(f"/plots/{plot_id}?project=y&slice=0:9")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "<code>project</code>: the slice 0:9 goes beyond the 2 bins of x" in page
    assert 'name="slice" value="0:9"' in page
    assert '<option value="y" selected>projection onto y</option>' in page


@pytest.mark.parametrize("labels", [False, True])
def test_a_long_table_names_and_counts_the_bins_it_leaves_out(labels: bool) -> None:
    from histfmt_viewer.numbers import MAX_ROWS, numbers_tables

    bins = MAX_ROWS * 5
    doc = histfmt.Document.new(np.arange(bins + 1.0), symbol="x")
    doc.add_yield("a", np.arange(bins + 2.0), stat=np.full(bins + 2, 0.5))
    doc.x.underflow = doc.x.overflow = True
    if labels:
        doc.x.labels = [f"b{i}" for i in range(bins)]
    (table,) = numbers_tables(doc)
    assert len(table.rows) == MAX_ROWS
    first, second, last = table.rows[0], table.rows[1], table.rows[-1]
    assert first.label == "underflow"
    assert second.label == ("b0 [0, 1)" if labels else "[0, 1)")
    assert last.label.endswith(f"[{MAX_ROWS - 2}, {MAX_ROWS - 1})")
    assert [c.value for c in last.cells] == [f"{MAX_ROWS - 1}.00"]  # ±0.50
    assert table.notes == [f"The first {MAX_ROWS} of {bins + 2} bins are shown."]
