# ruff: noqa: F811  (the fixtures imported from test_browser are parameters here)
"""The chart in Chromium beyond the plot page's controls (test_interactive.py): the
notebook display offline and without scripts, the hover panel's rounding against the
numbers table's, a chart of many more bins than pixels, and the viewer's chart cache."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

import histfmt
from histfmt.render.interactive import unpack
from histfmt_viewer.numbers import measured

from .test_browser import (  # noqa: F401  (fixtures)
    Viewer,
    Watch,
    browser,
    open_page,
    viewer,
    watch,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

READY = "() => document.getElementById('hf-chart')?.dataset.ready"
STATIC = Path(__file__).resolve().parents[2] / "src" / "histfmt_viewer" / "static"


def _notebook_page(doc: histfmt.Document, folder: Path) -> Path:
    html = doc._repr_html_()
    assert html is not None
    path = folder / "notebook.html"
    path.write_text(f"<!doctype html><meta charset=utf-8><body>{html}</body>", encoding="utf-8")
    return path


def _small() -> histfmt.Document:
    doc = histfmt.Document.new([0.0, 10.0, 20.0, 30.0], symbol="$m$", unit="GeV")
    doc.add_yield(
        "mc", [5.0, 4.0, 2.0], stat=np.array([1.0, 1.0, 0.7]), label="Simulation",
        variations={"JES": ([6.0, 4.5, 2.0], None)},
    )  # fmt: skip
    doc.add_yield("data", [6.0, 3.0, 2.0])
    doc.add_stack(["mc"]).add_stack([("data", "Data")], type="points", error="poisson")
    doc.add_ratio("data", "mc")
    doc.ratio_axis.label = "Data / Pred."
    return doc


def test_the_notebook_display_draws_offline(
    open_page: Callable[..., Page], tmp_path: Path, watch: Watch
) -> None:
    path = _notebook_page(_small(), tmp_path)
    page = open_page()
    asked: list[str] = []

    def only_the_file(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        asked.append(url)
        if url == path.as_uri():
            route.continue_()  # type: ignore[attr-defined]
        else:
            route.abort()  # type: ignore[attr-defined]

    page.route("**/*", only_the_file)
    page.goto(path.as_uri())
    page.wait_for_function(READY)
    assert asked == [path.as_uri()]  # nothing fetched: works without a network
    assert page.locator("img.hf-fallback").is_hidden()  # drawn once: the chart replaced it
    assert page.locator(".hf-main canvas").count() == 1
    assert page.locator(".hf-ratio").get_attribute("data-label") == "Data / Pred."
    page.locator(".hf-main").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector(".hf-bin[data-bin='1']")
    row = page.locator(".hf-hover tr[data-name='Simulation']")
    assert row.get_attribute("data-value") == "4"
    value, (stat, syst) = measured(4.0, (1.0, 1.0), (0.0, 0.0))  # no syst: JES is a shift
    assert syst == ""
    assert row.locator("td").inner_text() == f"{value} {stat} stat"  # 4.0 ±1.0 stat
    shift = page.locator(".hf-hover tr[data-name='Simulation:JES']").get_attribute("data-value")
    assert shift == "0.5,-0.5"
    assert watch.errors == []


def test_the_notebook_display_without_scripts_is_the_png(browser: Browser, tmp_path: Path) -> None:
    path = _notebook_page(_small(), tmp_path)
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(path.as_uri())
        assert page.locator("img.hf-fallback").is_visible()
        assert page.locator(".hf-chart").is_hidden()
    finally:
        context.close()


CASES: list[tuple[float, list[tuple[float, float]]]] = [
    (1234.0, [(56.0, 56.0)]),
    (0.503, [(0.011, 0.011)]),
    (12345.0, [(1000.0, 1000.0)]),
    (12.0, [(8.0, 7.6)]),
    (12345678.0, [(56000.0, 56000.0)]),
    (0.125, [(0.15, 0.15)]),  # a tie: to even, 0.12 (toFixed says 0.13)
    (2.5, [(10.0, 10.0)]),
    (-2.5, [(10.0, 10.0)]),
    (250.0, [(1000.0, 1000.0)]),
    (0.0000123, [(0.0000045, 0.0000045)]),
    (-0.3, [(10.0, 10.0)]),
    (0.0, [(0.0, 0.0)]),
    (0.0, [(1e-3, 1e-3)]),
    (7.0, [(0.0, 0.0), (0.0, 0.0)]),
    (123456.789, []),
    (1e-7, []),
    (9.9996, []),
    (math.nan, [(1.0, 1.0)]),
    (math.inf, []),
    (5.0, [(math.nan, math.nan)]),
    (5.0, [(math.inf, 1.0)]),
    (0.0996, [(0.0996, 0.0996)]),
    (3.14159, [(0.0015, 0.0025)]),
    (3.3e21, [(1e19, 1e19)]),
    (42.0, [(2.5, 3.5), (0.25, 0.25)]),
    (1e-30, [(1e-31, 1e-31)]),
    (1.5, [(0.0, 0.2)]),
    (999999.5, [(0.5, 0.5)]),
    (1250000.0, [(10000.0, 10000.0)]),
    (0.375, [(0.15, 0.3)]),
]


def test_hover_numbers_are_rounded_as_the_numbers_table(open_page: Callable[..., Page]) -> None:
    page = open_page()
    page.goto("about:blank")
    page.add_script_tag(path=str(STATIC / "measured.js"))
    got = page.evaluate(
        "cases => cases.map(([v, errors]) => window.hfNumbers.measured(v, ...errors))",
        [[v, [list(e) for e in errors]] for v, errors in CASES],
    )
    expected = [list(measured(v, *errors)) for v, errors in CASES]
    assert got == [[value, list(spreads)] for value, spreads in expected]


def _many_bins(n: int) -> histfmt.Document:
    rng = np.random.default_rng(5)
    doc = histfmt.Document.new(np.linspace(0.0, 100.0, n + 1), symbol="x")
    names = []
    for k in range(3):
        values = rng.uniform(10.0, 20.0, n) / (k + 1)
        doc.add_yield(f"mc{k}", values, stat=np.sqrt(values), label=f"Process {k}")
        names.append(f"mc{k}")
    doc.add_yield("data", rng.poisson(30.0, n).astype(float))
    doc.add_stack(names).add_stack([("data", "Data")], type="points")
    doc.add_ratio("data", names)
    return doc


def test_many_more_bins_than_pixels(
    viewer: Viewer, open_page: Callable[..., Page], watch: Watch
) -> None:
    """10^4 bins on ~1,300 pixels: drawn per pixel column, the hovered bin found by
    bisection is the one under the mouse, with its exact numbers."""
    n = 10_000
    doc = _many_bins(n)
    plot_id = viewer.upload(histfmt.dumps(doc))
    page = open_page()
    page.goto(f"{viewer.url}/plots/{plot_id}")
    page.wait_for_function(READY)
    box = page.locator(".hf-main .u-over").bounding_box()
    assert box is not None
    for fraction in (0.1234, 0.5, 0.9001):
        page.mouse.move(box["x"] + box["width"] * fraction, box["y"] + box["height"] / 2)
        page.wait_for_function(
            "f => { const b = document.querySelector('.hf-bin'); return b && "
            "Math.abs(Number(b.dataset.bin) - f * 10000) < 20; }",
            arg=fraction,
        )
        i = int(page.locator(".hf-bin").get_attribute("data-bin") or "")
        assert i == pytest.approx(fraction * n, abs=n / box["width"] + 1)  # a pixel's bins
        for k in range(3):
            row = page.locator(f".hf-hover tr[data-name='Process {k}']")
            assert float(row.get_attribute("data-value") or "") == doc.yields[f"mc{k}"].values[i]
    assert watch.errors == []


def test_the_chart_is_cached_beside_the_images(
    viewer: Viewer, monkeypatch: pytest.MonkeyPatch
) -> None:
    plot_id = viewer.upload(histfmt.dumps(_small()))
    client = viewer.app.test_client()
    first = client.get(f"/plots/{plot_id}/chart.bin?logy=1")
    assert first.status_code == 200
    assert first.mimetype == "application/octet-stream"
    assert unpack(first.data)["logy"] is True
    cache = Path(viewer.app.config["RENDER_CACHE"]) / plot_id
    assert len(list(cache.glob("v1-*.chart"))) == 1
    from histfmt_viewer import charts

    def unread(*args: object) -> None:
        raise AssertionError("the document was read for a cached chart")

    monkeypatch.setattr(charts, "load_document", unread)
    again = client.get(f"/plots/{plot_id}/chart.bin?logy=1&version=1")
    assert again.status_code == 200
    assert again.data == first.data
    client.delete(f"/api/plots/{plot_id}", headers={"Authorization": f"Token {viewer.token}"})
    assert not cache.exists()  # deleted with the plot's images
