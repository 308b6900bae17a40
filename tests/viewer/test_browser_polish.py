"""The plot page's alert for a wrong view control, and screenshots of the plot page and
the collections list at a laptop and a phone width (``tests/viewer/screenshots/``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from . import test_browser as shared
from .test_browser import EXAMPLES, IMAGES_LOADED, SCREENSHOTS, TIMEOUT_MS, VIEWPORTS, Viewer, Watch

if TYPE_CHECKING:
    from playwright.sync_api import Page

# the browser tests' fixtures
browser, viewer, open_page, watch = shared.browser, shared.viewer, shared.open_page, shared.watch


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
def test_a_wrong_rebin_is_said_beside_the_kept_form(
    viewer: Viewer, open_page: Callable[..., Page], watch: Watch, viewport: str
) -> None:
    answer = viewer.app.test_client().post(
        "/api/collections", json={"title": "Dileptons", "visibility": "public"},
        headers={"Authorization": f"Token {viewer.token}"},
    )  # fmt: skip
    data = (EXAMPLES / "mll_data_vs_mc.json").read_bytes()
    into = f"?collection={answer.json['id']}"  # type: ignore[index]
    plot_id = viewer.upload(data, into)
    viewer.upload(data, into + "&visibility=private")  # not counted for a visitor
    page = open_page(viewport)
    response = page.goto(f"{viewer.url}/plots/{plot_id}?rebin=50,77,100&logy=1")
    assert response is not None
    assert response.status == 400
    page.wait_for_function(IMAGES_LOADED, timeout=TIMEOUT_MS)  # drawn without the rebin
    alert = page.locator("form.view [role=alert]")
    assert "77 is not an edge of the x axis" in alert.inner_text()
    assert alert.is_visible()
    assert page.input_value("input[name=rebin]") == "50,77,100"
    assert page.input_value("select[name=logy]") == "1"
    footer = page.inner_text("footer")
    assert "this plot: version 1 of 1" in footer
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"polish-plot-{viewport}.png"), full_page=True)
    page.goto(f"{viewer.url}/plots/{plot_id}")
    page.wait_for_function(IMAGES_LOADED, timeout=TIMEOUT_MS)
    assert page.locator("[role=alert]").count() == 0
    page.goto(f"{viewer.url}/collections/")
    assert "alice · 1 plot" in page.inner_text("ul.collections")
    page.screenshot(path=str(SCREENSHOTS / f"polish-collections-{viewport}.png"), full_page=True)
    assert watch.errors == []
