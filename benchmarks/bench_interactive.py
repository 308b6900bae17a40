"""The interactive plot page in Chromium: a 10^5-bin document's chart drawn and hover
ready after navigation (target 1.5 s), hover response (median, target 50 ms), and a
40-bin plot's interactive page against its image page (the same page with JavaScript
off: the server image alone) by first contentful paint.

Serves the viewer on SQLite in a temporary folder with werkzeug, drives Debian's
/usr/bin/chromium through Playwright; every visit in a fresh browser context (nothing in
the browser's cache). The first visit of a plot finds the viewer's chart cache empty
(it computes the numbers from the document); the later visits are those of any reader
after the first. Writes ``results/interactive.md`` with the load average before and after.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "viewer"))

from _common import machine_info, md_table, write_report  # noqa: E402
from bench_render import histfmt_document, scaling_arrays, typical_arrays  # noqa: E402

READY = "() => document.getElementById('hf-chart')?.dataset.ready"
FIRST_PAINT = (
    "() => performance.getEntriesByType('paint')"
    ".find(e => e.name === 'first-contentful-paint')?.startTime"
)
BIN = "() => document.querySelector('.hf-bin')?.dataset.bin"
VISITS = 7  # after the first
PAIRS = 15  # 40 bins: the interactive page, the image page and the page without JS, in turn
HOVERS = 40
LAUNCH = {"executable_path": "/usr/bin/chromium", "args": ["--no-sandbox", "--disable-gpu"]}
VIEWPORT = {"width": 1366, "height": 900}


def _visit(browser: Any, url: str) -> tuple[float, float]:
    """Navigation to chart drawn and hover ready (s), and first contentful paint (s)."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url, wait_until="commit")
        page.wait_for_function(READY, timeout=120_000)
        ready = time.perf_counter() - start
        return ready, page.evaluate(FIRST_PAINT) / 1000
    finally:
        context.close()


CHART_SCRIPTS = ("uPlot.iife.min.js", "measured.js", "chart.js")


def _first_paint(browser: Any, url: str, *, chart: bool = True, javascript: bool = True) -> float:
    """First contentful paint (s) of a page loaded to its load event; without ``chart``
    the chart's scripts are not served (the image page as it was before the chart, with
    the site's own script), without ``javascript`` no script runs."""
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=javascript)
    try:
        page = context.new_page()
        if not chart:
            page.route(
                "**/*",
                lambda route: (
                    route.abort()
                    if route.request.url.split("?")[0].endswith(CHART_SCRIPTS)
                    else route.continue_()
                ),
            )
        page.goto(url, wait_until="load")
        for _ in range(500):  # the paint entry can come after the load event
            paint = page.evaluate(FIRST_PAINT)
            if paint is not None:
                return float(paint) / 1000
            time.sleep(0.01)
        raise RuntimeError("no first contentful paint in 5 s")
    finally:
        context.close()


def _hovers(browser: Any, url: str) -> list[float]:
    """Seconds from a mouse move to the hover panel showing the new bin."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        page.goto(url)
        page.wait_for_function(READY, timeout=120_000)
        box = page.locator(".hf-main .u-over").bounding_box()
        assert box is not None
        times = []
        for k in range(HOVERS):
            x = box["x"] + box["width"] * (0.05 + 0.45 * (k % 2) + 0.4 * k / HOVERS)  # a new bin
            before = page.evaluate(BIN)
            start = time.perf_counter()
            page.mouse.move(x, box["y"] + box["height"] / 2)
            page.wait_for_function(f"() => ({BIN})() !== {json.dumps(before)}")
            times.append(time.perf_counter() - start)
        return times
    finally:
        context.close()


def main() -> None:
    from conftest import served  # type: ignore[import-not-found]
    from playwright.sync_api import sync_playwright

    import histfmt
    from histfmt_viewer import create_app, storage_of

    load_before = os.getloadavg()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        os.environ["HISTFMT_INSTANCE_PATH"] = str(Path(folder) / "instance")
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "DATABASE_URL": f"sqlite:///{folder}/v.sqlite",
                "RENDER_CACHE": f"{folder}/cache",
                "MAX_CONTENT_LENGTH": 256 << 20,
            }
        )
        token = storage_of(app).create_token("bench")
        client = app.test_client()

        def upload(doc: histfmt.Document) -> str:
            response = client.post(
                "/api/plots", data=histfmt.dumps(doc), headers={"Authorization": f"Token {token}"}
            )
            assert response.status_code == 201, response.get_data(as_text=True)
            return str(response.json["id"])  # type: ignore[index]

        big = upload(histfmt_document(scaling_arrays(100_000), symbol="x"))
        small = upload(histfmt_document(typical_arrays(), symbol="x", typical=True))
        paints: dict[str, list[float]] = {"chart": [], "image": [], "off": []}
        with served(app) as url, sync_playwright() as playwright:
            browser = playwright.chromium.launch(**LAUNCH)
            warm = browser.new_context()
            warm.new_page().goto(f"{url}/plots/{small}/image.png")  # as on a used viewer
            warm.close()
            for name, plot in (("10^5 bins", big), ("40 bins", small)):
                first = _visit(browser, f"{url}/plots/{plot}")  # the chart cache empty
                visits = [_visit(browser, f"{url}/plots/{plot}") for _ in range(VISITS)]
                hovers = _hovers(browser, f"{url}/plots/{plot}")
                rows.append(
                    [
                        name,
                        f"{first[0]:.2f} s",
                        f"{statistics.median(v[0] for v in visits):.2f} s",
                        f"{statistics.median(v[1] for v in visits):.2f} s",
                        f"{1000 * statistics.median(hovers):.0f} ms",
                    ]
                )
            page = f"{url}/plots/{small}"
            for _ in range(PAIRS):  # in turn, so that all see the same load
                paints["chart"].append(_first_paint(browser, page))
                paints["image"].append(_first_paint(browser, page, chart=False))
                paints["off"].append(_first_paint(browser, page, javascript=False))
            browser.close()
        size = len(client.get(f"/plots/{big}/chart.bin").data)
        storage_of(app).close()
    load_after = os.getloadavg()
    table = md_table(
        [
            "plot",
            "first visit: chart drawn, hover ready",
            f"later visits: chart drawn, hover ready (median of {VISITS})",
            "first contentful paint (median)",
            f"hover response (median of {HOVERS})",
        ],
        rows,
    )
    info = md_table(
        ["", ""],
        [
            *machine_info(["playwright"]),
            ("load average before", " ".join(f"{v:.2f}" for v in load_before)),
            ("load average after", " ".join(f"{v:.2f}" for v in load_after)),
        ],
    )
    paint = {k: 1000 * statistics.median(v) for k, v in paints.items()}
    text = (
        f"# Interactive plot page\n\n{table}\n\n"
        f"40 bins, first contentful paint (medians of {PAIRS} visits each, taken in turn, "
        f"each page loaded to its load event): the interactive page {paint['chart']:.0f} ms; "
        f"the image page (the same page without the chart's scripts, as before the chart) "
        f"{paint['image']:.0f} ms, ratio {paint['chart'] / paint['image']:.2f}x; the page "
        f"with JavaScript off {paint['off']:.0f} ms.\n\n"
        f"The 10^5-bin document's packed chart (chart.bin, 9 samples and data): "
        f"{size / 1e6:.1f} MB.\n\n{info}\n"
    )
    print(text)
    write_report(HERE / "results" / "interactive.md", text)


if __name__ == "__main__":
    main()
