# ruff: noqa: F811  (the fixtures imported from test_browser are parameters here)
"""The interactive chart of a plot page and the comparison pages, in Chromium.

Fixtures (the served app, the browser, pages that record errors) come from
``test_browser``. Screenshots go to ``tests/viewer/screenshots/`` (git-ignored).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

import histfmt
from histfmt.render.interactive import MAGIC, unpack
from histfmt.shown import Shown

from .test_browser import (  # noqa: F401  (fixtures)
    RESOURCES,
    SCREENSHOTS,
    Viewer,
    Watch,
    browser,
    open_page,
    viewer,
    watch,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page

READY = "() => document.getElementById('hf-chart')?.dataset.ready"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _ready(page: Page, before: str | None = None) -> str:
    """Wait until the chart has been drawn (again, when ``before`` is the last mark)."""
    previous = json.dumps(before)
    page.wait_for_function(f"() => {{ const r = ({READY})(); return r && r !== {previous}; }}")
    mark: str = page.evaluate(READY)
    return mark


def _hover_numbers(page: Page) -> dict[str, str]:
    rows = page.locator(".hf-hover tr[data-name]")
    return {
        rows.nth(i).get_attribute("data-name") or "": rows.nth(i).get_attribute("data-value") or ""
        for i in range(rows.count())
    }


def _hover_bin(page: Page, index: int) -> None:
    page.locator(".hf-main").focus()
    for _ in range(index + 1):
        page.keyboard.press("ArrowRight")
    page.wait_for_selector(f".hf-bin[data-bin='{index}']")


def test_hover_shows_the_documents_numbers(
    viewer: Viewer, open_page: Callable[..., Page], watch: Watch
) -> None:
    data = (EXAMPLES / "met_systematics.json").read_bytes()
    doc = histfmt.loads(data)
    plot_id = viewer.upload(data)
    page = open_page()
    page.goto(f"{viewer.url}/plots/{plot_id}")
    _ready(page)
    assert page.locator(".plot-figure img").is_hidden()  # the chart took its place
    _hover_bin(page, 3)
    numbers = _hover_numbers(page)
    shown = Shown(doc)
    checked = 0
    for stack in doc.stacks:
        for layer in stack.content:
            if not isinstance(layer.label, str) or stack.type != "filled":
                continue
            parts = shown.components(list(layer.yields))
            factor = shown.normalisation(parts.values, list(layer.yields))[3]  # 1 here
            assert float(numbers[layer.label]) == pytest.approx(factor * parts.values[3], rel=1e-12)
            assert float(numbers[f"{layer.label}:stat_up"]) == pytest.approx(
                factor * np.sqrt(parts.stat_up2[3]), rel=1e-12
            )
            assert float(numbers[f"{layer.label}:syst_up"]) == pytest.approx(
                factor * np.sqrt(parts.syst_up2[3]), rel=1e-12, abs=1e-12
            )
            for source, (up, down) in parts.shifts.items():
                shifted = [float(v) for v in numbers[f"{layer.label}:{source}"].split(",")]
                assert shifted == pytest.approx(
                    [factor * up[3], factor * down[3]], rel=1e-12, abs=1e-12
                )
            checked += 1
    assert checked >= 2
    assert "total prediction" in numbers
    assert "data" in numbers
    assert any(name.startswith("ratio") for name in numbers)
    ratio = next(v for k, v in numbers.items() if k.startswith("ratio"))
    assert float(ratio) == pytest.approx(
        float(numbers["data"]) / float(numbers["total prediction"]), rel=1e-9
    )
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "interactive-laptop.png"), full_page=True)
    phone = open_page("phone")
    phone.goto(f"{viewer.url}/plots/{plot_id}")
    _ready(phone)
    phone.screenshot(path=str(SCREENSHOTS / "interactive-phone.png"), full_page=True)
    assert watch.errors == []


def test_zoom_merge_log_and_legend_keep_the_view_in_the_address(  # noqa: PLR0915
    viewer: Viewer, open_page: Callable[..., Page], watch: Watch
) -> None:
    data = (EXAMPLES / "mll_data_vs_mc.json").read_bytes()
    doc = histfmt.loads(data)
    edges = np.asarray(doc.x.edges)
    plot_id = viewer.upload(data)
    page = open_page()
    page.goto(f"{viewer.url}/plots/{plot_id}")
    mark = _ready(page)
    # zoom: drag across the main panel
    box = page.locator(".hf-main .u-over").bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + box["width"] * 0.25, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.6, y, steps=5)
    page.mouse.up()
    mark = _ready(page, mark)
    rebin = [float(v) for v in parse_qs(urlsplit(page.url).query)["rebin"][0].split(",")]
    assert edges[0] < rebin[0] < rebin[-1] < edges[-1]
    assert set(rebin) <= set(edges.tolist())
    # merge by 2 with the keyboard, log y
    page.locator("#hf-merge").focus()
    page.locator("#hf-merge").select_option("2")
    mark = _ready(page, mark)
    merged = [float(v) for v in parse_qs(urlsplit(page.url).query)["rebin"][0].split(",")]
    assert merged[0] == rebin[0]
    assert len(merged) < len(rebin)
    page.locator("#hf-logy").focus()
    page.keyboard.press("Enter")
    mark = _ready(page, mark)
    assert parse_qs(urlsplit(page.url).query)["logy"] == ["1"]
    assert page.locator("#hf-logy").get_attribute("aria-pressed") == "true"
    # legend: hide the first sample
    entry = page.locator(".hf-entry").first
    label = entry.get_attribute("data-label")
    entry.click()
    mark = _ready(page, mark)
    hidden = parse_qs(urlsplit(page.url).query)["hide"]
    assert hidden
    assert page.locator(".hf-entry").first.get_attribute("aria-pressed") == "false"
    # the download link names the same view, and its image is the server image of it
    link = page.locator("a[href*='/image.png']").first.get_attribute("href") or ""
    query = parse_qs(urlsplit(link).query)
    assert (
        query["rebin"][0].split(",") == [f"{v:g}" for v in merged]
        or [float(v) for v in query["rebin"][0].split(",")] == merged
    )
    assert query["logy"] == ["1"]
    assert query["hide"] == hidden
    response = page.request.get(f"{viewer.url}{link}")
    assert response.ok
    from werkzeug.datastructures import MultiDict

    from histfmt.render.mpl import render
    from histfmt_viewer.view import parse_view

    view = parse_view(MultiDict(parse_qs(urlsplit(link).query)))
    assert response.body() == render(doc, format="png", options=view.options())
    # the chart shows the same bins as that image
    chart = unpack(
        page.request.get(f"{viewer.url}/plots/{plot_id}/chart.bin?{urlsplit(link).query}").body()
    )
    assert chart["edges"] == pytest.approx(merged)
    # show it again
    page.locator(f".hf-entry[data-label='{label}']").click()
    _ready(page, mark)
    assert "hide" not in parse_qs(urlsplit(page.url).query)
    assert watch.errors == []


def test_ratio_reference_is_chosen_in_the_page(
    viewer: Viewer, open_page: Callable[..., Page]
) -> None:
    data = (EXAMPLES / "mll_data_vs_mc.json").read_bytes()
    plot_id = viewer.upload(data)
    page = open_page()
    page.goto(f"{viewer.url}/plots/{plot_id}")
    _ready(page)
    options = page.locator("#hf-ref option")
    sample = options.nth(2).get_attribute("value") or ""
    page.locator("#hf-ref").select_option(sample)
    assert parse_qs(urlsplit(page.url).query)["ratio_to"] == [sample]
    _hover_bin(page, 10)
    numbers = _hover_numbers(page)
    ratio = next(v for k, v in numbers.items() if k.startswith("ratio"))
    assert float(ratio) == pytest.approx(float(numbers["data"]) / float(numbers[sample]), rel=1e-9)


def test_two_d_map_hover_and_log_z(
    viewer: Viewer, open_page: Callable[..., Page], watch: Watch
) -> None:
    data = (RESOURCES / "valid" / "two_d_map.json").read_bytes()
    plot_id = viewer.upload(data)
    page = open_page()
    page.goto(f"{viewer.url}/plots/{plot_id}")
    mark = _ready(page)
    canvas = page.locator(".hf-main canvas")
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.5)
    page.wait_for_selector(".hf-bin")
    assert page.locator(".hf-numbers tr[data-name]").count() == 1
    page.locator("#hf-logz").click()
    mark = _ready(page, mark)
    assert parse_qs(urlsplit(page.url).query)["logz"] == ["1"]
    # a click on a cell of the lower eta row shows that row projected onto x
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.75)
    _ready(page, mark)
    query = parse_qs(urlsplit(page.url).query)
    assert query["project"] == ["x:0:1"]
    assert "logz" not in query
    assert page.locator(".hf-main canvas").count() == 1  # uPlot's own: the map is gone
    assert page.locator("#hf-logy").inner_text() == "Log y"
    assert page.locator("#hf-logz").count() == 0
    assert page.locator("#hf-reset").is_visible()
    assert page.locator(".hf-hover").inner_text() == ""  # not the map's cell any more
    assert page.locator("#view select[name=project]").input_value() == "x"
    assert page.locator("#view input[name=slice]").input_value() == "0:1"
    image = page.locator("a[href*='/image.png']").first.get_attribute("href") or ""
    assert parse_qs(urlsplit(image).query)["project"] == ["x:0:1"]
    _hover_bin(page, 1)
    numbers = _hover_numbers(page)
    assert float(numbers["data"]) == 40  # x bin [50, 100), eta bin [-2.5, 0)
    assert watch.errors == []


def test_without_javascript_the_image_stays(viewer: Viewer, browser) -> None:
    plot_id = viewer.upload((EXAMPLES / "mll_data_vs_mc.json").read_bytes())
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{viewer.url}/plots/{plot_id}")
        assert page.locator(".plot-figure img").is_visible()
        assert page.locator("#hf-chart").is_hidden()
    finally:
        context.close()


def test_comparison_page(viewer: Viewer, open_page: Callable[..., Page], watch: Watch) -> None:
    data = (EXAMPLES / "mll_data_vs_mc.json").read_bytes()
    first = viewer.upload(data)
    doc = histfmt.loads(data)
    name = next(s for s in doc.stacks if s.type == "points").content[0].yields[0]  # compared
    changed = histfmt.loads(data)
    values = np.array(changed.yields[name].values, dtype=np.float64)
    values[5] *= 1.5
    import msgspec

    changed.yields[name] = msgspec.structs.replace(changed.yields[name], values=values)
    second = viewer.upload(histfmt.dumps(changed))
    page = open_page()
    page.goto(f"{viewer.url}/compare")
    page.fill("input[name=plots]", f"{first},{second}")
    page.keyboard.press("Enter")
    page.wait_for_selector(".compare-stats")
    assert page.locator(".compare-stats tbody tr").count() == 1
    expected = histfmt.compare({"a": doc, "b": changed}).pairs[0]
    shown = float(page.locator(".compare-stats .p-value").first.inner_text())
    assert shown == pytest.approx(expected.p_value, rel=1e-3, abs=1e-300)
    assert expected.p_value < 0.05
    assert page.locator(".compare-stats td").last.inner_text() == "no"
    page.wait_for_function(
        "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)"
    )
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "compare-laptop.png"), full_page=True)
    assert watch.errors == []


def test_changes_page(viewer: Viewer) -> None:
    data = (EXAMPLES / "mll_data_vs_mc.json").read_bytes()
    plot_id = viewer.upload(data)
    changed = histfmt.loads(data)
    name = next(iter(changed.yields))
    values = np.array(changed.yields[name].values, dtype=np.float64)
    old = float(values[7])
    values[7] = old + 2.5
    import msgspec

    changed.yields[name] = msgspec.structs.replace(changed.yields[name], values=values)
    from histfmt_viewer.documents import plot_info, stored_text

    viewer.storage.add_version(plot_id, plot_info(changed, owner="alice"), stored_text(changed))
    client = viewer.app.test_client()
    page = client.get(f"/plots/{plot_id}/changes").get_data(as_text=True)
    assert "1 of" in page
    assert 'data-bin="7"' in page
    assert "+2.5" in page
    assert "unchanged" in page
    bad = client.get("/compare?plots=only-one")
    assert bad.status_code == 400


def test_chart_refuses_a_wrong_view(viewer: Viewer) -> None:
    plot_id = viewer.upload((EXAMPLES / "mll_data_vs_mc.json").read_bytes())
    client = viewer.app.test_client()
    response = client.get(f"/plots/{plot_id}/chart.bin?rebin=1,2,3.3")
    assert response.status_code == 400
    assert "rebin" in response.get_json()["error"]
    hidden = client.get(f"/plots/{plot_id}/chart.bin?hide=nothing-of-that-name")
    assert hidden.status_code == 400
    assert "hide" in hidden.get_json()["error"]
    assert client.get(f"/plots/{plot_id}/chart.bin").data[:4] == MAGIC


def test_offline_chart_for_notebooks(
    open_page: Callable[..., Page], tmp_path: Path, watch: Watch
) -> None:
    from histfmt.render.interactive import chart_html

    doc = histfmt.load(EXAMPLES / "met_systematics.json")
    path = tmp_path / "chart.html"
    path.write_text(
        f"<!doctype html><meta charset=utf-8><body>{chart_html(doc)}</body>", encoding="utf-8"
    )
    page = open_page()
    page.goto(path.as_uri())
    mark = _ready(page)
    _hover_bin(page, 2)
    numbers = _hover_numbers(page)
    layer = doc.stacks[0].content[0]
    assert isinstance(layer.label, str)
    shown = Shown(doc)
    parts = shown.components(list(layer.yields))
    value = (parts.values * shown.normalisation(parts.values, list(layer.yields)))[2]
    assert float(numbers[layer.label]) == pytest.approx(value, rel=1e-12)
    page.locator("#hf-logy").click()
    _ready(page, mark)
    assert (
        page.locator("#hf-logy").get_attribute("aria-pressed") == "false"
    )  # the document's is log
    assert watch.errors == []
